/* The unwind guard's host side: decide whether the session needs it, load it sharing the
 * session's counters, attach it to the unwinder's entry points in libgcc_s. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "detach.h"
#include "libpath.h"
#include "libpath_needed.h"
#include "session.h"
#include "unwind_guard.h"
#include "unwind_guard.skel.h"

/* Where an exception or a forced unwind (pthread_cancel, pthread_exit) starts walking. */
static const char *const entry_points[] = { "_Unwind_RaiseException", "_Unwind_Resume",
					    "_Unwind_Resume_or_Rethrow", "_Unwind_ForcedUnwind" };
#define NENTRY (sizeof(entry_points) / sizeof(entry_points[0]))

struct guard {
	struct unwind_guard_bpf *skel;
	struct bpf_link *links[NENTRY];
	enum unwind_guard_state state;
	char why[160];
	bool warned;	/* or nothing to warn about: only a target known to unwind is */
};

static const char guard_key = 'g';

static void guard_destroy(void *obj)
{
	struct guard *g = obj;
	uint32_t ids[NENTRY] = {};

	for (size_t i = 0; i < NENTRY; i++) {	/* uprobes too: gone before the exit */
		ids[i] = g->links[i] ? detach_link_id(bpf_link__fd(g->links[i])) : 0;
		bpf_link__destroy(g->links[i]);
	}
	detach_wait_released(ids, NENTRY);
	unwind_guard_bpf__destroy(g->skel);
	free(g);
}

/* Does the target itself link an unwinder (C++ and Rust programs link libstdc++ or
 * libgcc_s)? Its executable's DT_NEEDED tells, for `-- CMD` and -p alike. */
static bool target_unwinds(const struct session_opts *o)
{
	char path[PATH_MAX];

	return o->exe[0] && (!libpath_resolve_for("libgcc_s.so.1", o->exe, path, sizeof(path)) ||
			     !libpath_resolve_for("libstdc++.so.6", o->exe, path, sizeof(path)));
}

/* Kernel lockdown (integrity and up) withholds bpf_probe_write_user from every program;
 * libbpf's helper probe does not tell, the lockdown file does (when securityfs is up). */
static bool locked_down(void)
{
	char mode[128] = "";
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");

	if (!f)
		return false;
	if (!fgets(mode, sizeof(mode), f))
		mode[0] = 0;
	fclose(f);
	return mode[0] && !strstr(mode, "[none]");
}

/* Does the kernel let a kprobe-type program call bpf_probe_write_user? A five-instruction
 * program answers in about a millisecond; loading the guard itself first would parse the
 * kernel's BTF for its CO-RE reads (~50 ms) to learn the same. */
static bool write_user_allowed(void)
{
#define INSN(op, d, sr, o, i) { .code = (op), .dst_reg = (d), .src_reg = (sr), .off = (o), \
				       .imm = (i) }
	const struct bpf_insn insns[] = {
		INSN(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, 0),		/* *(u64 *)(fp - 8) = 0 */
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),		/* r2 = fp */
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -8),		/* r2 -= 8 */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 0),		/* r1 = 0 */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 8),		/* r3 = 8 */
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_write_user),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),		/* r0 = 0 */
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
#undef INSN
	int fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", insns,
			       sizeof(insns) / sizeof(insns[0]), NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int guard_attach(struct guard *g, struct session *s, const char *gcc_s)
{
	const struct session_opts *o = &s->opts;
	int rc, attached = 0;

	if (!write_user_allowed())
		return -EPERM;
	if ((rc = session_load(s)))	/* the session's maps, to share */
		return rc;
	if (!(g->skel = unwind_guard_bpf__open()))
		return -errno;
	if ((rc = session_share_maps(s, g->skel->obj)) || (rc = unwind_guard_bpf__load(g->skel)))
		return rc;
	for (size_t i = 0; i < NENTRY; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = entry_points[i]);

		g->links[i] = bpf_program__attach_uprobe_opts(g->skel->progs.lt_unwind_guard,
							      o->have_target && !o->follow ? o->pid : -1,
							      gcc_s, 0, &opts);
		attached += g->links[i] != NULL;
	}
	return attached ? 0 : -ENOENT;
}

/* Children under -f and other processes (system-wide) may be C++ programs too: they get
 * the guard where the kernel allows it, and no warning where it does not. */
static void guard_setup(struct guard *g, struct session *s)
{
	const struct session_opts *o = &s->opts;
	char gcc_s[PATH_MAX];
	bool unwinds = target_unwinds(o);
	int rc;

	g->state = GUARD_UNNEEDED;
	g->warned = !unwinds;
	if ((!unwinds && o->have_target && !o->follow && o->exe[0]) ||
	    libpath_resolve("libgcc_s.so.1", o->have_target ? o->pid : 0, gcc_s, sizeof(gcc_s),
			    NULL, 0))
		return;
	g->state = GUARD_UNAVAILABLE;
	if (!(rc = guard_attach(g, s, gcc_s)))
		g->state = GUARD_ACTIVE;
	else if (rc == -EPERM && locked_down())
		snprintf(g->why, sizeof(g->why), "kernel lockdown forbids BPF writes to user memory");
	else if (rc == -EPERM)
		snprintf(g->why, sizeof(g->why), "the kernel refuses bpf_probe_write_user "
			 "(lockdown?)");
	else
		snprintf(g->why, sizeof(g->why), "the kernel refused the guard program: %s%s",
			 strerror(-rc), rc == -EINVAL ? ", lockdown?" : "");
}

enum unwind_guard_state unwind_guard_ensure(struct session *s, bool quiet, char *why,
					    size_t whylen)
{
	struct guard *g = session_object(s, &guard_key);

	if (!g) {
		if (!(g = calloc(1, sizeof(*g))) || session_own_object(s, &guard_key, g, guard_destroy)) {
			free(g);
			return GUARD_UNAVAILABLE;
		}
		guard_setup(g, s);
	}
	if (quiet)
		g->warned = true;
	if (g->state == GUARD_UNAVAILABLE && !g->warned) {
		g->warned = true;
		fprintf(stderr, "ltrace-ebpf: warning: return probes are not guarded against "
			"exceptions (%s): a C++ exception thrown through a traced call will "
			"terminate the program\n", g->why);
	}
	if (why)
		snprintf(why, whylen, "%s", g->why);
	return g->state;
}
