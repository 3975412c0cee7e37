file(REMOVE_RECURSE
  "CMakeFiles/bench_sysfloor_skel"
  "gen/sysfloor.skel.h"
)

# Per-language clean rules from dependency scanning.
foreach(lang )
  include(CMakeFiles/bench_sysfloor_skel.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
