-- The scripting surface: globals every script sees (probe, on, every, after, exit,
-- printf, list, counters, hist/lhist/counter/stats) built on the C core module.
-- Returns the phase functions the host calls: begin() and finish().
local core = require("ltrace.core")
local agg = require("agg")

local M = {}
local all_probes = {}      -- every probe handle, kept alive for the whole session
local handlers = { begin = {}, ["end"] = {} }

local function add_handler(phase, fn)
	if type(fn) ~= "function" then
		error(("on('%s', fn): fn must be a function"):format(phase), 3)
	end
	table.insert(handlers[phase], fn)
end

local function timer(interval, fn, periodic, level)
	local secs = interval
	if type(interval) == "string" then
		local ok, ns = pcall(core.parse_duration, interval)
		if not ok then error(ns, level + 1) end
		secs = ns / 1e9
	end
	if type(secs) ~= "number" or secs <= 0 then
		error("interval must be a positive duration (e.g. \"1s\", 0.5)", level + 1)
	end
	if type(fn) ~= "function" then error("expected a function", level + 1) end
	return core.timer(secs, fn, periodic)
end

--- probe(spec [, opts] [, fn]) -> handle. Raises with the caller's line on any error.
function probe(spec, opts, fn)
	if type(spec) ~= "string" then error("probe(spec, ...): spec must be a string", 2) end
	if type(opts) == "function" then opts, fn = nil, opts end
	local period = spec:match("^interval:(.+)$") or spec:match("^i:(.+)$")
	local phase = (spec == "begin" or spec == "BEGIN") and "begin"
	              or (spec == "end" or spec == "END") and "end"
	if (phase or period) and type(opts) == "table" and next(opts) ~= nil then
		-- no event, no stack, no filter: an option here would be silently ignored
		error(("%s: takes no options (got '%s')"):format(spec, tostring(next(opts))), 2)
	end
	if phase then return add_handler(phase, fn) end
	local proto = spec == "http:request" and "request" or spec == "ssl:data" and "plaintext"
	if proto then return require("http")[proto](opts, fn) end	-- lua/http.lua
	if period then
		local t = timer(period, fn, true, 2)   -- not a tail call: level 2 is the caller
		return t
	end
	local ok, p, err = pcall(core.probe, spec, opts, fn)
	if not ok then error(p, 2) end
	if not p then error(err, 2) end
	all_probes[#all_probes + 1] = p
	return p
end

--- on("begin" | "end", fn)
function on(phase, fn)
	if handlers[phase] == nil then
		error(("on(): unknown event '%s' (begin, end)"):format(tostring(phase)), 2)
	end
	add_handler(phase, fn)
end

function every(interval, fn)
	local t = timer(interval, fn, true, 2)
	return t
end

function after(interval, fn)
	local t = timer(interval, fn, false, 2)
	return t
end
exit = core.exit	-- C, called directly: its errors name the script's line
function printf(fmt, ...) io.write(string.format(fmt, ...)) end
function counters() return core.counters() end

--- export.prometheus(x, {name=, help=, labels={...}, key=, hide=}): how --metrics serves
--- probe x's in-kernel aggregate, or the Lua aggregate x (count, sum, min, max, stats, hist:
--- copied by the event loop at each scrape) (docs/exporters.md). Returns x.
local EXPORTABLE = { count = true, sum = true, min = true, max = true, stats = true, hist = true }
local json_on = false      -- --json or a tool's -j started the JSON output (M.json)

-- The fields each in-kernel kind keeps, beside key and count (docs/json.md).
local KERNEL_FIELDS = { count = {}, sum = { "sum" }, min = { "min" }, max = { "max" },
                        stats = { "sum", "min", "max" }, hist = { "sum", "min", "max", "buckets" } }

