/* Stacks in the Lua layer: the probe options `stack`, `unwind`, `stack_depth`
 * (l_stack_opts.c) and the "ltrace.stack" type (l_stack.c) over src/stacks/stack.h. */
#ifndef LT_L_STACK_H
#define LT_L_STACK_H

#include <stdbool.h>
#include <stdint.h>
#include "lt_abi.h"

struct probe;
struct lua_State;

/* Probe options (src/lua/l_stack_opts.c; l_probe.c calls it after the core options): fills
 * cfg.stack and stack_depth; raises on misuse. */
void stack_parse_opts(struct lua_State *L, int t, struct probe *p);
/* by = "ustack" | "kstack" | "stack" (both): LT_BY_*; -1 for other names. */
int stack_agg_by(const char *name);

/* The Lua side (l_stack.c): the "ltrace.stack" type and module; a record's user or kernel
 * stack (nil when it has none); the interned stack behind an aggregate key. */
struct lt_agg_key;
void l_stack_open(struct lua_State *L);
int l_stack_push_record(struct lua_State *L, struct probe *p, const struct lt_rec *rec,
			const uint8_t *data, bool kernel);
void l_stack_push_key(struct lua_State *L, struct probe *p, const struct lt_agg_key *k);

#endif
