-- dashboard: the machine (or one process) live in the terminal: system calls by name and
-- their latency, the processes spending most time in system calls, TCP state changes by
-- process where the kernel has the tracepoint, and a log of the programs started. Keys
-- filter while it runs (docs/dashboard.md); q or Ctrl-C ends it.
--
--   ltrace-ebpf scripts/dashboard.lua [-p PID | -- CMD]   (-h: the options)
--   ltrace-ebpf scripts/dashboard.lua -o FILE -d 10      (text frames to FILE, no screen)
local tool = require("tool")
local dash = require("dashboard")

local spec = {
	name = "dashboard",
	summary = "A live terminal dashboard: syscalls, latency, top processes, TCP, execs.",
	options = {
		{ "-T", "top", "TOP", "rows of each table", number = true, default = 8 },
	},
	own_output = true,	-- -o FILE: the text frames go there, no screen
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
tool.start(opts)

local sys = probe("syscall:*", { agg = "stats", of = "duration", by = "syscall", print = false,
                                 name = "syscalls" })
local lat = probe("syscall:*", { agg = "hist", of = "duration", print = false,
                                 name = "syscall latency" })
local procs = probe("syscall:*", { agg = "stats", of = "duration", by = "comm", print = false,
                                   name = "processes" })
-- TCP where the kernel has the tracepoint (a kernel without it still gets the rest).
local ok, tcp = pcall(probe, "tracepoint:sock:inet_sock_set_state",
                      { where = "protocol == 6", agg = "count", by = "comm", print = false,
                        name = "tcp state changes" })
probe("rawtracepoint:sched_process_exec", { name = "exec" }, function() end)

dash.hist(lat, { title = "syscall latency" })
dash.top(sys, { title = "syscalls", n = opts.top })
dash.top(procs, { title = "processes by time in syscalls", n = opts.top, sort = "total" })
if ok then dash.top(tcp, { title = "TCP state changes by process", n = opts.top }) end
dash.counters()
dash.drops()
dash.log({ title = "programs started" })
dash.show({ output = opts.output and tool.create(opts.output) })	-- even without --dashboard
