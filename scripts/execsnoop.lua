-- execsnoop: successful exec()s as they happen: PID PPID COMM PATH, from the
-- sched:sched_process_exec tracepoint (the new program's path; the parent read from /proc).
--
--   ltrace-ebpf scripts/execsnoop.lua [-n COMM] [-j] [-d SECS] [(-p PID | -c CMD | -- CMD)]
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

local function ppid_of(pid)
	local f = io.open("/proc/" .. pid .. "/stat")
	local l = f and f:read("l")
	if f then f:close() end
	return l and tonumber(l:match("^%d+ %b() %a (%d+)")) or -1
end

if not opts.json then printf("%-7s %-7s %-16s %s\n", "PID", "PPID", "COMM", "PATH") end
probe("tracepoint:sched:sched_process_exec", { comm = opts.name }, function(e)
	local path = tostring(e.filename):gsub('[%c"\\]', function(c) return ("\\x%02x"):format(c:byte()) end)
	if opts.json then
		printf('{"pid":%d,"old_pid":%d,"ppid":%d,"comm":"%s","path":"%s"}\n', e.fields.pid,
		       e.old_pid, ppid_of(e.fields.pid), e.comm, path)
	else
		printf("%-7d %-7d %-16s %s\n", e.fields.pid, ppid_of(e.fields.pid), e.comm, path)
	end
	io.stdout:flush()
end)
