-- ltrace.filter: ltrace's filter expressions (-e, -x, -l), parsed as ltrace 0.7.3's
-- parse_filter does and matched with its rules:
--   {[+-][symbol_pattern][@library_pattern]}   e.g.  malloc+free-@libc.so*
-- Patterns are anchored globs, /regex/ (POSIX basic, anchored) or, for libraries, MAIN
-- (the main binary) and /path patterns (matched against the path, not the soname).
-- A symbol starts unmarked; each matching + rule marks it, each matching - rule unmarks
-- it. Several -e options: a symbol is traced when any chain marks it.

local M = {}

local native_ok, native = pcall(require, "ltrace.native")

-- Matchers: fn(name) -> bool. Globs and regexes go to fnmatch(3) / regcomp(3) when the
-- native module is there (always, under ltrace-ebpf); a Lua translation otherwise.
local function glob_to_lua(glob)
	local out = { "^" }
	local i = 1
	while i <= #glob do
		local c = glob:sub(i, i)
		if c == "*" then
			out[#out + 1] = ".*"
		elseif c == "?" then
			out[#out + 1] = "."
		elseif c == "[" then
			local j = glob:find("]", i + 2, true)
			if not j then
				out[#out + 1] = "%["
			else
				local class = glob:sub(i + 1, j - 1):gsub("^!", "^"):gsub("%%", "%%%%")
				out[#out + 1] = "[" .. class .. "]"
				i = j
			end
		else
			out[#out + 1] = c:match("%w") and c or "%" .. c
		end
		i = i + 1
	end
	out[#out + 1] = "$"
	return table.concat(out)
end

local function glob_matcher(pattern)
	if pattern == "*" then return function() return true end end
	if native_ok then
		return function(name) return native.glob(pattern, name) end
	end
	local lp = glob_to_lua(pattern)
	return function(name) return name:find(lp) ~= nil end
end

local function regex_matcher(pattern, where)
	if not native_ok then error("regular expressions need ltrace-ebpf's native module", 0) end
	local m, err = native.regex(pattern)
	if not m then error(("%s: bad regular expression /%s/: %s"):format(where, pattern, err), 0) end
	return m
end

-- Library part: "MAIN", a glob or regex on the soname, or a /path pattern.
local function lib_matcher(text, is_re, expr)
	if text == "MAIN" then	-- even as /MAIN/, as ltrace's compile_libname
		return { main = true, fn = function(lib) return lib.is_main end }
	end
	local m = is_re and regex_matcher(text, expr) or glob_matcher(text)
	local by_path = text:sub(1, 1) == "/"
	return {
		any = text == "*" and not is_re, text = text,
		fn = function(lib) return m(by_path and lib.path or lib.soname) end,
	}
end

-- One rule from "sym@lib" text (sign handled by the caller).
local function make_rule(expr, add, sym, lib)
	local sym_re, lib_re = false, false
	if sym:sub(1, 1) == "/" then
		if #sym > 1 and sym:sub(-1) == "/" then
			sym, sym_re = sym:sub(2, -2), true
		else	-- /xxx@yyy/ is /xxx/@/yyy/
			sym, sym_re, lib_re = sym:sub(2), true, true
			if lib:sub(-1) == "/" then lib = lib:sub(1, -2) end
		end
	end
	if not lib_re and #lib > 1 and lib:sub(-1) == "/" then
		if lib:sub(1, 1) == "/" then
			lib, lib_re = lib:sub(2, -2), true
		end
	end
	if sym == "" then sym = "*" end
	if lib == "" then lib = "*" end
	return {
		add = add,
		text = sym .. "@" .. lib,
		literal = not sym_re and not sym:find("[%*%?%[]") and sym or nil,
		sym = sym_re and regex_matcher(sym, expr) or glob_matcher(sym),
		lib = lib_matcher(lib, lib_re, expr),
	}
end

-- parse("malloc+free-@libc.so*", true) -> chain (a list of rules). Without operators
-- (-l), '+' and '-' are part of the names.
function M.parse(expr, operators)
	local chain = { text = expr }
	local stops = operators and "[%-+@]" or "@"
	local ops = operators and "[%-+]" or nil
	local s = expr:gsub("^!", "-")
	local add = true
	while s ~= "" do
		local at = s:find(stops)
		local sym, lib, this = s, "*", add
		if not at then
			s = ""
		elseif s:sub(at, at) ~= "@" then
			sym, add, s = s:sub(1, at - 1), s:sub(at, at) == "+", s:sub(at + 1)
		else
			sym = s:sub(1, at - 1)
			local rest = s:sub(at + 1)
			local op = ops and rest:find(ops)
			if op == 1 then
				lib, s = "*", rest
			elseif not op then
				lib, s = rest, ""
			else
				lib, add, s = rest:sub(1, op - 1), rest:sub(op, op) == "+", rest:sub(op + 1)
			end
		end
		chain[#chain + 1] = make_rule(expr, this, sym, lib)
	end
	return chain
end

-- append(filters, expr, operators): -e and -x may be given several times.
function M.append(filters, expr, operators)
	filters = filters or {}
	filters[#filters + 1] = M.parse(expr, operators)
	return filters
end

-- lib = { soname =, path =, is_main = }. Does any chain mark symbol `name` of lib?
function M.matches_symbol(filters, name, lib)
	for _, chain in ipairs(filters or {}) do
		local marked = false
		for _, r in ipairs(chain) do
			if r.lib.fn(lib) and r.sym(name) then marked = r.add end
		end
		if marked then return true end
	end
	return false
end

-- Could any symbol of lib be marked (an adding rule whose library part matches)?
function M.matches_library(filters, lib)
	for _, chain in ipairs(filters or {}) do
		for _, r in ipairs(chain) do
			if r.add and r.lib.fn(lib) then return true end
		end
	end
	return false
end

-- Do the filters name libraries beyond the main binary (so their PLTs are needed)?
function M.wants_libraries(filters)
	for _, chain in ipairs(filters or {}) do
		for _, r in ipairs(chain) do
			if r.add and not r.lib.main then return true end
		end
	end
	return false
end

-- The rules that match nothing, to say so (ltrace says nothing: a typo, or a garbage
-- expression such as '!!!@@@', which ltrace's grammar reads as "everything, minus '!!' in
-- the library '@@'", would go unnoticed). have: the names selected; objects: the traced
-- objects; names_of(obj): the set of names a rule's objects offer. Returns a list of
-- { expr = the -e/-x text, name = the plain name } (an adding rule's name not selected,
-- or a removing rule's name no object offers) or { expr =, lib = the library pattern
-- no object matches }.
function M.unmatched(filters, have, objects, names_of)
	local out = {}
	for _, chain in ipairs(filters or {}) do
		for _, r in ipairs(chain) do
			local libs = {}
			for _, o in ipairs(objects) do
				if r.lib.fn(o) then libs[#libs + 1] = o end
			end
			if r.add and r.literal then
				if not have[r.literal] then out[#out + 1] = { expr = chain.text, name = r.literal } end
			elseif #libs == 0 then
				out[#out + 1] = { expr = chain.text, lib = r.lib.text }
			elseif r.literal then
				local offered = false
				for _, o in ipairs(libs) do offered = offered or names_of(o)[r.literal] ~= nil end
				if not offered then out[#out + 1] = { expr = chain.text, name = r.literal } end
			end
		end
	end
	return out
end

M.glob_to_lua = glob_to_lua

return M
