file(REMOVE_RECURSE
  "CMakeFiles/bench_floor_skel"
  "gen/floor.skel.h"
)

# Per-language clean rules from dependency scanning.
foreach(lang )
  include(CMakeFiles/bench_floor_skel.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
