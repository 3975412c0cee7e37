file(REMOVE_RECURSE
  "CMakeFiles/test_otlp.dir/unit/test_otlp.c.o"
  "CMakeFiles/test_otlp.dir/unit/test_otlp.c.o.d"
  "test_otlp"
  "test_otlp.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_otlp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
