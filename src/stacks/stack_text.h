/* A stack as text, for any output: the frames behind an in-kernel aggregate key, each frame
 * symbolized and named, and the whole stack as flame graphs' folded line or bpftrace's
 * layout. The Lua stack userdata (src/lua/l_stack.c) and --metrics' stack labels
 * (src/export/) both write stacks through here. */
#ifndef LT_STACK_TEXT_H
#define LT_STACK_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "lt_abi.h"

struct stack_ctx;
struct sym_info;

/* Frames one stack can have: the deepest walk and the entry's caller, plus one. */
#define STACK_MAX_FRAMES (LT_STACK_DEPTH + 2)

/* One stack of a process: kernel frames, then user frames, innermost first. */
struct stack_frames {
	int pid;
	int nk, nu;
	uint64_t ips[2 * STACK_MAX_FRAMES];
};

/* The stack behind aggregate key k of a probe aggregating by `by` (LT_BY_USTACK, _KSTACK,
 * _STACK) with stack_depth depth (0: the default), read, trimmed and cut as records' are. */
void stack_frames_of_key(struct stack_ctx *c, const struct lt_agg_key *k, int by, int depth,
			 struct stack_frames *out);
/* Frame i (0-based) of ips, whose first nk frames are the kernel's, symbolized with flags
 * (SYM_*); returns whether it is a kernel frame. */
bool stack_frame_info(struct stack_ctx *c, int pid, const uint64_t *ips, int nk, int i,
		      unsigned flags, struct sym_info *si);
/* "sym+off", "module+0xoff" or "0xaddr" into buf (offsets: false gives the bare symbol). */
const char *stack_frame_name(const struct sym_info *si, uint64_t addr, bool offsets, char *buf,
			     size_t len);
/* The stack into f: folded ("root;...;leaf", kernel frames suffixed "_[k]") or, when not
 * folded, one frame per line with offsets, as bpftrace prints them. */
void stack_write(FILE *f, struct stack_ctx *c, int pid, const uint64_t *ips, int nk, int nu,
		 bool folded);

#endif
