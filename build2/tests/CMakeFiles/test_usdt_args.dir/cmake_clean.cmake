file(REMOVE_RECURSE
  "CMakeFiles/test_usdt_args.dir/unit/test_usdt_args.c.o"
  "CMakeFiles/test_usdt_args.dir/unit/test_usdt_args.c.o.d"
  "test_usdt_args"
  "test_usdt_args.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_usdt_args.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
