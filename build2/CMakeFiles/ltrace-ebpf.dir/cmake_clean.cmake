file(REMOVE_RECURSE
  "CMakeFiles/ltrace-ebpf.dir/src/app/main.c.o"
  "CMakeFiles/ltrace-ebpf.dir/src/app/main.c.o.d"
  "ltrace-ebpf"
  "ltrace-ebpf.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/ltrace-ebpf.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
