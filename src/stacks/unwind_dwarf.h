/* DWARF (CFI) unwinding of a user stack copied at a probe (see unwind_dwarf.c). */
#ifndef LT_UNWIND_DWARF_H
#define LT_UNWIND_DWARF_H

#include <stdint.h>
#include "lt_abi.h"

struct symbolizer;
struct unwinder;

/* The symbolizer supplies each process's mappings; it must outlive the unwinder. */
struct unwinder *unwinder_new(struct symbolizer *sy);
void unwinder_free(struct unwinder *uw);
/* Frames from the copied registers and stack (uc->len bytes at `stack`, from uc->sp up),
 * innermost first, at most max: the count (at least the probed pc), or -errno. */
int unwind_dwarf(struct unwinder *uw, int pid, int tid, const struct lt_ucopy *uc,
		 const uint8_t *stack, uint64_t *ips, int max);

#endif
