file(REMOVE_RECURSE
  "CMakeFiles/test_tracefs.dir/unit/test_tracefs.c.o"
  "CMakeFiles/test_tracefs.dir/unit/test_tracefs.c.o.d"
  "test_tracefs"
  "test_tracefs.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_tracefs.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
