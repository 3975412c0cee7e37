file(REMOVE_RECURSE
  "CMakeFiles/test_http_link.dir/unit/test_http_link.c.o"
  "CMakeFiles/test_http_link.dir/unit/test_http_link.c.o.d"
  "test_http_link"
  "test_http_link.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_http_link.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
