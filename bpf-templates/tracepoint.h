/* Shared between tracepoint.bpf.c and the host: what the generic tracepoint program needs
 * to know about one attached tracepoint (a site of a probe), keyed by the attach cookie.
 * Which fields load into the value slots (predicates, aggregation and captures read
 * scratch->vals[]), how big the fixed part of the record is, and where its __data_loc
 * fields are, so the whole record (dynamic strings and arrays included) is copied.
 * Fixed-width kernel types only.
 */
#ifndef LT_TRACEPOINT_H
#define LT_TRACEPOINT_H

#include <linux/types.h>
#include "lt_abi.h"

#define LT_TP_MAX_SITES 8192	/* attached tracepoints, all probes together */
#define LT_TP_MAX_LOC 4		/* __data_loc fields followed to size the copy */
#define LT_TP_REC_MAX 2048	/* raw record bytes copied (power of two) */
#define LT_TP_NVALS 7		/* slots: arg1..arg6 (fields named by the script), ret */

/* One value slot: the field at off, size bytes (1, 2, 4, 8), sign-extended when signed. */
struct lt_tp_val {
	__u16 off;
	__u8 size;	/* 0: slot unused */
	__u8 is_signed;
};

/* A dynamic field: a u32 at off holding (len << 16 | offset); offset counts from the
 * record's start (__data_loc) or from the end of the field itself (__rel_loc). */
struct lt_tp_loc {
	__u16 off;
	__u8 rel;
	__u8 pad;
};

struct lt_tp_site {
	__u16 rec_size;	/* fixed part: last field's end */
	__u8 nloc;
	__u8 pad;
	struct lt_tp_loc loc[LT_TP_MAX_LOC];
	struct lt_tp_val vals[LT_TP_NVALS];
	__u8 pad2[4];
};

/* Layout checks, in the BPF and the host build alike (LT_ABI_SIZE in lt_abi.h). */
LT_ABI_SIZE(lt_tp_val, 4);

LT_ABI_SIZE(lt_tp_loc, 4);

LT_ABI_SIZE(lt_tp_site, 52);
LT_ABI_OFF(lt_tp_site, loc, 4);
LT_ABI_OFF(lt_tp_site, vals, 20);

#endif
