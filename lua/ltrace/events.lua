-- ltrace.events: probe records to ltrace lines. Every traced call gives two records, one
-- when it starts (entry: the left arguments) and one when it returns (uretprobe: the
-- result; or a paired call record: the right arguments, read at return, and the result).
-- A stack of open calls per thread pairs them (the innermost open call of that function;
-- frames above it never returned: longjmp, exceptions) and gives ltrace's nesting depth.

local render = require("ltrace.render")

local M = {}
M.__index = M

local new_context	-- below, with the other per-call helpers

-- new(out, opts): out is an ltrace.out writer.
function M.new(out, opts)
	local self = setmetatable({ out = out, opts = opts, threads = {}, ctx = new_context(opts) },
				  M)
	-- Timestamps are read from records only when something prints them (each field of a
	-- record is a call into C); without -f every record is the main thread's (the probes
	-- filter on it in kernel), so its tid is not read either.
	self.want_ts = opts.time_spent or opts.relative or opts.timestamps > 0
	self.one_tid = not opts.follow and opts.main_tid or nil
	-- Under -p, the threads the process had before the first probe attached (a set).
	self.early_tids = opts.early_tids or {}
	-- The left part of a call is rendered only when it is written (ltrace.out).
	out.render_left = function(frame) self:render_left(frame) end
	return self
end

local function stack_of(self, tid)
	local st = self.threads[tid]
	if not st then
		st = {}
		self.threads[tid] = st
	end
	return st
end

