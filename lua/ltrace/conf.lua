-- ltrace.conf: prototypes in ltrace.conf(5)'s language ("int open(string,int,octal);"),
-- the 0.7 grammar plus the legacy spellings Debian's /etc/ltrace.conf still uses (addr,
-- file, format, octal, stringN). A parsed type is a plain table:
--   { k = "void"|"char"|"short"|"ushort"|"int"|"uint"|"long"|"ulong"|"float"|"double"
--         |"struct"|"array"|"pointer"|"format",
--     lens = nil|"hex"|"oct"|"bool"|"hide"|"enum"|"bitvec"|"string",
--     enum = { [value] = name }, fields = { type... }, elt = type, len = expr, to = type }
-- and an expression { k = "num", v = N } | { k = "arg", n = N (0: retval) } |
-- { k = "elt", n = N } | { k = "zero", max = expr|nil }.
-- A prototype is { name =, ret = type, params = { type... }, right = index of the first
-- "+" parameter (the ones shown when the call returns), or nil }.

local M = {}

local PRIMITIVE = {
	void = true, char = true, short = true, ushort = true, int = true, uint = true,
	long = true, ulong = true, float = true, double = true,
}
local LENSES = { hex = true, oct = true, bool = true, hide = true, bitvec = true }

local function copy(t)
	local c = {}
	for k, v in pairs(t) do c[k] = v end
	return c
end

