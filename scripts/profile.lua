-- profile: a CPU flame graph of a command or a process. Samples every CPU at -F Hz
-- (perf_event cpu-clock), keeps the target's samples, counts them per stack in the kernel
-- (user and kernel frames by frame pointers), and writes a self-contained interactive SVG
-- flame graph, or folded stacks with -f. --dwarf unwinds user stacks with DWARF in user
-- space instead (code built without frame pointers; each sample then costs a stack copy).
--
--   ltrace-ebpf scripts/profile.lua -h   (the options: the spec table below)
local tool = require("stacktool")

local spec = {
	name = "profile",
	summary = "On-CPU flame graph: stacks sampled at HZ per CPU, counted per stack.",
	options = {
		{ "-F", "hz", "HZ", "samples per second per CPU", number = true, default = 99 },
		tool.USER_ONLY,
		tool.KERNEL_ONLY,
		{ "--dwarf", "dwarf", nil, "unwind user stacks with DWARF (no frame pointers needed)" },
		tool.ALL,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
if not (opts.pid or opts.cmd or target() or opts.all) then
	error("profile: name a target: -p PID, -c CMD or -- CMD (or --all)", 0)
end
local which = opts.user_only and "user" or opts.kernel_only and "kernel" or "both"
local hz = opts.hz   -- an integer >= 1 (tool.lua)
local fopts = { comm = true, default_svg = "profile.svg", title = "CPU profile", unit = "samples" }

local source
if opts.dwarf then
	-- Unwound in user space: aggregate folded strings in Lua.
	source = {}
	local unwind = which ~= "kernel" and "dwarf" or nil  -- kernel frames need no unwinding
	probe(("profile:hz:%d"):format(hz), { stack = which, unwind = unwind }, function(e)
		local parts = {}
		if e.ustack then parts[#parts + 1] = e.ustack:folded() end
		if e.kstack then parts[#parts + 1] = e.kstack:folded() end
		local key = e.comm .. ";" .. table.concat(parts, ";")
		source[key] = (source[key] or 0) + 1
	end)
	fopts.comm = false
else
	source = probe(("profile:hz:%d"):format(hz), { stack = which, print = false })
end
tool.start(opts)
on("end", function() tool.output(opts, source, fopts) end)
