/* USDT argument specs, as <sys/sdt.h> writes them on x86-64 (GNU assembler operands):
 *   SIZE@%REG          the value in a register       (-4@%esi)
 *   SIZE@OFF(%REG)     memory at a register + OFF    (8@-24(%rbp), 8@(%rax))
 *   SIZE@$CONST        an immediate                  (4@$5)
 * SIZE is the byte count, negative when signed. Other operand forms (an index register, a
 * symbol) are refused by name: usdt.bpf.h has no way to read them. */
#include <errno.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/ptrace.h>
#include "usdt_args.h"

#define REG(field, ...) { offsetof(struct pt_regs, field), { #field, __VA_ARGS__ } }

/* Each 64-bit register with the names of its low 32, 16 and 8 bits: a narrower argument
 * is read from the full register and cut to its size by the bit shift. */
static const struct {
	size_t off;
	const char *names[4];
} regs[] = {
	REG(rip, "eip"), REG(rax, "eax", "ax", "al"), REG(rbx, "ebx", "bx", "bl"),
	REG(rcx, "ecx", "cx", "cl"), REG(rdx, "edx", "dx", "dl"), REG(rsi, "esi", "si", "sil"),
	REG(rdi, "edi", "di", "dil"), REG(rbp, "ebp", "bp", "bpl"), REG(rsp, "esp", "sp", "spl"),
	REG(r8, "r8d", "r8w", "r8b"), REG(r9, "r9d", "r9w", "r9b"),
	REG(r10, "r10d", "r10w", "r10b"), REG(r11, "r11d", "r11w", "r11b"),
	REG(r12, "r12d", "r12w", "r12b"), REG(r13, "r13d", "r13w", "r13b"),
	REG(r14, "r14d", "r14w", "r14b"), REG(r15, "r15d", "r15w", "r15b"),
};

/* The pt_regs offset of register `name` (len bytes, no '%'), -1 when unknown. */
static int reg_offset(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		for (int j = 0; j < 4 && regs[i].names[j]; j++)
			if (strlen(regs[i].names[j]) == len && !strncmp(regs[i].names[j], name, len))
				return (int)regs[i].off;
	return -1;
}

/* "%REG" then `close` (')' or the end of the word): the offset, or -1. */
static int parse_reg(const char *p, const char *end, char close)
{
	const char *stop = close ? memchr(p, close, end - p) : end;

	if (*p != '%' || !stop || (close && stop + 1 != end))
		return -1;
	return reg_offset(p + 1, stop - p - 1);
}

/* One argument word [p, end) into a. */
static int parse_one(const char *p, const char *end, struct lt_usdt_arg *a)
{
	char *at;
	long size = strtol(p, &at, 10);
	int reg;

	if (at == p || *at != '@' || size < -8 || size > 8 || !size || (8 % size))
		return -EINVAL;		/* sizes 1, 2, 4, 8, negative when signed */
	a->is_signed = size < 0;
	a->bitshift = (int8_t)(64 - 8 * (size < 0 ? -size : size));
	p = at + 1;
	if (*p == '$') {
		char *e;

		a->type = LT_USDT_ARG_CONST;
		a->val_off = (uint64_t)strtoll(p + 1, &e, 0);
		return e == end && e != p + 1 ? 0 : -EINVAL;
	}
	if (*p == '%') {
		a->type = LT_USDT_ARG_REG;
		reg = parse_reg(p, end, 0);
	} else {
		char *e = (char *)p;

		a->type = LT_USDT_ARG_REG_DEREF;
		if (*p != '(')
			a->val_off = (uint64_t)strtoll(p, &e, 0);
		reg = *e == '(' && e != end ? parse_reg(e + 1, end, ')') : -1;
	}
	if (reg < 0)
		return -EINVAL;
	a->reg_off = (int16_t)reg;
	return 0;
}

int usdt_args_parse(const char *args, struct lt_usdt_spec *spec, char *err, size_t errlen)
{
	const char *p = args;

	memset(spec, 0, sizeof(*spec));
	while (*p) {
		const char *end;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		for (end = p; *end && !isspace((unsigned char)*end); end++)
			;
		if (spec->arg_cnt == LT_USDT_MAX_ARGS) {
			snprintf(err, errlen, "more than %d USDT arguments in '%s'",
				 LT_USDT_MAX_ARGS, args);
			return -EINVAL;
		}
		if (parse_one(p, end, &spec->args[spec->arg_cnt])) {
			snprintf(err, errlen, "unsupported USDT argument '%.*s' in '%s'",
				 (int)(end - p), p, args);
			return -EINVAL;
		}
		spec->arg_cnt++;
		p = end;
	}
	return 0;
}
