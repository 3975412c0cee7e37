/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Function symbols of an ELF file on disk, in the terms a uprobe needs: a name chosen among
 * aliases, the address in the file's own address space, and the file offset the kernel attaches
 * to. IFUNCs are resolved to the implementation the dynamic loader picks on this CPU.
 * Failures say why in err (errlen bytes, may be NULL with 0), as everywhere in the tool.
 */
#ifndef LT_ELF_SYMBOLS_H
#define LT_ELF_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

struct elf_func {
	char *name;		/* symbol name, owned */
	uint64_t addr;		/* st_value: virtual address in the file's own address space */
	uint64_t size;		/* st_size */
	uint64_t offset;	/* file offset of the first instruction: what a uprobe attaches to */
	int ifunc_resolved;	/* 1 when `name` was an IFUNC and addr/offset are the implementation's */
};

struct elf_func_list {
	struct elf_func *v;
	size_t n;
};

/*
 * Defined STT_FUNC and STT_GNU_IFUNC symbols of `path` (.symtab and .dynsym) whose name matches
 * the fnmatch(3) glob `pattern`, one entry per distinct address, sorted by name. Aliases fold to
 * one name: the one equal to the pattern, then GLOBAL over WEAK over LOCAL, then fewer leading
 * underscores, then the shorter. Symbol versions ("@@GLIBC_2.2.5") are stripped.
 *
 * IFUNCs resolve through dlsym() when the same file (st_dev/st_ino) is loaded in this process.
 * Otherwise an exact pattern fails with -ENOTSUP and a glob skips them, counting them in
 * *skipped_ifunc (may be NULL). The resolver's own address is never returned for an IFUNC.
 *
 * Returns 0 (the list may be empty) or -errno with one line in err: -ENOENT missing file,
 * -ENOEXEC not an ELF executable or shared object, -ENOTSUP unresolvable IFUNC, -ENOMEM.
 */
int elf_funcs_match(const char *path, const char *pattern, struct elf_func_list *out,
		    size_t *skipped_ifunc, char *err, size_t errlen);
/*
 * elf_funcs_match() with the symbols read from `symfile` instead, typically the separate debug
 * file of a stripped `path` (elf_debug_file()), which must come from the same build. Offsets
 * and IFUNC resolution still use `path`: debug files keep the segments but none of their bytes.
 */
int elf_funcs_match_in(const char *path, const char *symfile, const char *pattern,
		       struct elf_func_list *out, size_t *skipped_ifunc, char *err, size_t errlen);
void elf_func_list_free(struct elf_func_list *list);

/*
 * Calls fn(name, addr, size, ctx) for every defined STT_FUNC/STT_GNU_IFUNC symbol of `path`'s
 * .symtab and .dynsym, aliases included (each table's names as written, duplicates possible);
 * a nonzero return from fn stops the walk. Returns 0 or -errno as elf_funcs_match().
 */
int elf_each_func(const char *path,
		  int (*fn)(const char *name, uint64_t addr, uint64_t size, void *ctx), void *ctx,
		  char *err, size_t errlen);

/* vaddr -> file offset through the PT_LOAD segment containing it (-ERANGE if none). */
int elf_vaddr_to_offset(const char *path, uint64_t vaddr, uint64_t *offset, char *err,
			size_t errlen);
/* The same through an executable segment only: a probe address must be code. */
int elf_code_vaddr_to_offset(const char *path, uint64_t vaddr, uint64_t *offset, char *err,
			     size_t errlen);
/* file offset -> vaddr (inverse); used for symbolizing probe sites. */
int elf_offset_to_vaddr(const char *path, uint64_t offset, uint64_t *vaddr, char *err,
			size_t errlen);

/*
 * The separate debug file of `path` found through its GNU build-id
 * (/usr/lib/debug/.build-id/xx/yyyy.debug), where stripped libraries keep their local symbols
 * (e.g. libc's __strlen_avx2). Returns 0, -ENODATA without a build-id, -ENOENT when no debug file
 * is installed, -ENAMETOOLONG.
 */
int elf_debug_file(const char *path, char *out, size_t outlen, char *err, size_t errlen);

#endif /* LT_ELF_SYMBOLS_H */