-- Probe p's in-kernel aggregate (info: p:info()) as its "agg" line, from the kernel's
-- entries as they are (agg.lua's kinds keep less: a min keeps no count).
local function json_probe_agg(p, info)
	local rows = {}
	for _, e in ipairs(p:read()) do
		local r = { key = e.key ~= nil and tostring(e.key) or nil, count = e.count }
		for _, f in ipairs(KERNEL_FIELDS[info.agg] or {}) do r[f] = e[f] end
		rows[#rows + 1] = r
	end
	table.sort(rows, function(a, b) return tostring(a.key) < tostring(b.key) end)
	return core.json_agg({ name = info.name, probe = info.spec, agg = info.agg, unit = info.unit,
	                       by = info.by }, rows)
end

-- x (an aggregate of agg.lua, kept in Lua) as its "agg" line.
local function json_agg(x)
	local info = agg.info(x)
	local rows = agg.rows(x)
	table.sort(rows, function(a, b) return tostring(a.key) < tostring(b.key) end)
	return core.json_agg({ name = info.name, agg = info.kind, unit = info.unit, min = info.min,
	                       max = info.max, step = info.step }, rows)
end

export = {
  --- export.json(x) -> true when written, false without --json (docs/json.md): an aggregate
  --- (hist(), counter() ...) or a probe's in-kernel one as an "agg" line, a table as a
  --- "record" line (its own "type" kept).
  json = function(x)
    if type(x) == "userdata" then
      local ok, info = pcall(x.info, x)
      if not ok or info.agg == "none" then
        error("export.json: a probe without an in-kernel aggregate (option agg)", 2)
      end
      return json_probe_agg(x, info)
    end
    if agg.info(x) then return json_agg(x) end
    if type(x) ~= "table" then error("export.json: expected a table or an aggregate", 2) end
    local ok, r = pcall(core.json_emit, x)
    if not ok then error(r, 2) end
    return r
  end,
  prometheus = function(x, opts)
    local info = agg.info(x)
    if type(x) == "table" and not info then
      error("export.prometheus: expected a probe handle or an aggregate (hist(), counter() ...)", 2)
    end
    if info and not EXPORTABLE[info.kind] then
      error(("export.prometheus: a Lua %s cannot be exported (count, sum, min, max, stats, hist)")
            :format(info.kind), 2)
    end
    local ok, r = pcall(core.export_prometheus, x, opts, info and info.kind, info and info.unit,
                        info and info.name, info and agg.rows)
    if not ok then error(r, 2) end
    return r
  end,
}
--- json.encode(v): v as one line of JSON text (the encoder of --json: docs/json.md).
json = { encode = core.json_encode }
--- export.span{name=, start=, duration=, attrs=, parent=, kind=, status=, message=, pid=}:
--- one span for --otlp; returns its traceparent (a parent= for others). export.otlp{service=,
--- traceparent=}: the service.name and the trace of the spans to come; returns the sender's
--- counts (docs/exporters.md).
export.span = core.otlp_span
export.otlp = core.otlp_config
function target() return core.target() end
trace_pid = core.trace_pid	-- (the same)
function probes_list() return all_probes end

--- ringbuf_size(bytes): the event ring's size (default 4 MiB); before the first probe.
function ringbuf_size(bytes)
	local ok, err = pcall(core.ringbuf_size, bytes)
	if not ok then error(err, 2) end
end

--- on_error("continue" | "stop"): what a runtime error in a callback does (default stop).
function on_error(mode)
	if mode ~= "continue" and mode ~= "stop" then
		error("on_error(): expected \"continue\" or \"stop\"", 2)
	end
	core.keep_going(mode == "continue")
end

--- probes(): prints the session's probes (id, state, hits, spec) and returns them.
function probes()
	local rows = {}
	for _, p in ipairs(all_probes) do
		local ok, info = pcall(p.info, p)
		if ok then
			local st = p:stats()
			rows[#rows + 1] = { id = info.id, state = not info.attached and "detached"
			                    or info.enabled and "enabled" or "disabled",
			                    sites = st.sites, hits = st.hits, spec = info.spec }
		end
	end
	io.write(fmt.table(rows, { { key = "id", title = "ID", align = "right" },
	                           { key = "state", title = "STATE" },
	                           { key = "sites", title = "SITES", align = "right" },
	                           { key = "hits", title = "HITS", align = "right" },
	                           { key = "spec", title = "SPEC" } }), "\n")
	return all_probes
end

agg.install_globals = nil
_G.agg = agg
fmt = require("fmt")
hist = agg.hist
lhist = agg.lhist
counter = agg.count
stats = agg.stats

--- list("libc:str*"): prints matching probe points; true when any matched.
function list(pattern)
	local names, err = core.list(pattern)
	if not names then
		io.stderr:write("ltrace-ebpf: ", err, "\n")
		return false
	end
	for _, n in ipairs(names) do print(n) end
	if #names == 0 then io.stderr:write("ltrace-ebpf: nothing matches '", pattern, "'\n") end
	return #names > 0
end

-- Probe methods written in Lua, next to the C ones.
local methods = debug.getregistry()["ltrace.probe"].__index

--- p:agg() -> the in-kernel aggregate as an agg object (prints like bpftrace).
function methods:agg()
	local info = self:info()
	return agg.from_kernel(info.agg, self:read(), { name = info.name, unit = info.unit })
end

--- p:print(): prints the in-kernel aggregate now (and not again at exit); with --json its
--- "agg" line.
function methods:print()
	if json_on then json_probe_agg(self, self:info()) else print(self:agg()) end
	self:mark_printed()
end

--- The "json" phase (src/lua/l_json.c): the JSON output has started. print() of an
--- aggregate writes its "agg" line (what else the script prints goes where it went, which
--- is stderr when the JSON is on stdout: src/export/json_out.c).
function M.json()
	json_on = true
	local plain = print
	print = function(...)
		if select("#", ...) == 1 and agg.info((...)) then return json_agg((...)) end
		return plain(...)
	end
end

function M.begin()
	for _, fn in ipairs(handlers.begin) do fn() end
end

local function report_drops()
	local c = core.counters()
	local parts = {}
	for _, name in ipairs({ "ringbuf_full", "inflight_full", "agg_full", "unmatched_return",
	                        "data_full", "pids_full", "read_fault", "str_truncated",
	                        "stack_lost", "returns_unwound", "hold_failed", "offcpu_lost",
	                        "maps_lost", "lost_detached" }) do
		if (c[name] or 0) > 0 then parts[#parts + 1] = name .. "=" .. c[name] end
	end
	if #parts > 0 then
		io.stderr:write("ltrace-ebpf: drops and truncations: ", table.concat(parts, " "), "\n")
	end
end

--- Session end: end handlers, then unprinted in-kernel and Lua aggregates, then drops.
function M.finish()
	local failed
	for _, fn in ipairs(handlers["end"]) do
		local ok, err = xpcall(fn, debug.traceback)
		if not ok then
			io.stderr:write("ltrace-ebpf: error in end handler: ", tostring(err), "\n")
			failed = true
		end
	end
	for _, p in ipairs(all_probes) do
		local ok, info = pcall(p.info, p)
		if ok and info.print and info.agg ~= "none" then
			-- empty maps print nothing, as in bpftrace; JSON has its empty rows
			if json_on then
				json_probe_agg(p, info)
			else
				local a = p:agg()
				if #a > 0 then print(a) end
			end
			p:mark_printed()
		end
	end
	for _, a in ipairs(agg.unshown()) do   -- Lua ones alike (print = false: not)
		if json_on then json_agg(a) else print(a) end
	end
	io.stdout:flush()
	if M.report_drops ~= false then report_drops() end
	if failed then error("an end handler failed", 0) end
end

return M
