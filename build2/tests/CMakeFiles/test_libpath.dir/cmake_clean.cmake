file(REMOVE_RECURSE
  "CMakeFiles/test_libpath.dir/unit/test_libpath.c.o"
  "CMakeFiles/test_libpath.dir/unit/test_libpath.c.o.d"
  "test_libpath"
  "test_libpath.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_libpath.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
