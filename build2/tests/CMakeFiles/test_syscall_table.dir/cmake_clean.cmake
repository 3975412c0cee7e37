file(REMOVE_RECURSE
  "CMakeFiles/test_syscall_table.dir/unit/test_syscall_table.c.o"
  "CMakeFiles/test_syscall_table.dir/unit/test_syscall_table.c.o.d"
  "test_syscall_table"
  "test_syscall_table.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_syscall_table.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
