-- execsnoop: successful exec()s as they happen: PID PPID COMM PATH, from the
-- sched_process_exec raw tracepoint (the new program's path; the parent read in kernel).
--
--   ltrace-ebpf scripts/execsnoop.lua -h   (the options: the spec table below)
local tool = require("tool")

local spec = {
	name = "execsnoop",
	summary = "Traces exec()s: PID PPID COMM PATH.",
	options = {
		{ "-n", "name", "COMM", "only execs whose new command name is COMM" },
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
tool.start(opts)

-- The raw tracepoint (task, old_pid, linux_binprm): the parent is read in kernel while the
-- exec happens, so a child that has exited (or been reparented) by the time its event is
-- handled still shows the parent that started it.
if not opts.json then printf("%-7s %-7s %-16s %s\n", "PID", "PPID", "COMM", "PATH") end
probe("rawtracepoint:sched_process_exec", {
	comm = opts.name,
	fields = { tgid = "p.tgid", ppid = "p.real_parent->tgid", path = "bprm.filename" },
}, function(e)
	local path = tostring(e.path):gsub('[%c"\\]', function(c) return ("\\x%02x"):format(c:byte()) end)
	if opts.json then
		tool.record({ ts_ns = e.ts, pid = e.tgid, old_pid = e.old_pid, ppid = e.ppid, comm = e.comm,
		              path = e.path })
	else
		printf("%-7d %-7d %-16s %s\n", e.tgid, e.ppid, e.comm, path)
	end
	io.stdout:flush()
end)
