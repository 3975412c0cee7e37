file(REMOVE_RECURSE
  "CMakeFiles/test_elf_file.dir/unit/test_elf_file.c.o"
  "CMakeFiles/test_elf_file.dir/unit/test_elf_file.c.o.d"
  "test_elf_file"
  "test_elf_file.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_elf_file.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
