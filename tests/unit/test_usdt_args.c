// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the USDT argument spec decoder (src/probes/usdt/usdt_args.c): each operand form
 * <sys/sdt.h> writes on x86-64 (register, memory at a register + offset, immediate), sizes
 * and signs, python3.11's real specs, and the forms usdt.bpf.h cannot read.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <asm/ptrace.h>
#include "unit.h"
#include "usdt_args.h"

static void test_forms(void)
{
	struct lt_usdt_spec s;
	char err[256] = "";

	/* ltfix:args6's kinds of operands, and the ones python3.11's notes use */
	CHECK_EQ_INT(usdt_args_parse("-1@%al 2@-24(%rbp) -4@112(%rsp) 8@$1099511627776 "
				     "8@(%r15) 1@$-5", &s, err, sizeof(err)), 0);
	CHECK_EQ_INT(s.arg_cnt, 6);
	CHECK_EQ_INT(s.args[0].type, LT_USDT_ARG_REG);
	CHECK_EQ_INT(s.args[0].reg_off, offsetof(struct pt_regs, rax));
	CHECK(s.args[0].is_signed);
	CHECK_EQ_INT(s.args[0].bitshift, 56);
	CHECK_EQ_INT(s.args[1].type, LT_USDT_ARG_REG_DEREF);
	CHECK_EQ_INT(s.args[1].reg_off, offsetof(struct pt_regs, rbp));
	CHECK_EQ_INT((int64_t)s.args[1].val_off, -24);
	CHECK(!s.args[1].is_signed);
	CHECK_EQ_INT(s.args[1].bitshift, 48);
	CHECK_EQ_INT(s.args[2].reg_off, offsetof(struct pt_regs, rsp));
	CHECK_EQ_INT(s.args[2].val_off, 112);
	CHECK_EQ_INT(s.args[2].bitshift, 32);
	CHECK_EQ_INT(s.args[3].type, LT_USDT_ARG_CONST);
	CHECK_EQ_INT(s.args[3].val_off, 1099511627776ULL);
	CHECK_EQ_INT(s.args[3].bitshift, 0);
	CHECK_EQ_INT(s.args[4].type, LT_USDT_ARG_REG_DEREF);
	CHECK_EQ_INT(s.args[4].reg_off, offsetof(struct pt_regs, r15));
	CHECK_EQ_INT(s.args[4].val_off, 0);
	CHECK_EQ_INT((int64_t)s.args[5].val_off, -5);
	CHECK_EQ_INT(s.usdt_cookie, 0);
	/* sub-registers read the full register */
	CHECK_EQ_INT(usdt_args_parse("8@%r14 -4@%ebp 2@%r9w 1@%sil 8@%rip", &s, err,
				     sizeof(err)), 0);
	CHECK_EQ_INT(s.args[0].reg_off, offsetof(struct pt_regs, r14));
	CHECK_EQ_INT(s.args[1].reg_off, offsetof(struct pt_regs, rbp));
	CHECK_EQ_INT(s.args[2].reg_off, offsetof(struct pt_regs, r9));
	CHECK_EQ_INT(s.args[3].reg_off, offsetof(struct pt_regs, rsi));
	CHECK_EQ_INT(s.args[4].reg_off, offsetof(struct pt_regs, rip));
	CHECK_EQ_INT(usdt_args_parse("", &s, err, sizeof(err)), 0);	/* no arguments */
	CHECK_EQ_INT(s.arg_cnt, 0);
}

static void refused(const char *args, const char *word)
{
	struct lt_usdt_spec s;
	char err[256] = "", want[128];

	CHECK_EQ_INT(usdt_args_parse(args, &s, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "unsupported USDT argument '%s'", word);
	CHECK(strstr(err, want) != NULL);
}

static void test_refused(void)
{
	struct lt_usdt_spec s;
	char err[256] = "";

	refused("8@%rax 4@%xmm0", "4@%xmm0");		/* no such pt_regs field */
	refused("3@%rax", "3@%rax");			/* no 3-byte values */
	refused("%rax", "%rax");			/* no size */
	refused("8@8(%rax,%rbx,2)", "8@8(%rax,%rbx,2)");	/* an index register */
	refused("8@sym(%rip)", "8@sym(%rip)");		/* a symbol */
	refused("-99999999999999999999@%rax", "-99999999999999999999@%rax");	/* no overflow */
	refused("0@%rax", "0@%rax");
	refused("8@$", "8@$");
	refused("8@8(%rax", "8@8(%rax");
	CHECK_EQ_INT(usdt_args_parse("1@$1 1@$2 1@$3 1@$4 1@$5 1@$6 1@$7 1@$8 1@$9 1@$10 1@$11 "
				     "1@$12 1@$13", &s, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "more than 12 USDT arguments") != NULL);
}

int main(void)
{
	test_forms();
	test_refused();
	return unit_summary();
}
