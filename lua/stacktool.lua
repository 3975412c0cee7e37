-- stacktool: what the stack tools in scripts/ add to tool.lua's options: -f (folded
-- stacks) and -o FILE as their output file (folded lines, or a flame graph), and the
-- target's symbols tracked while it runs.
local stack = require("ltrace.stack")
local folded = require("folded")
local flamegraph = require("flamegraph")
local tool = require("tool")

local M = setmetatable({}, { __index = tool })

local FOLDED = { "-f", "folded", nil, "print folded stacks (flamegraph.pl / speedscope input)" }
-- Options several stack tools take alike.
M.USER_ONLY = { "-U", "user_only", nil, "user stacks only" }
M.KERNEL_ONLY = { "-K", "kernel_only", nil, "kernel stacks only" }
M.ALL = { "--all", "all", nil, "every process, not just a target (then no -p/-c/--)" }

-- M.parse(argv, spec): tool.parse with -f (unless spec.folded == false: a tool whose output
-- is no set of stacks), the tool writing -o FILE itself.
function M.parse(argv, spec)
	spec.extra, spec.own_output = spec.folded ~= false and { FOLDED } or {}, true
	local opts = tool.parse(argv, spec)
	-- written at the end: a path that cannot be is refused now, before any tracing
	if opts.output and not opts.help then tool.create(opts.output):close() end
	return opts
end

function M.start(opts)
	if opts.pid then stack.track(opts.pid) end
	return tool.start(opts)
end

-- M.output(opts, source, fopts): folded lines (-f) or an SVG flame graph; to -o FILE, or
-- folded to stdout and the SVG to default_svg. fopts: folded.collect's and flamegraph's.
function M.output(opts, source, fopts)
	if opts.folded then
		local t = folded.write(opts.output or io.stdout, source, fopts)
		if opts.output then
			local n = 0
			for _ in pairs(t) do n = n + 1 end
			io.stderr:write(("wrote %d stacks to %s\n"):format(n, opts.output))
		end
		return
	end
	local path = opts.output or fopts.default_svg
	local total = flamegraph.write(path, source, fopts)
	io.stderr:write(("wrote %s (%s %s)\n"):format(path, math.tointeger(total) or total,
	                                             fopts.unit or "samples"))
end

return M
