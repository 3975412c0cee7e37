-- kopensnoop: file opens seen in the kernel, by process, with their latency: a kcall: probe
-- on do_sys_openat2 (what open, openat, openat2 and creat all go through), the path read
-- from the caller's memory at entry, the duration from entry to return. Needs a kernel
-- with kprobes or fentry (refused with the reason and a tracepoint to use elsewhere);
-- scripts/opensnoop.lua does the same from the syscall side on any kernel.
-- -s adds a per-process summary at the end: opens, failures, total and slowest latency.
--
--   ltrace-ebpf scripts/kopensnoop.lua -h   (the options: the spec table below)
local tool = require("tool")

local spec = {
	name = "kopensnoop",
	summary = "Traces file opens in the kernel (do_sys_openat2): PID COMM FD ERR LAT(us) PATH.",
	options = {
		{ "-x", "failed", nil, "failed opens only" },
		{ "-n", "name", "COMM", "only this command name" },
		{ "-s", "summary", nil, "a line per process at the end: opens, failed, total and max latency" },
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
tool.start(opts)  -- the target joins the traced set before the probe attaches

local procs, order = {}, {}

if not opts.json then
	printf("%-7s %-16s %3s %3s %9s %s\n", "PID", "COMM", "FD", "ERR", "LAT(us)", "PATH")
end
probe("kcall:do_sys_openat2", {
	fetch = { filename = "user:str" },
	comm = opts.name,
	where = opts.failed and "ret < 0" or nil,
}, function(c)
	local fd, err = c.ret, 0
	if c.ret < 0 then fd, err = -1, -c.ret end
	local us = c.duration / 1e3
	if opts.json then
		tool.record({ ts_ns = c.ts, pid = c.pid, tid = c.tid, comm = c.comm, fd = fd, err = err,
		              lat_us = us, path = c.filename or "?" })
	else
		printf("%-7d %-16s %3d %3d %9.1f %s\n", c.pid, c.comm, fd, err, us, c.filename or "?")
	end
	io.stdout:flush()
	if opts.summary then
		local p = procs[c.pid]
		if not p then
			p = { comm = c.comm, n = 0, failed = 0, total = 0, max = 0 }
			procs[c.pid] = p
			order[#order + 1] = c.pid
		end
		p.n, p.total = p.n + 1, p.total + us
		if err ~= 0 then p.failed = p.failed + 1 end
		if us > p.max then p.max = us end
	end
end)

on("end", function()
	if not opts.summary then return end
	if not opts.json then
		printf("\n%-7s %-16s %6s %6s %11s %9s\n", "PID", "COMM", "OPENS", "FAILED", "TOTAL(us)",
					 "MAX(us)")
	end
	for _, pid in ipairs(order) do
		local p = procs[pid]
		if opts.json then
			tool.record({ summary = true, pid = pid, comm = p.comm, opens = p.n, failed = p.failed,
			              total_us = p.total, max_us = p.max })
		else
			printf("%-7d %-16s %6d %6d %11.1f %9.1f\n", pid, p.comm, p.n, p.failed, p.total, p.max)
		end
	end
end)
