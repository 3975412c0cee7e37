-- ltrace.select: which calls to trace, from ltrace's three filters.
--   -e (default @MAIN)  PLT calls: the stubs of the objects the filter's library part
--                       names, for the symbols it marks; "caller->" before the name
--                       unless the default filter is in use.
--   -l LIB              calls from the main binary to functions LIB implements.
--   -x                  function entry points: symbols of the objects named ("name@lib"
--                       when the object is not the main binary).
-- A site: { kind = "plt" (probe the stub) | "got" (probe the callee, filter on the
-- caller) | "sym" (probe the symbol), obj = where the probe goes (plt, sym) or the caller
-- (got), callee = the defining object (got), name, prefix, display }.

local filter = require("ltrace.filter")

local M = {}

local IGNORED = {	-- crt plumbing that ltrace does not show as library calls
	__libc_start_main = true, __cxa_finalize = true, __gmon_start__ = true,
	_ITM_deregisterTMCloneTable = true, _ITM_registerTMCloneTable = true,
}

local function add(sites, seen, site)
	local key = site.kind .. "|" .. site.obj.path .. "|" .. site.name
	if seen[key] then return end
	seen[key] = true
	sites[#sites + 1] = site
end

local function import_site(objects, obj, imp, prefix)
	if imp.kind == "plt" then
		return { kind = "plt", obj = obj, name = imp.name, prefix = prefix }
	end
	-- Called through the GOT (-fno-plt): only the main binary's code range is known.
	if not obj.is_main or IGNORED[imp.name] then return nil end
	local callee = objects:definer(imp)
	if not callee then return nil end
	return { kind = "got", obj = obj, callee = callee, name = imp.name, prefix = prefix }
end

-- The objects a filter looks at: the main binary, and the libraries when it names any
-- (only = a list of objects instead: a library loaded later).
local function objects_of(f, objects, only)
	if only then return filter.wants_libraries(f) and only or {} end
	return filter.wants_libraries(f) and objects:all() or { objects.main }
end

local function plt_sites(opts, objects, sites, seen, only)
	local f = opts.plt_filter
	for _, obj in ipairs(objects_of(f, objects, only)) do
		if filter.matches_library(f, obj) then
			local prefix = opts.hide_caller and "" or obj.soname .. "->"
			for _, imp in ipairs(obj:imports()) do
				-- A library's calls to its own exported functions count through its
				-- .plt (libc's realloc, as ltrace), not through .plt.got (libc's
				-- malloc), which ltrace does not see: ltrace-ebpf names only more
				-- calls than ltrace for the main binary, whose .plt.got ltrace misses.
				if not IGNORED[imp.name] and filter.matches_symbol(f, imp.name, obj) and
				   (obj.is_main or imp.section ~= ".plt.got" or
				    not obj:function_set()[imp.name]) then
					local s = import_site(objects, obj, imp, prefix)
					if s then add(sites, seen, s) end
				end
			end
		end
	end
end

local function export_sites(opts, objects, sites, seen)
	local main = objects.main
	for _, imp in ipairs(main:imports()) do
		local lib = not IGNORED[imp.name] and objects:definer(imp)
		if lib and filter.matches_symbol(opts.export_filter, imp.name, lib) then
			local s = import_site(objects, main, imp, main.soname .. "->")
			if s then add(sites, seen, s) end
		end
	end
end

local function static_sites(opts, objects, sites, seen, only)
	local f = opts.static_filter
	for _, obj in ipairs(objects_of(f, objects, only)) do
		if filter.matches_library(f, obj) then
			for _, name in ipairs(obj:functions()) do
				if filter.matches_symbol(f, name, obj) then
					add(sites, seen, { kind = "sym", obj = obj, name = name, prefix = "",
						suffix = obj.is_main and "" or "@" .. obj.soname })
				end
			end
		end
	end
end

-- sites(opts, objects) -> list of sites
function M.sites(opts, objects)
	local sites, seen = {}, {}
	if opts.libcalls and opts.plt_filter then plt_sites(opts, objects, sites, seen) end
	if opts.libcalls and opts.export_filter then export_sites(opts, objects, sites, seen) end
	if opts.static_filter then static_sites(opts, objects, sites, seen) end
	return sites
end

-- Can a library loaded later (dlopen) have anything to trace? (-e naming libraries, -x.)
function M.wants_libraries(opts)
	return (opts.libcalls and opts.plt_filter and filter.wants_libraries(opts.plt_filter)) or
		(opts.static_filter and filter.wants_libraries(opts.static_filter)) or false
end

-- The sites of a library loaded later, obj: its PLT calls and its functions, by the same
-- rules as the libraries loaded at start (-l is about the main binary's imports: bound at
-- start, never to a library loaded later).
function M.library_sites(opts, objects, obj)
	local sites, seen = {}, {}
	if opts.libcalls and opts.plt_filter then plt_sites(opts, objects, sites, seen, { obj }) end
	if opts.static_filter then static_sites(opts, objects, sites, seen, { obj }) end
	return sites
end

return M
