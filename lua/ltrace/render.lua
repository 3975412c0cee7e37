-- ltrace.render: values printed the way ltrace 0.7.3's lenses print them. Integers by
-- width and lens (the default "guess" lens of unknown functions prints hex beyond
-- +-10000), characters and strings with ltrace's escapes ('\n', "\001", a 0xff byte as
-- EOF), "..." after -s characters, arrays "[ 1, 2... ]" after -A elements, structs
-- "{ 1, 2 }", NULL typed pointers as nil, bit vectors "<1-3,7>", enums by name.
-- Floating point cannot be read by uprobes (XMM registers): it prints as <float> or
-- <double>, never as a number. Memory the kernel could not read prints as the address.

local conf = require("ltrace.conf")

local M = {}
local format, byte, concat = string.format, string.byte, table.concat

local WIDTH = { char = 1, short = 2, ushort = 2, int = 4, uint = 4, long = 8, ulong = 8,
		pointer = 8, format = 8 }
local UNSIGNED = { ushort = true, uint = true, ulong = true, pointer = true }

M.FLOAT = { float = "<float>", double = "<double>" }

-- (intN)raw, and its unsigned image, as HANDLE_WIDTH computes them.
local function narrow(raw, width)
	if width >= 8 then return raw, raw end
	local bits = width * 8
	local u = raw & ((1 << bits) - 1)
	local i = u >= (1 << (bits - 1)) and u - (1 << bits) or u
	return i, u
end
M.narrow = narrow

local function hex(u)
	if u == 0 then return "0" end
	return format("0x%x", u)
end

local function oct(u)
	return format("0%o", u)
end

-- fmt: "default" | "guess" | "hex" | "oct" | "dec" (unsigned)
function M.integer(raw, width, fmt, unsigned)
	local i, u = narrow(raw, width)
	if fmt == "guess" then
		if raw < -10000 or raw > 10000 then return hex(u) end
		return format("%d", i)
	elseif fmt == "hex" then
		return hex(u)
	elseif fmt == "oct" then
		return oct(u)
	elseif fmt == "dec" or unsigned then
		return M.unsigned(u)
	end
	return format("%d", i)
end

-- 64-bit unsigned decimal (Lua integers are signed).
function M.unsigned(u)
	if u >= 0 then return format("%d", u) end
	local q = (u >> 1) // 5	-- u // 10, unsigned
	return format("%d%d", q, u - q * 10)
end

local ESC = { [0] = "\\0", [7] = "\\a", [8] = "\\b", [9] = "\\t", [10] = "\\n", [11] = "\\v",
	      [12] = "\\f", [13] = "\\r", [92] = "\\\\" }

-- One character (format_char): c is a string's byte (0..255), or a char argument as a
-- signed value, where -1 is EOF and other negatives print as 32-bit octal, as ltrace's do.
function M.char(c)
	if c == -1 then return "EOF" end
	local e = ESC[c]
	if e then return e end
	if c >= 32 and c < 127 then return string.char(c) end
	return format("\\%03o", c & 0xffffffff)
end

-- Every byte that does not print as itself, with its escape (one gsub per string).
local ESCAPED = {}
for b = 0, 255 do
	local c = string.char(b)
	local e = M.char(b)
	if e ~= c then ESCAPED[c] = e end
end

-- s: the bytes shown, truncated: more followed (print "..." after the quote).
function M.string(s, truncated)
	s = s:gsub("[%z\1-\31\\\127-\255]", ESCAPED)
	if truncated then return '"' .. s .. '"...' end
	return '"' .. s .. '"'
end

