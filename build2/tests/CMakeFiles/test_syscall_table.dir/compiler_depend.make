# Empty compiler generated dependencies file for test_syscall_table.
# This may be replaced when dependencies are built.
