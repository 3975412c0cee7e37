/* A tracepoint to offer instead of a kernel function this kernel cannot probe: the
 * syscall tracepoint for a syscall's implementation (do_sys_openat2 -> sys_enter_openat2),
 * an event named like the function, else a pointer to the list of events. */
#ifndef LT_KSUGGEST_H
#define LT_KSUGGEST_H

#include <stdbool.h>
#include <stddef.h>

/* Fills buf with a probe spec and returns 1, or with a hint where to look and returns 0:
 * the entry's, the return's (at_return) or the paired flavour (syscall:). */
int ksuggest_tracepoint(const char *func, bool at_return, bool paired, char *buf, size_t len);

#endif
