file(REMOVE_RECURSE
  "CMakeFiles/test_btf_path.dir/unit/test_btf_path.c.o"
  "CMakeFiles/test_btf_path.dir/unit/test_btf_path.c.o.d"
  "test_btf_path"
  "test_btf_path.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_btf_path.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
