file(REMOVE_RECURSE
  "CMakeFiles/test_symbolize_cache.dir/unit/test_symbolize_cache.c.o"
  "CMakeFiles/test_symbolize_cache.dir/unit/test_symbolize_cache.c.o.d"
  "test_symbolize_cache"
  "test_symbolize_cache.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_symbolize_cache.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
