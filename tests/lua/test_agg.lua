-- Tests of lua/agg.lua: every aggregate kind keyed and unkeyed, rendering, histogram
-- slots and percentiles, merge, the from_kernel seam, top-N, and allocation-free updates.
-- Plain Lua 5.4; run with
--   LUA_PATH='lua/?.lua;;' lua5.4 tests/lua/test_agg.lua   or   ltrace-ebpf --lua-test FILE

local agg = require("agg")
local fmt = require("fmt")

local T = require("testlib")
local test, eq, near, raises = T.test, T.eq, T.near, T.raises

local globals_set_by, lines = T.globals_set_by, T.lines

local function keys_of(items)
	local t = {}
	for i, it in ipairs(items) do
		t[i] = tostring(it.key)
	end
	return table.concat(t, " ")
end

---------------------------------------------------------------------------------------

test("count: unkeyed", function()
	local c = agg.count()
	c:add()
	c:add()
	c:add(nil, 5)
	eq(c:get(), 7, "get()")
	eq(c:total(), 7, "total")
	eq(#c, 1, "#c")
	eq(tostring(c), "7", "unnamed unkeyed")
	local n = agg.count("calls")
	n:add()
	eq(tostring(n), "@calls: 1", "named unkeyed")
	eq(tostring(agg.count()), "", "empty")
end)

test("count: keyed, default 0, order by value desc then key asc", function()
	local c = agg.count()
	for _, k in ipairs({ "bash", "sshd", "bash", "cron", "sshd", "bash", "atd" }) do
		c:add(k)
	end
	c:add("cron", 1)
	c:add(42, 2)
	eq(c.bash, 3, "c.bash")
	eq(c["nope"], 0, "missing key reads 0")
	eq(#c, 5, "#c")
	eq(c:total(), 10, "total")
	eq(tostring(c), lines { "bash: 3", "42: 2", "cron: 2", "sshd: 2", "atd: 1" }, "unnamed")
	local named = agg.count("calls")
	named:add("a")
	named:add(agg.key("b", 7))
	named:add(agg.key("b", 7))
	eq(tostring(named), lines { "@calls[b, 7]: 2", "@calls[a]: 1" }, "named")
	local order = {}
	c:each(function(k, v) order[#order + 1] = tostring(k) .. "=" .. v end)
	eq(table.concat(order, " "), "bash=3 42=2 cron=2 sshd=2 atd=1", "each order")
	eq(keys_of(c:items()), "bash 42 cron sshd atd", "items order")
	eq(c:items()[1].value, 3, "items value")
end)

test("count: assignment, method-named keys, clear", function()
	local c = agg.count("c")
	c:add("top")
	c:add("top")
	eq(c:get("top"), 2, "get reads a key named like a method")
	eq(type(c.top), "function", "c.top is the method")
	c.x = 10
	eq(c.x, 10, "assigned")
	c.x = nil
	eq(c.x, 0, "deleted")
	eq(#c, 1, "#c after delete")
	c:clear()
	eq(#c, 0, "cleared")
	eq(tostring(c), "", "cleared renders empty")
	c:add("y")
	agg.clear(c)
	eq(#c, 0, "agg.clear")
	raises(function() c.z = "many" end, "must be a number")
end)

test("agg.key", function()
	eq(agg.key("a"), "a")
	eq(agg.key("a", 1), "a, 1")
	eq(agg.key(1.5, true, 3), "1.5, true, 3")
	eq(agg.key("a", "b", "c", "d", 5), "a, b, c, d, 5")
	eq(agg.key("a", nil), "a, nil")
	eq(agg.key(4.0), "4")
	raises(function() agg.key() end, "at least one part")
end)

test("sum, min, max, avg: keyed and unkeyed", function()
	local s = agg.sum("bytes")
	s:add(100)
	s:add(20)
	eq(s:get(), 120, "unkeyed sum")
	s:add("a", 5)
	s:add("a", 7)
	eq(s.a, 12, "keyed sum")
	eq(s:total(), 132, "sum total")
	eq(tostring(s), lines { "@bytes: 120", "@bytes[a]: 12" }, "sum render")

	local mn, mx = agg.min(), agg.max()
	for _, v in ipairs({ 5, -3, 9, 0 }) do
		mn:add("k", v)
		mx:add("k", v)
		mn:add(v * 2)
	end
	eq(mn.k, -3, "min")
	eq(mx.k, 9, "max")
	eq(mn:get(), -6, "unkeyed min")
	eq(mn.none, nil, "missing min is nil")
	eq(mn:total(), -6, "min total")
	eq(tostring(mx), "k: 9", "max render")

	local a = agg.avg("a")
	a:add(5)
	a:add(10)
	eq(a:get(), 7.5, "avg value is exact")
	eq(tostring(a), "@a: 7", "avg renders like bpftrace (integer division)")
	a:add("neg", -15)
	a:add("neg", 0)
	eq(tostring(a), lines { "@a: 7", "@a[neg]: -7" }, "truncated toward zero")
	local f = agg.avg()
	f:add(1.5)
	f:add(2)
	eq(tostring(f), "1.75", "float average")
	raises(function() s:add("a", "b") end, "value must be a number")
	raises(function() a:add() end, "value must be a number")
end)

test("stats: math and bpftrace rendering", function()
	local st = agg.stats("st")
	for v = 1, 10 do
		st:add(v)
	end
	local r = st:get()
	eq(r.count, 10, "count")
	eq(r.sum, 55, "sum")
	eq(r.min, 1, "min")
	eq(r.max, 10, "max")
	eq(r.avg, 5.5, "avg")
	eq(tostring(st), "@st: count 10, average 5, total 55", "render")

	local k = agg.stats("st")
	k:add("a", 1)
	k:add("b", 2)
	k:add("b", 2)
	k:add("c", 100)
	eq(tostring(k), lines {
		"@st[c]: count 1, average 100, total 100",
		"@st[b]: count 2, average 2, total 4",
		"@st[a]: count 1, average 1, total 1",
	}, "keyed render (by total desc)")
	local t = k:total()
	eq(t.count, 4, "total count")
	eq(t.sum, 105, "total sum")
	eq(t.min, 1, "total min")
	eq(t.max, 100, "total max")
	local ns = agg.stats("lat", { unit = "ns" })
	ns:add(1500)
	ns:add(2500)
	eq(tostring(ns), "@lat: count 2, average 2.00us, total 4.00us", "ns unit")
	raises(function() k.a = 1 end, "cannot assign")
end)

test("hist: slots at boundaries", function()
	local cases = {
		{ 0, 0 }, { 1, 1 }, { 2, 2 }, { 3, 2 }, { 4, 3 }, { 7, 3 }, { 8, 4 },
		{ 1 << 62, 63 }, { (1 << 62) - 1, 62 }, { math.maxinteger, 63 }, { -1, -1 },
	}
	for _, c in ipairs(cases) do
		local h = agg.hist()
		h:add(c[1])
		local b = h[nil]:buckets()
		eq(b[c[2]], 1, "value " .. c[1] .. " in slot " .. c[2])
		local n = 0
		for _ in pairs(b) do n = n + 1 end
		eq(n, 1, "one slot for " .. c[1])
		eq(fmt.log2_slot(c[1]), c[2], "fmt.log2_slot(" .. c[1] .. ")")
	end
	raises(function() agg.hist():add("x") end, "attempt to compare") -- no type check on the hot path
	raises(function() agg.hist():add(0 / 0) end, "must be a finite number, got nan")
	raises(function() agg.hist():add(1 / 0) end, "must be a finite number, got inf")
end)

test("hist: rendering, keyed headings, counts", function()
	local h = agg.hist("h")
	for _, v in ipairs({ -5, 0, 1, 1, 2, 3, 1500 }) do
		h:add(v)
	end
	eq(tostring(h), "@h:\n" .. fmt.log2_hist({ [-1] = 1, [0] = 1, [1] = 2, [2] = 2, [11] = 1 }),
		"unkeyed")
	eq(h:count(), 7, "count")
	eq(h:sum(), 1502, "sum")
	eq(h:min(), -5, "min")
	eq(h:max(), 1500, "max")

	local k = agg.hist("h")
	k.a:add(5)
	k.b:add(100)
	k.b:add(100)
	local empty = k.never -- created by indexing, never filled: not printed
	eq(empty:count(), 0, "empty leaf")
	eq(#k, 2, "#k skips empty leaves")
	eq(tostring(k), lines {
		"@h[b]:",
		"[64, 128)              2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
		"",
		"@h[a]:",
		"[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
	}, "keyed")
	eq(k:count(), 3, "count over keys")
	eq(k:sum(), 205, "sum over keys")
	eq(k:get("b"):count(), 2, "get returns the leaf")
	eq(tostring(k.a),
		"[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|", "leaf")
	local u = agg.hist()
	u.x:add(1)
	eq(tostring(u), "x:\n[1]                    1 |" .. string.rep("@", 52) .. "|", "unnamed")
	raises(function() k.a = 1 end, "cannot assign")
end)

test("hist: percentile on 1..1000", function()
	local h = agg.hist()
	for v = 1, 1000 do
		h:add(v)
	end
	-- rank 500 falls in [256, 512) (255 values below it, 256 in it):
	-- 256 + 256 * (500 - 255) / 256 = 501
	eq(h:percentile(50), 501.0, "p50")
	-- rank 900 in [512, 1024) holding 489 values (512..1000): 512 + 512*(900-511)/489
	near(h:percentile(90), 512 + 512 * (900 - 511) / 489, 1e-9, "p90")
	near(h:percentile(90), 900, 30, "p90 close to the truth")
	eq(h:percentile(99), 1000, "p99 clamped to the observed max")
	eq(h:percentile(0), 1, "p0 is min")
	eq(h:percentile(100), 1000, "p100 is max")
	local last = -math.huge
	for p = 0, 100, 0.5 do
		local v = h:percentile(p)
		if v < last then
			error("percentile not monotonic at " .. p)
		end
		last = v
	end
	local zeros = agg.hist()
	for _ = 1, 10 do zeros:add(0) end
	eq(zeros:percentile(50), 0, "all zeros")
	eq(agg.hist():percentile(50), nil, "empty")
	raises(function() h:percentile(101) end, "[0, 100]")
end)

test("lhist: slots, rendering, percentile", function()
	local l = agg.lhist(0, 100, 10, "l")
	for _, v in ipairs({ 55, -1, 150, 5 }) do
		l:add(v)
	end
	eq(tostring(l), "@l:\n" .. fmt.linear_hist({ [0] = 1, [1] = 1, [6] = 1, [11] = 1 }, 0, 100, 10),
		"render")
	local b = l[nil]:buckets()
	eq(b[0], 1, "underflow")
	eq(b[11], 1, "overflow")
	local u = agg.lhist(0, 100, 10)
	for v = 0, 99 do
		u:add(v)
	end
	near(u:percentile(50), 50, 1e-9, "linear p50")
	near(u:percentile(25), 25, 1e-9, "linear p25")
	raises(function() agg.lhist(10, 0, 1) end, "min < max")
	raises(function() u:add("x") end, "must be a number")
	local k = agg.lhist(0, 1000000, 100000, "lat", { unit = "ns" })
	k.read:add(150000)
	eq(tostring(k), "@lat[read]:\n[100us, 200us)         1 |" .. string.rep("@", 52) .. "|",
		"ns labels")
end)

test("merge", function()
	local a, b = agg.count("c"), agg.count("c")
	a:add("x", 2)
	b:add("x", 3)
	b:add("y")
	a:merge(b)
	eq(tostring(a), lines { "@c[x]: 5", "@c[y]: 1" }, "count merge")

	local s1, s2 = agg.stats(), agg.stats()
	s1:add("k", 1)
	s1:add("k", 9)
	s2:add("k", -4)
	s2:add("j", 3)
	s1:merge(s2)
	local r = s1.k
	eq(r.count, 3, "stats count")
	eq(r.sum, 6, "stats sum")
	eq(r.min, -4, "stats min")
	eq(r.max, 9, "stats max")

	local m1, m2 = agg.max(), agg.max()
	m1:add(3)
	m2:add(7)
	eq(m1:merge(m2):get(), 7, "max merge")

	local h1, h2, all = agg.hist("h"), agg.hist("h"), agg.hist("h")
	for v = 1, 300, 7 do
		h1[v % 2]:add(v)
		all[v % 2]:add(v)
	end
	for v = 0, 5000, 13 do
		h2[v % 3]:add(v)
		all[v % 3]:add(v)
	end
	h1:merge(h2)
	eq(tostring(h1), tostring(all), "hist merge equals adding everything")
	eq(h1:count(), all:count(), "merged count")
	eq(h1:sum(), all:sum(), "merged sum")
	eq(h1:percentile(90), all:percentile(90), "merged percentile")

	local self = agg.count()
	self:add("a", 2)
	self:merge(self)
	eq(self.a, 4, "self merge doubles")

	raises(function() a:merge(agg.sum()) end, "same kind")
	raises(function() agg.lhist(0, 10, 1):merge(agg.lhist(0, 20, 1)) end, "same kind")
	raises(function() a:merge({}) end, "same kind")
end)

test("from_kernel: round trip equals the same data added from Lua", function()
	local data = { { "bash", 5 }, { "sshd", 700 }, { "bash", 1 }, { "cron", 0 },
		{ "sshd", 3 }, { "bash", 1 << 20 }, { "atd", -2 }, { "cron", 64 } }
	local function per_key()
		local t, order = {}, {}
		for _, d in ipairs(data) do
			local k, v = d[1], d[2]
			local e = t[k]
			if not e then
				e = { key = k, count = 0, sum = 0, buckets = {} }
				t[k] = e
				order[#order + 1] = e
			end
			e.count = e.count + 1
			e.sum = e.sum + v
			e.min = math.min(e.min or v, v)
			e.max = math.max(e.max or v, v)
			local s = fmt.log2_slot(v)
			e.buckets[s] = (e.buckets[s] or 0) + 1
		end
		return order
	end
	for _, kind in ipairs({ "count", "sum", "min", "max", "avg", "stats", "hist" }) do
		local lua = agg[kind]("m")
		for _, d in ipairs(data) do
			if kind == "count" then
				lua:add(d[1])
			elseif kind == "hist" then
				lua[d[1]]:add(d[2])
			else
				lua:add(d[1], d[2])
			end
		end
		local entries = {}
		for i, e in ipairs(per_key()) do
			local x = { key = e.key }
			if kind == "count" then
				x.count = e.count
			elseif kind == "sum" then
				x.sum = e.sum
			elseif kind == "min" then
				x.min = e.min
			elseif kind == "max" then
				x.max = e.max
			elseif kind == "avg" then
				x.count, x.sum = e.count, e.sum
			elseif kind == "stats" then
				x.count, x.sum, x.min, x.max = e.count, e.sum, e.min, e.max
			else
				x.buckets = e.buckets
				x.count, x.sum, x.min, x.max = e.count, e.sum, e.min, e.max
			end
			entries[i] = x
		end
		local k = agg.from_kernel(kind, entries, { name = "m" })
		eq(tostring(k), tostring(lua), kind .. " tostring")
		eq(#k, #lua, kind .. " #")
		eq(keys_of(k:items()), keys_of(lua:items()), kind .. " items order")
		eq(tostring(k:top(2)), tostring(lua:top(2)), kind .. " top")
		eq(agg.info(k).kind, kind, kind .. " info")
		if kind == "hist" then
			eq(k:percentile(90), lua:percentile(90), "hist percentile")
			eq(k:sum(), lua:sum(), "hist sum")
			-- A buckets-only map renders the same; sum and avg become unknown (nil).
			for _, x in ipairs(entries) do
				x.count, x.sum, x.min, x.max = nil, nil, nil, nil
			end
			local b = agg.from_kernel("hist", entries, { name = "m" })
			eq(tostring(b), tostring(lua), "buckets-only tostring")
			eq(b:count(), lua:count(), "buckets-only count")
			eq(b:sum(), nil, "buckets-only sum unknown")
			eq(b.bash:avg(), nil, "buckets-only avg unknown")
		end
	end
end)

test("from_kernel: unkeyed, per-CPU duplicates, lhist, errors", function()
	local c = agg.from_kernel("count", { { count = 3 }, { count = 4 } }, { name = "n" })
	eq(tostring(c), "@n: 7", "unkeyed, duplicates combined")
	local h = agg.from_kernel("hist", {
		{ key = "a", buckets = { [1] = 2 } },
		{ key = "a", buckets = { [1] = 1, [3] = 5 } },
	})
	eq(h.a:count(), 8, "per-CPU buckets summed")
	eq(h.a:buckets()[1], 3, "slot summed")
	local lua = agg.lhist(0, 100, 10, "l")
	for _, v in ipairs({ 55, -1, 150, 5, 5 }) do
		lua:add(v)
	end
	local l = agg.from_kernel("lhist", { { buckets = { [0] = 1, [1] = 2, [6] = 1, [11] = 1 } } },
		{ name = "l", min = 0, max = 100, step = 10 })
	eq(tostring(l), tostring(lua), "lhist round trip")
	eq(agg.from_kernel("sum", {}):total(), 0, "empty")
	raises(function() agg.from_kernel("nope", {}) end, "unknown kind")
	raises(function() agg.from_kernel("sum", { { key = "a", count = 1 } }) end,
		"entry 1: field 'sum' must be a number")
	raises(function() agg.from_kernel("count", { { key = "a", cnt = 1 } }) end,
		"unknown field 'cnt'")
	raises(function() agg.from_kernel("hist", { { buckets = { [2000] = 1 } } }) end,
		"out of range")
	raises(function() agg.from_kernel("lhist", { { buckets = { [12] = 1 } } },
		{ min = 0, max = 100, step = 10 }) end, "out of range")
	raises(function() agg.from_kernel("count", {}, { bogus = 1 }) end, "unknown option 'bogus'")
	raises(function() agg.from_kernel("count", {}, { step = 1 }) end, "lhist")
end)

test("top: order, ties, table rendering", function()
	local c = agg.count("c")
	c:add("b", 5)
	c:add("a", 5)
	c:add("c", 7)
	c:add("d", 1)
	local t = c:top(3)
	eq(#t, 3, "#top")
	eq(keys_of(t), "c a b", "value desc, ties by key asc")
	eq(t[1].value, 7, "top value")
	eq(tostring(t), lines { "KEY  COUNT", "c        7", "a        5", "b        5" }, "table")
	eq(keys_of(agg.top(10, c)), "c a b d", "agg.top, n larger than #c")
	eq(#c:top(0), 0, "top 0")
	eq(tostring(c:top(1, { key_title = "COMM" })), "COMM  COUNT\nc         7", "key_title")

	local s = agg.stats()
	s:add("x", 1000)
	s:add("y", 10)
	s:add("y", 30)
	eq(tostring(s:top(2)), lines {
		"KEY  COUNT   AVG  TOTAL   MIN   MAX",
		"x        1  1000   1000  1000  1000",
		"y        2    20     40    10    30",
	}, "stats top")

	local h = agg.hist("lat", { unit = "ns" })
	for v = 1, 1000 do
		h.read:add(v * 1000)
	end
	h.write:add(50)
	eq(tostring(h:top(5)), lines {
		"KEY    COUNT    AVG    P50     P99     MAX",
		"read    1000  500us  500us  1.00ms  1.00ms",
		"write      1   50ns   50ns    50ns    50ns",
	}, "hist top")
	raises(function() c:top(-1) end, "non-negative")
	raises(function() agg.top(1, {}) end, "aggregate")
end)

test("constructors: names, options, info, no globals", function()
	eq(agg.info(agg.count("x")).name, "x", "name")
	eq(agg.info(agg.sum({ name = "y", unit = "bytes" })).unit, "bytes", "opts")
	local i = agg.info(agg.lhist(0, 10, 2, "z"))
	eq(i.kind .. i.min .. i.max .. i.step, "lhist0102", "lhist info")
	eq(agg.info({}), nil, "not an aggregate")
	raises(function() agg.count({ nmae = "x" }) end, "unknown option 'nmae'")
	raises(function() agg.hist("h", { unit = "s" }) end, "option 'unit'")
	raises(function() agg.count(5) end, "name must be a string")
	local s = agg.sum("b", { unit = "bytes" })
	s:add(3 << 20)
	eq(tostring(s), "@b: 3M", "bytes unit")
	eq(globals_set_by("agg"), "", "globals set by agg")
end)

test("histogram keys named like methods are keys (issue 12 item 14)", function()
	local h = agg.hist("h")
	h["get"]:add(5)
	h["add"]:add(2)
	h["add"]:add(3)
	h.count:add(100)
	h:add(1)
	eq(h["add"]:count(), 2, "h.add is key add's histogram")
	eq(h:get("add"):sum(), 5, "get reads it too")
	eq(h.get:max(), 5, "key get")
	eq(h.count:count(), 1, "key count")
	eq(h:count(), 5, "the method still counts every key")
	eq(#h, 4, "four keys with samples")
	eq(tostring(h.get), "[4, 8)                 1 |" .. string.rep("@", 52) .. "|", "tostring of key get")
	local keys = {}
	for _, it in ipairs(h:items()) do keys[#keys + 1] = tostring(it.key) end
	eq(table.concat(keys, " "), "add nil count get", "items")
end)

-- pairs(x) as a script would list an aggregate: its keys and values only (it used to give
-- the methods add, get, items, top ... and the private DATA/META keys, for every kind).
local function listed(x)
	local out = {}
	for k, v in pairs(x) do
		if type(v) == "table" then	-- a stats item, or a histogram
			v = type(v.count) == "function" and v:count() or v.count
		end
		out[#out + 1] = tostring(k) .. "=" .. tostring(v)
	end
	return table.concat(out, " ")
end

test("pairs(x): the keys and values, never the methods (issue 12 item 14)", function()
	local c = agg.count("c")
	c:add("add")
	c:add("add")
	c:add("x")
	eq(listed(c), "add=2 x=1", "count, in items() order")
	local s = agg.sum()
	s:add("top", 3)
	s:add("count", 4)
	eq(listed(s), "count=4 top=3", "sum")
	local st = agg.stats("st")
	st:add("get", 5)
	st:add("get", 7)
	eq(listed(st), "get=2", "stats: the item table")
	local h = agg.hist("h")
	h["items"]:add(3)
	h:add(1)
	eq(listed(h), "=1 items=1", "hist: the per-key histograms; the unkeyed key prints empty")
	for k, v in pairs(h) do eq(h[k]:count(), v:count(), "a key read back: " .. tostring(k)) end
	local u = agg.count("u")
	eq(listed(u), "", "empty")
	eq(u.x, 0, "absent key")
end)

test("assigning a key named like a method sets the key (issue 12 item 14)", function()
	local c = agg.count("c")
	c["top"] = 5
	c.add = 2
	eq(c:get("top"), 5, "key top set")
	eq(c:get("add"), 2, "key add set")
	c:add("add")
	eq(c:get("add"), 3, "the method add still works")
	eq(tostring(c:top(1)), "KEY  COUNT\ntop      5", "the method top still works")
	eq(tostring(c), "@c[top]: 5\n@c[add]: 3", "both printed")
	local m = agg.max("m")
	m["clear"] = 7
	m:add("x", 1)
	eq(tostring(m), "@m[clear]: 7\n@m[x]: 1", "max")
	m:clear()
	eq(#m, 0, "clear still the method")
	local h = agg.hist("h")
	raises(function() h["add"] = 1 end, "cannot assign")
	h["add"]:add(4)
	eq(h:count(), 1, "the histogram's methods intact")
end)

test("unshown: aggregates neither printed nor read, for the exit print", function()
	local function has(x)
		for _, y in ipairs(agg.unshown()) do if rawequal(x, y) then return true end end
		return false
	end
	local a, b, c = agg.count("a"), agg.hist("b"), agg.sum("c", { print = false })
	local empty = agg.count("e")
	a:add("k")
	b:add(4)
	c:add(1)
	eq(has(a) and has(b), true, "filled, never shown")
	eq(has(c), false, "print = false")
	eq(has(empty), false, "empty")
	local _ = tostring(a)
	eq(has(a), false, "printed")
	b:top(1)
	eq(has(b), false, "read through top()")
	eq(has(agg.from_kernel("count", { { key = "x", count = 1 } })), false, "kernel ones: the probe's")
	raises(function() agg.count("x", { print = 1 }) end, "option 'print' must be a boolean")
end)

test("steady-state updates allocate nothing", function()
	local c, h, st = agg.count(), agg.hist(), agg.stats()
	local l = agg.lhist(0, 1000, 10)
	local keys = { "bash", "sshd", "cron", 42 }
	local function run(n)
		for i = 1, n do
			local k = keys[(i & 3) + 1]
			c:add(k)
			h[k]:add(i * 37)
			h:add(i)
			st:add(k, i)
			l:add(i % 1200)
		end
	end
	run(1 << 17) -- warm up: every key, slot and bucket exists afterwards
	collectgarbage("collect")
	collectgarbage("stop")
	local before = collectgarbage("count")
	run(1 << 17)
	local grown = collectgarbage("count") - before
	collectgarbage("restart")
	if grown > 1 then
		error(string.format("updates allocated %.1f KB", grown))
	end
end)


test("agg.rows: values as records for exporters", function()
	local c = agg.count()
	c:add("a")
	c:add("a")
	c:add(7)
	local rows = agg.rows(c)
	table.sort(rows, function(x, y) return x.key < y.key end)
	eq(#rows, 2)
	eq(rows[1].key, "7")
	eq(rows[1].count, 1)
	eq(rows[2].key, "a")
	eq(rows[2].count, 2)
	local h = agg.hist("lat", { unit = "ns" })
	h:add(0)
	h:add(3000)
	h:add(3001)
	rows = agg.rows(h)
	eq(#rows, 1)
	eq(rows[1].key, nil)
	eq(rows[1].count, 3)
	eq(rows[1].sum, 6001)
	eq(rows[1].min, 0)
	eq(rows[1].max, 3001)
	eq(rows[1].buckets[0], 1)
	eq(rows[1].buckets[12], 2)	-- [2048, 4096)
	raises(function() agg.rows({}) end, "agg.rows: argument must be an aggregate")
end)

T.done()
