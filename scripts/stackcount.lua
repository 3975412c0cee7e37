-- stackcount: how often each stack reaches a probe point. Attaches PATTERN (any probe spec:
-- LIB:FUNC globs, tracepoint:..., usdt:...) and counts calls per stack id in the kernel
-- (frame pointers), or per DWARF-unwound stack in Lua with --dwarf. Prints the top stacks,
-- or folded stacks (-f) or an SVG flame graph (-o FILE.svg).
--
--   ltrace-ebpf scripts/stackcount.lua -h   (the options: the spec table below)
local tool = require("stacktool")

local spec = {
	name = "stackcount",
	summary = "Counts the stacks that reach PATTERN (a probe spec, e.g. libc:malloc).",
	positional = "PATTERN",
	options = {
		{ "-U", "user_only", nil, "user stacks (the default for user probes)" },
		tool.KERNEL_ONLY,
		{ "-B", "both", nil, "user and kernel stacks" },
		{ "-n", "top", "TOP", "stacks printed", number = true, default = 10 },
		{ "--dwarf", "dwarf", nil, "unwind user stacks with DWARF (counted in Lua)" },
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
local by = opts.kernel_only and "kstack" or opts.both and "stack" or "ustack"
local which = ({ ustack = "user", kstack = "kernel", stack = "both" })[by]

local source, counts
if opts.dwarf then
	local stack, seen = require("ltrace.stack"), {}
	counts = counter("stacks")
	local unwind = which ~= "kernel" and "dwarf" or nil  -- kernel frames need no unwinding
	probe(opts.positional, { stack = which, unwind = unwind }, function(e)
		local k = e.ustack or e.kstack
		if e.ustack and e.kstack then  -- -B: one key of kernel then user frames
			k = stack.new(e.pid, e.ustack:ips(), e.kstack:ips())
		end
		if not k then return end
		local id = k:id()              -- each event's stack is a new object: one key per stack
		seen[id] = seen[id] or k
		counts:add(seen[id])
	end)
	source = counts
else
	source = probe(opts.positional, { by = by, print = false })  -- stack ids: frame pointers
end
tool.start(opts)

on("end", function()
	if opts.folded or (opts.output and opts.output:match("%.svg$")) then
		tool.output(opts, source, { comm = true, title = "Stack count: " .. opts.positional,
		                            default_svg = "stackcount.svg", unit = "calls" })
		return
	end
	local out = opts.output and tool.create(opts.output) or io.stdout
	local items = {}
	if opts.dwarf then
		for _, it in ipairs(counts:items()) do items[#items + 1] = { key = it.key, n = it.value } end
	else
		for _, e in ipairs(source:read()) do items[#items + 1] = { key = e.key, n = e.count } end
	end
	table.sort(items, function(a, b) return a.n > b.n end)
	for i = 1, math.min(opts.top, #items) do
		out:write((tostring(items[i].key):gsub("^\n", "")))
		out:write(("        %s (%d)\n            %d\n\n"):format(items[i].key.comm, items[i].key.pid,
		                                                      items[i].n))
	end
	if out ~= io.stdout then out:close() end
end)
