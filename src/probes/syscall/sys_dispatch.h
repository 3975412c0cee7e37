/* lt_sys_disp (bpf-templates/syscall.h): per syscall number, the probes that trace it. A
 * syscall probe is attached by entering its tag in the entries of its syscalls, detached
 * by taking it out: the programs are linked once for the session. */
#ifndef LT_SYS_DISPATCH_H
#define LT_SYS_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sys_state;

/* Enters st's probe (st->tag, st->own_pid) for each of its syscalls in map `fd`. 0, or
 * -errno with none entered; -ENOSPC: *full is the index of a syscall that has
 * LT_SYS_SLOTS probes already. */
int sys_dispatch_add(int fd, const struct sys_state *st, size_t *full);
/* Takes it out of every entry it is in. */
void sys_dispatch_remove(int fd, const struct sys_state *st);

#endif
