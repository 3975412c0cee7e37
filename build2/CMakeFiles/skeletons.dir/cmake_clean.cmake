file(REMOVE_RECURSE
  "CMakeFiles/skeletons"
  "gen/follow.skel.h"
  "gen/kprobe.skel.h"
  "gen/profile.skel.h"
  "gen/rawtp.skel.h"
  "gen/rawtp_nocookie.skel.h"
  "gen/shared_maps.skel.h"
  "gen/syscall.skel.h"
  "gen/syscall_lean.skel.h"
  "gen/tracepoint.skel.h"
  "gen/unwind_guard.skel.h"
  "gen/uprobe.skel.h"
  "gen/uprobe_lean.skel.h"
  "gen/uprobe_sleep.skel.h"
  "gen/usdt.skel.h"
)

# Per-language clean rules from dependency scanning.
foreach(lang )
  include(CMakeFiles/skeletons.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
