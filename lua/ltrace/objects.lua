-- ltrace.objects: the traced program as ltrace sees it: the main binary and the libraries
-- it loads (DT_NEEDED, breadth first, each resolved through its parent's run path), each
-- with its soname (ltrace uses the basename when there is none, and always for the main
-- binary), its imports (PLT stubs and GOT-only calls) and its functions, read lazily. Also
-- where the main binary's code is mapped, for the caller filter of GOT-only calls.

local M = {}
M.__index = M

local Obj = {}
Obj.__index = Obj

local function basename(path)
	return path:match("([^/]+)$") or path
end
M.basename = basename

function Obj:imports()
	if not self._imports then
		local list, err = self.native.imports(self.path)
		if not list then error(err, 0) end
		self._imports = list
	end
	return self._imports
end

-- Set of the function names defined here, aliases included.
function Obj:function_set()
	if not self._fset then
		self._fset = self.native.functions(self.path) or {}
	end
	return self._fset
end

-- The same names, sorted (for -x matching in a stable order).
function Obj:functions()
	if not self._funcs then
		local list = {}
		for name in pairs(self:function_set()) do list[#list + 1] = name end
		table.sort(list)
		self._funcs = list
	end
	return self._funcs
end

-- name: what the main binary is called in "name->" prefixes (below).
local function new_obj(native, path, is_main, name)
	local soname, needed = native.dyn_names(path)
	if soname == nil then error(needed, 0) end
	return setmetatable({
		native = native, path = path, is_main = is_main, needed = needed or {},
		soname = is_main and (name or basename(path)) or soname or basename(path),
	}, Obj)
end

-- new(native, exe_path [, pid [, name]]): name is the basename of the path the program
-- was run by, which ltrace prints as the caller ("sh->" for dash run as sh, "exe->" under
-- -p, where ltrace opens /proc/PID/exe); exe_path is the resolved file that is probed.
function M.new(native, exe, pid, name)
	local self = setmetatable({ native = native, pid = pid }, M)
	self.main = new_obj(native, exe, true, name)
	self.info = assert(native.exe_info(exe))
	return self
end

-- The libraries, breadth first (the loader's search order for symbols).
function M:libs()
	if self._libs then return self._libs end
	local libs, seen, queue = {}, { [self.main.path] = true }, { self.main }
	local i = 1
	while queue[i] do
		local parent = queue[i]
		i = i + 1
		for _, name in ipairs(parent.needed) do
			local path = self.native.resolve(name, parent.path, self.pid)
			if path and not seen[path] then
				seen[path] = true
				local ok, obj = pcall(new_obj, self.native, path, false)
				if ok then
					libs[#libs + 1] = obj
					queue[#queue + 1] = obj
				end
			end
		end
	end
	self._libs = libs
	return libs
end

-- An object the process mapped after start (dlopen): not among libs(), which are the
-- loader's search order at start.
function M:loaded(path)
	local ok, obj = pcall(new_obj, self.native, path, false)
	return ok and obj or nil
end

function M:all()
	local all = { self.main }
	for _, l in ipairs(self:libs()) do all[#all + 1] = l end
	return all
end

-- The library an import of the main binary resolves to: the one its symbol version
-- names, else the first (breadth first) that defines it.
function M:definer(imp)
	for _, l in ipairs(self:libs()) do
		if imp.lib and l.soname == imp.lib and l:function_set()[imp.name] then return l end
	end
	for _, l in ipairs(self:libs()) do
		if l:function_set()[imp.name] then return l end
	end
	return nil
end

-- The main binary's code as mapped in pid: lo, hi, exact. A PIE not mapped yet (the
-- command is held before exec) gets the kernel's PIE window (ELF_ET_DYN_BASE plus the
-- largest mmap randomization), which no library or heap code shares.
function M:code_range(pid)
	local info = self.info
	if not info.pie then return info.code_lo, info.code_hi, true end
	local f = pid and io.open("/proc/" .. pid .. "/maps")
	if f then
		for line in f:lines() do
			local lo, off, path = line:match("^(%x+)%-%x+ %S+ (%x+) %S+ %S+%s+(.*)$")
			if path == self.main.path and tonumber(off, 16) == 0 then
				f:close()
				local base = tonumber(lo, 16) - info.load_lo
				return base + info.code_lo, base + info.code_hi, true
			end
		end
		f:close()
	end
	local dyn_base = 0x555555554000
	return dyn_base, dyn_base + (1 << 44) + info.code_hi, false
end

return M
