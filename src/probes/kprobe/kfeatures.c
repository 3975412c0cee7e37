/* Kernel feature detection for kernel-function probes. Each test is the cheapest one that
 * answers for real: a sysfs file for kprobes, the kernel's own argument check for
 * kprobe_multi (a link with no functions: EINVAL when links exist, EOPNOTSUPP when not), a
 * program load for fentry (refused with EPERM on this project's test kernel). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include "kfeatures.h"

static bool kprobes_present(void)
{
	return !access("/sys/bus/event_source/devices/kprobe/type", F_OK) ||
	       !access("/sys/kernel/tracing/kprobe_events", F_OK) ||
	       !access("/sys/kernel/debug/tracing/kprobe_events", F_OK);
}

static const struct bpf_insn ret0[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

static int probe_kprobe_multi(void)
{
	LIBBPF_OPTS(bpf_prog_load_opts, lopts, .expected_attach_type = BPF_TRACE_KPROBE_MULTI);
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int prog, link, err;

	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "lt_kmulti_probe", "GPL", ret0, 2, &lopts);
	if (prog < 0)
		return prog;
	link = bpf_link_create(prog, 0, BPF_TRACE_KPROBE_MULTI, &opts);	/* no functions */
	err = link >= 0 ? 0 : -errno;
	if (link >= 0)
		close(link);
	close(prog);
	return err == -EINVAL ? 0 : err ? err : -EINVAL;
}

/* A function the kernel surely has in its BTF, for the fentry trial. */
static int trial_target(const struct btf *btf)
{
	static const char *const names[] = { "do_nanosleep", "vfs_read", "schedule",
					     "bpf_fentry_test1" };
	int id;

	for (size_t i = 0; btf && i < sizeof(names) / sizeof(names[0]); i++)
		if ((id = btf__find_by_name_kind(btf, names[i], BTF_KIND_FUNC)) > 0)
			return id;
	return -ENOENT;
}

static int probe_fentry(const struct btf *btf)
{
	int id = trial_target(btf), prog;
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = id);

	if (id < 0)
		return id;
	prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "lt_fentry_probe", "GPL", ret0, 2, &opts);
	if (prog < 0)
		return -errno;
	close(prog);
	return 0;
}

/* Reads the kernel's config for the two options whose absence explains a refusal. */
static void read_config(struct kfeatures *kf)
{
	gzFile f = gzopen("/proc/config.gz", "rb");
	char line[256];

	if (!f)
		return;
	while (gzgets(f, line, sizeof(line))) {
		if (!strcmp(line, "# CONFIG_KPROBES is not set\n"))
			kf->no_kprobes_config = true;
		else if (!strcmp(line, "# CONFIG_FPROBE is not set\n"))
			kf->no_fprobe_config = true;
	}
	gzclose(f);
}

static bool forced(struct kfeatures *kf)
{
	const char *env = getenv("LTRACE_EBPF_KFEATURES");
	char buf[128], *save = NULL;

	if (!env)
		return false;
	snprintf(buf, sizeof(buf), "%s", env);
	for (char *w = strtok_r(buf, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
		kf->kprobe |= !strcmp(w, "kprobe");
		kf->kprobe_multi |= !strcmp(w, "kprobe_multi");
		kf->fentry |= !strcmp(w, "fentry");
	}
	kf->kprobe_multi_err = kf->kprobe_multi ? 0 : -EOPNOTSUPP;
	kf->fentry_err = kf->fentry ? 0 : -EOPNOTSUPP;
	kf->forced = true;
	return true;
}

const struct kfeatures *kfeatures_get(const struct btf *btf)
{
	static struct kfeatures kf;
	static bool done;

	if (done)
		return &kf;
	done = true;
	read_config(&kf);
	if (forced(&kf))
		return &kf;
	kf.kprobe = kprobes_present();
	kf.kprobe_multi_err = probe_kprobe_multi();
	kf.kprobe_multi = !kf.kprobe_multi_err;
	kf.fentry_err = probe_fentry(btf);
	kf.fentry = !kf.fentry_err;
	return &kf;
}

const char *kfeatures_errname(int err, char *buf, size_t len)
{
	static const struct {
		int err;
		const char *name;
	} names[] = { { EPERM, "EPERM" }, { EINVAL, "EINVAL" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		      { ENOENT, "ENOENT" }, { E2BIG, "E2BIG" }, { EACCES, "EACCES" },
		      { 524, "ENOTSUPP" }, { ESRCH, "ESRCH" } };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == -err)
			return names[i].name;
	snprintf(buf, len, "error %d", -err);
	return buf;
}

void kfeatures_explain(const struct kfeatures *kf, bool multi, char *buf, size_t len)
{
	char e1[24], e2[24];
	size_t used = snprintf(buf, len, "this kernel");

	if (!kf->kprobe && used < len)
		used += snprintf(buf + used, len - used, " has no kprobes%s",
				 kf->no_kprobes_config ? " (built without CONFIG_KPROBES)" : "");
	if (multi && !kf->kprobe_multi && used < len)
		used += snprintf(buf + used, len - used, "%s no kprobe_multi links (%s)",
				 kf->kprobe ? " has" : ",",
				 kf->no_fprobe_config ? "built without CONFIG_FPROBE" :
				 kfeatures_errname(kf->kprobe_multi_err, e1, sizeof(e1)));
	if (!kf->fentry && kf->fentry_err == -ENOENT && used < len)
		snprintf(buf + used, len - used, " and has no BTF for fentry/fexit programs");
	else if (!kf->fentry && used < len)
		snprintf(buf + used, len - used, " and refuses fentry/fexit programs (%s)",
			 kfeatures_errname(kf->fentry_err, e2, sizeof(e2)));
}
