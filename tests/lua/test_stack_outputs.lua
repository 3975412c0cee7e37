-- Tests of lua/folded.lua, lua/flamegraph.lua and lua/perfetto.lua on made-up data: folded
-- lines round-trip, a flame graph's boxes and widths, XML escaping, trace-event JSON of
-- nested calls. Run with: ltrace-ebpf --lua-test FILE (no kernel needed).
local folded = require("folded")
local flamegraph = require("flamegraph")
local perfetto = require("perfetto")

local passed, failed = 0, 0

local function test(name, fn)
	local ok, err = pcall(fn)
	if ok then passed = passed + 1 else failed = failed + 1; print("FAIL " .. name .. ": " .. tostring(err)) end
end

local function eq(got, want, what)
	if got ~= want then
		error(string.format("%s:\n  want %q\n  got  %q", what or "value", tostring(want), tostring(got)), 2)
	end
end

local sample = { ["main;a;b"] = 30, ["main;a;c"] = 10, ["main;d"] = 60 }

test("folded lines are sorted 'stack value' and parse back", function()
	local lines = folded.lines(sample)
	eq(#lines, 3, "lines")
	eq(lines[1], "main;a;b 30")
	eq(lines[3], "main;d 60")
	local back = folded.parse(table.concat(lines, "\n") .. "\n")
	for k, v in pairs(sample) do eq(back[k], v, k) end
end)

test("collect from a plain table and from an agg counter, with scaling", function()
	local t = folded.collect({ ["x;y"] = 5000, ["x;z"] = 999 }, { scale = 1000 })
	eq(t["x;y"], 5, "scaled")
	eq(t["x;z"], nil, "values below one unit are dropped")
	local c = agg.count("c")
	c:add("p;q", 3)
	c:add("p;r")
	t = folded.collect(c)
	eq(t["p;q"], 3, "counter key")
	eq(t["p;r"], 1, "counter key")
end)

test("flame graph: one box per frame, widths by value, root last", function()
	local svg = flamegraph.svg(sample, { width = 1020, title = "T <&>" })
	eq(svg:sub(1, 5), "<?xml", "XML declaration")
	local widths = {}
	for name, w in svg:gmatch('<g class="f" data%-name="([^"]+)">.-width="([%d.]+)"') do
		widths[name] = (widths[name] or 0) + tonumber(w)
	end
	eq(math.floor(widths.all + 0.5), 1000, "root spans the width minus padding")
	eq(math.floor(widths.a + 0.5), 400, "a: 40 of 100")
	eq(math.floor(widths.d + 0.5), 600, "d: 60 of 100")
	eq(math.floor(widths.c + 0.5), 100, "c: 10 of 100")
	eq(svg:find("T &lt;&amp;&gt;", 1, true) ~= nil, true, "title escaped")
	eq(select(2, svg:gsub("<script", "")), 1, "one script")
	local last = nil
	for name in svg:gmatch('data%-name="([^"]+)"') do last = name end
	eq(last, "all", "root box written last")
end)

test("frame names are escaped in the SVG", function()
	local svg = flamegraph.svg({ ["main;std::vector<int>::push_back(int const&)"] = 1 })
	eq(svg:find("std::vector&lt;int&gt;::push_back(int const&amp;)", 1, true) ~= nil, true, "escaped")
	eq(svg:find("vector<int>", 1, true), nil, "no raw '<' in names")
end)

test("perfetto: complete events sorted per thread, parents before children", function()
	local out = {}
	local sink = { write = function(self, ...) for _, s in ipairs({ ... }) do out[#out + 1] = s end end,
	               flush = function() end }
	local w = perfetto.new(sink)
	w:complete{ name = "child", ts = 1500, dur = 500, pid = 7, tid = 8, comm = "t" }
	w:complete{ name = "parent", ts = 1000, dur = 2000, pid = 7, tid = 8, comm = "t",
	            args = { arg1 = 5, s = 'q"uote' } }
	eq(w:close(), 2, "events")
	local json = table.concat(out)
	local p, c = json:find('"name":"parent"', 1, true), json:find('"name":"child"', 1, true)
	eq(p ~= nil and c ~= nil and p < c, true, "parent first")
	eq(json:find('"ts":1.000,"dur":2.000,"pid":7,"tid":8', 1, true) ~= nil, true, "microseconds")
	eq(json:find('"args":{"arg1":5,"s":"q\\"uote"}', 1, true) ~= nil, true, "args, escaped")
	eq(json:find('"name":"thread_name","pid":7,"tid":8,"args":{"name":"t 8"}', 1, true) ~= nil,
	   true, "thread track named")
	eq(json:sub(1, 15), '{"displayTimeUn', "object start")
end)

print(string.format("%d passed, %d failed", passed, failed))
if failed > 0 then error(failed .. " test(s) failed", 0) end
