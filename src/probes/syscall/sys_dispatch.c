/* The probes of each syscall number, in lt_sys_disp: the one table every syscall of the
 * machine is looked up in by the session's two programs (syscall.bpf.c). An entry is
 * rewritten whole; a program reading it meanwhile sees the probes before or after (each
 * id is one aligned 16-bit word), either of which is right for a probe being attached. */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "syscall.h"
#include "syscall_probe.h"
#include "sys_dispatch.h"

/* Adds (add) or removes the tag in the entry of syscall nr. */
static int edit(int fd, uint32_t nr, const struct sys_state *st, bool add)
{
	struct lt_sys_disp d;
	int n = 0, at = -1;

	if (bpf_map_lookup_elem(fd, &nr, &d))
		return -errno;
	while (n < LT_SYS_SLOTS && d.probe[n]) {
		if (d.probe[n] == st->tag)
			at = n;
		n++;
	}
	if (add) {
		if (at >= 0)
			return 0;
		if (n == LT_SYS_SLOTS)
			return -ENOSPC;
		d.probe[n] = st->tag;
		d.own_pid += st->own_pid;
	} else {
		if (at < 0)
			return 0;
		memmove(&d.probe[at], &d.probe[at + 1], (LT_SYS_SLOTS - at - 1) * sizeof(d.probe[0]));
		d.probe[LT_SYS_SLOTS - 1] = 0;
		d.own_pid -= st->own_pid;
	}
	return bpf_map_update_elem(fd, &nr, &d, BPF_ANY) ? -errno : 0;
}

static bool in_table(const struct sys_site *ss)
{
	return ss->nr >= 0 && ss->nr < LT_SYS_NR_MAX;
}

int sys_dispatch_add(int fd, const struct sys_state *st, size_t *full)
{
	int rc = 0;
	size_t i;

	for (i = 0; i < st->n && !rc; i++)
		if (in_table(&st->sites[i]))
			rc = edit(fd, st->sites[i].nr, st, true);
	if (!rc)
		return 0;
	*full = i - 1;
	while (i-- > 0)	/* none entered */
		if (in_table(&st->sites[i]))
			edit(fd, st->sites[i].nr, st, false);
	return rc;
}

void sys_dispatch_remove(int fd, const struct sys_state *st)
{
	for (size_t i = 0; i < st->n; i++)
		if (in_table(&st->sites[i]))
			edit(fd, st->sites[i].nr, st, false);
}
