-- ltrace.plan: what the kernel must capture for one prototype, and when. ltrace shows the
-- parameters left of the first "+" when the call starts and the rest when it returns; here
-- that becomes two probes per function:
--   entry   uprobe: at the PLT stub (or symbol), args captured for the left parameters:
--           strings ("str"), pointees ("bytes"), a printf format and, speculatively, the
--           registers after it as strings (the format tells later which were %s);
--   return  uretprobe: with only the return value, or a paired call: probe when right
--           parameters exist: their output buffers are read at return from the pointer
--           saved at entry ("out:"), lengths bounded by another argument or the result.
-- Functions whose plans are equal share probes (the `plt` name list), so a binary with 100
-- imports needs a handful of probes, not 200.

local conf = require("ltrace.conf")
local render = require("ltrace.render")

local M = {}

local FETCH_MAX = 1024	-- LT_FETCH_MAX_LEN
local FORMAT_LEN = 256	-- bytes of a printf format read to expand it

local function clamp(n)
	return math.max(1, math.min(FETCH_MAX, n))
end

-- The register (arg index) holding parameter n of proto, for a "/argK" bound.
local function reg_of(locs, n)
	local l = locs[n]
	return type(l) == "table" and l.reg or nil
end

-- The capture for a pointer-class parameter of type t, or nil when its register is all
-- that is shown. `out`: read at return.
local function capture_for(t, locs, opts, out)
	local S = opts.strlen
	local prefix = out and "out:" or ""
	local to = t.k == "pointer" and t.to or nil
	if t.k == "format" then return "str:" .. FORMAT_LEN end
	if t.k ~= "pointer" or to.k == "void" then return nil end
	if t.lens == "string" and to.k == "array" then
		-- zero(max) reads up to max bytes (the NUL ends it in Lua), zero a C string.
		local len = to.len
		if len and len.k == "zero" then
			if not len.max then return prefix .. "str:" .. clamp(S + 2) end
			len = len.max
		end
		local bytes = prefix .. "bytes:" .. clamp(S + 1)
		if not len then return bytes end
		if len.k == "num" then return prefix .. "bytes:" .. clamp(math.min(len.v, S + 1)) end
		if len.k == "arg" and len.n == 0 then return bytes .. "/ret" end
		local r = len.k == "arg" and reg_of(locs, len.n)
		return r and bytes .. "/arg" .. r or bytes
	end
	if to.k == "char" then return prefix .. "bytes:1" end
	local size = conf.sizeof(to)
	if to.k == "array" then
		size = conf.sizeof(to.elt) * (to.len.k == "num" and math.min(to.len.v, opts.arraylen + 1)
			or opts.arraylen + 1)
	end
	return prefix .. "bytes:" .. clamp(size)
end

local function ret_capture(t, locs, opts)
	if t.k ~= "pointer" or t.to.k == "void" then return nil, false end
	local cap = capture_for(t, locs, opts, false)
	return cap, cap ~= nil and cap:find("/arg", 1, true) ~= nil
end

-- plan(proto, opts) -> {
--   locs, entry = { [reg] = capture }, kind = "uretprobe"|"call", ret_args = { [reg] = capture },
--   ret = capture|nil, format = { param =, reg =, vregs = {...} } | nil }
function M.plan(proto, opts)
	local locs, _, next_slot = conf.locations(proto.params)
	local p = { proto = proto, locs = locs, entry = {}, ret_args = {}, kind = "uretprobe",
		    stack_regs = {} }
	local right = proto.right or #proto.params + 1
	-- A stack slot is read at entry (its register number 7..12 in args): its value, and
	-- for a pointer what it points to too (the core keeps the pointer: e.reg7..e.reg12).
	local function stack_value(r, cap)
		p.entry[r] = cap or "int"
		p.stack_regs[#p.stack_regs + 1] = r
	end
	for i, t in ipairs(proto.params) do
		local reg = reg_of(locs, i)
		-- A right pointer is an output: read when the call returns, by the paired probe.
		-- Everything else (a right format too) is read at entry and kept until then: a
		-- paired probe mixing entry and return captures would need them in that order.
		local out = i >= right and t.k == "pointer"
		if i >= right then p.kind = "call" end
		if reg and locs[i].stack and out then
			-- An output in a stack slot: read at return through the slot, which the
			-- entry's stack pointer still names (the core keeps the pointer: e.regN).
			p.ret_args[reg] = capture_for(t, locs, opts, true)
		elseif reg and locs[i].stack then
			stack_value(reg, capture_for(t, locs, opts, false))
		elseif reg and t.k ~= "struct" then
			local cap = capture_for(t, locs, opts, out)
			if cap then (out and p.ret_args or p.entry)[reg] = cap end
		end
		if t.k == "format" and reg then
			-- The varargs: the registers after the format, then the stack slots.
			local vregs = {}
			for r = reg + 1, 6 do vregs[#vregs + 1] = r end
			for slot = next_slot, conf.STACK_ARGS do vregs[#vregs + 1] = 6 + slot end
			p.format = { param = i, reg = reg, vregs = vregs }
			for _, r in ipairs(vregs) do
				local cap = "str:" .. clamp(opts.strlen + 2)
				if r <= 6 then p.entry[r] = cap else stack_value(r, cap) end
			end
		end
	end
	local needs_args
	p.ret, needs_args = ret_capture(proto.ret, locs, opts)
	if needs_args then p.kind = "call" end
	p.regs = M.registers(p)
	p.has_entry = next(p.entry) ~= nil
	-- Fast renderers for parameters that are only a register, and for the result.
	p.fast = {}
	for i, t in ipairs(proto.params) do
		local loc, reg = locs[i], reg_of(locs, i)
		if reg and not p.entry[reg] and not p.ret_args[reg] and type(loc) == "table" and
		   not loc.reg2 then
			p.fast[i] = render.compile(t)
		end
	end
	if not p.ret then p.fast_ret = render.compile(proto.ret) end
	for _, t in ipairs(proto.params) do
		if t.lens == "hide" then p.has_hide = true end
	end
	return p
end

-- The argument registers a call's rendering reads (the rest are not fetched from records).
function M.registers(p)
	local set, list = {}, {}
	local function add(r) if r and r <= 6 then set[r] = true end end
	for _, loc in ipairs(p.locs) do
		if type(loc) == "table" then add(loc.reg) add(loc.reg2) end
	end
	for _, r in ipairs(p.format and p.format.vregs or {}) do add(r) end
	for r in pairs(set) do list[#list + 1] = r end
	table.sort(list)
	return list
end

local function serialize(t)
	local keys = {}
	for k in pairs(t) do keys[#keys + 1] = k end
	table.sort(keys)
	local out = {}
	for _, k in ipairs(keys) do out[#out + 1] = k .. "=" .. t[k] end
	return table.concat(out, ",")
end

-- Plans with equal keys share a probe.
function M.entry_key(p) return serialize(p.entry) end
function M.return_key(p) return p.kind .. "|" .. serialize(p.ret_args) .. "|" .. (p.ret or "") end

-- Probe options (args / ret) for each side.
function M.entry_opts(p)
	local args = {}
	for r, cap in pairs(p.entry) do args[r] = cap end
	return args
end

function M.return_opts(p)
	local args = {}
	for r, cap in pairs(p.ret_args) do args[r] = cap end
	return args, p.ret
end

return M
