# Empty compiler generated dependencies file for test_elf_symbols.
# This may be replaced when dependencies are built.
