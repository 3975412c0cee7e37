-- agg: the aggregations scripts build (count, sum, min, max, avg, stats, log2 and
-- linear histograms, top-N), keyed or unkeyed, and the seam with in-kernel aggregates:
-- agg.from_kernel() loads what the host reads from a BPF map into the very same
-- structures, so both print through one rendering path (fmt's bpftrace layouts).
--
-- Hot paths (:add, h[key]:add) allocate nothing once a key exists: methods are copied
-- into each aggregate's methods table (its __index: found with no function call),
-- per-key values live in a private data table, histogram slots come from exact integer
-- code (fmt.log2_slot).
-- Pure Lua 5.4, no globals; reference: docs/lua-aggregates.md.

local fmt = require("fmt")

local agg = {}

local format, concat, sort = string.format, table.concat, table.sort
local math_type, tointeger = math.type, math.tointeger
local log2_slot, log2_bounds = fmt.log2_slot, fmt.log2_bounds

-- Private keys: no script can spell them, so they never collide with a user key.
local DATA = setmetatable({}, { __name = "agg.DATA" })
local META = setmetatable({}, { __name = "agg.META" })
local OBJ = setmetatable({}, { __name = "agg.OBJ" })	-- an object's methods table -> the object
-- The key of unkeyed updates (c:add(), h:add(v), s:add(v)).
local NOKEY = setmetatable({}, { __name = "agg.NOKEY", __tostring = function() return "" end })

local EMPTY = setmetatable({}, { __newindex = function() error("read-only table", 2) end })

local function check_opts(fname, opts, allowed, level)
	if opts == nil then
		return EMPTY
	end
	if type(opts) ~= "table" then
		error(format("%s: options must be a table, got %s", fname, type(opts)), level or 3)
	end
	for k in pairs(opts) do
		if not allowed[k] then
			error(format("%s: unknown option '%s'", fname, tostring(k)), level or 3)
		end
	end
	return opts
end

---------------------------------------------------------------------------------------
-- Keys

-- Total order on keys for stable output: no key first, then numbers, strings,
-- booleans, anything else (by tostring).
local TYPE_RANK = { number = 1, string = 2, boolean = 3 }

local function key_lt(a, b)
	if a == NOKEY then
		return b ~= NOKEY
	elseif b == NOKEY then
		return false
	end
	local ta, tb = type(a), type(b)
	if ta == tb then
		if ta == "number" or ta == "string" then
			return a < b
		elseif ta == "boolean" then
			return not a and b
		end
		return tostring(a) < tostring(b)
	end
	local ra, rb = TYPE_RANK[ta] or 4, TYPE_RANK[tb] or 4
	if ra ~= rb then
		return ra < rb
	end
	return ta < tb
end

local function key_str(k)
	local t = type(k)
	if t == "string" then
		return k
	elseif t == "number" then
		return fmt.count(k)
	elseif k == NOKEY then
		return ""
	end
	return tostring(k)
end

local function part(x)
	if type(x) == "string" then
		return x
	elseif math_type(x) == "integer" then
		return format("%d", x)
	elseif type(x) == "number" then
		return fmt.count(x)
	end
	return tostring(x)
end

-- agg.key(a, b, ...) -> "a, b, ...": a stable string for a multi-part key (bpftrace
-- prints @m[a, b] the same way).
function agg.key(...)
	local n = select("#", ...)
	if n == 1 then
		return part((...))
	elseif n == 2 then
		local a, b = ...
		return part(a) .. ", " .. part(b)
	elseif n == 3 then
		local a, b, c = ...
		return part(a) .. ", " .. part(b) .. ", " .. part(c)
	elseif n == 0 then
		error("agg.key: needs at least one part", 2)
	end
	local t = { ... }
	for i = 1, n do
		t[i] = part(t[i])
	end
	return concat(t, ", ")
end

---------------------------------------------------------------------------------------
-- Value rendering

-- Average as bpftrace prints it: integer division truncated toward zero when sum and
-- count are integers, else the float quotient.
local function avg_value(sum, count)
	if count == 0 then
		return 0
	end
	if math_type(sum) == "integer" and math_type(count) == "integer" then
		local q = sum // count
		if q < 0 and q * count ~= sum then
			q = q + 1
		end
		return q
	end
	return sum / count
end

local function unit_fmt(unit)
	if unit == "ns" then
		return fmt.duration
	elseif unit == "bytes" then
		return fmt.bytes
	end
	return fmt.count
end

-- Percentiles are estimates: shown rounded to an integer unless they are durations.
local function pct_fmt(unit)
	if unit == "ns" then
		return fmt.duration
	end
	local f = unit_fmt(unit)
	return function(v)
		return f(math.floor(v + 0.5))
	end
end

local function need_number(rec, field, where)
	local v = rec[field]
	if type(v) ~= "number" or v ~= v then
		error(format("%s: field '%s' must be a number, got %s", where, field,
			v ~= v and "nan" or type(v)), 0)
	end
	return v
end

local function check_value(fname, v)
	if type(v) ~= "number" then
		error(format("%s: value must be a number, got %s", fname, type(v)), 3)
	end
end

---------------------------------------------------------------------------------------
-- Histogram leaves: one log2 or linear histogram (h:add(v) or h[key]).

local Leaf = {}
local LogLeaf = setmetatable({}, { __index = Leaf })
local LinLeaf = setmetatable({}, { __index = Leaf })
local LOG_MT = { __index = LogLeaf, __name = "agg.histogram" }
local LIN_MT = { __index = LinLeaf, __name = "agg.histogram" }

-- st: the owning aggregate's META (unit, and lmin/lmax/lstep/ln for linear ones).
local function new_leaf(st)
	return setmetatable({ _b = {}, _n = 0, _s = 0, _lo = false, _hi = false, _st = st },
		st.linear and LIN_MT or LOG_MT)
end

-- One value v into bucket s, with the count, sum and bounds both kinds of leaf keep.
local function leaf_record(self, s, v)
	local b = self._b
	b[s] = (b[s] or 0) + 1
	self._n = self._n + 1
	self._s = self._s + v
	local lo, hi = self._lo, self._hi
	if lo == false or v < lo then self._lo = v end
	if hi == false or v > hi then self._hi = v end
end

function LogLeaf.add(self, v)
	leaf_record(self, log2_slot(v), v) -- log2_slot validates v
end

function LinLeaf.add(self, v)
	if type(v) ~= "number" or v ~= v then
		error("lhist:add: value must be a number, got " .. (v ~= v and "nan" or type(v)), 2)
	end
	local st = self._st
	local s
	if v < st.lmin then
		s = 0
	elseif v >= st.lmax then
		s = st.ln + 1
	else
		s = (v - st.lmin) // st.lstep + 1 -- a float slot is the same table key
	end
	leaf_record(self, s, v)
end

function Leaf.count(self) return self._n end
function Leaf.sum(self)
	if not self._nosum then
		return self._s
	end
end
function Leaf.min(self) return self._lo or nil end
function Leaf.max(self) return self._hi or nil end

function Leaf.avg(self)
	if self._n == 0 or self._nosum then
		return nil
	end
	return self._s / self._n
end

function Leaf.buckets(self)
	local t = {}
	for s, c in pairs(self._b) do
		t[s] = c
	end
	return t
end

function Leaf.clear(self)
	self._b, self._n, self._s, self._lo, self._hi = {}, 0, 0, false, false
	self._nosum = nil
	return self
end

-- Range [a, z] a percentile may fall into for slot s (open upper bounds interpolate).
function LogLeaf._bounds(self, s)
	if s < 0 then
		return self._lo or 0, 0
	elseif s <= 1 then
		return s, s -- [0] and [1] hold one integer each
	end
	return log2_bounds(s)
end

function LinLeaf._bounds(self, s)
	local st = self._st
	if s == 0 then
		return self._lo or st.lmin, st.lmin
	elseif s == st.ln + 1 then
		return st.lmax, self._hi or st.lmax
	end
	local a = st.lmin + (s - 1) * st.lstep
	local z = a + st.lstep
	if z > st.lmax then
		z = st.lmax
	end
	return a, z
end

-- h:percentile(p), p in [0, 100]: estimated from the buckets like Prometheus's
-- histogram_quantile(): rank = p/100 * count, find the bucket where the cumulative
-- count reaches rank, interpolate linearly inside it, clamp to the observed min/max
-- when known. p = 0 and p = 100 return the observed min and max. nil when empty.
function Leaf.percentile(self, p)
	if type(p) ~= "number" or not (p >= 0 and p <= 100) then
		error("hist:percentile: p must be a number in [0, 100]", 2)
	end
	local n = self._n
	if n == 0 then
		return nil
	end
	local b = self._b
	local first, last
	for s, c in pairs(b) do
		if c > 0 then
			if not first or s < first then first = s end
			if not last or s > last then last = s end
		end
	end
	if not first then
		return nil
	end
	local lo, hi = self._lo, self._hi
	if p == 0 then
		if lo then return lo end
		return (self:_bounds(first))
	elseif p == 100 then
		if hi then return hi end
		local _, z = self:_bounds(last)
		return z
	end
	local rank = p / 100 * n
	local cum = 0
	local v
	for s = first, last do
		local c = b[s] or 0
		if c > 0 then
			if cum + c >= rank or s == last then
				local a, z = self:_bounds(s)
				local f = (rank - cum) / c
				if f > 1 then f = 1 end
				v = a + (z - a) * f
				break
			end
			cum = cum + c
		end
	end
	if lo and v < lo then v = lo end
	if hi and v > hi then v = hi end
	return v
end

function LogLeaf.__tostring_impl(self)
	return fmt.log2_hist(self._b, self._st.fmt_opts)
end

function LinLeaf.__tostring_impl(self)
	local st = self._st
	return fmt.linear_hist(self._b, st.lmin, st.lmax, st.lstep, st.fmt_opts)
end

LOG_MT.__tostring = LogLeaf.__tostring_impl
LIN_MT.__tostring = LinLeaf.__tostring_impl

local function leaf_export(l)
	return { count = l._n, sum = l:sum(), min = l._lo or nil, max = l._hi or nil,
		buckets = l:buckets() }
end

-- Add a {count=, sum=, min=, max=, buckets=} record (from the kernel or another leaf).
local function leaf_absorb(l, rec, where)
	local b = rec.buckets
	if type(b) ~= "table" then
		error(format("%s: field 'buckets' must be a table", where), 0)
	end
	local st = l._st
	local slo, shi = -1, 1025 -- 1025: the slot of the largest double
	if st.linear then
		slo, shi = 0, st.ln + 1
	end
	local lb, n = l._b, 0
	for s, c in pairs(b) do
		if math_type(s) ~= "integer" or s < slo or s > shi then
			error(format("%s: bucket slot %s out of range %d..%d", where, tostring(s), slo, shi), 0)
		end
		if type(c) ~= "number" or c < 0 then
			error(format("%s: bucket %d: count must be a non-negative number", where, s), 0)
		end
		if c > 0 then
			lb[s] = (lb[s] or 0) + c
			n = n + c
		end
	end
	if rec.count ~= nil then
		n = need_number(rec, "count", where)
	end
	l._n = l._n + n
	if rec.sum ~= nil then
		l._s = l._s + need_number(rec, "sum", where)
	elseif n > 0 then
		l._nosum = true -- a buckets-only map: sum and avg are unknown
	end
	if rec.min ~= nil then
		local m = need_number(rec, "min", where)
		if l._lo == false or m < l._lo then l._lo = m end
	end
	if rec.max ~= nil then
		local m = need_number(rec, "max", where)
		if l._hi == false or m > l._hi then l._hi = m end
	end
end

local function same_shape(a, b)
	if a.linear ~= b.linear then
		return false
	end
	return not a.linear or (a.lmin == b.lmin and a.lmax == b.lmax and a.lstep == b.lstep)
end

function Leaf.merge(self, other)
	if getmetatable(other) ~= getmetatable(self) or not same_shape(self._st, other._st) then
		error("hist:merge: other must be a histogram of the same shape", 2)
	end
	leaf_absorb(self, leaf_export(other), "hist:merge")
	return self
end

---------------------------------------------------------------------------------------
-- Kinds. Each describes how one aggregate stores a key's value, updates it, absorbs a
-- {count=, sum=, min=, max=, buckets=} record (kernel entries and :merge), sorts,
-- renders and tabulates it.

local KINDS = {}

-- Scalar kinds: data[key] = number.
local function scalar_kind(name, cfg)
	return {
		name = name,
		default = cfg.default,
		methods = { add = cfg.add },
		get = function(_, v) return v end,
		settable = true,
		absorb = cfg.absorb,
		export = cfg.export,
		sortval = function(v) return v end,
		render = function(st, v) return st.vfmt(v) end,
		item = function(k, v) return { key = k, value = v } end,
		each_value = function(it) return it.value end,
		total = cfg.total,
		columns = function(st)
			return { { key = "value", title = cfg.title, align = "right", format = st.vfmt } }
		end,
	}
end

KINDS.count = scalar_kind("count", {
	default = 0,
	title = "COUNT",
	-- c:add([key [, n]]): key nil counts unkeyed; n defaults to 1.
	add = function(self, key, n)
		if key == nil then key = NOKEY end
		local d = self[DATA]
		d[key] = (d[key] or 0) + (n or 1)
	end,
	absorb = function(d, k, rec, where)
		d[k] = (d[k] or 0) + need_number(rec, "count", where)
	end,
	export = function(v) return { count = v } end,
	total = function(d)
		local t = 0
		for _, v in pairs(d) do t = t + v end
		return t
	end,
})

-- s:add(v) unkeyed, s:add(key, v) keyed: the same calling convention for sum/min/max/
-- avg/stats.
KINDS.sum = scalar_kind("sum", {
	default = 0,
	title = "SUM",
	add = function(self, a, b)
		local k, v = a, b
		if b == nil then k, v = NOKEY, a elseif a == nil then k = NOKEY end
		check_value("sum:add", v)
		local d = self[DATA]
		d[k] = (d[k] or 0) + v
	end,
	absorb = function(d, k, rec, where)
		d[k] = (d[k] or 0) + need_number(rec, "sum", where)
	end,
	export = function(v) return { sum = v } end,
	total = KINDS.count.total,
})

local function extreme_kind(name, less)
	return scalar_kind(name, {
		title = name:upper(),
		add = function(self, a, b)
			local k, v = a, b
			if b == nil then k, v = NOKEY, a elseif a == nil then k = NOKEY end
			check_value(name .. ":add", v)
			local d = self[DATA]
			local old = d[k]
			if old == nil or less(v, old) then d[k] = v end
		end,
		absorb = function(d, k, rec, where)
			local v = need_number(rec, name, where)
			local old = d[k]
			if old == nil or less(v, old) then d[k] = v end
		end,
		export = function(v) return { [name] = v } end,
		total = function(d)
			local t
			for _, v in pairs(d) do
				if t == nil or less(v, t) then t = v end
			end
			return t
		end,
	})
end
KINDS.min = extreme_kind("min", function(a, b) return a < b end)
KINDS.max = extreme_kind("max", function(a, b) return a > b end)

-- avg and stats: data[key] = {count=, sum=, min=, max=} (one table per key, reused).
local function rec_add(self, a, b, fname)
	local k, v = a, b
	if b == nil then k, v = NOKEY, a elseif a == nil then k = NOKEY end
	check_value(fname, v)
	local d = self[DATA]
	local r = d[k]
	if r == nil then
		d[k] = { count = 1, sum = v, min = v, max = v }
		return
	end
	r.count = r.count + 1
	r.sum = r.sum + v
	if v < r.min then r.min = v end
	if v > r.max then r.max = v end
end

local function rec_absorb(d, k, rec, where, with_extremes)
	local c, s = need_number(rec, "count", where), need_number(rec, "sum", where)
	local mn, mx
	if with_extremes then
		mn, mx = need_number(rec, "min", where), need_number(rec, "max", where)
	else
		mn, mx = rec.min, rec.max -- optional for avg
		if mn ~= nil then mn = need_number(rec, "min", where) end
		if mx ~= nil then mx = need_number(rec, "max", where) end
	end
	local r = d[k]
	if r == nil then
		d[k] = { count = c, sum = s, min = mn, max = mx }
		return
	end
	r.count, r.sum = r.count + c, r.sum + s
	if mn ~= nil and (r.min == nil or mn < r.min) then r.min = mn end
	if mx ~= nil and (r.max == nil or mx > r.max) then r.max = mx end
end

local function rec_export(r)
	return { count = r.count, sum = r.sum, min = r.min, max = r.max }
end

local function rec_total(d)
	local t = { count = 0, sum = 0 }
	for _, r in pairs(d) do
		t.count, t.sum = t.count + r.count, t.sum + r.sum
		if r.min ~= nil and (t.min == nil or r.min < t.min) then t.min = r.min end
		if r.max ~= nil and (t.max == nil or r.max > t.max) then t.max = r.max end
	end
	return t
end

local function rec_item(k, r)
	local avg = r.count > 0 and r.sum / r.count or nil
	return { key = k, count = r.count, sum = r.sum, min = r.min, max = r.max, avg = avg }
end

KINDS.avg = {
	name = "avg",
	methods = {
		add = function(self, a, b) return rec_add(self, a, b, "avg:add") end,
	},
	get = function(_, r)
		if r ~= nil and r.count > 0 then return r.sum / r.count end
	end,
	absorb = function(d, k, rec, where) return rec_absorb(d, k, rec, where, false) end,
	export = rec_export,
	sortval = function(r) return r.count > 0 and r.sum / r.count or 0 end,
	render = function(st, r) return st.vfmt(avg_value(r.sum, r.count)) end,
	item = function(k, r)
		local it = rec_item(k, r)
		it.value = it.avg
		return it
	end,
	each_value = function(it) return it.value end,
	total = function(d)
		local t = rec_total(d)
		if t.count > 0 then return t.sum / t.count end
	end,
	columns = function(st)
		return {
			{ key = "avg", title = "AVG", align = "right", format = st.vfmt },
			{ key = "count", title = "COUNT", align = "right" },
		}
	end,
	row = function(it) it.avg = avg_value(it.sum, it.count) end,
}

KINDS.stats = {
	name = "stats",
	methods = {
		add = function(self, a, b) return rec_add(self, a, b, "stats:add") end,
	},
	get = function(k, r)
		if r ~= nil then return rec_item(k ~= NOKEY and k or nil, r) end
	end,
	absorb = function(d, k, rec, where) return rec_absorb(d, k, rec, where, true) end,
	export = rec_export,
	sortval = function(r) return r.sum end,
	render = function(st, r)
		return format("count %s, average %s, total %s", fmt.count(r.count),
			st.vfmt(avg_value(r.sum, r.count)), st.vfmt(r.sum))
	end,
	item = function(k, r)
		local it = rec_item(k, r)
		it.value = it.sum
		return it
	end,
	each_value = function(it) return it end,
	total = function(d)
		local t = rec_total(d)
		t.avg = t.count > 0 and t.sum / t.count or nil
		return t
	end,
	columns = function(st)
		return {
			{ key = "count", title = "COUNT", align = "right" },
			{ key = "avg", title = "AVG", align = "right", format = st.vfmt },
			{ key = "sum", title = "TOTAL", align = "right", format = st.vfmt },
			{ key = "min", title = "MIN", align = "right", format = st.vfmt },
			{ key = "max", title = "MAX", align = "right", format = st.vfmt },
		}
	end,
	row = function(it) it.avg = avg_value(it.sum, it.count) end,
}

-- Histograms: data[key] = leaf. Indexing with a key creates the leaf.
local function leaf_at(self, k)
	if k == nil then k = NOKEY end
	local d = self[DATA]
	local l = d[k]
	if l == nil then
		l = new_leaf(self[META])
		d[k] = l
	end
	return l
end

-- Statistics of all keys together (the one leaf when there is a single key).
local function combined(self)
	local d = self[DATA]
	local only, n = nil, 0
	for _, l in pairs(d) do
		only, n = l, n + 1
	end
	if n == 1 then
		return only
	end
	local c = new_leaf(self[META])
	for _, l in pairs(d) do
		leaf_absorb(c, leaf_export(l), "hist")
	end
	return c
end

local function hist_kind(name)
	return {
		name = name,
		block = true,
		autoget = leaf_at,
		methods = {
			-- h:add(v): unkeyed update (h[key]:add(v) for keyed ones).
			add = function(self, v)
				local l = self[DATA][NOKEY]
				if l == nil then
					l = leaf_at(self, NOKEY)
				end
				return l:add(v)
			end,
			count = function(self) return combined(self)._n end,
			sum = function(self) return combined(self):sum() end,
			min = function(self) return combined(self):min() end,
			max = function(self) return combined(self):max() end,
			avg = function(self) return combined(self):avg() end,
			percentile = function(self, p) return combined(self):percentile(p) end,
		},
		empty = function(l) return l._n == 0 end,
		absorb = function(d, k, rec, where, self)
			local l = d[k]
			if l == nil then
				l = new_leaf(self[META])
				d[k] = l
			end
			leaf_absorb(l, rec, where)
		end,
		export = leaf_export,
		sortval = function(l) return l._n end,
		render = function(_, l) return tostring(l) end,
		item = function(k, l)
			return { key = k, value = l._n, count = l._n, sum = l:sum(), min = l._lo or nil,
				max = l._hi or nil, avg = l:avg(), hist = l }
		end,
		each_value = function(it) return it.hist end,
		total = function(d)
			local t = 0
			for _, l in pairs(d) do t = t + l._n end
			return t
		end,
		columns = function(st)
			local p = pct_fmt(st.unit)
			return {
				{ key = "count", title = "COUNT", align = "right" },
				{ key = "avg", title = "AVG", align = "right", format = p },
				{ key = "p50", title = "P50", align = "right", format = p },
				{ key = "p99", title = "P99", align = "right", format = p },
				{ key = "max", title = "MAX", align = "right", format = st.vfmt },
			}
		end,
		row = function(it)
			it.p50 = it.hist:percentile(50)
			it.p99 = it.hist:percentile(99)
		end,
	}
end
KINDS.hist = hist_kind("hist")
KINDS.lhist = hist_kind("lhist")

---------------------------------------------------------------------------------------
-- Methods shared by every aggregate

-- Entries sorted by value descending, then key ascending (stable output, stable ties).
local function sorted(self)
	local K = self[META].kind
	local empty, sortval = K.empty, K.sortval
	local list = {}
	for k, v in pairs(self[DATA]) do
		if not (empty and empty(v)) then
			list[#list + 1] = { k = k, v = v, s = sortval(v) }
		end
	end
	sort(list, function(a, b)
		if a.s ~= b.s then
			return a.s > b.s
		end
		return key_lt(a.k, b.k)
	end)
	return list
end

local function public_key(k)
	if k == NOKEY then
		return nil
	end
	return k
end

local Common = {}

-- x:get([key]): the value of key (nil: the unkeyed value); the way to read keys that
-- collide with method names (c:get("top")). For histograms, the leaf (created).
function Common.get(self, key)
	if key == nil then key = NOKEY end
	local K = self[META].kind
	if K.autoget then
		return K.autoget(self, key)
	end
	local v = K.get(key, self[DATA][key])
	if v == nil then
		return K.default
	end
	return v
end

-- x:items(): array of {key=, value=, ...} sorted by value descending, key ascending.
-- key is nil for the unkeyed entry. avg/stats items add count, sum, min, max, avg;
-- histogram items add count, sum, min, max, avg and hist (the leaf).
function Common.items(self)
	self[META].shown = true
	local K = self[META].kind
	local out = {}
	for i, e in ipairs(sorted(self)) do
		out[i] = K.item(public_key(e.k), e.v)
	end
	return out
end

-- x:each(fn): fn(key, value) in items() order; value is the number for count, sum,
-- min, max, avg, the item table for stats, the leaf for histograms.
function Common.each(self, fn)
	local K = self[META].kind
	for _, it in ipairs(self:items()) do
		fn(it.key, K.each_value(it))
	end
end

function Common.clear(self)
	self[DATA] = {}
	return self
end

local function same_kind(a, b)
	local sa, sb = a[META], type(b) == "table" and rawget(b, META)
	return sb and sa.kind == sb.kind and same_shape(sa, sb)
end

-- x:merge(other): fold an aggregate of the same kind (and lhist shape) into x.
function Common.merge(self, other)
	if not same_kind(self, other) then
		error(format("%s:merge: other must be an aggregate of the same kind", self[META].kind.name), 2)
	end
	local K = self[META].kind
	local d = self[DATA]
	local pending = {}
	for k, v in pairs(other[DATA]) do
		pending[#pending + 1] = { k, K.export(v) } -- export first: other may be self
	end
	for _, p in ipairs(pending) do
		K.absorb(d, p[1], p[2], K.name .. ":merge", self)
	end
	return self
end

-- x:total(): count/sum: the sum of all values; min/max: the extreme; avg: the overall
-- average; stats: {count=, sum=, min=, max=, avg=} over all keys; histograms: samples.
function Common.total(self)
	return self[META].kind.total(self[DATA])
end

local TOP_OPTS = { key_title = true }
local TOP_MT = { __name = "agg.top" }

-- x:top(n [, {key_title=}]): the n first items() (largest values, ties by key), as an
-- array whose tostring is an aligned table.
function Common.top(self, n, opts)
	if math_type(n) ~= "integer" or n < 0 then
		error("top: n must be a non-negative integer", 2)
	end
	opts = check_opts("top", opts, TOP_OPTS)
	local items = self:items()
	local t = { [META] = { st = self[META], key_title = opts.key_title or "KEY" } }
	for i = 1, math.min(n, #items) do
		t[i] = items[i]
	end
	return setmetatable(t, TOP_MT)
end

TOP_MT.__tostring = function(t)
	local m = t[META]
	local st = m.st
	local K = st.kind
	local columns = { { key = "key", title = m.key_title } }
	for _, c in ipairs(K.columns(st)) do
		columns[#columns + 1] = c
	end
	local rows = {}
	for i, it in ipairs(t) do
		local row = {}
		for k, v in pairs(it) do
			row[k] = v
		end
		row.key = it.key == nil and "" or key_str(it.key)
		if K.row then
			K.row(row)
		end
		rows[i] = row
	end
	return fmt.table(rows, columns)
end

---------------------------------------------------------------------------------------
-- Rendering: one path for Lua-filled and kernel-filled aggregates.

local function label(st, k)
	local name = st.name
	if name then
		if k == NOKEY then
			return "@" .. name .. ":"
		end
		return "@" .. name .. "[" .. key_str(k) .. "]:"
	end
	if k == NOKEY then
		return nil
	end
	return key_str(k) .. ":"
end

local function render(self)
	local st = self[META]
	st.shown = true
	local K = st.kind
	local out = {}
	for i, e in ipairs(sorted(self)) do
		local head, body = label(st, e.k), K.render(st, e.v)
		if not head then
			out[i] = body
		elseif K.block then
			out[i] = head .. "\n" .. body
		else
			out[i] = head .. " " .. body
		end
	end
	return concat(out, K.block and "\n\n" or "\n")
end

local function length(self)
	local empty = self[META].kind.empty
	local n = 0
	for _, v in pairs(self[DATA]) do
		if not (empty and empty(v)) then
			n = n + 1
		end
	end
	return n
end

-- pairs(x): the keys and values in items() order, as x:each gives them, never the
-- methods nor the private keys (the unkeyed entry's key is NOKEY: it prints empty, and
-- x[key] reads it back).
local function pairs_of(self)
	local items, each_value, i = self:items(), self[META].kind.each_value, 0
	return function()
		i = i + 1
		local it = items[i]
		if it == nil then
			return nil
		end
		local k = it.key
		if k == nil then
			k = NOKEY
		end
		return k, each_value(it)
	end, self, nil
end

-- Per kind: the index of data keys (the methods table's own __index, below) and the
-- assignment. An object has no raw field a script can name: its methods sit in a table
-- of their own that its metatable's __index names (a method is still found without a
-- function call), so x[key] = v always reaches __newindex and sets the key, whatever
-- its name; reading a key named like a method gives the method (x:get(key) reads it;
-- histograms have no such collision, see dual()).
local function make_mt(K)
	local data_index
	if K.autoget then
		local autoget = K.autoget
		data_index = function(methods, k) return autoget(methods[OBJ], k) end
	else
		local get, default = K.get, K.default
		data_index = function(methods, k)
			local v = get(k, methods[OBJ][DATA][k])
			if v == nil then
				return default
			end
			return v
		end
	end
	K.methods_mt = { __index = data_index }
	K.newindex = function(self, k, v)
		if not K.settable then
			error(format("%s: cannot assign to a key, use :add()", K.name), 2)
		end
		if v ~= nil and type(v) ~= "number" then
			error(format("%s: assigned value must be a number", K.name), 2)
		end
		self[DATA][k == nil and NOKEY or k] = v
	end
	local methods = {}
	for name, f in pairs(Common) do
		methods[name] = f
	end
	for name, f in pairs(K.methods) do
		methods[name] = f
	end
	K.all_methods = methods
end
for _, K in pairs(KINDS) do
	make_mt(K)
end

local UNITS = { bytes = true, ns = true }

-- A histogram's method field stands for the method and for the key of the same name: called
-- (h:add(v), h.get(h, k)) it is the method; anything else (h.add:add(v), h["count"]:count(),
-- tostring(h.get)) is the histogram of that key, so h[key]:add(v) works for every key, a
-- Python function named "get" or "add" too. No allocation on the method path.
local function dual(obj, name, method)
	local forward = {}
	return setmetatable({}, {
		__name = "agg.histogram",
		__call = function(_, ...) return method(...) end,
		__index = function(_, k)
			local v = leaf_at(obj, name)[k]
			if type(v) ~= "function" then return v end
			local f = forward[k]
			if not f then
				f = function(_, ...) return v(leaf_at(obj, name), ...) end
				forward[k] = f
			end
			return f
		end,
		__tostring = function() return tostring(leaf_at(obj, name)) end,
	})
end

-- Every aggregate a script makes (weakly held: one it dropped cannot be printed), in
-- creation order, for agg.unshown().
local made, n_made = setmetatable({}, { __mode = "v" }), 0

local function new(K, st)
	st.kind = K
	if st.unit ~= nil and not UNITS[st.unit] then
		error(format("agg.%s: option 'unit' must be \"bytes\" or \"ns\", got %s", K.name,
			tostring(st.unit)), 3)
	end
	st.vfmt = unit_fmt(st.unit)
	st.fmt_opts = { unit = st.unit }
	local obj = { [DATA] = {}, [META] = st }
	local methods = { [OBJ] = obj }
	for name, f in pairs(K.all_methods) do
		methods[name] = K.autoget and dual(obj, name, f) or f
	end
	if st.print ~= false then
		n_made = n_made + 1
		made[n_made] = obj
	end
	return setmetatable(obj, { __name = "agg." .. K.name, __index = setmetatable(methods,
		K.methods_mt), __newindex = K.newindex, __tostring = render, __len = length,
		__pairs = pairs_of })
end

---------------------------------------------------------------------------------------
-- Constructors

local CTOR_OPTS = { name = true, unit = true, print = true }

-- (name), (opts) or (name, opts).
local function ctor_args(fname, name, opts)
	if type(name) == "table" and opts == nil then
		name, opts = nil, name
	end
	opts = check_opts(fname, opts, CTOR_OPTS, 4)
	if name == nil then
		name = opts.name
	end
	if name ~= nil and type(name) ~= "string" then
		error(fname .. ": name must be a string", 3)
	end
	if opts.print ~= nil and type(opts.print) ~= "boolean" then
		error(fname .. ": option 'print' must be a boolean", 3)
	end
	return { name = name, unit = opts.unit, print = opts.print }
end

for _, kind in ipairs({ "count", "sum", "min", "max", "avg", "stats", "hist" }) do
	local K = KINDS[kind]
	local fname = "agg." .. kind
	agg[kind] = function(name, opts)
		return new(K, ctor_args(fname, name, opts))
	end
end

-- agg.lhist(min, max, step [, name] [, opts])
function agg.lhist(min, max, step, name, opts)
	local st = ctor_args("agg.lhist", name, opts)
	st.linear = true
	st.lmin, st.lmax, st.lstep = min, max, step
	local ok, n = pcall(fmt.linear_slots, min, max, step)
	if not ok then
		error("agg.lhist: need numbers min < max and step > 0", 2)
	end
	st.ln = n
	return new(KINDS.lhist, st)
end

-- agg.top(n, x [, opts]) is x:top(n, opts).
function agg.top(n, x, opts)
	if type(x) ~= "table" or not rawget(x, META) then
		error("agg.top: second argument must be an aggregate", 2)
	end
	return x:top(n, opts)
end

function agg.clear(x)
	if type(x) ~= "table" or not rawget(x, META) then
		error("agg.clear: argument must be an aggregate", 2)
	end
	return Common.clear(x)
end

-- agg.info(x) -> {kind=, name=, unit=, min=, max=, step=} or nil when x is not an
-- aggregate (for exporters and the REPL).
function agg.info(x)
	local st = type(x) == "table" and rawget(x, META)
	if not st then
		return nil
	end
	return { kind = st.kind.name, name = st.name, unit = st.unit, min = st.lmin,
		max = st.lmax, step = st.lstep }
end

-- agg.rows(x) -> { {key=, count=, sum=, min=, max=, buckets=}, ... }: x's values as the
-- records agg.from_kernel takes (key as text, nil when unkeyed; only the fields x's kind
-- keeps), for exporters (--metrics: src/lua/l_export.c).
function agg.rows(x)
	local st = type(x) == "table" and rawget(x, META)
	if not st then
		error("agg.rows: argument must be an aggregate", 2)
	end
	local export, out = st.kind.export, {}
	for k, v in pairs(x[DATA]) do
		local r = export(v)
		if k ~= NOKEY then
			r.key = key_str(k)
		end
		out[#out + 1] = r
	end
	return out
end

local KERNEL_OPTS = { name = true, unit = true, min = true, max = true, step = true }
local ENTRY_FIELDS = { key = true, count = true, sum = true, min = true, max = true,
	buckets = true }

-- agg.from_kernel(kind, entries [, opts]): the aggregate of kind ("count", "sum",
-- "min", "max", "avg", "stats", "hist", "lhist") holding entries, an array of
-- {key=, count=, sum=, min=, max=, buckets={[slot]=n}} as the host reads them from a
-- BPF map (key nil: unkeyed; repeated keys, e.g. per-CPU copies, are combined).
-- opts: name, unit, and min/max/step for "lhist".
function agg.from_kernel(kind, entries, opts)
	local K = type(kind) == "string" and KINDS[kind]
	if not K then
		error(format("agg.from_kernel: unknown kind %s", tostring(kind)), 2)
	end
	if type(entries) ~= "table" then
		error("agg.from_kernel: entries must be an array", 2)
	end
	opts = check_opts("agg.from_kernel", opts, KERNEL_OPTS)
	local copts = { name = opts.name, unit = opts.unit, print = false } -- the probe prints it
	local x
	if kind == "lhist" then
		x = agg.lhist(opts.min, opts.max, opts.step, copts)
	else
		if opts.min ~= nil or opts.max ~= nil or opts.step ~= nil then
			error("agg.from_kernel: options min/max/step are for \"lhist\" only", 2)
		end
		x = agg[kind](copts)
	end
	local d = x[DATA]
	for i, e in ipairs(entries) do
		local where = format("agg.from_kernel: entry %d", i)
		if type(e) ~= "table" then
			error(where .. ": must be a table", 2)
		end
		for f in pairs(e) do
			if not ENTRY_FIELDS[f] then
				error(format("%s: unknown field '%s'", where, tostring(f)), 2)
			end
		end
		local k = e.key
		if k == nil then
			k = NOKEY
		end
		local ok, err = pcall(K.absorb, d, k, e, where, x)
		if not ok then
			error(err, 2)
		end
	end
	return x
end

-- agg.unshown() -> the aggregates made with print ~= false that were never printed nor read
-- through items()/top()/each() and hold something, in creation order: the session prints
-- them at exit, as it prints in-kernel aggregates.
function agg.unshown()
	local out = {}
	for i = 1, n_made do
		local x = made[i]
		if x and not x[META].shown and length(x) > 0 then out[#out + 1] = x end
	end
	return out
end

return agg
