-- syslat: where a process spends its time in system calls. Latency per syscall is
-- aggregated in kernel (one log2 histogram per syscall, no per-event traffic); at the
-- end the syscalls are grouped by category (file, network, memory, scheduling, process,
-- other), the hotspots (syscalls by total time) are ranked, and with -j the whole
-- report is one JSON object.
--
--   ltrace-ebpf scripts/syslat.lua -h   (the options: the spec table below)
local tool = require("tool")

local spec = {
	name = "syslat",
	summary = "Syscall latency of a process by syscall and category, with hotspots.",
	options = {
		{ "-T", "top", "TOP", "hotspots shown", number = true, default = 10 },
		{ "-H", "hists", nil, "print the latency histogram of each hotspot" },
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
tool.start(opts)

-- Category of each syscall (x86_64 names); anything else is "other".
local categories = {
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
local category_of = {}
for cat, names in pairs(categories) do
	for _, n in ipairs(names) do category_of[n] = cat end
end

local p = probe("syscall:*", { agg = "hist", of = "duration", by = "syscall", print = false })

-- Hotspots: per syscall count, total and average time, p50/p99 from the histogram.
local function collect()
	local rows, cats, total = {}, {}, 0
	for _, e in ipairs(p:read()) do
		local h = agg.from_kernel("hist", { e }, { unit = "ns" })
		local cat = category_of[e.key] or "other"
		rows[#rows + 1] = { name = e.key, category = cat, count = e.count, total_ns = e.sum,
		                    avg_ns = e.sum // e.count, p50_ns = h:percentile(50),
		                    p99_ns = h:percentile(99), hist = h }
		local c = cats[cat] or { category = cat, count = 0, total_ns = 0 }
		c.count, c.total_ns = c.count + e.count, c.total_ns + e.sum
		cats[cat] = c
		total = total + e.sum
	end
	table.sort(rows, function(a, b) return a.total_ns > b.total_ns end)
	local catlist = {}
	for _, c in pairs(cats) do catlist[#catlist + 1] = c end
	table.sort(catlist, function(a, b) return a.total_ns > b.total_ns end)
	return rows, catlist, total
end

local function report_json(rows, cats, total)
	local parts = {}
	for _, c in ipairs(cats) do
		parts[#parts + 1] = { category = c.category, count = c.count, total_ns = c.total_ns,
		                      share = total > 0 and c.total_ns / total or 0 }
	end
	local hot = {}
	for i = 1, math.min(opts.top, #rows) do
		local r = rows[i]
		hot[#hot + 1] = { syscall = r.name, category = r.category, count = r.count,
		                  total_ns = r.total_ns, avg_ns = math.floor(r.avg_ns),
		                  p50_ns = math.floor(r.p50_ns or 0), p99_ns = math.floor(r.p99_ns or 0) }
	end
	-- an empty list would be written as {} (json.encode): left out instead
	tool.record({ target = target(), total_ns = total, categories = #parts > 0 and parts or nil,
	              hotspots = #hot > 0 and hot or nil })
end

local function report_text(rows, cats, total)
	printf("%-12s %10s %14s %7s\n", "CATEGORY", "CALLS", "TIME", "SHARE")
	for _, c in ipairs(cats) do
		printf("%-12s %10d %14s %6.1f%%\n", c.category, c.count, fmt.duration(c.total_ns),
		       total > 0 and 100 * c.total_ns / total or 0)
	end
	printf("\nhotspots (by total time):\n%-20s %-11s %9s %12s %10s %10s %10s\n", "SYSCALL",
	       "CATEGORY", "CALLS", "TOTAL", "AVG", "P50", "P99")
	for i = 1, math.min(opts.top, #rows) do
		local r = rows[i]
		printf("%-20s %-11s %9d %12s %10s %10s %10s\n", r.name, r.category, r.count,
		       fmt.duration(r.total_ns), fmt.duration(r.avg_ns),
		       fmt.duration(math.floor(r.p50_ns or 0)), fmt.duration(math.floor(r.p99_ns or 0)))
		if opts.hists then print(r.hist) end
	end
end

on("end", function()
	local rows, cats, total = collect()
	if opts.json then report_json(rows, cats, total) else report_text(rows, cats, total) end
	io.stdout:flush()
end)
