file(REMOVE_RECURSE
  "CMakeFiles/test_json_enc.dir/unit/test_json_enc.c.o"
  "CMakeFiles/test_json_enc.dir/unit/test_json_enc.c.o.d"
  "test_json_enc"
  "test_json_enc.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_json_enc.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
