file(REMOVE_RECURSE
  "CMakeFiles/test_sockinfo.dir/unit/test_sockinfo.c.o"
  "CMakeFiles/test_sockinfo.dir/unit/test_sockinfo.c.o.d"
  "test_sockinfo"
  "test_sockinfo.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_sockinfo.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
