-- ltrace.exec: -f across exec, as ltrace does: a followed process that execs another
-- program prints "--- Called exec() ---" and its calls are traced from the new program's
-- first instruction. The core holds the process at exec (stopped, core.hold_execs) while
-- the new program's PLT is probed here, then resumes it. Probes are per file, filtered by
-- the followed pid set, so each program is probed once. Calls through the GOT only
-- (-fno-plt) probe the callee, keeping calls whose return address is in the program's code
-- as mapped in that process (known exactly: the process is held after its exec): once per
-- program and load address (a PIE exec'd again elsewhere gets probes for that range too).

local Objects = require("ltrace.objects")
local selector = require("ltrace.select")

local M = {}

-- What probing a site covers: its program (PLT, symbols), or its program at one load
-- address (GOT-only calls, filtered on the caller's address).
local function key_of(objects, site)
	return objects.main.path .. (site.range and ("@%x"):format(site.range[1]) or "")
end

-- The sites of the program pid now runs not probed yet (probed: keys of what was).
local function new_sites(t, objects, pid, probed)
	local sites, range = {}, nil
	for _, site in ipairs(selector.sites(t.opts, objects)) do
		if site.kind == "got" then
			if not range then
				local lo, hi = objects:code_range(pid)
				range = { lo, hi }
			end
			site.range = range
		end
		local own = site.range and objects.main.path == t.objects.main.path and
			t.main_range == site.range[1]
		if not probed[key_of(objects, site)] and not own then sites[#sites + 1] = site end
	end
	for _, site in ipairs(sites) do probed[key_of(objects, site)] = true end
	return sites
end

-- name: the basename of the path exec'd, the caller name ltrace would give it.
local function trace_program(t, exe, pid, probed, name)
	local objects = Objects.new(t.native, exe, pid, name)
	local sites = new_sites(t, objects, pid, probed)
	if selector.wants_libraries(t.opts) then t:cover(objects) end
	for _, s in ipairs(sites) do t.selected[s.name] = true end
	if #sites == 0 then return end
	if t.opts.summary then t:count_calls(sites) else t:trace_calls(sites) end
end

function M.attach(t)
	local core = require("ltrace.core")
	-- What was probed: program paths (PLT and symbols), path@base (GOT-only calls; the
	-- command's own range is t.main_range once exact).
	local probed = { [t.objects.main.path] = true }
	local first = #t.opts.command > 0	-- the command's own exec: already probed, no line
	-- A ptrace stop sends no signal; a SIGSTOP's delivery is not shown (ltrace.signals).
	local by_signal = core.hold_execs(true) == "signal"
	local p = probe("tracepoint:sched:sched_process_exec", t:base_opts({}), function(e)
		if by_signal then t.held[e.pid] = true end
		local ok, err = pcall(function()
			if first and e.pid == t.pid then
				first = false
				return
			end
			t.out:line({ tid = e.pid, ts = e.ts, depth = t.events:depth(e.pid) + 1 },
				   "--- Called exec() ---")
			local exe = t.native.realpath("/proc/" .. e.pid .. "/exe")
			local name = type(e.filename) == "string" and Objects.basename(e.filename) or nil
			if exe then trace_program(t, exe, e.pid, probed, name) end
		end)
		core.resume(e.pid)
		if not ok then error(err, 0) end
	end)
	t.probes[#t.probes + 1] = p
end

return M
