/* SPDX-License-Identifier: GPL-2.0 */
/* Does an ELF file's code keep frame pointers (unwind = "auto" in src/lua/l_stack_opts.c)? */
#ifndef LT_ELF_FRAME_POINTERS_H
#define LT_ELF_FRAME_POINTERS_H

#include <stdbool.h>

/* True when at least a quarter of the first 200 sizeable functions (C runtime left out)
 * open with push %rbp; mov %rsp,%rbp (after an endbr64 or not), or when the file has no
 * such function or cannot be read. */
bool elf_has_frame_pointers(const char *path);

#endif
