/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unit tests' assertions: each CHECK counts a pass or prints file:line (and both values)
 * and counts a failure, then carries on so one run shows every failure. unit_summary() prints
 * "N passed, M failed" and returns main's exit code: non-zero when anything failed.
 *
 * Include it from exactly one file per test executable: the counters are static.
 */
#ifndef LT_UNIT_H
#define LT_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed;
static int unit_failed;

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (cond) {                                                               \
			unit_passed++;                                                    \
		} else {                                                                  \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__,  \
				#cond);                                                   \
			unit_failed++;                                                    \
		}                                                                         \
	} while (0)

/* Integers of any width up to 64 bits, compared after conversion to long long. */
#define CHECK_EQ_INT(got, want)                                                           \
	do {                                                                              \
		long long unit_g_ = (long long)(got), unit_w_ = (long long)(want);        \
		if (unit_g_ == unit_w_) {                                                 \
			unit_passed++;                                                    \
		} else {                                                                  \
			fprintf(stderr, "%s:%d: %s == %s failed: got %lld (0x%llx), "     \
				"want %lld (0x%llx)\n", __FILE__, __LINE__, #got, #want,   \
				unit_g_, (unsigned long long)unit_g_, unit_w_,            \
				(unsigned long long)unit_w_);                             \
			unit_failed++;                                                    \
		}                                                                         \
	} while (0)

/* Strings; NULL compares equal only to NULL. */
#define CHECK_EQ_STR(got, want)                                                           \
	do {                                                                              \
		const char *unit_gs_ = (got), *unit_ws_ = (want);                         \
		if (unit_gs_ == unit_ws_ ||                                               \
		    (unit_gs_ && unit_ws_ && !strcmp(unit_gs_, unit_ws_))) {              \
			unit_passed++;                                                    \
		} else {                                                                  \
			fprintf(stderr, "%s:%d: %s == %s failed: got \"%s\", "            \
				"want \"%s\"\n", __FILE__, __LINE__, #got, #want,          \
				unit_gs_ ? unit_gs_ : "(null)",                           \
				unit_ws_ ? unit_ws_ : "(null)");                          \
			unit_failed++;                                                    \
		}                                                                         \
	} while (0)

/* Prints the summary; returns main's exit status. */
static inline int unit_summary(void)
{
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
