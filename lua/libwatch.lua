-- libwatch: the libraries a process maps while it runs (dlopen), reported while the process
-- waits, so probes attached then see the library's first calls, constructors included.
--
--   local libwatch = require("libwatch")
--   libwatch.watch({ ldso = "/lib64/ld-linux-x86-64.so.2" }, function(e, paths)
--     for _, path in ipairs(paths) do probe("uprobe:" .. path .. ":*init*", ...) end
--   end)
--
-- The dynamic linker calls _dl_debug_state (r_debug.r_brk, the debuggers' breakpoint) before
-- and after every change of its link map: at start, at each dlopen and dlclose. A `hold`
-- probe there stops the thread until the callback has run. The callback gets the event
-- (pid, tid) and the executable file mappings the process has now and did not have at its
-- previous stop, in /proc/PID/maps order (a library unloaded and loaded again is reported
-- again; the first stop, at start or after an exec, reports every library).

local M = {}

-- Paths of the files mapped executable in pid, in address order.
function M.mapped_files(pid)
	local f = io.open("/proc/" .. pid .. "/maps")
	if not f then return {} end
	local list, seen = {}, {}
	for line in f:lines() do
		local perms, path = line:match("^%x+%-%x+ (%S+) %x+ %S+ %d+%s+(/.+)$")
		if path and perms:find("x", 1, true) and not seen[path] then
			seen[path] = true
			list[#list + 1] = path
		end
	end
	f:close()
	return list
end

-- watch(opts, fn) -> probe. opts: ldso (the dynamic linker's path) and any probe options
-- (tid, comm, ...); fn(e, new_paths) runs at every stop, new_paths possibly empty.
function M.watch(opts, fn)
	if type(opts) ~= "table" or type(opts.ldso) ~= "string" then
		error("libwatch.watch: opts.ldso must be the dynamic linker's path", 2)
	end
	local popts = { hold = true }
	for k, v in pairs(opts) do
		if k ~= "ldso" then popts[k] = v end
	end
	local known = {}	-- pid -> set of paths at its previous stop
	return probe("uprobe:" .. opts.ldso .. ":_dl_debug_state", popts, function(e)
		local pid = e.pid
		local before, now, new = known[pid] or {}, {}, {}
		for _, path in ipairs(M.mapped_files(pid)) do
			now[path] = true
			if not before[path] then new[#new + 1] = path end
		end
		known[pid] = now
		fn(e, new)
	end)
end

return M
