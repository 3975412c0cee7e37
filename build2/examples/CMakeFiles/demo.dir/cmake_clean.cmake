file(REMOVE_RECURSE
  "CMakeFiles/demo.dir/libdemo.c.o"
  "CMakeFiles/demo.dir/libdemo.c.o.d"
  "libdemo.pdb"
  "libdemo.so"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/demo.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
