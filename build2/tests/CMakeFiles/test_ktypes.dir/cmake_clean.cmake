file(REMOVE_RECURSE
  "CMakeFiles/test_ktypes.dir/unit/test_ktypes.c.o"
  "CMakeFiles/test_ktypes.dir/unit/test_ktypes.c.o.d"
  "test_ktypes"
  "test_ktypes.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_ktypes.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
