-- Tests of lua/fmt.lua: number formats, histogram slot encodings and layouts (checked
-- against bpftrace 0.17's output), tables. Plain Lua 5.4; run with
--   LUA_PATH='lua/?.lua;;' lua5.4 tests/lua/test_fmt.lua   or   ltrace-ebpf --lua-test FILE

local fmt = require("fmt")

local T = require("testlib")
local test, eq, raises = T.test, T.eq, T.raises

local globals_set_by, lines = T.globals_set_by, T.lines

---------------------------------------------------------------------------------------

test("log2_hist: the reference layout with zeros, gaps and K labels", function()
	-- slot 0 = value 0, slot i = [2^(i-1), 2^i); the empty slots between the lowest and
	-- highest non-empty ones print with 0; bars are count * 52 // max (truncated).
	local buckets = { [0] = 3, [1] = 12, [2] = 68, [3] = 0, [4] = 30, [11] = 1 }
	eq(fmt.log2_hist(buckets), lines {
		"[0]                    3 |@@                                                  |",
		"[1]                   12 |@@@@@@@@@                                           |",
		"[2, 4)                68 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
		"[4, 8)                 0 |                                                    |",
		"[8, 16)               30 |@@@@@@@@@@@@@@@@@@@@@@                              |",
		"[16, 32)               0 |                                                    |",
		"[32, 64)               0 |                                                    |",
		"[64, 128)              0 |                                                    |",
		"[128, 256)             0 |                                                    |",
		"[256, 512)             0 |                                                    |",
		"[512, 1K)              0 |                                                    |",
		"[1K, 2K)               1 |                                                    |",
	}, "log2_hist")
end)

test("log2_hist: negative slot, as bpftrace 0.17 prints hist(-5),0,1,1,2,3,1500", function()
	local buckets = { [-1] = 1, [0] = 1, [1] = 2, [2] = 2, [11] = 1 }
	eq(fmt.log2_hist(buckets), lines {
		"(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |",
		"[0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |",
		"[1]                    2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
		"[2, 4)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
		"[4, 8)                 0 |                                                    |",
		"[8, 16)                0 |                                                    |",
		"[16, 32)               0 |                                                    |",
		"[32, 64)               0 |                                                    |",
		"[64, 128)              0 |                                                    |",
		"[128, 256)             0 |                                                    |",
		"[256, 512)             0 |                                                    |",
		"[512, 1K)              0 |                                                    |",
		"[1K, 2K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |",
	}, "log2_hist negative")
end)

test("log2_hist: big labels, single row, empty, width", function()
	eq(fmt.log2_hist({ [21] = 4, [22] = 2 }), lines {
		"[1M, 2M)               4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
		"[2M, 4M)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |",
	}, "M labels")
	eq(fmt.log2_hist({ [63] = 1 }),
		"[4E, 8E)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|", "E")
	eq(fmt.log2_hist({ [31] = 1, [41] = 1 }):match("^[^\n]*"):sub(1, 16), "[1G, 2G)        ", "G")
	eq(fmt.log2_hist({ [41] = 1 }):sub(1, 16), "[1T, 2T)        ", "T")
	eq(fmt.log2_hist({}), "", "empty")
	eq(fmt.log2_hist({ [3] = 0 }), "", "only zeros")
	eq(fmt.log2_hist({ [1] = 2, [2] = 1 }, { width = 4 }), lines {
		"[1]                    2 |@@@@|",
		"[2, 4)                 1 |@@  |",
	}, "width")
end)

test("log2_hist: duration labels with unit ns", function()
	eq(fmt.log2_hist({ [0] = 1, [1] = 1, [10] = 4, [11] = 2, [21] = 1 }, { unit = "ns" }), lines {
		"[0]                    1 |@@@@@@@@@@@@@                                       |",
		"[1ns]                  1 |@@@@@@@@@@@@@                                       |",
		"[2ns, 4ns)             0 |                                                    |",
		"[4ns, 8ns)             0 |                                                    |",
		"[8ns, 16ns)            0 |                                                    |",
		"[16ns, 32ns)           0 |                                                    |",
		"[32ns, 64ns)           0 |                                                    |",
		"[64ns, 128ns)          0 |                                                    |",
		"[128ns, 256ns)         0 |                                                    |",
		"[256ns, 512ns)         0 |                                                    |",
		"[512ns, 1.02us)        4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
		"[1.02us, 2.05us)       2 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |",
		"[2.05us, 4.1us)        0 |                                                    |",
		"[4.1us, 8.19us)        0 |                                                    |",
		"[8.19us, 16.4us)       0 |                                                    |",
		"[16.4us, 32.8us)       0 |                                                    |",
		"[32.8us, 65.5us)       0 |                                                    |",
		"[65.5us, 131us)        0 |                                                    |",
		"[131us, 262us)         0 |                                                    |",
		"[262us, 524us)         0 |                                                    |",
		"[524us, 1.05ms)        0 |                                                    |",
		"[1.05ms, 2.1ms)        1 |@@@@@@@@@@@@@                                       |",
	}, "ns labels")
	eq(fmt.log2_hist({ [31] = 1 }, { unit = "ns" }):sub(1, 16), "[1.07s, 2.15s)  ", "seconds")
end)

test("log2_hist: options are strict", function()
	raises(function() fmt.log2_hist({}, { unti = "ns" }) end, "unknown option 'unti'")
	raises(function() fmt.log2_hist({}, { unit = "ms" }) end, "option 'unit'")
	raises(function() fmt.log2_hist({ [1.5] = 1 }) end, "not an integer")
	raises(function() fmt.log2_hist({ [1] = 1 }, { width = 0 }) end, "width")
end)

test("log2_slot: exact at powers of two", function()
	local cases = {
		{ -1, -1 }, { math.mininteger, -1 }, { -0.5, -1 },
		{ 0, 0 }, { 0.5, 0 }, { 1, 1 }, { 1.99, 1 }, { 2, 2 }, { 3, 2 }, { 4, 3 }, { 7, 3 },
		{ 8, 4 }, { 1023, 10 }, { 1024, 11 }, { (1 << 32) - 1, 32 }, { 1 << 32, 33 },
		{ (1 << 62) - 1, 62 }, { 1 << 62, 63 }, { math.maxinteger, 63 },
		{ 2.0 ^ 62, 63 }, { 2.0 ^ 63, 64 }, { 2.0 ^ 64, 65 }, { 2.0 ^ 65, 66 },
		{ 2.0 ^ 100, 101 }, { 2.0 ^ 32 + 0.5, 33 }, { 3.99, 2 }, { 1e300, 997 },
	}
	for _, c in ipairs(cases) do
		eq(fmt.log2_slot(c[1]), c[2], "log2_slot(" .. tostring(c[1]) .. ")")
	end
	for p = 0, 62 do
		local v = 1 << p
		eq(fmt.log2_slot(v), p + 1, "2^" .. p)
		if v > 1 then
			eq(fmt.log2_slot(v - 1), p, "2^" .. p .. "-1")
		end
		local lo, hi = fmt.log2_bounds(p + 1)
		eq(lo, v, "lower bound of slot " .. (p + 1))
		if p < 62 then
			eq(hi, v * 2, "upper bound of slot " .. (p + 1))
		end
	end
	raises(function() fmt.log2_slot(0 / 0) end, "must be a finite number, got nan")
	raises(function() fmt.log2_slot("3") end, "attempt to compare")
end)

test("log2_label", function()
	eq(fmt.log2_label(-1), "(..., 0)")
	eq(fmt.log2_label(0), "[0]")
	eq(fmt.log2_label(1), "[1]")
	eq(fmt.log2_label(2), "[2, 4)")
	eq(fmt.log2_label(10), "[512, 1K)")
	eq(fmt.log2_label(64), "[8E, 16E)")
	eq(fmt.log2_label(11, "ns"), "[1.02us, 2.05us)")
end)

test("linear_hist: bpftrace 0.17's lhist(x, 0, 100, 10) for -1, 5, 55, 150", function()
	local b = { [0] = 1, [1] = 1, [6] = 1, [11] = 1 }
	eq(fmt.linear_hist(b, 0, 100, 10), lines {
		"(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
		"[0, 10)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
		"[10, 20)               0 |                                                    |",
		"[20, 30)               0 |                                                    |",
		"[30, 40)               0 |                                                    |",
		"[40, 50)               0 |                                                    |",
		"[50, 60)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
		"[60, 70)               0 |                                                    |",
		"[70, 80)               0 |                                                    |",
		"[80, 90)               0 |                                                    |",
		"[90, 100)              0 |                                                    |",
		"[100, ...)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
	}, "lhist")
end)

test("linear_hist: trimmed range, K labels, uneven last bucket, ns", function()
	eq(fmt.linear_hist({ [6] = 3, [7] = 1 }, 0, 100, 10), lines {
		"[50, 60)               3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
		"[60, 70)               1 |@@@@@@@@@@@@@@@@@                                   |",
	}, "trimmed")
	-- bpftrace: lhist(2048, 0, 4096, 1024) prints "[2K, 3K)"
	eq(fmt.linear_hist({ [3] = 1 }, 0, 4096, 1024),
		"[2K, 3K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|", "K")
	eq(fmt.linear_slots(0, 95, 10), 10, "slots rounded up")
	eq(fmt.linear_hist({ [10] = 1, [11] = 1 }, 0, 95, 10), lines {
		"[90, 95)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
		"[95, ...)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
	}, "capped last bucket")
	eq(fmt.linear_hist({ [0] = 1, [2] = 2 }, -20, 20, 10), lines {
		"(..., -20)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |",
		"[-20, -10)             0 |                                                    |",
		"[-10, 0)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
	}, "negative range")
	eq(fmt.linear_hist({ [1] = 1, [3] = 1 }, 0, 3000000, 1000000, { unit = "ns" }), lines {
		"[0, 1ms)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
		"[1ms, 2ms)             0 |                                                    |",
		"[2ms, 3ms)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
	}, "ns")
	raises(function() fmt.linear_hist({}, 10, 0, 1) end, "min < max")
	raises(function() fmt.linear_hist({ [13] = 1 }, 0, 100, 10) end, "slots must be in 0..11")
end)

test("linear_slot", function()
	local cases = { { -1, 0 }, { 0, 1 }, { 9, 1 }, { 9.99, 1 }, { 10, 2 }, { 99, 10 },
		{ 100, 11 }, { 1e9, 11 } }
	for _, c in ipairs(cases) do
		eq(fmt.linear_slot(c[1], 0, 100, 10), c[2], "linear_slot(" .. c[1] .. ")")
	end
end)

test("duration", function()
	local cases = {
		{ 0, "0" }, { 1, "1ns" }, { 812, "812ns" }, { 812.4, "812ns" }, { 999, "999ns" },
		{ 999.4, "999ns" }, { 999.6, "1.00us" }, { 1000, "1.00us" }, { 1023, "1.02us" },
		{ 1024, "1.02us" }, { 1500, "1.50us" }, { 9994, "9.99us" }, { 9996, "10.0us" },
		{ 45000, "45.0us" }, { 99949, "99.9us" }, { 99951, "100us" }, { 999499, "999us" },
		{ 999999, "1.00ms" }, { 3.2e6, "3.20ms" }, { 2.01e9, "2.01s" }, { 59e9, "59.0s" },
		{ 1 << 40, "1100s" }, { -1, "-1ns" }, { -1500, "-1.50us" },
		{ math.mininteger, "-9223372037s" }, { 1 / 0, "inf" }, { 0 / 0, "nan" },
	}
	for _, c in ipairs(cases) do
		eq(fmt.duration(c[1]), c[2], "duration(" .. tostring(c[1]) .. ")")
	end
	eq(fmt.duration(1500, { trim = true }), "1.5us", "trim")
	eq(fmt.duration(2e9, { trim = true }), "2s", "trim to integer")
	eq(fmt.duration(45000, { trim = true }), "45us", "trim 45.0")
	raises(function() fmt.duration("1") end, "expected a number")
	raises(function() fmt.duration(1, { short = true }) end, "unknown option 'short'")
end)

test("bytes", function()
	local cases = {
		{ 0, "0" }, { 1, "1" }, { 512, "512" }, { 999, "999" }, { 1000, "1000" },
		{ 1023, "1023" }, { 1024, "1K" }, { 1536, "1536" }, { 2048, "2K" },
		{ 3 << 20, "3M" }, { (1 << 20) + 1024, "1025K" }, { 1 << 30, "1G" }, { 1 << 40, "1T" },
		{ 1 << 50, "1P" }, { 1 << 62, "4E" }, { math.maxinteger, "9223372036854775807" },
		{ -1, "-1" }, { -1024, "-1K" }, { -1000, "-1000" }, { math.mininteger, "-8E" },
		{ 1024.0, "1K" }, { 1.5, "1.5" },
	}
	for _, c in ipairs(cases) do
		eq(fmt.bytes(c[1]), c[2], "bytes(" .. tostring(c[1]) .. ")")
	end
	raises(function() fmt.bytes(nil) end, "expected a number")
end)

test("count", function()
	local cases = {
		{ 0, "0" }, { 1234, "1234" }, { 1234.0, "1234" }, { -7, "-7" }, { 7.5, "7.5" },
		{ 2 / 3, "0.67" }, { -0.001, "0" }, { 0.125, "0.12" }, { 2.0 ^ 63, "9223372036854775808" },
		{ 1 << 40, "1099511627776" }, { 1 / 0, "inf" }, { -1 / 0, "-inf" }, { 0 / 0, "nan" },
		{ "x", "x" },
	}
	for _, c in ipairs(cases) do
		eq(fmt.count(c[1]), c[2], "count(" .. tostring(c[1]) .. ")")
	end
end)

test("table: alignment, titles, formats, blanks, no trailing spaces", function()
	local rows = {
		{ comm = "bash", count = 1234, lat = 1500 },
		{ comm = "systemd-journal", count = 7, lat = 2.01e9 },
		{ comm = "x", lat = 812 },
	}
	local cols = {
		{ key = "comm", title = "COMM" },
		{ key = "count", title = "COUNT", align = "right" },
		{ key = "lat", align = "right", format = "duration" },
	}
	eq(fmt.table(rows, cols), lines {
		"COMM             COUNT     LAT",
		"bash              1234  1.50us",
		"systemd-journal      7   2.01s",
		"x                        812ns",
	}, "table")
	eq(fmt.table(rows, { { key = "comm" }, { key = "count" } }, { header = false, sep = " | " }),
		lines {
			"bash            | 1234",
			"systemd-journal | 7",
			"x               |",
		}, "left last column, blank cell, sep")
	eq(fmt.table({}, cols, { indent = "  " }), "  COMM  COUNT  LAT", "no rows")
	eq(fmt.table({ { n = 5 } }, { { key = "n", format = function(v) return v * 2 end } }),
		"N\n10", "format function")
	raises(function() fmt.table(rows, cols, { head = false }) end, "unknown option 'head'")
	raises(function() fmt.table(rows, { { key = "a", algin = "right" } }) end,
		"unknown field 'algin'")
	raises(function() fmt.table(rows, { { key = "a", align = "center" } }) end, "align")
	raises(function() fmt.table(rows, {}) end, "non-empty")
end)

test("module sets no globals", function()
	eq(globals_set_by("fmt"), "", "globals set by fmt")
end)

test("json_string escapes quotes, backslashes and control characters", function()
	eq(fmt.json_string('a"b\\c'), '"a\\"b\\\\c"')
	eq(fmt.json_string("x\ny\tz\1"), '"x\\ny\\tz\\u0001"')
	eq(fmt.json_string(42), '"42"')
end)

T.done()
