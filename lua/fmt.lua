-- fmt: text formatting shared by aggregates, tools and exporters.
--
-- Owns the human-readable number formats (durations, byte sizes, counts), the
-- bucket encodings of log2 and linear histograms (the same slot numbers the BPF
-- templates use, so an in-kernel map and a Lua histogram print identically), the
-- bpftrace-compatible histogram layouts, and aligned text tables.
-- Pure Lua 5.4, no globals; reference: docs/lua-aggregates.md.

local fmt = {}

local format, rep, concat = string.format, string.rep, table.concat
local math_type, tointeger, mininteger = math.type, math.tointeger, math.mininteger
local huge = math.huge

local EMPTY = setmetatable({}, { __newindex = function() error("read-only table", 2) end })

-- Option tables are strict, as everywhere in ltrace-ebpf: a typo is an error.
local function check_opts(fname, opts, allowed)
	if opts == nil then
		return EMPTY
	end
	if type(opts) ~= "table" then
		error(format("%s: options must be a table, got %s", fname, type(opts)), 3)
	end
	for k in pairs(opts) do
		if not allowed[k] then
			error(format("%s: unknown option '%s'", fname, tostring(k)), 3)
		end
	end
	return opts
end

local UNITS = { bytes = true, ns = true }

local function check_unit(fname, unit)
	if unit ~= nil and not UNITS[unit] then
		error(format("%s: option 'unit' must be \"bytes\" or \"ns\", got %s", fname,
			tostring(unit)), 3)
	end
end

---------------------------------------------------------------------------------------
-- Numbers

-- Drop the trailing zeros of a "%.Nf" rendering ("1.50" -> "1.5", "2.00" -> "2").
local function trim_zeros(s)
	if s:find(".", 1, true) then
		s = s:gsub("0+$", ""):gsub("%.$", "")
	end
	return s
end

-- fmt.count(n): integers (and integral floats) without ".0", other floats with at most
-- two decimals, non-numbers through tostring.
function fmt.count(n)
	local t = math_type(n)
	if t == "integer" then
		return format("%d", n)
	elseif t == "float" then
		if n ~= n then
			return "nan"
		elseif n == huge then
			return "inf"
		elseif n == -huge then
			return "-inf"
		end
		local i = tointeger(n)
		if i then
			return format("%d", i)
		end
		if n == n // 1 then -- integral but beyond the integer range
			return format("%.0f", n)
		end
		local s = trim_zeros(format("%.2f", n))
		if s == "-0" then
			s = "0"
		end
		return s
	end
	return tostring(n)
end

-- Duration units above nanoseconds; seconds is the largest unit.
local DUR = { { 1e3, "us" }, { 1e6, "ms" }, { 1e9, "s" } }

local function duration(ns, trim)
	if type(ns) ~= "number" then
		error(format("fmt.duration: expected a number, got %s", type(ns)), 3)
	end
	if ns ~= ns then
		return "nan"
	end
	if ns == 0 then
		return "0"
	end
	local sign = ""
	if ns < 0 then
		sign = "-"
		if ns == mininteger then
			ns = -(ns + 0.0)
		else
			ns = -ns
		end
	end
	if ns == huge then
		return sign .. "inf"
	end
	if ns < 999.5 then
		if math_type(ns) == "integer" then
			return format("%s%dns", sign, ns)
		end
		return format("%s%.0fns", sign, ns)
	end
	for i = 1, #DUR do
		local u = DUR[i]
		local v = ns / u[1]
		if v < 999.5 or i == #DUR then
			local s
			if v < 9.995 then
				s = format("%.2f", v)
			elseif v < 99.95 then
				s = format("%.1f", v)
			else
				s = format("%.0f", v)
			end
			if trim then
				s = trim_zeros(s)
			end
			return sign .. s .. u[2]
		end
	end
end

-- fmt.duration(ns [, {trim=true}]): below 1us integer nanoseconds ("812ns"); above,
-- three significant digits in the largest unit that keeps the number under 1000
-- ("1.50us", "3.20ms", "45.0ms", "2.01s", "1100s"); 0 is "0". trim drops trailing
-- zeros ("1.5us"), as histogram labels do.
local DURATION_OPTS = { trim = true }
function fmt.duration(ns, opts)
	opts = check_opts("fmt.duration", opts, DURATION_OPTS)
	return duration(ns, opts.trim)
end

local SUFFIX = { "K", "M", "G", "T", "P", "E" }

