file(REMOVE_RECURSE
  "CMakeFiles/demo-app.dir/demo.c.o"
  "CMakeFiles/demo-app.dir/demo.c.o.d"
  "demo"
  "demo.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/demo-app.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
