/* Detection of the BPF features the templates rely on (bpf_features.h): libbpf's probes
 * where libbpf has one (a map created, a helper checked in a trivial program), a trivial
 * program loaded with BPF_F_SLEEPABLE for sleepable uprobes, where it has none. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "bpf_features.h"

static bool helper(enum bpf_prog_type type, enum bpf_func_id id)
{
	return libbpf_probe_bpf_helper(type, id, NULL) == 1;
}

/* A kernel without sleepable uprobes refuses BPF_F_SLEEPABLE on a kprobe-type program at
 * load ("Only fentry/fexit/fmod_ret, lsm, iter, uprobe, and struct_ops programs can be
 * sleepable"); one with them takes it and checks the attach point at attach time. */
static bool sleepable_load(void)
{
	static const struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .prog_flags = BPF_F_SLEEPABLE);
	int fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "lt_sleep_probe", "GPL", ret0, 2, &opts);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool sleepable_forced_off(void)
{
	const char *off = getenv("LTRACE_EBPF_NO_SLEEPABLE");

	return off && *off && strcmp(off, "0");
}

bool bpf_sleepable_uprobes(void)
{
	static int have = -1;

	if (have < 0)
		have = !sleepable_forced_off() && sleepable_load();
	return have;
}

const struct bpf_features *bpf_features_get(void)
{
	static struct bpf_features f;
	static bool done;

	if (done)
		return &f;
	done = true;
	f.ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1 &&
		    helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_ringbuf_query);
	f.task_storage = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) == 1;
	f.loop = helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_loop);
	f.cookies = helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_get_attach_cookie) &&
		    helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_get_attach_cookie);
	f.sleepable_forced_off = sleepable_forced_off();
	f.sleepable_uprobes = bpf_sleepable_uprobes();
	return &f;
}
