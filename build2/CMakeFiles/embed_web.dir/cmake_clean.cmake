file(REMOVE_RECURSE
  "CMakeFiles/embed_web"
  "gen/web_page.c"
)

# Per-language clean rules from dependency scanning.
foreach(lang )
  include(CMakeFiles/embed_web.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
