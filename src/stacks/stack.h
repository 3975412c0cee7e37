/* Stacks on the host side: the session's symbolizer and unwinder, the frames a record
 * carries (frame-pointer frames, or a stack copy unwound with DWARF), frames behind the
 * stack ids of in-kernel aggregates, the frame a frame-pointer walk misses at a function's
 * entry. The probe options `stack`, `unwind`, `stack_depth` and the Lua side are
 * src/lua/l_stack.h's. */
#ifndef LT_STACK_H
#define LT_STACK_H

#include <stdbool.h>
#include <stdint.h>
#include "lt_abi.h"

struct stack_ctx {
	struct symbolizer *sy;
	struct unwinder *uw;
	/* The owner's stack map behind an id: the stack-trace map, or (hashed) the hash map of
	 * sleepable programs; -1 while it has none. */
	int (*map_fd)(void *owner, bool hashed);
	void *owner;
};

/* A symbolizer and unwinder (creating one starts following mmaps, so processes that exit
 * keep their maps) reading stack ids through map_fd. NULL and errno on failure. The
 * session's own is session_stacks.h's stack_ctx_get. */
struct stack_ctx *stack_ctx_new(int (*map_fd)(void *owner, bool hashed), void *owner);
void stack_ctx_free(struct stack_ctx *c);
/* Maps records the symbolizer lost. */
uint64_t stack_ctx_lost(const struct stack_ctx *c);
/* Takes in the mappings the machine's processes made since the last call: the owner calls
 * it when one of stack_ctx_watch_fds (at most max) is readable (symbolizer_sync). */
void stack_ctx_sync(struct stack_ctx *c);
int stack_ctx_watch_fds(const struct stack_ctx *c, int *fds, int max);

/* Frames of a record, innermost first: its user stack (kernel false) or kernel stack. The
 * count, 0 when the record has none. */
int stack_from_record(struct stack_ctx *c, const struct lt_rec *rec, const uint8_t *data,
		      bool kernel, uint64_t *ips, int max);
/* Frames behind a stack id of lt_stacks; caller is the entry caller (0: none). */
int stack_from_id(struct stack_ctx *c, uint32_t id, uint64_t caller, uint64_t *ips, int max);
/* Inserts caller as the second frame unless the walk has it already. */
int stack_fix_entry(uint64_t *ips, int n, uint64_t caller, int max);
/* Ends a user stack before its first frame outside executable mappings; the new count. */
int stack_trim_user(struct stack_ctx *c, int pid, uint64_t *ips, int n);
/* Drops the leading kernel frames of the BPF program that read the stack and of the
 * tracepoint dispatch that ran it; the new count. */
int stack_trim_bpf(struct stack_ctx *c, uint64_t *ips, int n);

#endif
