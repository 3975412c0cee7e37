/* The -v feature report (kfeature_report.h). */
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <sys/utsname.h>
#include "bpf_features.h"
#include "kfeature_report.h"
#include "kfeatures.h"
#include "ktypes.h"
#include "raw_tp_link.h"
#include "uprobe_multi.h"

static void line(const char *feature, const char *answer)
{
	fprintf(stderr, "ltrace-ebpf: %s: %s\n", feature, answer);
}

/* A feature every template is built on: no second path, a clear line when it is missing. */
static void base(const char *feature, bool have, const char *since)
{
	char buf[160];

	snprintf(buf, sizeof(buf), "missing (Linux %s+): no probe can load here", since);
	line(feature, have ? "yes" : buf);
}

/* "no (REASON)": the test that forced it, the kernel's config, or the kernel's error. */
static const char *why_not(const struct kfeatures *kf, int err, const char *config, char *buf,
			   size_t len)
{
	char e[24];

	if (kf->forced)
		snprintf(buf, len, "no (LTRACE_EBPF_KFEATURES)");
	else if (config)
		snprintf(buf, len, "no (%s)", config);
	else if (err)
		snprintf(buf, len, "refused (%s)", kfeatures_errname(err, e, sizeof(e)));
	else
		snprintf(buf, len, "no");
	return buf;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

void kfeature_report(struct session *s)
{
	const struct bpf_features *bf;
	const struct kfeatures *kf;
	struct timespec t0;
	struct utsname u;
	bool cookies, multi;
	char buf[200], why[64];
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	bf = bpf_features_get();
	cookies = raw_tp_cookies();
	multi = uprobe_multi_supported();
	kf = kfeatures_get(ktypes_btf(s));
	ms = ms_since(&t0);
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	snprintf(buf, sizeof(buf), "%s, detected in %.1f ms", u.release, ms);
	line("kernel", buf);

	base("ring buffer", bf->ringbuf, "5.8");
	base("task storage", bf->task_storage, "5.11");
	base("bpf_loop", bf->loop, "5.17");
	base("attach cookies at uprobes, kprobes, tracepoints", bf->cookies, "5.15");
	line("sleepable uprobes",
	     bf->sleepable_uprobes ? "yes: captures may fault pages in" :
	     bf->sleepable_forced_off ? "off (LTRACE_EBPF_NO_SLEEPABLE): captures read resident pages only" :
	     "no (before Linux 6.0): captures read resident pages only");
	line("raw tracepoints",
	     cookies ? "attach cookies: one program serves every probe" :
	     "no attach cookies (before Linux 6.10, or LTRACE_EBPF_NO_RAWTP_COOKIES): a program "
	     "instance per probe, its id fixed before load");
	line("uprobe_multi",
	     multi ? "yes: one link per file and program" :
	     "no (before Linux 6.6, or LTRACE_EBPF_NO_UPROBE_MULTI): a perf-event link per site");

	snprintf(buf, sizeof(buf), "%s", kf->kprobe ? "yes" : why_not(kf, 0, kf->no_kprobes_config ?
		 "built without CONFIG_KPROBES" : NULL, why, sizeof(why)));
	line("kprobes", buf);
	if (kf->kprobe_multi)
		snprintf(buf, sizeof(buf), "yes: one link per glob");
	else
		snprintf(buf, sizeof(buf), "%s: %s", why_not(kf, kf->kprobe_multi_err,
			 kf->no_fprobe_config ? "built without CONFIG_FPROBE" : NULL, why, sizeof(why)),
			 kf->kprobe ? "a kprobe per function" : "kernel function globs refused");
	line("kprobe_multi", buf);
	if (kf->fentry)
		snprintf(buf, sizeof(buf), "yes: one kernel function through fentry/fexit");
	else
		snprintf(buf, sizeof(buf), "%s: %s", why_not(kf, kf->fentry_err,
			 kf->fentry_err == -ENOENT ? "no BTF" : NULL, why, sizeof(why)),
			 kf->kprobe ? "kprobes instead" : "kernel functions refused");
	line("fentry/fexit", buf);
}
