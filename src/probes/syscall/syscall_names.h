/* Syscall numbers and names of this architecture (x86_64), from the kernel headers at build
 * time (cmake/syscall_table.cmake). Syscalls newer than the headers have no entry. */
#ifndef LT_SYSCALL_NAMES_H
#define LT_SYSCALL_NAMES_H

#include <stddef.h>

/* The number of a syscall name, or -ENOENT. */
int syscall_nr(const char *name);
/* The name of a syscall number, or NULL. */
const char *syscall_name(int nr);
/* Iteration in name order: entry i (0 <= i < syscall_count()). */
size_t syscall_count(void);
const char *syscall_at(size_t i, int *nr);

#endif
