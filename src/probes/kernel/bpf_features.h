/* The BPF features every template is built on (ring buffer, task storage, bpf_loop, attach
 * cookies at uprobes and tracepoints) and the one with a second path (sleepable uprobes:
 * captures that may fault pages in), each asked once per process of libbpf's feature
 * probes; sleepable programs, which libbpf has no probe for, by loading a trivial one.
 * LTRACE_EBPF_NO_SLEEPABLE=1 takes the non-sleepable path on any kernel (tests). */
#ifndef LT_BPF_FEATURES_H
#define LT_BPF_FEATURES_H

#include <stdbool.h>

struct bpf_features {
	bool ringbuf;		/* BPF_MAP_TYPE_RINGBUF and bpf_ringbuf_query (5.8) */
	bool task_storage;	/* BPF_MAP_TYPE_TASK_STORAGE (5.11) */
	bool loop;		/* bpf_loop (5.17) */
	bool cookies;		/* bpf_get_attach_cookie in uprobe/kprobe and tracepoint programs (5.15) */
	bool sleepable_uprobes;	/* BPF_F_SLEEPABLE uprobe programs (6.0) */
	bool sleepable_forced_off;	/* LTRACE_EBPF_NO_SLEEPABLE said so */
};

/* Detects on first call. */
const struct bpf_features *bpf_features_get(void);
/* Only the sleepable uprobe test (the uprobe kind's choice), also once. */
bool bpf_sleepable_uprobes(void);

#endif
