// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the log2 histogram bucket rule (lt_abi.h, LT_AGG_HIST): slot 0 holds 0,
 * slot i >= 1 holds [2^(i-1), 2^i). The kernel computes it in log2_slot(), a static inline
 * of bpf-templates/lib/agg.bpf.h that no host code links against, so this test carries a
 * pasted copy of it and checks the copy against a table and against an independent rule
 * (64 - clz). The Lua side (fmt.log2_slot in lua/fmt.lua) is tested by the Lua tests.
 *
 * Keep kernel_log2_slot() below identical to log2_slot() in bpf-templates/lib/agg.bpf.h:
 * the duplication is deliberate, and an edit to one without the other is the bug this
 * test exists to catch in review.
 */
#include <stdint.h>
#include <stdio.h>

#include "unit.h"

/* Copied from log2_slot() in bpf-templates/lib/agg.bpf.h (types spelled as in user space). */
static inline uint32_t kernel_log2_slot(uint64_t v)
{
	uint32_t slot = 0;

	if (!v)
		return 0;
	for (int i = 32; i > 0; i >>= 1) {
		if (v >= (1ULL << i)) {
			v >>= i;
			slot += i;
		}
	}
	return slot + 1;
}

/* The rule, computed independently: the number of significant bits. */
static uint32_t ref_slot(uint64_t v)
{
	return v ? 64 - (uint32_t)__builtin_clzll(v) : 0;
}

/* Is v inside the range slot holds? */
static int slot_holds(uint32_t slot, uint64_t v)
{
	if (slot == 0)
		return v == 0;
	if (slot > 64)
		return 0;
	return v >= 1ULL << (slot - 1) && (slot == 64 || v < 1ULL << slot);
}

static void check_value(uint64_t v)
{
	uint32_t got = kernel_log2_slot(v);
	int before = unit_failed;

	CHECK_EQ_INT(got, ref_slot(v));
	CHECK(slot_holds(got, v));
	if (unit_failed != before)
		fprintf(stderr, "  (value 0x%llx)\n", (unsigned long long)v);
}

static void test_table(void)
{
	static const struct {
		uint64_t v;
		uint32_t slot;
	} table[] = {
		{ 0, 0 },
		{ 1, 1 },
		{ 2, 2 },
		{ 3, 2 },
		{ 4, 3 },
		{ 7, 3 },
		{ 8, 4 },
		{ 1023, 10 },
		{ 1024, 11 },
		{ 1025, 11 },
		{ 0xffffffffULL, 32 },
		{ 0x100000000ULL, 33 },
		{ 1ULL << 62, 63 },
		{ (1ULL << 63) - 1, 63 },
		{ 1ULL << 63, 64 },
		{ UINT64_MAX, 64 },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		int before = unit_failed;

		CHECK_EQ_INT(kernel_log2_slot(table[i].v), table[i].slot);
		CHECK_EQ_INT(ref_slot(table[i].v), table[i].slot);
		if (unit_failed != before)
			fprintf(stderr, "  (table value 0x%llx)\n", (unsigned long long)table[i].v);
	}
}

/* Both edges of every bucket. */
static void test_edges(void)
{
	for (int k = 0; k < 64; k++) {
		uint64_t p = 1ULL << k;

		check_value(p - 1);
		check_value(p);
		check_value(p + 1);
		CHECK_EQ_INT(kernel_log2_slot(p), k + 1);
		CHECK_EQ_INT(kernel_log2_slot(p | (p - 1)), k + 1);
	}
}

/* xorshift64*: fixed seed, so a failure reproduces. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void test_random(void)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	int bad = 0;

	/* Shift each value right by a random amount so every bucket gets its share. */
	for (int i = 0; i < 100000; i++) {
		uint64_t r = rng_next(&s), v = r >> (rng_next(&s) % 64);
		uint32_t got = kernel_log2_slot(v);

		if (got != ref_slot(v) || !slot_holds(got, v)) {
			if (bad++ < 10)
				fprintf(stderr, "value 0x%llx: slot %u, want %u\n",
					(unsigned long long)v, got, ref_slot(v));
		}
	}
	CHECK_EQ_INT(bad, 0);
}

int main(void)
{
	test_table();
	test_edges();
	test_random();
	return unit_summary();
}