local function tokenize(line)
	local toks, i = {}, 1
	while i <= #line do
		local c = line:sub(i, i)
		if c:match("%s") then
			i = i + 1
		else
			local s, e = line:find("^[%a_][%w_]*", i)
			if not s then s, e = line:find("^%-?0[xX]%x+", i) end
			if not s then s, e = line:find("^%-?%d+", i) end
			if not s then s, e = i, i end
			toks[#toks + 1] = line:sub(s, e)
			i = e + 1
		end
	end
	return toks
end

-- A parser over one line's tokens; errors are raised as plain strings.
local P = {}
P.__index = P

function P:peek(n) return self.toks[self.i + (n or 0)] end
function P:next()
	local t = self.toks[self.i]
	self.i = self.i + 1
	return t
end
function P:expect(t)
	local got = self:next()
	if got ~= t then error(("expected '%s', got '%s'"):format(t, got or "end of line"), 0) end
end
function P:accept(t)
	if self:peek() == t then
		self.i = self.i + 1
		return true
	end
	return false
end

function P:number()
	local t = self:next()
	local v = t and (t:match("^%-?0[xX]") and tonumber(t:gsub("^(%-?)0[xX]", "%10x"), nil)
		or math.tointeger(tonumber(t)))
	if not v then error(("bad number '%s'"):format(tostring(t)), 0) end
	return v
end

function P:expr()
	local t = self:peek()
	if not t then error("expected an expression", 0) end
	if t == "retval" then
		self:next()
		return { k = "arg", n = 0 }
	elseif t:match("^arg%d+$") then
		self:next()
		return { k = "arg", n = tonumber(t:sub(4)) }
	elseif t:match("^elt%d+$") then
		self:next()
		return { k = "elt", n = tonumber(t:sub(4)) }
	elseif t == "zero" then
		self:next()
		if self:accept("(") then
			local max = self:expr()
			self:expect(")")
			return { k = "zero", max = max }
		end
		return { k = "zero" }
	end
	return { k = "num", v = self:number() }
end

local function string_of(arr_len)
	return { k = "pointer", lens = "string",
		 to = { k = "array", elt = { k = "char" }, len = arr_len } }
end

function P:enum(base)
	local map, v = {}, -1
	self:expect("(")
	while not self:accept(")") do
		local name = self:next()
		if not name or not name:match("^[%a_][%w_]*$") then
			error("bad enum name '" .. tostring(name) .. "'", 0)
		end
		v = v + 1
		if self:accept("=") then v = self:number() end
		if map[v] == nil then map[v] = name end
		if not self:accept(",") and self:peek() ~= ")" then error("expected ',' or ')'", 0) end
	end
	local t = copy(base)
	t.lens, t.enum = "enum", map
	return t
end

function P:struct(into)
	local t = into or { k = "struct" }
	t.k, t.fields = "struct", {}
	if not self:accept("(") then
		t.fields = nil	-- forward declaration: filled in by a later typedef
		return t
	end
	while not self:accept(")") do
		t.fields[#t.fields + 1] = self:lens()
		if not self:accept(",") and self:peek() ~= ")" then error("expected ',' or ')'", 0) end
	end
	return t
end

-- TYPE without the trailing '*'s.
function P:base()
	local t = self:next()
	if not t then error("expected a type", 0) end
	if PRIMITIVE[t] then return { k = t } end
	if t == "addr" or t == "file" then return { k = "pointer", to = { k = "void" } } end
	if t == "octal" then return { k = "int", lens = "oct" } end
	if t == "format" then return { k = "format" } end
	if t == "bool" and self:peek() ~= "(" then return { k = "int", lens = "bool" } end
	if LENSES[t] then
		self:expect("(")
		local inner = copy(self:lens())
		self:expect(")")
		inner.lens = t
		return inner
	end
	if t == "enum" then
		local base = { k = "int" }
		if self:accept("[") then
			base = self:lens()
			self:expect("]")
		end
		return self:enum(base)
	end
	if t == "struct" then return self:struct() end
	if t == "array" then
		self:expect("(")
		local elt = self:lens()
		self:expect(",")
		local len = self:expr()
		self:expect(")")
		return { k = "array", elt = elt, len = len }
	end
	if t == "string" then
		if self:accept("(") then
			local inner = copy(self:lens())
			self:expect(")")
			inner.lens = "string"
			return inner
		elseif self:accept("[") then	-- sugar: up to the NUL, at most EXPR
			local len = self:expr()
			self:expect("]")
			return string_of(len.k == "zero" and len or { k = "zero", max = len })
		end
		return string_of({ k = "zero" })
	end
	local n = t:match("^string(%d+)$")	-- legacy: string2 is string[arg2], string0 string[retval]
	if n then return string_of({ k = "zero", max = { k = "arg", n = tonumber(n) } }) end
	local td = self.lib.typedefs[t]
	if td then return td end
	error(("unknown type '%s'"):format(t), 0)
end

function P:lens()
	local t = self:base()
	while self:accept("*") do t = { k = "pointer", to = t } end
	return t
end

function P:typedef()
	local name = self:next()
	if not name or not name:match("^[%a_][%w_]*$") then error("bad typedef name", 0) end
	self:expect("=")
	local old = self.lib.typedefs[name]
	if old and old.k == "struct" and not old.fields and self:peek() == "struct" then
		self:next()
		self:struct(old)	-- completes the forward declaration in place
		return
	end
	self.lib.typedefs[name] = self:lens()
end

function P:prototype()
	local ret = self:lens()
	local name = self:next()
	if not name or not name:match("^[%a_][%w_.@]*$") then
		error("bad function name '" .. tostring(name) .. "'", 0)
	end
	local proto = { name = name, ret = ret, params = {} }
	self:expect("(")
	if self:peek() == "void" and self:peek(1) == ")" then self:next() end
	while not self:accept(")") do
		if self:accept("+") and not proto.right then proto.right = #proto.params + 1 end
		proto.params[#proto.params + 1] = self:lens()
		if not self:accept(",") and self:peek() ~= ")" then
			error(("expected ',' or ')' after parameter %d"):format(#proto.params), 0)
		end
	end
	return proto
end

local function parse_line(lib, line)
	local p = setmetatable({ toks = tokenize(line), i = 1, lib = lib }, P)
	if p:peek() == "typedef" then
		p:next()
		p:typedef()
		return nil
	end
	return p:prototype()
end

-- A prototype library: { protos = { name = proto }, typedefs = {}, warnings = {} }.
-- Prototypes added lazily wait in `pending` until looked up in `protos`.
function M.new()
	local lib = { typedefs = {}, warnings = {}, pending = {} }
	lib.protos = setmetatable({}, { __index = function(protos, name)
		local line = lib.pending[name]
		if not line then return nil end
		lib.pending[name] = nil
		local ok, proto = pcall(parse_line, lib, line.body)
		if not ok then
			lib.warnings[#lib.warnings + 1] = ("%s:%d: %s"):format(line.source, line.n, proto)
			return nil
		end
		rawset(protos, name, proto)
		return proto
	end })
	return lib
end

-- The function a prototype line declares: the name before the last balanced (...).
local function declared_name(body)
	return body:match("([%a_][%w_.@]*)%s*%b()%s*;?%s*$")
end

-- add(lib, text, source [, lazy]): parses every line; a bad line is skipped with a warning
-- naming source:line, as ltrace does. Later definitions replace earlier ones. With lazy
-- (trusted text: the built-in tables, the system's ltrace.conf), a prototype is parsed
-- when a traced function first looks it up: parsing all ~750 took 35 ms, most of the
-- front end's start. Typedefs are parsed at once, in order.
function M.add(lib, text, source, lazy)
	local n = 0
	for line in (text .. "\n"):gmatch("([^\n]*)\n") do
		n = n + 1
		local body = line:match("^%s*(.-)%s*$")
		local first = body:sub(1, 1)
		local code = body ~= "" and first ~= ";" and first ~= "#"
		local name = code and lazy and body:sub(1, 7) ~= "typedef" and declared_name(body)
		if name then
			lib.pending[name] = { body = body, source = source or "?", n = n }
			rawset(lib.protos, name, nil)
		elseif code then
			local ok, proto = pcall(parse_line, lib, body)
			if not ok then
				lib.warnings[#lib.warnings + 1] =
					("%s:%d: %s"):format(source or "?", n, tostring(proto))
			elseif proto then
				lib.pending[proto.name] = nil
				lib.protos[proto.name] = proto
			end
		end
	end
	return lib
end

-- A regular file of at most 16 MiB (core.read_file): -F /dev/zero or a FIFO is refused,
-- not read forever. Returns nil, message, errno when it cannot be read.
function M.add_file(lib, path, lazy)
	local text, err, code = require("ltrace.core").read_file(path)
	if not text then return nil, err, code end
	return M.add(lib, text, path, lazy)
end

-- ---- sizes, alignment and the x86-64 calling convention --------------------------------

local SIZE = { void = 0, char = 1, short = 2, ushort = 2, int = 4, uint = 4, float = 4,
	       long = 8, ulong = 8, double = 8, pointer = 8, format = 8 }

function M.sizeof(t)
	if SIZE[t.k] then return SIZE[t.k] end
	if t.k == "array" then
		return t.len.k == "num" and t.len.v * M.sizeof(t.elt) or 8
	end
	if t.k == "struct" then
		local size, align = 0, 1
		for _, f in ipairs(t.fields or {}) do
			local a = M.alignof(f)
			size = (size + a - 1) // a * a + M.sizeof(f)
			align = math.max(align, a)
		end
		return (size + align - 1) // align * align
	end
	return 8
end

function M.alignof(t)
	if t.k == "array" then return M.alignof(t.elt) end
	if t.k == "struct" then
		local a = 1
		for _, f in ipairs(t.fields or {}) do a = math.max(a, M.alignof(f)) end
		return a
	end
	return math.max(1, math.min(8, SIZE[t.k] or 8))
end

-- Field offsets of a struct.
function M.offsets(t)
	local offs, size = {}, 0
	for i, f in ipairs(t.fields or {}) do
		local a = M.alignof(f)
		size = (size + a - 1) // a * a
		offs[i] = size
		size = size + M.sizeof(f)
	end
	return offs
end

local function has_float(t)
	if t.k == "float" or t.k == "double" then return true end
	if t.k == "struct" then
		for _, f in ipairs(t.fields or {}) do
			if has_float(f) then return true end
		end
	end
	if t.k == "array" then return has_float(t.elt) end
	return false
end

-- Where each parameter lives (SysV x86-64): { reg = 1..6 } for the integer registers
-- (a small struct may take two: reg, reg2), "sse" for floating point, "stack" beyond.
-- Where each parameter is passed (x86-64 SysV): { reg = 1..6 } (reg2: a 16-byte struct's
-- second register), { reg = 7..12, stack = true } for the first six 8-byte stack slots
-- (read at entry from sp + 8 ...), "sse", or "stack" for what is not read.
M.STACK_ARGS = 6
function M.locations(params)
	local locs, next_reg, next_slot = {}, 1, 1
	local function on_stack(slots)
		local first = next_slot
		next_slot = next_slot + slots
		return first
	end
	for i, t in ipairs(params) do
		local size = t.k == "array" and 8 or M.sizeof(t)
		if t.k == "float" or t.k == "double" or (t.k == "struct" and has_float(t)) then
			locs[i] = (t.k == "struct" and size > 16) and "stack" or "sse"
			if locs[i] == "stack" then on_stack((size + 7) // 8) end
		elseif t.k == "struct" and size > 16 then
			locs[i] = "stack"
			on_stack((size + 7) // 8)
		elseif t.k == "struct" and size > 8 then
			if next_reg + 1 <= 6 then
				locs[i] = { reg = next_reg, reg2 = next_reg + 1 }
				next_reg = next_reg + 2
			else
				locs[i] = "stack"
				on_stack(2)
			end
		elseif next_reg <= 6 then
			locs[i] = { reg = next_reg }
			next_reg = next_reg + 1
		else
			local slot = on_stack(1)
			locs[i] = t.k ~= "struct" and slot <= M.STACK_ARGS and
				{ reg = 6 + slot, stack = true } or "stack"
		end
	end
	return locs, next_reg, next_slot
end

-- The prototype ltrace uses for a function it knows nothing about.
function M.default_proto(name)
	local guess = { k = "long", lens = "guess" }
	return { name = name, ret = guess, params = { guess, guess, guess, guess }, default = true }
end

return M
