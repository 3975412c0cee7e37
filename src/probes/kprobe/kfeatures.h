/* What this kernel lets us attach to kernel functions, found out once per process: kprobes
 * (the kprobe PMU or tracefs kprobe_events), kprobe_multi links (fprobe), fentry/fexit
 * programs (a trivial one is loaded and dropped). The kernel's config, when readable, says
 * why something is missing. LTRACE_EBPF_KFEATURES="kprobe,kprobe_multi,fentry" (or "none")
 * replaces detection, so tests can drive every path up to the attach call. */
#ifndef LT_KFEATURES_H
#define LT_KFEATURES_H

#include <stdbool.h>
#include <stddef.h>

struct btf;

struct kfeatures {
	bool kprobe;
	bool kprobe_multi;
	bool fentry;
	int kprobe_multi_err;	/* -errno of the trial link (0 when available) */
	int fentry_err;		/* -errno of the trial load (0 when available) */
	bool no_kprobes_config;	/* /proc/config.gz: "# CONFIG_KPROBES is not set" */
	bool no_fprobe_config;	/* ... "# CONFIG_FPROBE is not set" */
	bool forced;		/* LTRACE_EBPF_KFEATURES said so */
};

/* Detects on first call (btf: the kernel's, to find a function for the fentry trial). */
const struct kfeatures *kfeatures_get(const struct btf *btf);
/* Why kernel functions cannot be probed here, e.g. "this kernel has no kprobes (built
 * without CONFIG_KPROBES) and refuses fentry programs (EPERM)"; `multi` adds kprobe_multi. */
void kfeatures_explain(const struct kfeatures *kf, bool multi, char *buf, size_t len);
/* "EPERM" for -EPERM (the common ones), else the number. */
const char *kfeatures_errname(int err, char *buf, size_t len);

#endif
