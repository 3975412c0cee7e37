/* Shared between syscall.bpf.c and the host: per probe and syscall number, which site of
 * the probe the syscall is (its name), how each argument register is narrowed to the C type
 * the syscall declares, and the captures of its string arguments (filename, pathname ...),
 * which differ from one syscall to the next and so cannot live in the probe's own config.
 * Fixed-width kernel types only.
 */
#ifndef LT_SYSCALL_H
#define LT_SYSCALL_H

#include <linux/types.h>
#include "lt_abi.h"

#define LT_SYS_MAX_SITES 8192	/* (probe, syscall) pairs, all probes together */
#define LT_SYS_NR_MAX 512	/* syscall numbers the per-probe bitmap covers */
#define LT_SYS_SLOTS 8		/* syscall probes pairing calls of one thread at once */

/* ext[i]: low nibble the argument's size in bytes (0 or 8: the register as is), bit 4 set
 * when it is signed (an int fd of -100 reads as -100, not 4294967196). */
#define LT_EXT_SIZE(e) ((e) & 0xf)
#define LT_EXT_SIGNED 0x10

struct lt_sys_key {
	__u32 probe;
	__u32 nr;
};

/* lt_sys_nrs[probe]: per syscall number, the probe's site it is (index + 1), 0 when the
 * probe does not trace it; and the generation of the probe's attach (a call left in a
 * thread's storage by an earlier probe of the same id is not taken for this one's). */
struct lt_sys_nrs {
	__u16 site[LT_SYS_NR_MAX];
	__u32 gen;
	__u32 pad;
};

/* lt_sys_disp[nr]: the probes that trace syscall nr, the test every syscall of every process
 * passes through (an array lookup the verifier inlines). One sys_enter and one sys_exit
 * program per build serve every syscall probe of the session, however many: each probe a
 * pair of programs made every syscall of the machine run them all. probe[i] is the id + 1
 * of a probe, LT_SYS_LEAN set when the lean build serves it, 0 past the last; own_pid
 * counts those exempt from the session's process filter (their own pid), 0 lets the
 * programs leave at once for a process not traced. */
#define LT_SYS_LEAN 0x8000
struct lt_sys_disp {
	__u16 probe[LT_SYS_SLOTS];
	__u16 own_pid;
	__u16 pad[3];
};

struct lt_sys_site {
	__u8 ext[LT_MAX_ARGS];
	__u8 pad[2];
	/* String arguments of this syscall: only flags, nfetch and fetch[] are used. */
	struct lt_probe_cfg strs;
};

/* Where a file descriptor's inode mode is, in the running kernel's layouts (byte offsets
 * of task_struct.files, files_struct.fdt, fdtable.max_fds and .fd, file.f_inode,
 * inode.i_mode), for option `socket` (lib/fd_socket.bpf.h); ok = 0 until the host has
 * found them (src/probes/kernel/fd_offsets.c). */
struct lt_fd_offsets {
	__u32 files, fdt, max_fds, fd, f_inode, i_mode;
	__u32 ok;
	__u32 pad;
};

/* Layout checks, in the BPF and the host build alike (LT_ABI_SIZE in lt_abi.h). */
LT_ABI_SIZE(lt_sys_key, 8);

LT_ABI_SIZE(lt_sys_nrs, 1032);
LT_ABI_SIZE(lt_sys_disp, 24);
LT_ABI_SIZE(lt_fd_offsets, 32);

LT_ABI_SIZE(lt_sys_site, 392);
LT_ABI_OFF(lt_sys_site, strs, 8);

#endif
