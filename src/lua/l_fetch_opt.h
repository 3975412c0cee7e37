/* The `fetch` option of kinds with named fields (tracepoints, syscalls):
 * fetch = { filename = "str", buf = "out:bytes:64/ret" } captures a field or argument, by
 * name or position, as that type, in kernel. */
#ifndef LT_L_FETCH_OPT_H
#define LT_L_FETCH_OPT_H

#include "lt_abi.h"

struct lua_State;
struct probe;

/* Reads opts.fetch (table at index t) into p's captures; raises on misuse. Addresses are
 * in `space` unless the type says "user:" or "kernel:". */
void l_fetch_option(struct lua_State *L, int t, struct probe *p, enum lt_space space);

#endif
