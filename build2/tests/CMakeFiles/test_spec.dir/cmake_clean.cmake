file(REMOVE_RECURSE
  "CMakeFiles/test_spec.dir/unit/test_spec.c.o"
  "CMakeFiles/test_spec.dir/unit/test_spec.c.o.d"
  "test_spec"
  "test_spec.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_spec.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
