/* Shared between profile.bpf.c and src/probes/profile/provider_profile.c: the record types of samples and
 * off-CPU intervals (beyond enum lt_rec_type, so they never collide with the core's) and
 * the state an off-CPU interval keeps between switch-out and switch-in. */
#ifndef LT_PROFILE_H
#define LT_PROFILE_H

#include <linux/types.h>
#include "lt_abi.h"

#define LT_REC_SAMPLE 32	/* one perf_event sample (records only with a callback) */
#define LT_OFFCPU_MAX 16384	/* threads off CPU at once */

/* A thread that left the CPU: when, and the stacks it blocked in. */
struct lt_offcpu_start {
	__u64 ts;
	__u64 pid_tgid;
	__u32 uid, kid;		/* stack ids, ~0 when none */
};

/* Layout checks, in the BPF and the host build alike (LT_ABI_SIZE in lt_abi.h). */
LT_ABI_SIZE(lt_offcpu_start, 24);
LT_ABI_OFF(lt_offcpu_start, uid, 16);
LT_ABI_OFF(lt_offcpu_start, kid, 20);

#endif
