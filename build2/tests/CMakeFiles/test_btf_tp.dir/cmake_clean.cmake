file(REMOVE_RECURSE
  "CMakeFiles/test_btf_tp.dir/unit/test_btf_tp.c.o"
  "CMakeFiles/test_btf_tp.dir/unit/test_btf_tp.c.o.d"
  "test_btf_tp"
  "test_btf_tp.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_btf_tp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
