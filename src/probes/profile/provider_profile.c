/* Profiling probes, `profile:hz:N`: one cpu-clock perf_event per CPU sampling at N Hz,
 * filtered in kernel (target pids, tid, comm, cgroup) and counted per stack id (user and
 * kernel by default) or sent to a callback. `offcpu` (and its older spelling, profile with
 * mode = "offcpu") attaches to sched_switch instead: the time threads spend off CPU,
 * summed per blocked stack, kept between min_duration and max_duration. Each probe loads
 * its own copy of profile.bpf.c (the probe id and the bounds are load-time constants),
 * sharing the session's maps. */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "probe.h"
#include "profile_opts.h"
#include "profile.skel.h"
#include "session.h"

struct profile_data {
	bool offcpu;
	uint64_t max_ns;	/* off CPU: longer intervals are left out; 0 = no bound */
	struct profile_bpf *skel;
};

static const struct spec_kind profile_kind = {
	.name = "profile",
	.form = SPEC_FORM_HZ,
	.variant = PROFILE_CPU,
};
static const struct spec_kind offcpu_kind = {
	.name = "offcpu",
	.form = SPEC_FORM_NONE,
	.variant = PROFILE_OFFCPU,
};

static struct profile_data *data_of(struct probe *p)
{
	struct profile_data *d = p->kind_data;

	if (!d && (d = p->kind_data = calloc(1, sizeof(*d))))
		d->offcpu = p->spec.kind == &offcpu_kind;
	return d;
}

int profile_set_mode(struct probe *p, int offcpu, uint64_t max_ns, char *err, size_t errlen)
{
	struct profile_data *d = data_of(p);

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (offcpu >= 0)
		d->offcpu = offcpu;
	d->max_ns = max_ns;
	if (d->max_ns && !d->offcpu) {
		snprintf(err, errlen, "option 'max_duration': only 'offcpu' probes bound the time "
			 "off CPU");
		return -EINVAL;
	}
	if (d->offcpu)
		p->cfg.flags |= LT_CFG_CALL;	/* its value is a duration */
	return 0;
}

bool profile_is_offcpu(struct probe *p)
{
	struct profile_data *d = data_of(p);

	return d && d->offcpu;
}

/* cgroup v2: the id bpf_get_current_cgroup_id() returns is the directory's inode. */
int profile_cgroup_id(const char *path, uint64_t *id, char *err, size_t errlen)
{
	struct stat st;
	char full[4096];

	snprintf(full, sizeof(full), "%s%s", path[0] == '/' && strncmp(path, "/sys/", 5) ?
		 "/sys/fs/cgroup" : "", path);
	if (stat(full, &st)) {
		int rc = -errno;

		snprintf(err, errlen, "option 'cgroup': %s: %s", full, strerror(-rc));
		return rc;
	}
	*id = st.st_ino;
	return 0;
}

static int profile_resolve(struct probe *p, char *err, size_t errlen)
{
	struct profile_data *d = data_of(p);

	if (!d)
		return -ENOMEM;
	if (d->max_ns && d->max_ns < p->cfg.min_duration) {
		snprintf(err, errlen, "max_duration is shorter than min_duration");
		return -EINVAL;
	}
	return probe_add_site(p, d->offcpu ? "offcpu" : "profile", 0);
}

static int load(struct probe *p, struct profile_data *d, char *err, size_t errlen)
{
	int rc;

	if (!(d->skel = profile_bpf__open())) {
		snprintf(err, errlen, "cannot open the profile template: %s", strerror(errno));
		return -errno;
	}
	d->skel->rodata->lt_probe_id = p->id;
	d->skel->rodata->lt_offcpu_max_ns = d->max_ns;
	bpf_program__set_autoload(d->offcpu ? d->skel->progs.lt_profile :
				  d->skel->progs.lt_offcpu_switch, false);
	if ((rc = session_share_maps(p->s, d->skel->obj)) || (rc = profile_bpf__load(d->skel))) {
		snprintf(err, errlen, "cannot load the profile template: %s (-v shows the "
			 "verifier log)", strerror(-rc));
		return rc;
	}
	return 0;
}

/* cpu-clock counts nanoseconds: a period of 1e9 / hz samples exactly hz times a second
 * per CPU from the first one on (a frequency would be approached gradually). */
static int open_cpu_clock(uint64_t period_ns, int cpu)
{
	struct perf_event_attr a = {
		.size = sizeof(a),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = period_ns,
	};

	return syscall(__NR_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* The kernel lowers perf_event_max_sample_rate when sampling interrupts take too long;
 * a rate above it would be throttled, not honoured. 0 when it cannot be read. */
static unsigned long max_sample_rate(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_max_sample_rate", "re");
	unsigned long rate = 0;

	if (f) {
		if (fscanf(f, "%lu", &rate) != 1)
			rate = 0;
		fclose(f);
	}
	return rate;
}

static int attach_cpus(struct probe *p, struct profile_data *d, char *err, size_t errlen)
{
	uint64_t period = p->spec.interval_ns ? p->spec.interval_ns : 1000000000ULL / 99;
	int ncpu = libbpf_num_possible_cpus(), ok = 0, rc = 0;
	unsigned long max = max_sample_rate();

	if (max && 1000000000ULL / period > max) {
		snprintf(err, errlen, "%llu Hz is above kernel.perf_event_max_sample_rate (%lu)",
			 (unsigned long long)(1000000000ULL / period), max);
		return -ERANGE;
	}

	for (int cpu = 0; cpu < ncpu; cpu++) {
		int fd = open_cpu_clock(period, cpu);
		struct bpf_link *link;

		if (fd < 0) {
			rc = -errno;
			continue;	/* offline CPU */
		}
		link = bpf_program__attach_perf_event(d->skel->progs.lt_profile, fd);
		if (!link) {
			rc = -errno;
			close(fd);
			continue;
		}
		if ((rc = probe_add_link(p, link, -1))) {
			bpf_link__destroy(link);
			return rc;
		}
		ok++;
	}
	if (!ok)
		snprintf(err, errlen, "cannot open a cpu-clock perf event: %s", strerror(-rc));
	return ok ? 0 : rc;
}

static int profile_attach(struct probe *p, char *err, size_t errlen)
{
	struct profile_data *d = data_of(p);
	struct bpf_link *link;
	int rc;

	if (!d)
		return -ENOMEM;
	if ((rc = load(p, d, err, errlen)))
		return rc;
	if (!d->offcpu)
		return attach_cpus(p, d, err, errlen);
	link = bpf_program__attach_raw_tracepoint(d->skel->progs.lt_offcpu_switch, "sched_switch");
	if (!link) {
		rc = -errno;
		snprintf(err, errlen, "cannot attach to sched_switch: %s", strerror(-rc));
		return rc;
	}
	return probe_add_link(p, link, -1);
}

static void profile_release(struct probe *p)
{
	struct profile_data *d = p->kind_data;

	if (d)
		profile_bpf__destroy(d->skel);
	free(d);
	p->kind_data = NULL;
}

/* A CPU sample interrupts any code: where its user stack starts is not known; a thread
 * off CPU is blocked in a system call, so in the C library's wrappers. */
static void profile_stack_origin(const struct probe *p, struct stack_origin *o)
{
	o->sampled = true;
	o->lib = p->spec.kind == &profile_kind ? NULL : "libc";
}

const struct provider profile_provider = {
	.name = "profile",
	.kinds = { &profile_kind, &offcpu_kind },
	.resolve = profile_resolve,
	.attach = profile_attach,
	.release = profile_release,
	.no_hold = true,
	.stack_origin = profile_stack_origin,
};
