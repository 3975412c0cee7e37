/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one way the tool opens an ELF file with libelf: through src/base/safe_file.c's rules
 * (a regular file, opened without blocking, at most SF_MAX_ELF bytes), libelf initialised
 * once per process, the header checked for what the reader needs, sections found by name
 * or type. Every libelf reader in src/elf/, src/stacks/ and src/probes/ opens through here;
 * libdw/libdwfl readers (DWARF lines, unwinding) open through libdw.
 */
#ifndef LT_ELF_FILE_H
#define LT_ELF_FILE_H

#include <gelf.h>
#include <stddef.h>
#include <stdint.h>

/* An open ELF file: libelf reads through the descriptor, so both live together. */
struct elf_file {
	int fd;			/* -1 for an image in memory */
	Elf *elf;
	GElf_Ehdr eh;		/* the header, read at open */
};

/* elf_file_open flags: what the reader needs of the file beyond being ELF. */
#define EF_LOADABLE	1u	/* ET_EXEC or ET_DYN: what a process maps (no .o, no core) */
#define EF_NO_MMAP	2u	/* read, not mmap (elf_plt.c: a -f uprobe's int3 in our mapping) */

/*
 * Opens path for libelf. 0, or -errno with one line in err ("PATH: reason"): the file's own
 * errno (-ENOENT, -EACCES, -EISDIR), -ENOEXEC not a regular file or not ELF or (EF_LOADABLE)
 * neither an executable nor a shared object, -EFBIG past the bound, -ENOTSUP libelf unusable.
 * The header is in ef->eh for the checks only one reader makes (the machine).
 */
int elf_file_open(struct elf_file *ef, const char *path, unsigned flags, char *err,
		  size_t errlen);
/* The same over an ELF image in memory (MiniDebugInfo), which must outlive ef. */
int elf_file_open_image(struct elf_file *ef, const void *image, size_t len);
void elf_file_close(struct elf_file *ef);

/* 64-bit (ELFCLASS64) or 32-bit: the width of addresses in notes. */
int elf_file_wide(const struct elf_file *ef);
/* The section named name (".gnu_debuglink"), its header in *sh; NULL when none. */
Elf_Scn *elf_file_section(const struct elf_file *ef, const char *name, GElf_Shdr *sh);
/* The next section after scn (NULL: from the start) of sh_type type; NULL at the end. */
Elf_Scn *elf_file_next(const struct elf_file *ef, Elf_Scn *scn, uint32_t type, GElf_Shdr *sh);

#endif
