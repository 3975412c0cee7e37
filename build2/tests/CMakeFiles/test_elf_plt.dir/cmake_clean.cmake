file(REMOVE_RECURSE
  "CMakeFiles/test_elf_plt.dir/unit/test_elf_plt.c.o"
  "CMakeFiles/test_elf_plt.dir/unit/test_elf_plt.c.o.d"
  "test_elf_plt"
  "test_elf_plt.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_elf_plt.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
