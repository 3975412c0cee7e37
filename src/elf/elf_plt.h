/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an x86-64 executable imports and how it calls it: the PLT stubs (.plt, .plt.sec,
 * .plt.got) mapped to their imported symbols through the relocation of the GOT slot each stub
 * jumps through, and the functions it calls through the GOT alone (-fno-plt). Also the few
 * facts about the executable a caller filter needs: PIE or not, its code's address range.
 */
#ifndef LT_ELF_PLT_H
#define LT_ELF_PLT_H

#include <stddef.h>
#include <stdint.h>

enum plt_kind {
	PLT_STUB,	/* called through a stub: probe the stub */
	PLT_GOT,	/* called through the GOT only: probe the callee, filter on the caller */
};

struct plt_import {
	char *name;		/* the imported symbol, version stripped */
	char *lib;		/* soname the symbol version names (GLIBC_2.2.5 -> libc.so.6), or NULL */
	uint64_t addr;		/* vaddr of the stub (PLT_STUB) or of the GOT slot (PLT_GOT) */
	uint64_t offset;	/* file offset of the stub (PLT_STUB): what a uprobe attaches to */
	enum plt_kind kind;
	const char *section;	/* ".plt", ".plt.sec", ".plt.got" or ".got" (static string) */
};

struct plt_list {
	struct plt_import *v;
	size_t n;
};

/*
 * The function imports of `path`, in address order: one entry per PLT stub that jumps through
 * a GOT slot relocated against a symbol (JUMP_SLOT or GLOB_DAT), then one per undefined
 * function symbol whose GOT slot (GLOB_DAT) no stub uses. Returns 0 or -errno with one line
 * in err: -ENOENT, -ENOEXEC (not an ELF executable or shared object), -ENOTSUP (not x86-64),
 * -ENOMEM.
 */
int elf_plt_imports(const char *path, struct plt_list *out, char *err, size_t errlen);
void elf_plt_list_free(struct plt_list *list);

struct elf_exe_info {
	int pie;		/* position independent: loaded at a random base */
	int bind_now;		/* DT_BIND_NOW, DF_BIND_NOW or DF_1_NOW */
	uint64_t entry;		/* e_entry */
	uint64_t code_lo;	/* executable PT_LOAD segments: [code_lo, code_hi) in file vaddrs */
	uint64_t code_hi;
	uint64_t load_lo;	/* first PT_LOAD vaddr, page aligned: what maps to the load base */
	char interp[256];	/* PT_INTERP: the dynamic linker ("" for none) */
};

/* 0 or -errno as elf_plt_imports(). */
int elf_exe_info(const char *path, struct elf_exe_info *out, char *err, size_t errlen);

/* The dynamic section's names: DT_SONAME (NULL when absent) and the DT_NEEDED list. */
struct elf_dyn_names {
	char *soname;
	char **needed;
	size_t nneeded;
};

/* 0 or -errno as elf_plt_imports(); free with elf_dyn_names_free(). */
int elf_dyn_names(const char *path, struct elf_dyn_names *out, char *err, size_t errlen);
void elf_dyn_names_free(struct elf_dyn_names *names);

/* Calls fn(name, ctx) for every defined function symbol of .dynsym and .symtab, aliases
 * included (versions stripped, duplicates possible); 0 or -errno as elf_plt_imports(). */
int elf_func_names(const char *path, void (*fn)(const char *name, void *ctx), void *ctx,
		   char *err, size_t errlen);

#endif
