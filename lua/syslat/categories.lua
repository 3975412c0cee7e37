-- syslat.categories: which category (file, network, memory, scheduling, process, other)
-- each syscall of x86_64 belongs to.
local M = {}

M.ORDER = { "file", "network", "memory", "scheduling", "process", "other" }

local NAMES = {
	file = { "read", "write", "pread64", "pwrite64", "readv", "writev", "preadv", "pwritev",
	         "preadv2", "pwritev2", "open", "openat", "openat2", "close", "close_range",
	         "stat", "fstat", "lstat", "newfstatat", "statx", "lseek", "fsync", "fdatasync",
	         "getdents64", "readlink", "readlinkat", "access", "faccessat", "faccessat2",
	         "unlink", "unlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat",
	         "fcntl", "ioctl", "dup", "dup2", "dup3", "pipe", "pipe2", "sendfile",
	         "copy_file_range", "splice", "ftruncate", "truncate", "fallocate", "chmod",
	         "fchmod", "fchmodat", "chown", "fchown", "fchownat", "getcwd", "chdir", "fchdir",
	         "statfs", "fstatfs", "flock", "sync", "syncfs", "inotify_add_watch" },
	network = { "socket", "socketpair", "connect", "accept", "accept4", "bind", "listen",
	            "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
	            "shutdown", "getsockopt", "setsockopt", "getsockname", "getpeername" },
	memory = { "mmap", "munmap", "mprotect", "brk", "mremap", "madvise", "mlock", "munlock",
	           "mlockall", "munlockall", "mincore", "msync", "membarrier", "memfd_create" },
	scheduling = { "nanosleep", "clock_nanosleep", "sched_yield", "futex", "futex_waitv",
	               "poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait",
	               "epoll_pwait2", "pause", "rt_sigsuspend", "rt_sigtimedwait", "wait4",
	               "waitid", "sched_setaffinity", "sched_getaffinity" },
	process = { "clone", "clone3", "fork", "vfork", "execve", "execveat", "exit",
	            "exit_group", "kill", "tgkill", "tkill", "rt_sigaction", "rt_sigprocmask",
	            "rt_sigreturn", "prctl", "arch_prctl", "set_tid_address", "set_robust_list",
	            "rseq", "prlimit64", "getpid", "gettid", "getppid", "getuid", "geteuid" },
}

local of = {}
for cat, names in pairs(NAMES) do
	for _, n in ipairs(names) do of[n] = cat end
end

--- M.of(name) -> the category of syscall name ("other" when none names it).
function M.of(name) return of[name] or "other" end

return M
