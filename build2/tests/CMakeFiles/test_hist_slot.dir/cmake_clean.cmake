file(REMOVE_RECURSE
  "CMakeFiles/test_hist_slot.dir/unit/test_hist_slot.c.o"
  "CMakeFiles/test_hist_slot.dir/unit/test_hist_slot.c.o.d"
  "test_hist_slot"
  "test_hist_slot.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_hist_slot.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
