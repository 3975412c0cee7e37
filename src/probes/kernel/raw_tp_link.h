/* Raw tracepoint links with a BPF cookie (kernel 6.10+), which libbpf 1.1 cannot create,
 * and whether the kernel has them at all. */
#ifndef LT_RAW_TP_LINK_H
#define LT_RAW_TP_LINK_H

#include <stdbool.h>
#include <stdint.h>

struct bpf_object;

/* Attaches a raw tracepoint program to tracepoint `name`; the link fd or -errno. */
int raw_tp_link(int prog_fd, const char *name, uint64_t cookie);
/* Can raw tracepoint programs read their link's cookie (bpf_get_attach_cookie: 6.10+)?
 * Asked of libbpf's feature probe once per process (~30 us: it loads a trivial program);
 * -v says which way (kfeature_report.c). Without, each probe gets its own
 * program instance whose cookie is fixed before load. LTRACE_EBPF_NO_RAWTP_COOKIES=1 takes
 * that path on any kernel (tests). */
bool raw_tp_cookies(void);
/* Before load, the cookie of the one probe an LT_FIXED_COOKIE build (*_nocookie objects)
 * serves: its .rodata. 0 or -errno. */
int raw_tp_fix_cookie(struct bpf_object *obj, uint64_t cookie);

#endif
