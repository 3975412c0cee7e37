/* User stacks of code built without frame pointers (Debian's own libc among it): the probe
 * copied the registers and a bounded slice of the stack (struct lt_ucopy); here libdwfl
 * unwinds that copy with the modules' CFI (.eh_frame, or .debug_frame from a debug file),
 * the way perf's --call-graph dwarf does. One Dwfl per process, its modules reported from
 * the symbolizer's maps (so processes that exited still unwind), rebuilt when they change. */
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "symbolize.h"
#include "unwind_dwarf.h"

struct pid_dwfl {
	int pid;
	unsigned gen;
	Dwfl *dwfl;
	bool attached;
	struct pid_dwfl *next;
};

/* What the callbacks read during one unwind. */
struct sample {
	const struct lt_ucopy *uc;
	const uint8_t *stack;
	uint64_t *ips;
	int max, n;
};

struct unwinder {
	struct symbolizer *sy;
	struct pid_dwfl *procs;
	struct sample cur;
};

static char *debuginfo_path;
static const Dwfl_Callbacks dwfl_cbs = {
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
	.section_address = dwfl_offline_section_address,
};

struct unwinder *unwinder_new(struct symbolizer *sy)
{
	struct unwinder *uw = calloc(1, sizeof(*uw));

	if (uw)
		uw->sy = sy;
	return uw;
}

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	/* Only dwfl_getthread_frames is used: get_thread answers it. */
	return 0;
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	*thread_argp = arg;
	return true;
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct unwinder *uw = arg;
	const struct lt_ucopy *uc = uw->cur.uc;

	if (addr < uc->sp || addr + sizeof(*result) > uc->sp + uc->len)
		return false;
	memcpy(result, uw->cur.stack + (addr - uc->sp), sizeof(*result));
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct unwinder *uw = arg;
	Dwarf_Word regs[LT_DWARF_REGS];

	for (int i = 0; i < LT_DWARF_REGS; i++)
		regs[i] = uw->cur.uc->regs[i];
	return dwfl_thread_state_registers(thread, 0, LT_DWARF_REGS, regs);
}

static const Dwfl_Thread_Callbacks thread_cbs = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

static void report_map(void *ctx, const char *path, uint64_t start, uint64_t end,
		       uint64_t pgoff)
{
	dwfl_report_elf(ctx, path, path, -1, start - pgoff, false);
}

/* (Re)builds the Dwfl of a process when its maps changed. */
static int pid_dwfl_sync(struct unwinder *uw, struct pid_dwfl *pd)
{
	unsigned gen;

	if (symbolizer_maps(uw->sy, pd->pid, &gen, NULL, NULL))
		return -ESRCH;
	if (pd->dwfl && gen == pd->gen)
		return 0;
	if (pd->dwfl)
		dwfl_end(pd->dwfl);
	pd->attached = false;
	if (!(pd->dwfl = dwfl_begin(&dwfl_cbs)))
		return -ENOMEM;
	dwfl_report_begin(pd->dwfl);
	symbolizer_maps(uw->sy, pd->pid, &pd->gen, report_map, pd->dwfl);
	dwfl_report_end(pd->dwfl, NULL, NULL);
	pd->attached = dwfl_attach_state(pd->dwfl, NULL, pd->pid, &thread_cbs, uw);
	return pd->attached ? 0 : -ENOEXEC;
}

static struct pid_dwfl *pid_dwfl_get(struct unwinder *uw, int pid)
{
	struct pid_dwfl *pd;

	for (pd = uw->procs; pd; pd = pd->next)
		if (pd->pid == pid)
			return pd;
	if (!(pd = calloc(1, sizeof(*pd))))
		return NULL;
	pd->pid = pid;
	pd->next = uw->procs;
	uw->procs = pd;
	return pd;
}

static int frame_cb(Dwfl_Frame *state, void *arg)
{
	struct sample *cur = arg;
	Dwarf_Addr pc;

	if (!dwfl_frame_pc(state, &pc, NULL) || !pc)
		return DWARF_CB_ABORT;
	cur->ips[cur->n++] = pc;
	return cur->n < cur->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

int unwind_dwarf(struct unwinder *uw, int pid, int tid, const struct lt_ucopy *uc,
		 const uint8_t *stack, uint64_t *ips, int max)
{
	struct pid_dwfl *pd = pid_dwfl_get(uw, pid);
	int rc;

	if (!pd)
		return -ENOMEM;
	if ((rc = pid_dwfl_sync(uw, pd)))
		goto first_only;
	uw->cur = (struct sample){ uc, stack, ips, max, 0 };
	dwfl_getthread_frames(pd->dwfl, tid ? tid : pid, frame_cb, &uw->cur);
	if (uw->cur.n)
		return uw->cur.n;
first_only:
	/* Nothing to unwind with: the probed instruction is still a frame. */
	if (max < 1)
		return 0;
	ips[0] = uc->regs[LT_DWARF_REGS - 1];
	return 1;
}

void unwinder_free(struct unwinder *uw)
{
	if (!uw)
		return;
	while (uw->procs) {
		struct pid_dwfl *pd = uw->procs;

		uw->procs = pd->next;
		if (pd->dwfl)
			dwfl_end(pd->dwfl);
		free(pd);
	}
	free(uw);
}
