-- opensnoop: every openat()/open() call, as it returns: PID COMM FD ERR PATH (like
-- libbpf-tools opensnoop). The syscalls are paired in kernel (syscall: probes), the path is
-- read at exit. -x shows failed opens only (filtered in kernel), -n only one command name.
--
--   ltrace-ebpf scripts/opensnoop.lua -h   (the options: the spec table below)
local tool = require("tool")

local spec = {
	name = "opensnoop",
	summary = "Traces open()/openat() calls: PID COMM FD ERR PATH.",
	options = {
		{ "-x", "failed", nil, "failed opens only" },
		{ "-n", "name", "COMM", "only this command name" },
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
tool.start(opts)  -- the target joins the traced set before the probe attaches


local popts = { comm = opts.name, where = opts.failed and "ret < 0" or nil }
if not opts.json then printf("%-7s %-16s %3s %3s %s\n", "PID", "COMM", "FD", "ERR", "PATH") end
probe("syscall:open,openat", popts, function(e)
	local path = e.filename or "?"
	local fd, err = e.ret, 0
	if e.ret < 0 then fd, err = -1, -e.ret end
	if opts.json then
		tool.record({ ts_ns = e.ts, pid = e.pid, tid = e.tid, comm = e.comm, syscall = e.syscall,
		              fd = fd, err = err, errno = e.errno, path = path })
	else
		printf("%-7d %-16s %3d %3d %s\n", e.pid, e.comm, fd, err, path)
	end
	io.stdout:flush()
end)
