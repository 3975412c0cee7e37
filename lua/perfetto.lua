-- perfetto: a timeline of paired calls as Chrome trace-event JSON, which ui.perfetto.dev
-- (and chrome://tracing) open: one complete ("X") event per call, one track per thread
-- (named after its comm), calls nested by time, so by depth. Events are kept and written
-- sorted by thread, start and longest first when the writer is closed.
--
--   local trace = require("perfetto").new("calls.json")
--   probe("call:libfoo:*", function(e) trace:call(e) end)
--   on("end", function() trace:close() end)
local M = {}
local W = {}
W.__index = W

local jstr = require("fmt").json_string

local function jval(v)
	if type(v) == "number" then
		return math.type(v) == "integer" and ("%d"):format(v) or ("%.17g"):format(v)
	elseif type(v) == "boolean" then
		return tostring(v)
	end
	return jstr(v)
end

-- M.new(dest [, opts]): dest a path or an open file. opts.process_name names the process
-- tracks (default: the comm of their first event).
function M.new(dest, opts)
	return setmetatable({ dest = dest, opts = opts or {}, events = {}, threads = {},
	                      procs = {} }, W)
end

-- w:complete{ name, ts (ns), dur (ns), pid, tid, cat, args = {k = v} }
function W:complete(ev)
	self.events[#self.events + 1] = ev
	if ev.comm then
		self.threads[ev.tid] = self.threads[ev.tid] or { pid = ev.pid, comm = ev.comm }
		self.procs[ev.pid] = self.procs[ev.pid] or ev.comm
	end
end

-- w:call(e): a call: event (func, ts, duration, pid, tid, comm, args, ret).
function W:call(e, args)
	if not args then
		args = { ret = e.ret }
		for i = 1, 6 do args["arg" .. i] = e.args[i] end
	end
	self:complete{ name = e.func, ts = e.ts, dur = e.duration or 0, pid = e.pid, tid = e.tid,
	               comm = e.comm, cat = e.probe, args = args }
end

local function by_track(a, b)
	if a.pid ~= b.pid then return a.pid < b.pid end
	if a.tid ~= b.tid then return a.tid < b.tid end
	if a.ts ~= b.ts then return a.ts < b.ts end
	return a.dur > b.dur
end

local function event_json(ev)
	local parts = { '{"ph":"X","name":', jstr(ev.name), ',"cat":', jstr(ev.cat or "call"),
	                (',"ts":%.3f,"dur":%.3f,"pid":%d,"tid":%d'):format(ev.ts / 1000,
	                  ev.dur / 1000, ev.pid, ev.tid) }
	if ev.args and next(ev.args) then
		local a, keys = {}, {}
		for k in pairs(ev.args) do keys[#keys + 1] = k end
		table.sort(keys)
		for _, k in ipairs(keys) do a[#a + 1] = jstr(k) .. ":" .. jval(ev.args[k]) end
		parts[#parts + 1] = ',"args":{' .. table.concat(a, ",") .. "}"
	end
	parts[#parts + 1] = "}"
	return table.concat(parts)
end

-- w:close(): writes everything (metadata naming processes and threads, then the calls).
function W:close()
	if self.closed then return end
	self.closed = true
	table.sort(self.events, by_track)
	local f = type(self.dest) == "string" and assert(require("ltrace.core").create(self.dest)) or self.dest
	f:write('{"displayTimeUnit":"ns","traceEvents":[\n')
	local first = true
	local function put(s)
		f:write(first and "" or ",\n", s)
		first = false
	end
	for pid, comm in pairs(self.procs) do
		put(('{"ph":"M","name":"process_name","pid":%d,"tid":%d,"args":{"name":%s}}')
			:format(pid, pid, jstr(self.opts.process_name or comm)))
	end
	for tid, t in pairs(self.threads) do
		put(('{"ph":"M","name":"thread_name","pid":%d,"tid":%d,"args":{"name":%s}}')
			:format(t.pid, tid, jstr(t.comm .. " " .. tid)))
	end
	for _, ev in ipairs(self.events) do put(event_json(ev)) end
	f:write("\n]}\n")
	if type(self.dest) == "string" then f:close() else f:flush() end
	return #self.events
end

return M
