file(REMOVE_RECURSE
  "CMakeFiles/bench_fix.dir/benchfix.c.o"
  "CMakeFiles/bench_fix.dir/benchfix.c.o.d"
  "libbenchfix.pdb"
  "libbenchfix.so"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_fix.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
