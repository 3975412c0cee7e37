file(REMOVE_RECURSE
  "CMakeFiles/test_return_safety.dir/unit/test_return_safety.c.o"
  "CMakeFiles/test_return_safety.dir/unit/test_return_safety.c.o.d"
  "test_return_safety"
  "test_return_safety.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_return_safety.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
