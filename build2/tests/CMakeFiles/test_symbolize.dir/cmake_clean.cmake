file(REMOVE_RECURSE
  "CMakeFiles/test_symbolize.dir/unit/test_symbolize.c.o"
  "CMakeFiles/test_symbolize.dir/unit/test_symbolize.c.o.d"
  "test_symbolize"
  "test_symbolize.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_symbolize.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
