file(REMOVE_RECURSE
  "CMakeFiles/test_http1.dir/unit/test_http1.c.o"
  "CMakeFiles/test_http1.dir/unit/test_http1.c.o.d"
  "test_http1"
  "test_http1.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_http1.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
