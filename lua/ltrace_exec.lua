-- ltrace_exec: -f across exec, as ltrace does: a followed process that execs another
-- program prints "--- Called exec() ---" and its calls are traced from the new program's
-- first instruction. The core holds the process at exec (stopped, core.hold_execs) while
-- the new program's PLT is probed here, then resumes it. Probes are per file, filtered by
-- the followed pid set, so each program is probed once. Calls through the GOT only
-- (-fno-plt) are not followed into exec'd programs: their caller filter is the first
-- program's code range.

local Objects = require("ltrace_objects")
local selector = require("ltrace_select")

local M = {}

local function trace_program(t, exe, pid)
	local objects = Objects.new(t.native, exe, pid)
	local sites = {}
	for _, site in ipairs(selector.sites(t.opts, objects)) do
		if site.kind ~= "got" then sites[#sites + 1] = site end
	end
	if selector.wants_libraries(t.opts) then t:cover(objects) end
	for _, s in ipairs(sites) do t.selected[s.name] = true end
	if #sites == 0 then return end
	if t.opts.summary then t:count_calls(sites) else t:trace_calls(sites) end
end

function M.attach(t)
	local core = require("ltrace.core")
	local probed = { [t.objects.main.path] = true }
	local first = #t.opts.command > 0	-- the command's own exec: already probed, no line
	core.hold_execs(true)
	local p = probe("tracepoint:sched:sched_process_exec", t:base_opts({}), function(e)
		t.held[e.pid] = true
		local ok, err = pcall(function()
			if first and e.pid == t.pid then
				first = false
				return
			end
			t.out:line({ tid = e.pid, ts = e.ts, depth = t.events:depth(e.pid) + 1 },
				   "--- Called exec() ---")
			local exe = t.native.realpath("/proc/" .. e.pid .. "/exe")
			if exe and not probed[exe] then
				probed[exe] = true
				trace_program(t, exe, e.pid)
			end
		end)
		core.resume(e.pid)
		if not ok then error(err, 0) end
	end)
	t.probes[#t.probes + 1] = p
end

return M
