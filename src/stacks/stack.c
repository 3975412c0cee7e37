/* Host side of stacks: a symbolizer + unwinder, decoding the stack part of a record,
 * reading stack ids through the owner's map and the entry fix-up (the frame-pointer
 * heuristic behind unwind = "auto" is src/elf/elf_frame_pointers.c's). Who owns a context
 * (the session: session_stacks.c) is not known here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "stack.h"
#include "symbolize.h"
#include "unwind_dwarf.h"

void stack_ctx_free(struct stack_ctx *c)
{
	if (!c)
		return;
	unwinder_free(c->uw);
	symbolizer_free(c->sy);
	free(c);
}

struct stack_ctx *stack_ctx_new(int (*map_fd)(void *owner, bool hashed), void *owner)
{
	struct stack_ctx *c = calloc(1, sizeof(*c));

	if (!c || !(c->sy = symbolizer_new()) || !(c->uw = unwinder_new(c->sy))) {
		stack_ctx_free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->map_fd = map_fd;
	c->owner = owner;
	/* Without CAP_PERFMON stacks still work, for processes alive when they are read. */
	symbolizer_watch(c->sy);
	return c;
}

uint64_t stack_ctx_lost(const struct stack_ctx *c)
{
	return symbolizer_watch_lost(c->sy);
}

void stack_ctx_sync(struct stack_ctx *c)
{
	symbolizer_sync(c->sy);
}

int stack_ctx_watch_fds(const struct stack_ctx *c, int *fds, int max)
{
	return symbolizer_watch_fds(c->sy, fds, max);
}

int stack_fix_entry(uint64_t *ips, int n, uint64_t caller, int max)
{
	if (!caller || n < 1 || max < 2 || (n > 1 && ips[1] == caller))
		return n;
	if (n == max)
		n--;
	memmove(&ips[2], &ips[1], (n - 1) * sizeof(*ips));
	ips[1] = caller;
	return n + 1;
}

static int copy_frames(const uint8_t *at, int n, uint64_t *ips, int max)
{
	int k = 0;

	for (int i = 0; i < n && k < max; i++) {
		memcpy(&ips[k], at + i * 8, 8);
		if (ips[k])
			k++;
	}
	return k;
}

int stack_from_record(struct stack_ctx *c, const struct lt_rec *rec, const uint8_t *data,
		      bool kernel, uint64_t *ips, int max)
{
	size_t avail = rec->size - sizeof(*rec), at = rec->data_len;
	size_t ubytes = (size_t)rec->nustack * 8, kbytes = (size_t)rec->nkstack * 8;
	uint64_t caller;
	int n;

	if (at + ubytes + kbytes + rec->ucopy_len > avail)
		return 0;
	if (kernel)
		return copy_frames(data + at + ubytes, rec->nkstack, ips, max);
	if (rec->ucopy_len >= sizeof(struct lt_ucopy)) {
		struct lt_ucopy uc;
		const uint8_t *u = data + at + ubytes + kbytes;

		memcpy(&uc, u, sizeof(uc));
		if (uc.len > rec->ucopy_len - sizeof(uc))
			return 0;
		return unwind_dwarf(c->uw, rec->pid, rec->tid, &uc, u + sizeof(uc), ips, max);
	}
	if (!rec->nustack)
		return 0;
	memcpy(&caller, data + at, 8);
	n = copy_frames(data + at + 8, rec->nustack - 1, ips, max);
	return stack_fix_entry(ips, n, caller, max);
}

int stack_from_id(struct stack_ctx *c, uint32_t id, uint64_t caller, uint64_t *ips, int max)
{
	uint64_t raw[LT_STACK_DEPTH] = {};
	int n, fd;

	if (id == UINT32_MAX)
		return 0;
	/* Ids of sleepable programs name their own hash map (no stack-trace maps there). */
	fd = c->map_fd(c->owner, id & LT_STACK_ID_HASHED);
	if (fd < 0 || bpf_map_lookup_elem(fd, &id, raw))
		return 0;
	n = copy_frames((const uint8_t *)raw, LT_STACK_DEPTH, ips, max);
	return stack_fix_entry(ips, n, caller, max);
}

/* A frame-pointer walk through code without frame pointers reads data as return addresses:
 * the stack ends before the first one that is not in executable memory. */
int stack_trim_user(struct stack_ctx *c, int pid, uint64_t *ips, int n)
{
	for (int i = 1; i < n; i++)
		if (!symbolizer_is_mapped(c->sy, pid, ips[i]))
			return i;
	return n;
}

/* Functions a kernel stack read from a BPF program starts in: the program, its trampoline,
 * and the tracepoint's dispatch (perf's for tracepoint programs, the raw one's;
 * __traceiter_* when a tracepoint has more than one program attached, another tracer's say,
 * and calls them through its iterator instead of a static call). A stack the program read
 * from its own task (bpf_get_task_stack: 6.1's syscalls:* tracepoints, lib/stacks.bpf.h)
 * starts inside the helper, then the program, trace_call_bpf and perf_call_bpf_enter. */
static bool is_probe_frame(const char *name)
{
	static const char *const prefixes[] = { "bpf_prog_", "bpf_trace_run", "__bpf_trace_",
						"bpf_get_stack", "__bpf_get_stack",
						"bpf_get_task_stack", "trace_call_bpf",
						"perf_call_bpf_", "__traceiter_", "perf_trace_",
						"perf_syscall_", NULL };

	for (const char *const *p = prefixes; *p; p++)
		if (!strncmp(name, *p, strlen(*p)))
			return true;
	return false;
}

/* The stack then starts where the event happened (syscall_trace_enter, bprm_execve ...). */
int stack_trim_bpf(struct stack_ctx *c, uint64_t *ips, int n)
{
	int skip = 0;

	while (skip < n) {
		struct sym_info si;

		if (symbolize_kernel(c->sy, ips[skip], 0, &si) || !si.name ||
		    !is_probe_frame(si.name))
			break;
		skip++;
	}
	memmove(ips, ips + skip, (n - skip) * sizeof(*ips));
	return n - skip;
}