-- fmt.bytes(n): exact multiples of 1024^k print with a K/M/G/T/P/E suffix, anything
-- else as a plain number (bpftrace's rule for histogram labels): 1024 -> "1K",
-- 1536 -> "1536", 3 * 2^20 -> "3M".
function fmt.bytes(n)
	if type(n) ~= "number" then
		error(format("fmt.bytes: expected a number, got %s", type(n)), 2)
	end
	local i = tointeger(n)
	if not i then
		return fmt.count(n)
	end
	if i == 0 then
		return "0"
	end
	if i == mininteger then
		return "-8E"
	end
	local sign = ""
	if i < 0 then
		sign, i = "-", -i
	end
	for k = #SUFFIX, 1, -1 do
		local unit = 1 << (10 * k)
		if i % unit == 0 then
			return format("%s%d%s", sign, i // unit, SUFFIX[k])
		end
	end
	return format("%s%d", sign, i)
end

-- Label of the power of two 2^p (p >= 0, may exceed 63): "1", "512", "1K", "16E".
local function pow2_label(p, unit)
	if unit == "ns" then
		return duration(2.0 ^ p, true)
	end
	local k = p // 10
	if k == 0 then
		return format("%d", 1 << p)
	end
	return format("%d%s", 1 << (p - 10 * k), SUFFIX[k] or ("*2^" .. (10 * k)))
end

local function value_label(v, unit)
	if unit == "ns" then
		return duration(v, true)
	end
	return fmt.bytes(v)
end

---------------------------------------------------------------------------------------
-- Histogram slot encodings (shared with the BPF templates)

local P63 = 2.0 ^ 63
local P64 = 2.0 ^ 64

-- fmt.log2_slot(v): slot 0 holds 0, slot i >= 1 holds [2^(i-1), 2^i), negative values
-- go to slot -1; floats count as their floor (1.5 -> slot 1), floats >= 2^64 get slots
-- 65 and up. Exact for integers and floats alike: a binary search of comparisons with
-- powers of two and floor divisions by them (exact in both representations); no
-- math.type, no allocation. This is the hottest function of the library.
local function log2_slot(v)
	if v < 1 then
		return v < 0 and -1 or 0 -- a non-number raises "attempt to compare"
	end
	if v ~= v or v == huge then
		error("log2_slot: value must be a finite number, got " .. fmt.count(v), 3)
	end
	local s = 1
	if v >= P64 then
		repeat
			v = v / 2
			s = s + 1
		until v < P64
	end
	if v >= 0x100000000 then v = v // 0x100000000; s = s + 32 end
	if v >= 0x10000 then v = v // 0x10000; s = s + 16 end
	if v >= 0x100 then v = v // 0x100; s = s + 8 end
	if v >= 16 then v = v // 16; s = s + 4 end
	if v >= 4 then v = v // 4; s = s + 2 end
	if v >= 2 then s = s + 1 end
	return s
end
fmt.log2_slot = log2_slot

-- fmt.log2_bounds(slot) -> lo, hi: the values slot holds, [lo, hi). Slot -1 is
-- (-inf, 0); slot 0 is [0, 1); slot 1 is [1, 2).
function fmt.log2_bounds(slot)
	if slot < 0 then
		return -huge, 0
	elseif slot == 0 then
		return 0, 1
	elseif slot <= 63 then
		return 1 << (slot - 1), slot == 63 and P63 or 1 << slot
	end
	return 2.0 ^ (slot - 1), 2.0 ^ slot
end

-- fmt.linear_slots(min, max, step) -> n: the number of in-range buckets. Slot 0 holds
-- v < min, slot i (1..n) holds [min + (i-1)*step, min + i*step) (the last one capped at
-- max), slot n+1 holds v >= max (bpftrace's lhist encoding).
local function linear_slots(min, max, step, fname)
	if type(min) ~= "number" or type(max) ~= "number" or type(step) ~= "number" then
		error((fname or "linear histogram") .. ": min, max and step must be numbers", 3)
	end
	if not (max > min) or not (step > 0) then
		error(format("%s: need min < max and step > 0 (got %s, %s, %s)",
			fname or "linear histogram", fmt.count(min), fmt.count(max), fmt.count(step)), 3)
	end
	local n = (max - min) // step
	if min + n * step < max then
		n = n + 1
	end
	return tointeger(n) or n
end
fmt.linear_slots = function(min, max, step)
	return linear_slots(min, max, step, "fmt.linear_slots")
end

-- fmt.linear_slot(v, min, max, step): the slot of v (see fmt.linear_slots).
function fmt.linear_slot(v, min, max, step)
	if v < min then
		return 0
	elseif v >= max then
		return linear_slots(min, max, step, "fmt.linear_slot") + 1
	end
	local s = (v - min) // step + 1
	return tointeger(s) or s
end

---------------------------------------------------------------------------------------
-- Histograms (bpftrace layout)
--
--   label left-aligned in 16 columns, count right-aligned in 8, " |", a bar of '@'
--   whose length is count * width // max (truncated, width 52), padded to width, "|".
-- Rows go from the lowest to the highest non-empty slot; empty slots in between print
-- with 0. Lines are joined with "\n", no trailing newline; no rows gives "".

local BAR = rep("@", 52)

local function hist_rows(out, lo, hi, buckets, label, width)
	local maxc = 0
	for s = lo, hi do
		local c = buckets[s]
		if c and c > maxc then
			maxc = c
		end
	end
	local bar = width == 52 and BAR or rep("@", width)
	for s = lo, hi do
		local c = buckets[s] or 0
		local w = 0
		if maxc > 0 then
			w = tointeger(c * width // maxc) or 0
			if w < 0 then w = 0 elseif w > width then w = width end
		end
		out[#out + 1] = format("%-16s%8s |%s%s|", label(s), fmt.count(c), bar:sub(1, w),
			rep(" ", width - w))
	end
	return concat(out, "\n")
end

local function nonempty_range(buckets, fname)
	if type(buckets) ~= "table" then
		error(fname .. ": buckets must be a table", 3)
	end
	local lo, hi
	for s, c in pairs(buckets) do
		if math_type(s) ~= "integer" then
			error(format("%s: bucket slot %s is not an integer", fname, tostring(s)), 3)
		end
		if type(c) ~= "number" then
			error(format("%s: bucket %d: count must be a number", fname, s), 3)
		end
		if c ~= 0 then
			if not lo or s < lo then lo = s end
			if not hi or s > hi then hi = s end
		end
	end
	return lo, hi
end

local HIST_OPTS = { unit = true, width = true }

local function check_width(fname, width)
	if width == nil then
		return 52
	end
	if math_type(width) ~= "integer" or width < 1 then
		error(fname .. ": option 'width' must be a positive integer", 3)
	end
	return width
end

-- fmt.log2_label(slot [, unit]): "(..., 0)", "[0]", "[1]", "[2, 4)", "[1K, 2K)";
-- with unit "ns": "[1ns]", "[512ns, 1.02us)".
function fmt.log2_label(slot, unit)
	if slot < 0 then
		return "(..., 0)"
	elseif slot == 0 then
		return "[0]"
	elseif slot == 1 then
		return unit == "ns" and "[1ns]" or "[1]"
	end
	return format("[%s, %s)", pow2_label(slot - 1, unit), pow2_label(slot, unit))
end

-- fmt.log2_hist(buckets [, {unit=, width=}]): bpftrace's hist() text.
function fmt.log2_hist(buckets, opts)
	opts = check_opts("fmt.log2_hist", opts, HIST_OPTS)
	local unit = opts.unit
	check_unit("fmt.log2_hist", unit)
	local width = check_width("fmt.log2_hist", opts.width)
	local lo, hi = nonempty_range(buckets, "fmt.log2_hist")
	if not lo then
		return ""
	end
	if lo < -1 or hi > 1025 then
		error("fmt.log2_hist: slots must be in -1..1025", 2)
	end
	return hist_rows({}, lo, hi, buckets, function(s)
		return fmt.log2_label(s, unit)
	end, width)
end

-- fmt.linear_hist(buckets, min, max, step [, {unit=, width=}]): bpftrace's lhist() text:
-- "(..., 0)", "[0, 10)", ..., "[90, 100)", "[100, ...)".
function fmt.linear_hist(buckets, min, max, step, opts)
	opts = check_opts("fmt.linear_hist", opts, HIST_OPTS)
	local unit = opts.unit
	check_unit("fmt.linear_hist", unit)
	local width = check_width("fmt.linear_hist", opts.width)
	local n = linear_slots(min, max, step, "fmt.linear_hist")
	local lo, hi = nonempty_range(buckets, "fmt.linear_hist")
	if not lo then
		return ""
	end
	if lo < 0 or hi > n + 1 then
		error(format("fmt.linear_hist: slots must be in 0..%d", n + 1), 2)
	end
	return hist_rows({}, lo, hi, buckets, function(s)
		if s == 0 then
			return format("(..., %s)", value_label(min, unit))
		elseif s == n + 1 then
			return format("[%s, ...)", value_label(max, unit))
		end
		local a = min + (s - 1) * step
		local b = a + step
		if b > max then
			b = max
		end
		return format("[%s, %s)", value_label(a, unit), value_label(b, unit))
	end, width)
end

---------------------------------------------------------------------------------------
-- Tables

local FORMATTERS = {
	count = fmt.count,
	bytes = fmt.bytes,
	duration = function(v)
		return duration(v, false)
	end,
}

local function cell(v, f)
	if v == nil then
		return ""
	end
	if f then
		return tostring(f(v))
	end
	if type(v) == "number" then
		return fmt.count(v)
	end
	return tostring(v)
end

local TABLE_OPTS = { header = true, sep = true, indent = true }
local COLUMN_KEYS = { key = true, title = true, align = true, format = true }

-- fmt.table(rows, columns [, {header=true, sep="  ", indent=""}]): aligned text.
-- columns: array of {key=, title=(default KEY upper-cased), align="left"|"right",
-- format=function(v) | "count" | "bytes" | "duration"}. Numbers go through fmt.count
-- unless a format is given; nil cells are blank. No trailing spaces, no trailing newline.
function fmt.table(rows, columns, opts)
	opts = check_opts("fmt.table", opts, TABLE_OPTS)
	if type(rows) ~= "table" then
		error("fmt.table: rows must be a table", 2)
	end
	if type(columns) ~= "table" or #columns == 0 then
		error("fmt.table: columns must be a non-empty array", 2)
	end
	local sep = opts.sep or "  "
	local indent = opts.indent or ""
	local header = opts.header ~= false
	local cols = {}
	for i, c in ipairs(columns) do
		if type(c) ~= "table" then
			error(format("fmt.table: column %d must be a table", i), 2)
		end
		for k in pairs(c) do
			if not COLUMN_KEYS[k] then
				error(format("fmt.table: column %d: unknown field '%s'", i, tostring(k)), 2)
			end
		end
		if c.key == nil then
			error(format("fmt.table: column %d: field 'key' is required", i), 2)
		end
		if c.align ~= nil and c.align ~= "left" and c.align ~= "right" then
			error(format("fmt.table: column %d: field 'align' must be \"left\" or \"right\"", i), 2)
		end
		local f = c.format
		if type(f) == "string" then
			f = FORMATTERS[f] or error(format("fmt.table: column %d: unknown format '%s'", i, f), 2)
		elseif f ~= nil and type(f) ~= "function" then
			error(format("fmt.table: column %d: field 'format' must be a function or name", i), 2)
		end
		cols[i] = {
			key = c.key,
			title = c.title or tostring(c.key):upper(),
			right = c.align == "right",
			format = f,
		}
		cols[i].width = header and #cols[i].title or 0
	end
	local cells = {}
	for r, row in ipairs(rows) do
		local line = {}
		for i, c in ipairs(cols) do
			local s = cell(row[c.key], c.format)
			line[i] = s
			if #s > c.width then
				c.width = #s
			end
		end
		cells[r] = line
	end
	local out = {}
	local function emit(line)
		local parts = {}
		for i, c in ipairs(cols) do
			local s = line[i]
			if c.right then
				parts[i] = rep(" ", c.width - #s) .. s
			elseif i < #cols then
				parts[i] = s .. rep(" ", c.width - #s)
			else
				parts[i] = s
			end
		end
		out[#out + 1] = (indent .. concat(parts, sep)):gsub("%s+$", "")
	end
	if header then
		local titles = {}
		for i, c in ipairs(cols) do
			titles[i] = c.title
		end
		emit(titles)
	end
	for _, line in ipairs(cells) do
		emit(line)
	end
	return concat(out, "\n")
end

--- fmt.json_string(s): s as a JSON string literal (quotes, backslashes and control
--- characters escaped), for the tools' -j output.
local json_escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t" }
function fmt.json_string(s)
	return '"' .. tostring(s):gsub('[%c"\\]', function(c)
		return json_escapes[c] or ("\\u%04x"):format(c:byte())
	end) .. '"'
end

return fmt
