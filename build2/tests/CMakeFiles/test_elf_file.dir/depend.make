# Empty dependencies file for test_elf_file.
# This may be replaced when dependencies are built.
