file(REMOVE_RECURSE
  "CMakeFiles/bench_floor.dir/floor.c.o"
  "CMakeFiles/bench_floor.dir/floor.c.o.d"
  "floor"
  "floor.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_floor.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