function M.bitvec(u, width)
	local ones = 0
	for b = 0, width * 8 - 1 do
		if (u >> b) & 1 == 1 then ones = ones + 1 end
	end
	local neg = ones > width * 4
	local d = neg and ~u or u
	local parts, low = {}, nil
	for b = 0, width * 8 do
		local bit = b < width * 8 and (d >> b) & 1 == 1
		if bit and not low then
			low = b
		elseif not bit and low then
			parts[#parts + 1] = low == b - 1 and tostring(low) or low .. "-" .. (b - 1)
			low = nil
		end
	end
	return (neg and "~<" or "<") .. concat(parts, ",") .. ">"
end

-- ---- values from memory: the bytes a capture brought back --------------------------------

local READ = { [1] = "<i1", [2] = "<i2", [4] = "<i4", [8] = "<i8" }

-- A scalar of type t at bytes[off+1 ...]: its raw integer, or nil past the end.
local function scalar_at(t, bytes, off)
	local w = WIDTH[t.k] or (t.k == "float" and 4) or (t.k == "double" and 8) or 4
	if not bytes or off + w > #bytes then return nil end
	return (string.unpack(READ[w], bytes, off + 1))
end

-- Evaluates a length expression: ctx.arg(n) is the raw value of argument n (0: retval),
-- ctx.elt(n) of element n of the enclosing struct.
function M.eval(expr, ctx)
	if not expr then return nil end
	if expr.k == "num" then return expr.v end
	if expr.k == "arg" then return ctx.arg and ctx.arg(expr.n) end
	if expr.k == "elt" then return ctx.elt and ctx.elt(expr.n) end
	return nil	-- zero: up to the NUL
end

-- The characters of a string-lensed char array at bytes[off+1...]; len_expr as in the
-- prototype. Returns the text shown and whether it was cut at -s.
local function string_from(bytes, off, len_expr, ctx)
	local avail = bytes:sub(off + 1)
	local len = M.eval(len_expr, ctx)
	local zero = not len_expr or len_expr.k == "zero"
	if zero then
		local nul = avail:find("\0", 1, true)
		if nul then avail = avail:sub(1, nul - 1) end
		local max = len_expr and len_expr.max and M.eval(len_expr.max, ctx)
		if max and #avail > max then avail = avail:sub(1, max) end
		len = #avail
	elseif not len or len < 0 then
		len = 0	-- a failed call's length (read() = -1): nothing was written
	end
	local shown = avail:sub(1, math.min(len, ctx.strlen))
	-- ltrace's format_array ends at element -s and then prints "...": also when the
	-- string is exactly -s long.
	return M.string(shown, len >= ctx.strlen)
end

local render_mem

-- An array of elt at bytes[off+1...] with n elements.
local function array_from(t, bytes, off, n, ctx)
	if t.lens == "string" or (t.elt.k == "char" and t.elt.lens == "string") then
		return string_from(bytes, off, t.len, ctx)
	end
	local size, out = conf.sizeof(t.elt), {}
	n = n or 0
	for k = 0, n - 1 do
		if k == ctx.arraylen then
			out[#out] = out[#out] .. "..."
			break
		end
		out[#out + 1] = render_mem(t.elt, bytes, off + k * size, ctx)
	end
	if #out == 0 then return n > 0 and "[ ... ]" or "[  ]" end
	return "[ " .. concat(out, ", ") .. " ]"
end

local function struct_from(t, bytes, off, ctx)
	local offs, out = conf.offsets(t), {}
	local sub = setmetatable({
		elt = function(n)
			local f = t.fields[n]
			return f and scalar_at(f, bytes, off + offs[n])
		end,
	}, { __index = ctx })
	for i, f in ipairs(t.fields or {}) do
		local s = render_mem(f, bytes, off + offs[i], sub)
		if s ~= "" then out[#out + 1] = s end
	end
	return "{ " .. concat(out, ", ") .. " }"
end

-- A value of type t stored in memory at bytes[off+1...] (a pointee, a field, an element).
function render_mem(t, bytes, off, ctx)
	if t.lens == "hide" then return "" end
	if t.k == "struct" then return struct_from(t, bytes, off, ctx) end
	if t.k == "array" then return array_from(t, bytes, off, M.eval(t.len, ctx), ctx) end
	if M.FLOAT[t.k] then return M.FLOAT[t.k] end
	local raw = scalar_at(t, bytes, off)
	if raw == nil then return "?" end
	if t.k == "pointer" then
		-- A pointer inside memory: its target was not captured.
		if raw == 0 and t.to.k ~= "void" then return "nil" end
		return hex(raw)
	end
	return M.scalar(t, raw, ctx)
end

-- An integer-class value held in a register.
function M.scalar(t, raw, ctx)
	if t.lens == "hide" then return "" end
	if M.FLOAT[t.k] then return M.FLOAT[t.k] end
	if t.k == "void" then return "<void>" end
	local width = WIDTH[t.k] or 4
	local i, u = narrow(raw, width)
	local lens = t.lens
	if lens == "enum" then
		local name = t.enum[i] or t.enum[u]
		if name then return name end
		lens = nil
	end
	if lens == "bool" then return i ~= 0 and "true" or "false" end
	if lens == "bitvec" then return M.bitvec(u, width) end
	if t.k == "char" and (lens == nil or lens == "string") then
		local c = M.char(i)
		return lens == "string" and c or "'" .. c .. "'"
	end
	if t.k == "pointer" or t.k == "format" then return hex(u) end
	return M.integer(raw, width, lens or "default", UNSIGNED[t.k])
end

-- A fast renderer for the common top-level types (integers and untyped pointers held in
-- a register), or nil: fn(raw) -> text, the same text M.value gives.
function M.compile(t)
	if t.lens or (t.k ~= "pointer" and not WIDTH[t.k]) or t.k == "format" or t.k == "char" then
		if t.lens == "guess" and t.k == "long" then
			return function(raw)
				if raw < -10000 or raw > 10000 then return hex(raw) end
				return format("%d", raw)
			end
		end
		return nil
	end
	if t.k == "pointer" then
		if t.to.k ~= "void" then return nil end
		return hex
	end
	local width = WIDTH[t.k]
	if UNSIGNED[t.k] then
		return function(raw)
			local _, u = narrow(raw, width)
			return M.unsigned(u)
		end
	end
	if width == 8 then
		return function(raw) return format("%d", raw) end
	end
	return function(raw)
		local i = narrow(raw, width)
		return format("%d", i)
	end
end

-- A top-level argument or return value.
--   raw: its register (nil when not available: a stack argument)
--   mem: bytes captured from where it points (nil: not captured or unreadable)
function M.value(t, raw, mem, ctx)
	if t.lens == "hide" then return "" end
	if M.FLOAT[t.k] then return M.FLOAT[t.k] end
	if raw == nil then return "?" end
	if t.k == "struct" then
		-- Passed by value in registers: mem holds their bytes.
		return mem and struct_from(t, mem, 0, ctx) or "?"
	end
	if t.k == "pointer" or t.k == "array" or t.k == "format" then
		local to = t.k == "pointer" and t.to or t
		if t.k == "format" then
			to = { k = "array", elt = { k = "char" }, len = { k = "zero" }, lens = "string" }
		end
		local is_string = t.lens == "string" or t.k == "format"
		if to.k == "void" and not is_string then return hex(raw) end
		if raw == 0 then return "nil" end
		if not mem then return hex(raw) end
		if is_string and to.k == "array" then
			return string_from(mem, 0, to.len, ctx)
		end
		if is_string and to.k == "char" then return M.char(byte(mem, 1) or 0) end
		if to.k == "array" then return array_from(to, mem, 0, M.eval(to.len, ctx), ctx) end
		return render_mem(to, mem, 0, ctx)
	end
	return M.scalar(t, raw, ctx)
end

return M
