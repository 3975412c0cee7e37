-- pycalls: Python function calls, counted per function. Attaches the interpreter's USDT
-- probe python:function__return (one hit per call, exact, also for calls that raise; a
-- generator counts once per yield) and counts calls per (function, file) in Lua. Prints
-- the top functions at the end, or every -i SECS (-n COUNT times), as text or JSON lines.
--
--   ltrace-ebpf scripts/pycalls.lua -h   (the options: the spec table below)
local tool = require("tool")

local spec = {
	name = "pycalls",
	summary = "Counts Python function calls per function (USDT python:function__return).",
	options = {
		{ "-b", "bin", "PYTHON", "the interpreter binary with USDT notes", default = "/usr/bin/python3.11" },
		{ "-t", "top", "TOP", "functions printed per report", number = true, default = 20 },
		{ "-i", "interval", "SECS", "print (and reset) the counts every SECS", number = true },
		tool.COUNT,
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end


local calls, total = {}, 0
probe("usdt:" .. opts.bin .. ":python:function__return", { args = { "str", "str", "int" } },
	function(e)
		local k = (e.args[2] or "?") .. "\0" .. (e.args[1] or "?")
		calls[k] = (calls[k] or 0) + 1
		total = total + 1
	end)
tool.start(opts)

local function report()
	local items = {}
	for k, n in pairs(calls) do
		local fn, file = k:match("^(.-)%z(.*)$")
		items[#items + 1] = { func = fn, file = file, n = n }
	end
	table.sort(items, function(a, b)
		if a.n ~= b.n then return a.n > b.n end
		return a.func < b.func
	end)
	local t = os.date("!%H:%M:%S")
	if opts.json then
		for i = 1, math.min(opts.top, #items) do
			local it = items[i]
			tool.record({ func = it.func, file = it.file, calls = it.n })
		end
	else
		printf("%s  %d calls, %d functions\n", t, total, #items)
		printf("%10s  %s\n", "CALLS", "FUNCTION (FILE)")
		for i = 1, math.min(opts.top, #items) do
			local it = items[i]
			printf("%10d  %s (%s)\n", it.n, it.func, it.file)
		end
		if #items == 0 then print("no Python calls seen") end
	end
	io.stdout:flush()
	calls, total = {}, 0
end

tool.every_report(opts, report, nil, function() return total > 0 end)
