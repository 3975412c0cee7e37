/* SPDX-License-Identifier: GPL-2.0 */
/* Which instructions the x86-64 kernel agrees to put a uprobe on (arch/x86/kernel/
 * uprobes.c, uprobe_init_insn): no ES/CS/SS/DS segment override or LOCK prefix, and an
 * opcode its good-instruction tables list. A VEX-encoded instruction is looked up by its
 * opcode byte in the one-byte table, whatever its opcode map, so glibc's AVX2 string
 * functions that start with vmovd (VEX 6E) or vpxor (VEX EF) are refused with ENOTSUPP.
 * A uprobe_multi link fails whole when one of its sites is refused: predicting them lets
 * a glob leave them out instead. */
#ifndef LT_INSN_KERNEL_H
#define LT_INSN_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

/* The kernel's ENOTSUPP (not EOPNOTSUPP): what it answers for an instruction it refuses. */
#define LT_ENOTSUPP 524

/* Would the kernel refuse a uprobe on the instruction starting at code[0] (len bytes)? */
bool insn_kernel_refuses(const unsigned char *code, size_t len);

#endif
