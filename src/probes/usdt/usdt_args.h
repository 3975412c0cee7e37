/* A USDT note's argument spec ("-4@%esi 8@-24(%rbp) 4@$5") decoded into the record that
 * libbpf's usdt.bpf.h reads from its __bpf_usdt_specs map: where each argument lives (a
 * constant, a register, or memory at a register plus an offset), its size and sign. The
 * layout mirrors struct __bpf_usdt_spec (libbpf 1.1); usdt_spec_size() is checked against
 * the map's value size before anything is written. x86-64 register names only. */
#ifndef LT_USDT_ARGS_H
#define LT_USDT_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LT_USDT_MAX_ARGS 12	/* BPF_USDT_MAX_ARG_CNT */

enum lt_usdt_arg_type {
	LT_USDT_ARG_CONST,	/* val_off is the value */
	LT_USDT_ARG_REG,	/* the register at reg_off */
	LT_USDT_ARG_REG_DEREF,	/* memory at that register + val_off */
};

struct lt_usdt_arg {
	uint64_t val_off;
	uint32_t type;		/* enum lt_usdt_arg_type (an enum: 4 bytes in BPF too) */
	int16_t reg_off;	/* offsetof(struct pt_regs, reg) */
	bool is_signed;
	int8_t bitshift;	/* 64 - 8 * size: the bits cleared (or sign-filled) */
};

struct lt_usdt_spec {
	struct lt_usdt_arg args[LT_USDT_MAX_ARGS];
	uint64_t usdt_cookie;	/* what bpf_usdt_cookie() returns */
	int16_t arg_cnt;
};

/* Decodes `args` into spec (cookie left 0). 0, or -EINVAL with the offending argument in
 * err. */
int usdt_args_parse(const char *args, struct lt_usdt_spec *spec, char *err, size_t errlen);

#endif
