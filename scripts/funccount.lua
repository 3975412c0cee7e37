-- funccount: calls of the functions PATTERN matches (LIB:GLOB, or any probe spec), counted
-- per function in kernel (no per-event traffic). Prints at the end, or every -i SECS.
--
--   ltrace-ebpf scripts/funccount.lua -h   (the options: the spec table below)
local tool = require("tool")

local spec = {
	name = "funccount",
	summary = "Counts calls of the functions PATTERN (LIB:GLOB, e.g. libc:str*) matches, in kernel.",
	positional = "PATTERN",
	options = {
		{ "-T", "top", "TOP", "rows printed", number = true, default = 50 },
		tool.INTERVAL,
		tool.COUNT,
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
tool.start(opts)

local p = probe(opts.positional, { agg = "count", by = "func", print = false })

local function report()
	local rows = {}
	for _, e in ipairs(p:read()) do rows[#rows + 1] = e end
	table.sort(rows, function(a, b) return a.count > b.count end)
	if not opts.json then printf("%-36s %10s\n", "FUNC", "COUNT") end
	for i = 1, math.min(opts.top, #rows) do
		local e = rows[i]
		if opts.json then
			tool.record({ func = tostring(e.key), count = e.count })
		else
			printf("%-36s %10d\n", tostring(e.key), e.count)
		end
	end
	if not opts.json then printf("\n") end
	io.stdout:flush()
end

tool.every_report(opts, report, function() p:clear() end)
