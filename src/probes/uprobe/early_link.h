/* The first uprobe link of a session, made while its template is still being verified.
 *
 * Registering a session's first uprobe waits for an RCU grace period in the kernel
 * (rcu_sync_enter under dup_mmap_sem: 8-30 ms here), and it used to come after map
 * creation and verification. Instead, as soon as the first probe's sites are resolved, a
 * thread links them to a trampoline: a six-instruction program that tail-calls slot 0
 * (entry) or 1 (return) of a program array. The real programs go into the slots once
 * verified. Until then a hit does nothing, as if the link were not there yet; afterwards it
 * costs one tail call (a direct jump: the key is a constant). The links stay the probe's
 * for its life: swapping them for direct ones would unregister, and the exit would then wait
 * for that unregistration's own RCU-tasks-trace grace period too. Not for sleepable
 * programs: the kernel lets those use no program array. */
#ifndef LT_EARLY_LINK_H
#define LT_EARLY_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpf_program;

struct early_link_req {
	const char *path;
	const uint64_t *offsets;
	const uint64_t *cookies;
	size_t cnt;
	int pid;			/* > 0: the kernel filters by this process */
	int nlinks;			/* 1, or 2 for entry + return */
	bool is_return[2];
};

struct early_link;

/* Loads the trampolines and starts linking in a thread; NULL (nothing to undo) when
 * anything fails: the caller then links the ordinary way. The request is copied. */
struct early_link *early_link_start(const struct early_link_req *req);
/* Puts progs[0..nlinks-1] (not sleepable) in their slots, in order, and waits for the
 * links. 0 and the link fds in fds[], now the caller's; -errno when a link or a slot failed: the links made
 * are closed by then, and the caller links the ordinary way. */
int early_link_finish(struct early_link *el, struct bpf_program *const progs[], int fds[2]);
/* Waits for the thread, closes links not handed over, the trampolines and the array.
 * After early_link_finish succeeded, only once those links are closed: the kernel empties
 * a program array when its last fd goes. */
void early_link_free(struct early_link *el);

#endif
