file(REMOVE_RECURSE
  "CMakeFiles/bench_sysfloor.dir/sysfloor.c.o"
  "CMakeFiles/bench_sysfloor.dir/sysfloor.c.o.d"
  "sysfloor"
  "sysfloor.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_sysfloor.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