-- ---- printf-style formats (ltrace's printf.c parameter pack) ---------------------------

local INTS = { [0] = "char", "short", "int", "long", "ulong" }
local UINTS = { [0] = "char", "ushort", "uint", "ulong", "ulong" }

-- The conversions of a format: list of { kind = "int"|"uint"|"double"|"char"|"string"|
-- "pointer", lens =, size = hlf/lng, len = digits, star = true for a '*' width }.
function M.conversions(fmt)
	local convs, i, n = {}, 1, #fmt
	while i <= n do
		if fmt:sub(i, i) ~= "%" then
			i = i + 1
		else
			i = i + 1
			local hlf, lng, digits = 0, 0, ""
			while i <= n do
				local c = fmt:sub(i, i)
				i = i + 1
				if c:match("[#%- +I']") then
				elseif c == "*" then
					convs[#convs + 1] = { kind = "int", t = "int", star = true }
				elseif c:match("%d") or c == "." then
					if c ~= "." then digits = digits .. c end
				elseif c == "h" then hlf = math.min(hlf + 1, 2)
				elseif c == "l" then lng = math.min(lng + 1, 2)
				elseif c == "q" or c == "j" then lng = 2
				elseif c == "L" or c == "t" or c == "z" or c == "Z" then lng = 1
				elseif c == "d" or c == "i" then
					convs[#convs + 1] = { t = INTS[2 + lng - hlf] }
					break
				elseif c == "u" or c == "o" or c == "x" or c == "X" then
					convs[#convs + 1] = { t = UINTS[2 + lng - hlf],
						lens = c == "o" and "oct" or (c == "x" or c == "X") and "hex" or nil }
					break
				elseif c:match("[eEfFgGaA]") then
					convs[#convs + 1] = { t = "double" }
					break
				elseif c == "c" or c == "C" then
					convs[#convs + 1] = { t = "char" }
					break
				elseif c == "s" or c == "S" then
					convs[#convs + 1] = { t = "string", len = tonumber(digits) }
					break
				elseif c == "p" or c == "n" then
					convs[#convs + 1] = { t = "pointer" }
					break
				elseif c == "m" or c == "%" then
					break
				end
			end
		end
	end
	return convs
end

-- The varargs of a format, rendered: regs are the registers after the format (raw values
-- and speculative string captures), consumed in order; doubles take none.
local function expand_format(fmt, regs, ctx, out)
	local k, future = 1, nil
	for _, c in ipairs(M.conversions(fmt)) do
		if c.t == "double" then
			out[#out + 1] = render.FLOAT.double
		else
			local r = regs[k]
			k = k + 1
			if not r then
				out[#out + 1] = "?"	-- beyond the stack slots read (see docs/ltrace.md)
			elseif c.t == "string" then
				local len = future or c.len
				future = nil
				local t = { k = "pointer", lens = "string", to = { k = "array",
					elt = { k = "char" }, len = len and { k = "zero", max = { k = "num", v = len } }
					or { k = "zero" } } }
				out[#out + 1] = render.value(t, r.raw, r.mem, ctx)
			elseif c.t == "pointer" then
				out[#out + 1] = render.value({ k = "pointer", to = { k = "void" } }, r.raw, nil, ctx)
			else
				if c.star then future = render.narrow(r.raw, 4) end
				out[#out + 1] = render.scalar({ k = c.t, lens = c.lens }, r.raw, ctx)
			end
		end
	end
end

-- ---- one call's parameters --------------------------------------------------------------

-- A register's raw value and what was captured from where it points: from the return
-- record for outputs, else from what the entry record left in the frame.
local function reg_value(frame, e, outs, r)
	if e and outs[r] then return frame.args[r] or e["reg" .. r], e.args[r] end
	return frame.args[r], frame.caps[r]
end

-- Renders params first..last of the call into list. e is the return record for the
-- right parameters (its outputs), nil at entry.
local function render_params(D, frame, e, first, last, ctx, list)
	local plan, proto = D.plan, D.proto
	local fast, args = plan.fast, frame.args
	for i = first, last do
		local t, loc = proto.params[i], plan.locs[i]
		local f = fast[i]
		if f then
			list[#list + 1] = f(args[loc.reg])
		elseif loc == "sse" or loc == "stack" then
			list[#list + 1] = render.FLOAT[t.k] or (t.lens == "hide" and "" or "?")
		elseif t.k == "struct" then
			local r1, r2 = frame.args[loc.reg] or 0, loc.reg2 and frame.args[loc.reg2]
			local bytes = string.pack("<i8", r1) .. (r2 and string.pack("<i8", r2) or "")
			list[#list + 1] = render.value(t, r1, bytes, ctx)
		else
			local raw, mem = reg_value(frame, e, plan.ret_args, loc.reg)
			list[#list + 1] = render.value(t, raw, mem, ctx)
			if t.k == "format" and mem then
				local regs = {}
				for _, r in ipairs(plan.format.vregs) do
					local vraw, vmem = reg_value(frame, nil, plan.ret_args, r)
					regs[#regs + 1] = { raw = vraw, mem = vmem }
				end
				expand_format(mem, regs, ctx, list)
			end
		end
	end
end

-- Length expressions name parameters (arg2) and the result (retval): one context, reset
-- for each call (rendering is synchronous), so a call costs no closure.
local function context(self, D, regs, ret_raw)
	local ctx = self.ctx
	ctx.locs, ctx.regs, ctx.ret = D.plan.locs, regs, ret_raw
	return ctx
end

function new_context(opts)
	local ctx = { strlen = opts.strlen, arraylen = opts.arraylen }
	function ctx.arg(n)
		if n == 0 then return ctx.ret end
		local loc = ctx.locs[n]
		return type(loc) == "table" and ctx.regs[loc.reg] or nil
	end
	return ctx
end

-- The registers a call's rendering needs, read from the record.
local REG = { "reg1", "reg2", "reg3", "reg4", "reg5", "reg6", "reg7", "reg8", "reg9",
	      "reg10", "reg11", "reg12" }
local NOCAPS = {}
local function regs_of(e, list)
	local regs = {}
	for k = 1, #list do
		local r = list[k]
		regs[r] = e[REG[r]]
	end
	return regs
end

-- ---- records ------------------------------------------------------------------------------

-- An entry record of descriptor D = { name, prefix, proto, plan }: the registers and
-- captures are kept; rendering waits until the line is written.
function M:entry(D, e)
	local tid = self.one_tid or e.tid
	local st = self.threads[tid]
	if not st then
		st = {}
		self.threads[tid] = st
	end
	local plan = D.plan
	-- The registers go in the frame's array part (frame.args is the frame itself): one
	-- table per call, not two.
	local frame = { D = D, tid = tid, ts = self.want_ts and e.ts or 0, depth = #st + 1,
			name = D.display, prefix = D.prefix, nleft = 0, caps = NOCAPS }
	frame.args = frame
	local regs = plan.regs
	for k = 1, #regs do
		local r = regs[k]
		frame[r] = e[REG[r]]
	end
	if plan.has_entry then
		local args, caps = e.args, {}
		for r in pairs(plan.entry) do caps[r] = args[r] end
		local sregs = plan.stack_regs	-- stack slots: the value, and what it points to
		for k = 1, #sregs do
			local r = sregs[k]
			frame[r] = e[REG[r]]
			if plan.entry[r] == "int" then caps[r] = nil end
		end
		frame.caps = caps
	end
	if self.opts.ip or self.opts.where then
		-- Frame 1 is the PLT stub or the function itself, frame 2 its caller.
		local s = e.ustack
		frame.stack = s
		frame.caller = s and s[2] and s[2].addr or nil
	end
	st[#st + 1] = frame
	self.out:left(frame)
end

function M:render_left(frame)
	if frame.rendered then return end
	frame.rendered = true
	frame.params = {}
	local D = frame.D
	local right = D.proto.right or #D.proto.params + 1
	render_params(D, frame, nil, 1, right - 1, context(self, D, frame.args), frame.params)
	frame.nleft = #frame.params
end

local function find_frame(st, D)
	for k = #st, 1, -1 do
		if st[k].D == D then return k end
	end
	return nil
end

-- A return record of D: call is true for a paired call record (with the arguments and
-- the outputs), false for a uretprobe's.
function M:ret(D, e, call)
	local tid = self.one_tid or e.tid
	local st = self.threads[tid] or stack_of(self, tid)
	local k = find_frame(st, D)
	local frame
	if k then
		frame = st[k]
		for j = #st, k, -1 do st[j] = nil end
	elseif self.early_tids[tid] then
		-- Under -p, a return whose entry was not seen: the call began before the entry
		-- probes were attached (return probes go first: a uretprobe's return, or a paired
		-- call probe's record when the call entered between the two attaches). ltrace
		-- shows nothing for it, having seen no entry. A thread born later sees every
		-- entry, but for a forked child's first return, its fork's, whose entry is in the
		-- parent: "<... fork resumed>", kept below.
		return
	else	-- its entry was not seen (it started before tracing did)
		frame = { D = D, tid = tid, ts = self.want_ts and e.ts or 0, depth = #st + 1,
			  name = D.display, prefix = D.prefix, params = {}, nleft = 0,
			  rendered = true, caps = NOCAPS,
			  args = call and regs_of(e, D.plan.regs) or {} }
	end
	local ret_raw = e.reg_ret
	local proto, plan = D.proto, D.plan
	self:render_left(frame)
	local ctx
	if (call and proto.right) or (not plan.fast_ret and proto.ret.k ~= "void") then
		ctx = context(self, D, frame.args, ret_raw)
	end
	if call and proto.right then
		render_params(D, frame, e, proto.right, #proto.params, ctx, frame.params)
	end
	local ret
	if proto.ret.k == "void" then
		ret = "<void>"
	elseif plan.fast_ret then
		ret = plan.fast_ret(ret_raw)
	else
		ret = render.value(proto.ret, ret_raw, plan.ret and e.ret or nil, ctx)
	end
	local now = 0
	if self.want_ts then now = call and (e.ts + e.duration) or e.ts end
	self.out:right(frame, ret, now - frame.ts, now)
end

function M:ret_call(D, e)
	return self:ret(D, e, true)
end

-- A whole call at once (a syscall record): left and right together; only the left for a
-- call that does not return (exit_group: the next line closes it with "<no return ...>").
function M:whole(D, e, depth_extra, no_return)
	local st = stack_of(self, e.tid)
	local frame = { D = D, tid = e.tid, ts = e.ts, depth = #st + 1 + (depth_extra or 0),
			name = D.display, prefix = "", params = {}, args = regs_of(e, D.plan.regs),
			caps = {}, rendered = true }
	for r in pairs(D.plan.entry) do frame.caps[r] = e.args[r] end
	local ctx = context(self, D, frame.args, e.reg_ret)
	render_params(D, frame, nil, 1, #D.proto.params, ctx, frame.params)
	frame.nleft = #frame.params
	self.out:left(frame)
	if no_return then return end
	local ret = D.proto.ret.k == "void" and "<void>" or render.value(D.proto.ret, e.reg_ret, nil, ctx)
	self.out:right(frame, ret, e.duration, e.ts + (e.duration or 0))
end

-- Frames of a thread that is gone.
function M:forget(tid)
	self.threads[tid] = nil
end

function M:depth(tid)
	return #stack_of(self, tid)
end

return M
