# Empty compiler generated dependencies file for test_elf_plt.
# This may be replaced when dependencies are built.
