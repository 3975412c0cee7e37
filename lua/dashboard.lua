-- The dashboard's layout API (docs/dashboard.md): a script run with --dashboard declares
-- its panels here, top to bottom; the view (src/view/dash_layout.c) reads `panels` once,
-- when the script has run. Without a declaration the view shows a default one: a
-- histogram per histogram aggregate, a top table per keyed one, counters, drops, events.
--
--   local dash = require("dashboard")
--   local lat = probe("call:libc:malloc", { agg = "hist" })
--   dash.hist(lat, { title = "malloc latency" })
--   dash.top(probe("syscall:*", { agg = "stats", by = "comm" }), { n = 8, sort = "total" })
--   dash.counters()  dash.drops()  dash.log()
--   dash.show()   -- the view without --dashboard on the command line
local M = { panels = {} }

local function probe_id(p, what)
	local ok, info = pcall(function() return p:info() end)
	if not ok or type(info) ~= "table" or not info.id then
		error(what .. ": expects a probe (the value probe() returned)", 3)
	end
	return info.id, info
end

local function opts_of(o, what, allowed)
	if o == nil then return {} end
	if type(o) ~= "table" then error(what .. ": options must be a table", 3) end
	for k in pairs(o) do
		if not allowed[k] then error(what .. ": unknown option '" .. tostring(k) .. "'", 3) end
	end
	return o
end

local function add(panel)
	M.panels[#M.panels + 1] = panel
	return panel
end

-- A log2 histogram of a probe's in-kernel aggregate (agg = "hist"): every key added up.
function M.hist(p, o)
	local id, info = probe_id(p, "dashboard.hist")
	o = opts_of(o, "dashboard.hist", { title = true })
	if info.agg ~= "hist" then
		error("dashboard.hist: the probe aggregates '" .. tostring(info.agg) ..
		      "', not 'hist'", 2)
	end
	return add({ type = "hist", probe = id, title = o.title or info.name or info.spec })
end

-- The top keys of a keyed aggregate (by = ...), by "count" or by "total" (the sum: time
-- for durations); the 's' key turns it.
function M.top(p, o)
	local id, info = probe_id(p, "dashboard.top")
	o = opts_of(o, "dashboard.top", { title = true, n = true, sort = true })
	if o.sort ~= nil and o.sort ~= "count" and o.sort ~= "total" then
		error("dashboard.top: sort is 'count' or 'total'", 2)
	end
	if o.n ~= nil and (math.type(o.n) ~= "integer" or o.n < 1 or o.n > 100) then
		error("dashboard.top: n is an integer 1..100", 2)
	end
	return add({ type = "top", probe = id, title = o.title or info.name or info.spec,
	             n = o.n or 10, sort = o.sort or "count" })
end

-- The panels with no probe, each with an optional title:
--   M.counters(o)  every probe's hits (and per second), filtered, emitted, dropped, on/off
--   M.drops(o)     the session's events, what the view sampled out, holds, drop counters
--   M.log(o)       the event log: the newest records, scrolling, pausable
for _, kind in ipairs({ "counters", "drops", "log" }) do
	M[kind] = function(o)
		o = opts_of(o, "dashboard." .. kind, { title = true })
		return add({ type = kind, title = o.title })
	end
end

-- The script wants the view: as if run with --dashboard (a shipped dashboard script).
-- o.output: an open file (io.open, tool.create) that gets the text frames instead of the
-- terminal (a record of the session; no screen, no keys).
function M.show(o)
	o = opts_of(o, "dashboard.show", { output = true })
	if o.output ~= nil and io.type(o.output) ~= "file" then
		error("dashboard.show: output must be an open file", 2)
	end
	M.wanted = true
	M.output = o.output
end

return M
