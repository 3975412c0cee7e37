/* The kernel's uprobe instruction filter, restated where it is certain: see insn_kernel.h.
 * It errs towards accepting (a site wrongly left out could not be traced at all); when the
 * kernel refuses a site this accepts, the attach fails with ENOTSUPP and
 * provider_uprobe.c finds the refused sites one by one. tests/integration/
 * test_insn_refused.sh checks the guesses against the running kernel. */
#include <stdint.h>
#include "insn_kernel.h"

/* One-byte opcodes the kernel refuses (its good_insns_64 zeros): invalid in 64-bit mode,
 * I/O, interrupts, hlt, cli/sti. Prefix bytes (26 2e 36 3e 40-4f 64-67 f0 f2 f3) and the
 * escapes (0f, c4, c5, 62) are handled before the lookup. */
static const uint8_t bad_1byte[] = { 0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f,
				     0x37, 0x3f, 0x60, 0x61, 0x6c, 0x6d, 0x6e, 0x6f, 0x9a,
				     0xcc, 0xcd, 0xce, 0xd4, 0xd5, 0xd6, 0xe4, 0xe5, 0xe6,
				     0xe7, 0xea, 0xec, 0xed, 0xee, 0xef, 0xf1, 0xf4, 0xfa,
				     0xfb };

static bool bad_opcode(uint8_t op)
{
	for (size_t i = 0; i < sizeof(bad_1byte); i++)
		if (bad_1byte[i] == op)
			return true;
	return false;
}

bool insn_kernel_refuses(const unsigned char *code, size_t len)
{
	size_t i = 0;

	for (; i < len; i++) {	/* legacy prefixes */
		uint8_t b = code[i];

		if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0xf0)
			return true;	/* ES, CS, SS, DS overrides and LOCK */
		if (b != 0x64 && b != 0x65 && b != 0x66 && b != 0x67 && b != 0xf2 && b != 0xf3)
			break;
	}
	if (i < len && (code[i] & 0xf0) == 0x40)	/* REX */
		i++;
	if (i >= len)
		return false;	/* cannot tell: let the kernel answer */
	switch (code[i]) {
	case 0xc5:		/* two-byte VEX: C5 xx opcode */
		return i + 2 < len && bad_opcode(code[i + 2]);
	case 0xc4:		/* three-byte VEX: C4 xx xx opcode */
		return i + 3 < len && bad_opcode(code[i + 3]);
	case 0x62:		/* EVEX: 62 xx xx xx opcode */
		return i + 4 < len && bad_opcode(code[i + 4]);
	case 0x0f:		/* two- and three-byte opcodes: the kernel takes the common ones */
		return false;
	default:
		return bad_opcode(code[i]);
	}
}
