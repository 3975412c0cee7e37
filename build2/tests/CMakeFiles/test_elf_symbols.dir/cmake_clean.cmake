file(REMOVE_RECURSE
  "CMakeFiles/test_elf_symbols.dir/unit/test_elf_symbols.c.o"
  "CMakeFiles/test_elf_symbols.dir/unit/test_elf_symbols.c.o.d"
  "test_elf_symbols"
  "test_elf_symbols.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_elf_symbols.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
