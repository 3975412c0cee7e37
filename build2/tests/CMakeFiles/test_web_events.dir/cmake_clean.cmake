file(REMOVE_RECURSE
  "CMakeFiles/test_web_events.dir/unit/test_web_events.c.o"
  "CMakeFiles/test_web_events.dir/unit/test_web_events.c.o.d"
  "test_web_events"
  "test_web_events.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_web_events.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
