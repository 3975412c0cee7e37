file(REMOVE_RECURSE
  "CMakeFiles/test_safe_file.dir/unit/test_safe_file.c.o"
  "CMakeFiles/test_safe_file.dir/unit/test_safe_file.c.o.d"
  "test_safe_file"
  "test_safe_file.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_safe_file.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
