-- syscount: system calls counted in kernel, per syscall or per process (-P), with their
-- total latency (-L). No per-event traffic: one in-kernel aggregate over syscall:*, read
-- every -i SECS (then cleared) and at the end.
--
--   ltrace-ebpf scripts/syscount.lua -h   (the options: the spec table below)
local tool = require("tool")

local spec = {
	name = "syscount",
	summary = "Counts system calls in kernel, per syscall (or per process with -P).",
	options = {
		{ "-P", "process", nil, "count per process instead of per syscall" },
		{ "-L", "latency", nil, "also total latency (us)" },
		{ "-T", "top", "TOP", "rows printed", number = true, default = 10 },
		tool.INTERVAL,
		tool.COUNT,
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
tool.start(opts)  -- the target joins the traced set before the probe attaches

local by = opts.process and "pid" or "syscall"
local p = probe("syscall:*", { agg = opts.latency and "stats" or "count", by = by,
                               print = false })
local comms = {}
local function comm_of(pid)
	if comms[pid] then return comms[pid] end
	local f = io.open("/proc/" .. pid .. "/comm")
	local c = f and f:read("l") or "?"
	if f then f:close() end
	comms[pid] = c
	return c
end

local function report()
	local rows = {}
	for _, e in ipairs(p:read()) do rows[#rows + 1] = e end
	table.sort(rows, function(a, b) return a.count > b.count end)
	if opts.json then
		for i = 1, math.min(opts.top, #rows) do
			local e = rows[i]
			local r = { count = e.count, total_ns = opts.latency and e.sum or nil }
			if opts.process then r.pid, r.comm = e.key, comm_of(e.key) else r.syscall = e.key end
			tool.record(r)
		end
	else
		printf("[%s]\n", os.date("%H:%M:%S"))
		local head = opts.process and ("%-7s %-16s"):format("PID", "COMM") or ("%-22s"):format("SYSCALL")
		printf("%s %10s%s\n", head, "COUNT", opts.latency and ("  %12s"):format("TIME (us)") or "")
		for i = 1, math.min(opts.top, #rows) do
			local e = rows[i]
			local k = opts.process and ("%-7d %-16s"):format(e.key, comm_of(e.key))
			          or ("%-22s"):format(tostring(e.key))
			printf("%s %10d%s\n", k, e.count,
			       opts.latency and ("  %12.3f"):format(e.sum / 1000) or "")
		end
		printf("\n")
	end
	io.stdout:flush()
end

tool.every_report(opts, report, function() p:clear() end)
