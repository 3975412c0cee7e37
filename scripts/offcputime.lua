-- offcputime: where threads wait, on the `offcpu` probe. Every context switch away from a
-- target thread records when and in which stacks (user and kernel) it blocked; switching
-- back adds the time off CPU to those stacks, summed in the kernel. Prints the stacks with
-- the most blocked time, or writes folded stacks (-f, values in microseconds) or an SVG
-- flame graph (-o FILE.svg). Waits outside -m MIN_US .. -M MAX_US are left out.
--
--   ltrace-ebpf scripts/offcputime.lua -h   (the options: the spec table below)
local tool = require("stacktool")

local spec = {
	name = "offcputime",
	summary = "Off-CPU time per blocked stack (sched_switch), summed in the kernel.",
	options = {
		{ "-m", "min_us", "MIN_US", "ignore waits shorter than this", number = true, default = 1 },
		{ "-M", "max_us", "MAX_US", "ignore waits longer than this", number = true },
		{ "-t", "tid", "TID", "this thread only", number = true },
		{ "-n", "top", "TOP", "stacks printed", number = true, default = 10 },
		tool.USER_ONLY,
		tool.KERNEL_ONLY,
		tool.ALL,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
if not (opts.pid or opts.cmd or target() or opts.all) then
	error("offcputime: name a target: -p PID, -c CMD or -- CMD (or --all)", 0)
end
local which = opts.user_only and "user" or opts.kernel_only and "kernel" or "both"
local p = probe("offcpu", { stack = which, print = false, tid = opts.tid,
                            min_duration = math.floor(opts.min_us * 1000),
                            max_duration = opts.max_us and math.floor(opts.max_us * 1000) })
tool.start(opts)

on("end", function()
	if opts.folded or (opts.output and opts.output:match("%.svg$")) then
		tool.output(opts, p, { value = "sum", scale = 1000, comm = true, unit = "us",
		                       title = "Off-CPU time", default_svg = "offcpu.svg" })
		return
	end
	local out = opts.output and tool.create(opts.output) or io.stdout
	local entries = p:read()
	table.sort(entries, function(a, b) return a.sum > b.sum end)
	for i = 1, math.min(opts.top, #entries) do
		local e = entries[i]
		out:write((tostring(e.key):gsub("^\n", "")))
		out:write(("        -                %s (%d)\n"):format(e.key.comm, e.key.pid))
		out:write(("            %s in %d waits\n\n"):format(fmt.duration(e.sum), e.count))
	end
	if out ~= io.stdout then out:close() end
end)
