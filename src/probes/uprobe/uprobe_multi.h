/* The kernel's uprobe_multi link (Linux 6.6+): one bpf(BPF_LINK_CREATE) attaches a
 * program to many offsets of one file with a cookie each, and one close() detaches them
 * all in a single grace period. libbpf 1.1 has no API for it, so this is the syscall. */
#ifndef LT_UPROBE_MULTI_H
#define LT_UPROBE_MULTI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LT_BPF_TRACE_UPROBE_MULTI 48	/* enum bpf_attach_type, Linux 6.6 */

/* Returns the link fd or -errno. pid > 0 limits the probes to that process. */
int uprobe_multi_attach(int prog_fd, const char *path, const uint64_t *offsets,
			const uint64_t *cookies, size_t cnt, bool is_return, int pid);
/* The same with a semaphore per offset (ref_ctr_offsets: file offsets, 0 for none, or
 * NULL): the kernel counts each up while the link lives, as USDT probes want. */
int uprobe_multi_attach_ref(int prog_fd, const char *path, const uint64_t *offsets,
			    const uint64_t *ref_ctr_offsets, const uint64_t *cookies,
			    size_t cnt, bool is_return, int pid);
/* Loads a trivial program with the multi attach type: does the kernel know it? False
 * also under LTRACE_EBPF_NO_UPROBE_MULTI (benchmarks and tests of the fallbacks). */
bool uprobe_multi_supported(void);

#endif
