file(REMOVE_RECURSE
  "CMakeFiles/test_usdt_notes.dir/unit/test_usdt_notes.c.o"
  "CMakeFiles/test_usdt_notes.dir/unit/test_usdt_notes.c.o.d"
  "test_usdt_notes"
  "test_usdt_notes.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_usdt_notes.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
