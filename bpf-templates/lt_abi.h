/* Shared between the BPF templates and the C host: per-probe configuration (what to
 * capture, which filters to apply, how to aggregate), the ring-buffer record layout, the
 * in-kernel aggregation keys and the drop counters. Fixed-width kernel types only.
 *
 * Every attachment carries a 64-bit BPF cookie: the upper half is the probe id (index of
 * lt_probes), the lower half the site id (which function of a glob), so one loaded program
 * serves every probe and every matched function.
 */
#ifndef LT_ABI_H
#define LT_ABI_H

#include <linux/types.h>

/* The layout both sides rely on, checked wherever this header is compiled: the BPF build
 * (clang -target bpf) and the host build alike. A field added, moved or resized changes
 * a size or an offset below, so the edit fails to compile until the checks are updated on
 * purpose; a layout the two compilers would lay out differently fails in one of them. */
#define LT_ABI_SIZE(t, n) _Static_assert(sizeof(struct t) == (n), "struct " #t ": size")
#define LT_ABI_OFF(t, f, n) \
	_Static_assert(__builtin_offsetof(struct t, f) == (n), "struct " #t ": offset of " #f)

#define LT_MAX_PROBES 1024
#define LT_MAX_ARGS 6
#define LT_MAX_FETCH 16
#define LT_MAX_PRED 4
#define LT_COMM_LEN 16
#define LT_DATA_MAX 4096	  /* captured bytes per record (power of two) */
#define LT_FETCH_MAX_LEN 1024	  /* one string or buffer */
#define LT_INFLIGHT_DATA 1024	  /* bytes captured at entry, kept until return */
#define LT_MAX_PIDS 8192
#define LT_STACK_DEPTH 127	  /* frames per stack: the kernel's PERF_MAX_STACK_DEPTH */
#define LT_UCOPY_MAX 8192	  /* user stack bytes copied for DWARF unwinding */
#define LT_STACK_ID_HASHED 0x80000000U /* a stack id of lt_stack_frames (sleepable, task stacks) */
#define LT_DWARF_REGS 17	  /* x86-64 DWARF registers 0-16: rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip */

/* Where a value comes from. */
enum lt_src {
	LT_SRC_ARG1 = 0,	/* .. LT_SRC_ARG1 + 5 */
	LT_SRC_RET = 6,
	LT_SRC_DURATION = 7,
	LT_SRC_CALLER = 8,	/* return address at entry: who called (filled when LT_CFG_CALLER) */
	LT_SRC_SP = 9,		/* stack pointer at entry: arguments 7.. are read from sp + 8k */
	LT_SRC_SLOTS = 16,	/* vals[] size: sources a template may add go below this */
	LT_SRC_NONE = 0xff,
};

enum lt_fetch_kind {
	LT_FETCH_STR = 1,	/* NUL-terminated user string, up to len bytes */
	LT_FETCH_BYTES = 2,	/* len bytes (or fewer when len_src says so) */
	LT_FETCH_U64 = 3,	/* one 64-bit word */
	LT_FETCH_IOV = 4,	/* an iovec array's buffers in order, up to len bytes (readv,
				 * writev; a msghdr's msg_iov through @OFF), LT_IOV_MAX of them */
};

#define LT_IOV_MAX 64

enum lt_space {
	LT_SPACE_USER = 0,	/* the traced process's memory (uprobes, USDT) */
	LT_SPACE_KERNEL = 1,	/* kernel memory (kernel-function probes) */
};

/* How a capture follows a pointer (lt_fetch.deref). */
enum lt_deref {
	LT_DEREF_NONE = 0,
	LT_DEREF = 1,		/* addr = *(u64 *)addr + off2 */
	LT_DEREF_KEEP = 2,	/* the same, and the capture starts with that pointer (8 bytes):
				 * a stack argument's value, which no register holds */
};

/* One capture: addr = value(src) + off; if deref, addr = *(u64 *)addr + off2; then read. */
struct lt_fetch {
	__u8 src;
	__u8 kind;
	__u8 deref;	/* enum lt_deref */
	__u8 at_return;	/* read when the call returns (output buffers), from entry's args */
	__u8 len_src;	/* LT_SRC_NONE or a source whose value bounds len (read()'s return) */
	__u8 space;	/* enum lt_space: whose memory the addresses are in */
	__u16 len;
	__s32 off;
	__s32 off2;
};

enum lt_pred_op {
	LT_OP_EQ = 1,
	LT_OP_NE,
	LT_OP_LT,
	LT_OP_LE,
	LT_OP_GT,
	LT_OP_GE,
	LT_OP_MASK,	/* (value & constant) != 0 */
};

struct lt_pred {
	__u8 src;
	__u8 op;
	__u8 is_signed;
	__u8 width;	/* bytes of the value that count (an i32 arg: 4); 0 or 8: all */
	__u8 pad[4];
	__u64 val;
};

enum lt_agg_kind {
	LT_AGG_NONE = 0,
	LT_AGG_COUNT,
	LT_AGG_SUM,
	LT_AGG_MIN,
	LT_AGG_MAX,
	LT_AGG_STATS,
	LT_AGG_HIST,	/* log2 buckets: slot 0 holds 0, slot i holds [2^(i-1), 2^i) */
};

enum lt_agg_by {
	LT_BY_NONE = 0,
	LT_BY_PROBE,	/* one key per probe: same as none, kept for clarity */
	LT_BY_SITE,	/* the matched function of a glob */
	LT_BY_PID,
	LT_BY_TID,
	LT_BY_COMM,
	LT_BY_ARG1,	/* .. LT_BY_ARG1 + 5 */
	LT_BY_RET = LT_BY_ARG1 + LT_MAX_ARGS,
	LT_BY_USTACK,	/* stack ids: key = ustack id << 32 | kstack id, ext = pid, caller */
	LT_BY_KSTACK,
	LT_BY_STACK,	/* user and kernel */
};

/* lt_probe_cfg.stack: which stacks an event carries (records) or is keyed by (aggregates). */
enum lt_stack_flags {
	LT_STK_USER = 1 << 0,	/* user frames (frame pointers, bpf_get_stack) */
	LT_STK_KERNEL = 1 << 1,
	LT_STK_DWARF = 1 << 2,	/* copy registers and LT_UCOPY_MAX bytes of user stack */
	LT_STK_ENTRY = 1 << 3,	/* at a function's first instruction: pass [sp], the caller a
				 * frame-pointer walk misses there */
};

enum lt_cfg_flags {
	LT_CFG_ENABLED = 1 << 0,
	LT_CFG_EMIT = 1 << 1,	/* send a ring-buffer record per event */
	LT_CFG_CALL = 1 << 2,	/* paired entry/return */
	LT_CFG_SIGNED = 1 << 3,	/* aggregate values are signed (hist of negatives) */
	LT_CFG_CALLER = 1 << 4,	/* read the return address at entry (a filter names `caller`) */
	LT_CFG_OWN_PID = 1 << 5,	/* the link itself is limited to the target: skip lt_pids */
	LT_CFG_AGG_FLAT = 1 << 6,	/* keyless aggregate: totals in lt_stats[probe], a
					 * histogram's buckets in lt_agg_hists[agg_hist] */
	LT_CFG_HOLD = 1 << 7,		/* the thread stops (SIGSTOP) at each record until the
					 * host has run the callback (option `hold`) */
	LT_CFG_LOSSLESS = 1 << 8,	/* a record made while the ring is half full or more
					 * is held like LT_CFG_HOLD's: the traced thread waits
					 * for the host instead of records being lost
					 * (option `lossless`) */
	LT_CFG_SOCKET = 1 << 9,		/* syscalls: only calls whose first argument is a
					 * socket (option `socket`) */
};

struct lt_probe_cfg {
	__u32 flags;
	__u32 sample;		/* keep 1 in N events; 0 or 1 keeps all */
	__u64 min_duration;	/* ns, paired calls only */
	__u32 tid;		/* 0: any thread; else only this thread */
	__u8 nfetch;
	__u8 npred;
	__u8 agg_kind;
	__u8 agg_by;
	__u8 agg_src;		/* value aggregated: LT_SRC_* (1 for counts) */
	__u8 agg_width;		/* bytes of agg_src that count; 0 or 8: all */
	__u8 agg_signed;	/* sign-extend agg_src from agg_width */
	__u8 stack;		/* enum lt_stack_flags */
	__u8 stack_depth;	/* frames kept per stack (1..LT_STACK_DEPTH) */
	__u8 pad;
	__u16 agg_hist;		/* LT_CFG_AGG_FLAT histograms: their lt_agg_hists element */
	char comm[LT_COMM_LEN];	/* empty: any */
	struct lt_fetch fetch[LT_MAX_FETCH];
	struct lt_pred pred[LT_MAX_PRED];
	__u64 cgroup_id;	/* profile: only tasks of this cgroup (v2 id); 0: any */
	__u32 agg_epoch;	/* LT_CFG_AGG_FLAT: bumped by a clear; older per-CPU values
				 * count as empty */
	__u32 pid;		/* 0: any process; else only this process (tgid): all of
				 * its threads */
};

enum lt_rec_type {
	LT_REC_ENTRY = 1,
	LT_REC_RETURN,
	LT_REC_CALL,
	LT_REC_TP,	/* tracepoint: captures, then the raw record as the last capture */
	LT_REC_SYSCALL,	/* syscall entry and exit paired: args, ret, duration, captures */
};

enum lt_rec_flags {
	LT_RF_TRUNCATED = 1 << 0,	/* a capture did not fit LT_DATA_MAX */
	LT_RF_HELD = 1 << 1,		/* the thread is stopped until the host resumes it */
};

/* A capture in the data area: header, then len bytes. */
struct lt_cap {
	__u16 len;
	__u8 flags;	/* LT_CAP_* */
	__u8 pad;
};

enum lt_cap_flags {
	LT_CAP_TRUNC = 1 << 0,	/* string or buffer longer than asked */
	LT_CAP_FAULT = 1 << 1,	/* memory not readable */
};

struct lt_rec {
	__u16 type;
	__u16 flags;
	__u32 size;	/* whole record, data included */
	__u32 probe;
	__u32 site;
	__u32 pid;
	__u32 tid;
	__u32 cpu;
	__u32 data_len;
	__u64 ts;	/* CLOCK_MONOTONIC ns at entry */
	__u64 duration;
	__u64 args[LT_MAX_ARGS];
	__u64 ret;
	char comm[LT_COMM_LEN];
	/* Stacks (LT_STK_*), after the captures: nustack u64 user frames (the first one the
	 * entry caller or 0, then return addresses from the innermost), nkstack kernel frames,
	 * then ucopy_len bytes: a struct lt_ucopy and the user stack it describes. */
	__u16 nustack;
	__u16 nkstack;
	__u32 ucopy_len;
	/* followed by data_len bytes: the captures, each a struct lt_cap and its bytes */
};

/* Registers and user stack bytes from sp up, for unwinding with CFI in user space. */
struct lt_ucopy {
	__u64 regs[LT_DWARF_REGS];	/* DWARF numbering; rip at LT_DWARF_REGS - 1 */
	__u64 sp;
	__u32 len;			/* stack bytes that follow */
	__u32 pad;
};

struct lt_agg_key {
	__u32 probe;
	__u32 slot;	/* hist bucket; 0 for the other kinds */
	__u64 key;	/* pid, tid, site, arg or ret per agg_by */
	union {
		char comm[LT_COMM_LEN];
		struct {	/* LT_BY_*STACK */
			__u32 pid;
			__u32 pad;
			__u64 caller;	/* [sp] at a function entry (LT_STK_ENTRY), else 0 */
		} stk;
	};
};

struct lt_agg_val {
	__u64 count;
	__u64 sum;
	__u64 min;
	__u64 max;
};

/* Keyless histograms (LT_CFG_AGG_FLAT): log2 slots 0..64, then negatives (slot ~0). */
#define LT_HIST_SLOTS 66
#define LT_AGG_HISTS 64		/* elements of lt_agg_hists; more hists use lt_aggs */

struct lt_agg_hist {
	__u32 epoch;	/* the cfg's agg_epoch these counts belong to */
	__u32 pad;
	__u64 slot[LT_HIST_SLOTS];
};

/* A paired call in flight: thread, site, probe and the stack pointer at entry. Its slot in
 * the thread's call stack (lib/paired.bpf.h) is matched on them; captures parked at entry
 * (lt_inflight_data) are keyed by it, so recursion and nesting never collide. */
struct lt_inflight_key {
	__u32 tid;
	__u32 site;
	__u64 sp;
	__u32 probe;
	__u32 pad;
};

struct lt_inflight {
	__u64 ts;
	__u64 args[LT_MAX_ARGS];
	__u32 data_len;
	__u32 keep;	/* 0 when sampling or a predicate dropped the call at entry */
};

/* Global drop and health counters (per-CPU array, summed by the host). */
enum lt_counter {
	LT_CNT_RINGBUF_FULL = 0,
	LT_CNT_INFLIGHT_FULL,
	LT_CNT_AGG_FULL,
	LT_CNT_STR_TRUNC,
	LT_CNT_READ_FAULT,
	LT_CNT_UNMATCHED_RET,
	LT_CNT_DATA_FULL,
	LT_CNT_PIDS_FULL,
	LT_CNT_STACK_LOST,	/* a stack could not be read or stored (full map, collision) */
	LT_CNT_RETURNS_UNWOUND,	/* pending returns an exception unwound (unwind_guard.bpf.c) */
	LT_CNT_HOLD_FAILED,	/* a `hold` probe could not stop the thread (bpf_send_signal) */
	LT_CNT_OFFCPU_LOST,	/* an off-CPU wait whose end sched_switch never showed */
	LT_CNT_MAX,
};

/* Knobs every template reads (lt_globals[0]). */
struct lt_globals {
	__u32 filter_pids;	/* 1: only processes in lt_pids */
	__u32 self_tgid;	/* the tracer itself is never traced */
	__u64 wakeup_bytes;	/* wake the consumer only past this much queued data */
	__u32 target_tgid;	/* without -f: the first pid in lt_pids, admitted
				 * without the lookup */
	__u32 pad;
};

/* Per-probe statistics and state (per-CPU array indexed by probe): one array lookup per
 * event serves the counts, 1-in-N sampling and a keyless aggregate. */
struct lt_probe_stats {
	__u64 hits;
	__u64 filtered;
	__u64 emitted;
	__u64 dropped;
	__u32 sampled;		/* events seen by 1-in-N sampling */
	__u32 agg_epoch;	/* the cfg's agg_epoch `agg` belongs to */
	struct lt_agg_val agg;	/* LT_CFG_AGG_FLAT totals */
	__u64 dropped_cmd;	/* in dropped: text protocol command lines (requests) at the
				 * start of their first capture, and after each head
				 * there (pipelined; emit.bpf.h) */
};

/* Sizes and the offsets the host and the templates read (see LT_ABI_SIZE). */
LT_ABI_SIZE(lt_fetch, 16);
LT_ABI_OFF(lt_fetch, len, 6);
LT_ABI_OFF(lt_fetch, off, 8);
LT_ABI_OFF(lt_fetch, off2, 12);

LT_ABI_SIZE(lt_pred, 16);
LT_ABI_OFF(lt_pred, width, 3);
LT_ABI_OFF(lt_pred, val, 8);

LT_ABI_SIZE(lt_probe_cfg, 384);
LT_ABI_OFF(lt_probe_cfg, min_duration, 8);
LT_ABI_OFF(lt_probe_cfg, tid, 16);
LT_ABI_OFF(lt_probe_cfg, nfetch, 20);
LT_ABI_OFF(lt_probe_cfg, stack_depth, 28);
LT_ABI_OFF(lt_probe_cfg, agg_hist, 30);
LT_ABI_OFF(lt_probe_cfg, comm, 32);
LT_ABI_OFF(lt_probe_cfg, fetch, 48);
LT_ABI_OFF(lt_probe_cfg, pred, 304);
LT_ABI_OFF(lt_probe_cfg, cgroup_id, 368);
LT_ABI_OFF(lt_probe_cfg, agg_epoch, 376);
LT_ABI_OFF(lt_probe_cfg, pid, 380);

LT_ABI_SIZE(lt_cap, 4);

LT_ABI_SIZE(lt_rec, 128);
LT_ABI_OFF(lt_rec, size, 4);
LT_ABI_OFF(lt_rec, probe, 8);
LT_ABI_OFF(lt_rec, site, 12);
LT_ABI_OFF(lt_rec, pid, 16);
LT_ABI_OFF(lt_rec, tid, 20);
LT_ABI_OFF(lt_rec, cpu, 24);
LT_ABI_OFF(lt_rec, data_len, 28);
LT_ABI_OFF(lt_rec, ts, 32);
LT_ABI_OFF(lt_rec, duration, 40);
LT_ABI_OFF(lt_rec, args, 48);
LT_ABI_OFF(lt_rec, ret, 96);
LT_ABI_OFF(lt_rec, comm, 104);
LT_ABI_OFF(lt_rec, nustack, 120);
LT_ABI_OFF(lt_rec, nkstack, 122);
LT_ABI_OFF(lt_rec, ucopy_len, 124);

LT_ABI_SIZE(lt_ucopy, 152);
LT_ABI_OFF(lt_ucopy, sp, 136);
LT_ABI_OFF(lt_ucopy, len, 144);

LT_ABI_SIZE(lt_agg_key, 32);
LT_ABI_OFF(lt_agg_key, slot, 4);
LT_ABI_OFF(lt_agg_key, key, 8);
LT_ABI_OFF(lt_agg_key, comm, 16);
LT_ABI_OFF(lt_agg_key, stk.pid, 16);
LT_ABI_OFF(lt_agg_key, stk.caller, 24);

LT_ABI_SIZE(lt_agg_val, 32);
LT_ABI_OFF(lt_agg_val, max, 24);

LT_ABI_SIZE(lt_agg_hist, 536);
LT_ABI_OFF(lt_agg_hist, slot, 8);

LT_ABI_SIZE(lt_inflight_key, 24);
LT_ABI_OFF(lt_inflight_key, sp, 8);
LT_ABI_OFF(lt_inflight_key, probe, 16);

LT_ABI_SIZE(lt_inflight, 64);
LT_ABI_OFF(lt_inflight, args, 8);
LT_ABI_OFF(lt_inflight, data_len, 56);
LT_ABI_OFF(lt_inflight, keep, 60);

LT_ABI_SIZE(lt_globals, 24);
LT_ABI_OFF(lt_globals, wakeup_bytes, 8);
LT_ABI_OFF(lt_globals, target_tgid, 16);

LT_ABI_SIZE(lt_probe_stats, 80);
LT_ABI_OFF(lt_probe_stats, sampled, 32);
LT_ABI_OFF(lt_probe_stats, agg_epoch, 36);
LT_ABI_OFF(lt_probe_stats, agg, 40);

#endif
