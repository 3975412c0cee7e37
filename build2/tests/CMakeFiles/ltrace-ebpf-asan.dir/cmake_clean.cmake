file(REMOVE_RECURSE
  "../ltrace-ebpf-asan"
  "../ltrace-ebpf-asan.pdb"
  "CMakeFiles/ltrace-ebpf-asan.dir/__/src/app/main.c.o"
  "CMakeFiles/ltrace-ebpf-asan.dir/__/src/app/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/ltrace-ebpf-asan.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
