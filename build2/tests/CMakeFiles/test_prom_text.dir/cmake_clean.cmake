file(REMOVE_RECURSE
  "CMakeFiles/test_prom_text.dir/unit/test_prom_text.c.o"
  "CMakeFiles/test_prom_text.dir/unit/test_prom_text.c.o.d"
  "test_prom_text"
  "test_prom_text.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_prom_text.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
