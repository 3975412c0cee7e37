file(REMOVE_RECURSE
  "CMakeFiles/test_http2.dir/unit/test_http2.c.o"
  "CMakeFiles/test_http2.dir/unit/test_http2.c.o.d"
  "test_http2"
  "test_http2.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_http2.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
