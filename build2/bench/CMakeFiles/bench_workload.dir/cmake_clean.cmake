file(REMOVE_RECURSE
  "CMakeFiles/bench_workload.dir/workload.c.o"
  "CMakeFiles/bench_workload.dir/workload.c.o.d"
  "workload"
  "workload.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_workload.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
