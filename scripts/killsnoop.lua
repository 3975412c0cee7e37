-- killsnoop: kill() calls as they return: PID COMM SIG TPID RESULT (0 or -errno), like bcc's
-- killsnoop. syscall:kill, paired in kernel; -x shows failed calls only (in kernel).
--
--   ltrace-ebpf scripts/killsnoop.lua -h   (the options: the spec table below)
local tool = require("tool")

local spec = {
	name = "killsnoop",
	summary = "Traces kill() calls: PID COMM SIG TPID RESULT.",
	options = {
		{ "-x", "failed", nil, "failed calls only" },
		{ "-s", "signal", "SIG", "only this signal number", number = true },
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
tool.start(opts)

local where = {}
if opts.failed then where[#where + 1] = "ret < 0" end
if opts.signal then where[#where + 1] = ("sig == %d"):format(opts.signal) end
if not opts.json then printf("%-7s %-16s %4s %-7s %s\n", "PID", "COMM", "SIG", "TPID", "RESULT") end
probe("syscall:kill", { where = #where > 0 and where or nil }, function(e)
	if opts.json then
		tool.record({ ts_ns = e.ts, pid = e.pid, comm = e.comm, sig = e.sig, tpid = e.fields.pid,
		              ret = e.ret, errno = e.errno })
	else
		printf("%-7d %-16s %4d %-7d %d\n", e.pid, e.comm, e.sig, e.fields.pid, e.ret)
	end
	io.stdout:flush()
end)
