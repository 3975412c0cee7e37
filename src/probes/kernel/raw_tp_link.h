/* Raw tracepoint links with a BPF cookie (kernel 6.10+), which libbpf 1.1 cannot create. */
#ifndef LT_RAW_TP_LINK_H
#define LT_RAW_TP_LINK_H

#include <stdint.h>

/* Attaches a raw tracepoint program to tracepoint `name`; the link fd or -errno. */
int raw_tp_link(int prog_fd, const char *name, uint64_t cookie);

#endif
