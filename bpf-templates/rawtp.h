/* Shared between rawtp.bpf.c and the host: the BTF field paths a raw tracepoint probe reads,
 * resolved in user space (src/probes/kernel/btf_path.c) into offset chains. Fixed-width types only. */
#ifndef LT_RAWTP_H
#define LT_RAWTP_H

#include <linux/types.h>
#include "lt_abi.h"

#define LT_RAWTP_MAX_PATHS 8
#define LT_RAWTP_MAX_STEPS 8	/* == BTF_PATH_MAX_STEPS */
#define LT_RAWTP_MAX_ARGS 12	/* tracepoint arguments a path can start from */

enum lt_leaf {			/* == enum btf_leaf */
	LT_LEAF_INT = 1,	/* `size` bytes, sign-extended when is_signed */
	LT_LEAF_STR,		/* a char array: string of at most `size` bytes */
	LT_LEAF_STRP,		/* a char pointer: the string it points to, at most `size` */
	LT_LEAF_BYTES,		/* `size` raw bytes */
};

/* From v = ctx->args[arg]: nsteps == 0, the leaf is v; else addr = v + off[0], and for each
 * later step v = *(u64 *)addr, addr = v + off[i]; the leaf is read at addr. */
struct lt_path {
	__u8 arg;
	__u8 nsteps;
	__u8 leaf;
	__u8 is_signed;
	__u16 size;
	__u8 slot;	/* vals[] index an integer leaf fills (arg1..arg6: 0..5), or 0xff */
	__u8 pad;
	__s32 off[LT_RAWTP_MAX_STEPS];
};

/* lt_rawtp[probe id]. Each path appends one capture (integers as 8 bytes) in order. */
struct lt_rawtp_cfg {
	__u32 nargs;	/* the tracepoint's arguments: ctx->args[0 .. nargs - 1] */
	__u32 npaths;
	struct lt_path path[LT_RAWTP_MAX_PATHS];
};

/* Layout checks, in the BPF and the host build alike (LT_ABI_SIZE in lt_abi.h). */
LT_ABI_SIZE(lt_path, 40);
LT_ABI_OFF(lt_path, slot, 6);
LT_ABI_OFF(lt_path, off, 8);

LT_ABI_SIZE(lt_rawtp_cfg, 328);
LT_ABI_OFF(lt_rawtp_cfg, path, 8);

#endif
