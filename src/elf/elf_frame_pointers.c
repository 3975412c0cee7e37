// SPDX-License-Identifier: GPL-2.0
/*
 * Whether an ELF file's code keeps frame pointers, judged from its functions' first bytes:
 * the question unwind = "auto" asks of the program and of the library a stack starts in.
 */
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "elf_file.h"
#include "elf_frame_pointers.h"

/* The C runtime's own functions say nothing about how the program was built. */
static bool is_crt(const char *name)
{
	static const char *const crt[] = { "_start", "_init", "_fini", "deregister_tm_clones",
					   "register_tm_clones", "__do_global_dtors_aux",
					   "frame_dummy", "__libc_csu_init", "__libc_csu_fini",
					   NULL };

	for (const char *const *c = crt; *c; c++)
		if (!strcmp(name, *c))
			return true;
	return false;
}

/* Counts prologues among the first function symbols: push %rbp; mov %rsp,%rbp, after an
 * endbr64 or not. Code built with -fomit-frame-pointer has almost none; code built with
 * frame pointers has them everywhere but in leaf functions. */
static void count_prologues(const struct elf_file *ef, int *funcs, int *fp)
{
	static const unsigned char push_mov[] = { 0x55, 0x48, 0x89, 0xe5 };
	static const unsigned char endbr[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(ef->elf, scn)) && *funcs < 200) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize && *funcs < 200; i++) {
			unsigned char b[8];
			GElf_Sym sym;
			GElf_Shdr tsh;
			Elf_Scn *text;
			off_t off;

			if (!gelf_getsym(d, i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    sym.st_size < 16 || sym.st_shndx == SHN_UNDEF ||
			    sym.st_shndx >= SHN_LORESERVE ||
			    !(text = elf_getscn(ef->elf, sym.st_shndx)) ||
			    !gelf_getshdr(text, &tsh) ||
			    is_crt(elf_strptr(ef->elf, sh.sh_link, sym.st_name) ?: ""))
				continue;
			off = sym.st_value - tsh.sh_addr + tsh.sh_offset;
			if (pread(ef->fd, b, sizeof(b), off) != sizeof(b))
				continue;
			(*funcs)++;
			if (!memcmp(b, push_mov, 4) ||
			    (!memcmp(b, endbr, 4) && !memcmp(b + 4, push_mov, 4)))
				(*fp)++;
		}
	}
}

bool elf_has_frame_pointers(const char *path)
{
	struct elf_file ef;
	int funcs = 0, fp = 0;

	/* Unreadable: say yes, so that unwind = "auto" keeps the cheap walk it had. */
	if (elf_file_open(&ef, path, 0, NULL, 0))
		return true;
	count_prologues(&ef, &funcs, &fp);
	elf_file_close(&ef);
	return !funcs || fp * 4 >= funcs;
}
