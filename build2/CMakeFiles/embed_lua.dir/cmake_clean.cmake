file(REMOVE_RECURSE
  "CMakeFiles/embed_lua"
  "gen/embedded_lua.c"
)

# Per-language clean rules from dependency scanning.
foreach(lang )
  include(CMakeFiles/embed_lua.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
