/* The kernel's layouts option `socket` reads a file descriptor's inode mode through
 * (struct lt_fd_offsets, bpf-templates/syscall.h). */
#ifndef LT_FD_OFFSETS_H
#define LT_FD_OFFSETS_H

#include "syscall.h"

/* Fills *out from the running kernel's BTF (out->ok = 1); 0 or -errno. Found once per
 * process, in a child: parsing the kernel's BTF takes ~20 MB, which the tool's own peak
 * RSS does not then carry. */
int fd_offsets(struct lt_fd_offsets *out);

#endif
