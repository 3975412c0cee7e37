/* Instruction-level checks on a probe site, with the Capstone disassembler: a uprobe must
 * sit on an instruction boundary, must not sit on an AVX-512 EVEX instruction, which
 * (measured on this project's kernel) is single-stepped wrongly, nor on one the kernel
 * refuses (insn_kernel.h). */
#ifndef LT_INSN_H
#define LT_INSN_H

#include <stddef.h>
#include <stdint.h>

/* 0 when a uprobe at file offset `site` is safe, given the function starting at file
 * offset `func` (size bytes, 0 if unknown); -EINVAL (not an instruction boundary) or
 * -EOPNOTSUPP (EVEX, or refused by the kernel) with the reason in why; -errno if the file
 * cannot be read. */
int insn_check_site(const char *path, uint64_t func, uint64_t size, uint64_t site, char *why,
		    size_t whylen);

#endif
