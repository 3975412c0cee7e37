-- ltrace: ltrace(1) as an ltrace-ebpf program, on the same probe API scripts use.
-- src/app/cli_ltrace.c runs require("ltrace").main(...) with the whole command line when it
-- is an ltrace command line (docs/ltrace.md); the host has already started the command
-- (held before exec) or found the -p process.
--
--   parse options -> load prototypes -> find the calls to trace (ltrace.select) ->
--   per call plan what the kernel captures (ltrace.plan) -> attach grouped probes ->
--   records become lines (ltrace.events, ltrace.out); with -c, in-kernel aggregates
--   become the summary table.

local core = require("ltrace.core")
local try = require("ltrace.try")
local Budget = require("ltrace.budget")
local conf = require("ltrace.conf")
local filter = require("ltrace.filter")
local builtin = require("ltrace.protos")
local Objects = require("ltrace.objects")
local Out = require("ltrace.out")
local Events = require("ltrace.events")
local optparse = require("ltrace.opts")
local plan = require("ltrace.plan")
local selector = require("ltrace.select")
local signals = require("ltrace.signals")

local M = {}

-- Functions that do not return or leave by unwinding the stack: no return probe. A
-- uretprobe replaces the return address on the stack, and an exception unwinding through
-- that frame finds no unwind info for the trampoline: the program would terminate.
-- Functions a return probe would harm (setjmp, vfork, _start ...) are the core's to know
-- (src/probes/uprobe/return_safety.c): Tracer:return_unsafe asks it.
local NO_RETURN = {
	exit = true, _exit = true, _Exit = true, quick_exit = true, abort = true,
	longjmp = true, _longjmp = true, siglongjmp = true, __longjmp_chk = true,
	pthread_exit = true, __stack_chk_fail = true, __assert_fail = true,
	__assert_perror_fail = true, __fortify_fail = true, __chk_fail = true, err = true,
	errx = true, verr = true, verrx = true, __cxa_throw = true, __cxa_rethrow = true,
	_Unwind_Resume = true, _Unwind_RaiseException = true, _Unwind_Resume_or_Rethrow = true,
	_Unwind_ForcedUnwind = true, __cxa_bad_cast = true, __cxa_bad_typeid = true,
	__cxa_throw_bad_array_new_length = true, __cxa_call_unexpected = true,
	_ZSt9terminatev = true,
}

function M.no_return(name)
	return NO_RETURN[name] or name:match("^_ZSt%d+__throw_") ~= nil
end

local function warn(fmt, ...)
	io.stderr:write("ltrace-ebpf: ", fmt:format(...), "\n")
end

-- ---- prototypes -------------------------------------------------------------------------

function M.prototypes(opts)
	local lib = conf.new()
	if #opts.configs == 0 then
		for _, name in ipairs({ "libc", "libpthread", "libdl", "libm", "libstdcxx" }) do
			conf.add(lib, table.concat(builtin[name], "\n"), "(built-in " .. name .. ")", true)
		end
		local home = os.getenv("HOME")
		for _, path in ipairs({ "/etc/ltrace.conf", home and home .. "/.ltrace.conf" }) do
			-- ENOENT: none there; EACCES: as ltrace, which skips a file it cannot open
			-- (a non-root run with root's HOME: sudo -u, setpriv).
			local ok, err, code = conf.add_file(lib, path, path == "/etc/ltrace.conf")
			if not ok and code ~= 2 and code ~= 13 then warn("%s", err) end
		end
	else
		for _, path in ipairs(opts.configs) do
			local ok, err = conf.add_file(lib, path)
			if not ok then warn("-F %s: %s", path, err) end
		end
	end
	for _, w in ipairs(lib.warnings) do warn("%s", w) end
	return lib
end

-- ---- the traced program ------------------------------------------------------------------

local function target_program(opts, native)
	local pid = opts.pids[1] or target()
	local exe, err
	if #opts.command > 0 then
		exe, err = native.which(opts.command[1])
		if not exe then error(("Can't execute `%s': %s"):format(opts.command[1], err), 0) end
		return exe, pid, Objects.basename(opts.command[1])
	end
	exe, err = native.realpath("/proc/" .. pid .. "/exe")
	if not exe then error(("-p %d: %s"):format(pid, err), 0) end
	return exe, pid, "exe"
end

-- ---- probes -------------------------------------------------------------------------------

local Tracer = {}
Tracer.__index = Tracer

local function display_name(self, name)
	if not self.opts.demangle then return name end
	local cache = self.demangled
	if cache[name] == nil then cache[name] = self.native.demangle(name) or name end
	return cache[name]
end

-- Options every probe gets: no -f means the main thread only, as ltrace.
function Tracer:base_opts(extra)
	local o = extra or {}
	if not self.opts.follow then o.tid = self.pid end
	return o
end

-- Per-call output waits rather than loses calls, as ltrace does: once the core's ring is
-- half full the traced thread is held until the lines are written (e.held). The stop is
-- the core's, not the program's: ltrace.signals does not show it.
function Tracer:lossless(popts, fn)
	if self.opts.summary then return fn end
	popts.lossless = true
	local held = self.held
	return function(e)
		if e.held then held[e.tid] = true end
		return fn(e)
	end
end

-- A probe that fails is said ("not traced") once the start's probes are all tried: if none
-- of them attached (not root, -w deeper than the core allows ...), tracing nothing is an
-- error, said in one line, not a warning per probe before an empty trace and status 0.
function Tracer:attach(spec, popts, fn, what)
	if self.budget.full then return nil end	-- no slot left: said once (ltrace.budget)
	local ok, p = try(probe, spec, popts, fn)
	if not ok and Budget.is_full(p) then
		self.budget:refused(p)
		return nil
	elseif not ok then
		local failure = { what or spec, (tostring(p):gsub("^[^:]+:%d+: ", "")) }
		if self.started then
			warn("%s: not traced: %s", failure[1], failure[2])
		else
			table.insert(self.failures, failure)
		end
		return nil
	end
	self.attached = true
	self.probes[#self.probes + 1] = p
	if self.opts.debug & 1 ~= 0 then warn("probe %s (%d sites)", spec, #p:sites()) end
	return p
end

local function range_where(lo, hi)
	return { ("caller >= 0x%x"):format(lo), ("caller < 0x%x"):format(hi) }
end

-- The caller filter of GOT-only calls: the main binary's code, once its range is known;
-- or, for a program a followed process exec'd (site.range), that program's code there.
function Tracer:caller_where(site)
	if site and site.range then return range_where(site.range[1], site.range[2]) end
	local lo, hi, exact = self.objects:code_range(self.pid)
	self.range_exact = exact
	self.main_range = exact and lo or nil
	return range_where(lo, hi)
end

-- The GOT probes of the command's own program: gated until its exec (below).
local function first_got(site)
	return site.kind == "got" and not site.range
end

-- Probes that must not see the held child before its exec (it runs ltrace-ebpf's own
-- code, which the callers' window of a PIE may include): they start filtered on the
-- command's name, which the exec gives the process, and the filter is lifted at the exec
-- (sched_process_exec), when the PIE's exact code range is known too. Were the tracepoint
-- missing, the GOT probes' range is tightened at their first record instead.
function Tracer:gate(popts)
	if #self.opts.command > 0 then
		local name = self.opts.command[1]:match("([^/]+)$") or self.opts.command[1]
		popts.comm = name:sub(1, 15)
	end
	return popts
end

function Tracer:refine_range()
	if self.range_exact ~= false or #self.got_probes == 0 then return end
	local where = self:caller_where()
	if not self.range_exact then return end
	for _, p in ipairs(self.got_probes) do p:filter({ where = where }) end
end

function Tracer:watch_exec()
	if #self.gated == 0 then return end
	local ok, p = try(probe, "tracepoint:sched:sched_process_exec", function(e)
		if e.pid ~= self.pid or self.exec_seen then return end
		self.exec_seen = true
		self:refine_range()
		for _, gp in ipairs(self.gated) do gp:filter({ comm = "" }) end
	end)
	if ok then self.probes[#self.probes + 1] = p end
end

-- Where a site's probes go: spec prefix (after the kind) and extra options.
function Tracer:site_target(site)
	if site.kind == "plt" then return site.obj.path .. ":*", "plt|" .. site.obj.path end
	if site.kind == "got" then return site.callee.path .. ":" .. site.name, nil end
	return site.obj.path .. ":" .. site.name, nil
end

-- Would a return probe on this site harm the program (returns twice, an entry point ...)?
-- Such calls get entry probes only: printed without a return, counted without a time.
function Tracer:return_unsafe(site)
	if site.kind == "plt" then return self.native.return_unsafe(site.obj.path, site.name, true) end
	local obj = site.kind == "got" and site.callee or site.obj
	return self.native.return_unsafe(obj.path, site.name)
end

function Tracer:descriptor(site)
	local proto = self.protos.protos[site.name] or conf.default_proto(site.name)
	local name = display_name(self, site.name)
	-- ltrace names a resumed call without the "@lib" of -x symbols in libraries.
	local D = { site = site, proto = proto, plan = plan.plan(proto, self.opts),
		    prefix = site.prefix or "", display = name .. (site.suffix or ""),
		    resumed = name }
	return D
end

-- Groups of descriptors sharing a probe: one per (target, side, plan key).
local function group(groups, order, key, target, site, D)
	local g = groups[key]
	if not g then
		g = { target = target, site = site, names = {}, by_name = {}, D = D }
		groups[key] = g
		order[#order + 1] = g
	end
	g.names[#g.names + 1] = site.name
	g.by_name[site.name] = D
	return g
end

function Tracer:attach_group(g, kind, popts, handler)
	local site = g.site
	if self.failed[g.target] then return end
	if site.kind == "plt" then popts.plt = g.names end
	if site.kind == "got" then popts.where = self:caller_where(site) end
	if first_got(site) then self:gate(popts) end
	local events = self.events
	local by_name = g.by_name
	local got = first_got(site)
	local fn
	if got then
		fn = function(e)
			if self.range_exact == false then self:refine_range() end
			handler(events, g.D, e)
		end
	elseif #g.names == 1 then	-- one function: no need to ask the record which
		local D = g.D
		fn = function(e) handler(events, D, e) end
	else
		fn = function(e) handler(events, by_name[e.func], e) end
	end
	fn = self:lossless(popts, fn)
	local p = self:attach(kind .. ":" .. g.target, self:base_opts(popts), fn,
			      kind .. ":" .. g.target .. (site.kind == "plt" and " (PLT)" or ""))
	if p and got then
		self.got_probes[#self.got_probes + 1] = p
		if popts.comm then self.gated[#self.gated + 1] = p end
	end
	if not p and site.kind ~= "plt" and not self.budget.full then self.failed[g.target] = true end
	return p
end

function Tracer:attach_return(g)
	local args, ret = plan.return_opts(g.D.plan)
	-- The caller filter is checked at entry: GOT-only calls need paired probes.
	-- Under --otlp returns are paired calls: their records are the spans.
	local kind = (g.D.plan.kind == "call" or g.site.kind == "got" or export.otlp().enabled)
		and "call" or "uretprobe"
	local handler = kind == "call" and Events.ret_call or Events.ret
	return self:attach_group(g, kind, { args = args, ret = ret }, handler)
end

function Tracer:attach_entry(g)
	local popts = { args = plan.entry_opts(g.D.plan) }
	if self.opts.ip or self.opts.where then	-- the caller (-i), the backtrace (-w)
		popts.stack = "user"
		popts.stack_depth = 1 + (self.opts.where or 1)
		popts.unwind = self.opts.where and "auto" or "fp"
	end
	return self:attach_group(g, "uprobe", popts, Events.entry)
end

function Tracer:trace_calls(sites)
	local entries, returns, eorder, rorder = {}, {}, {}, {}
	for _, site in ipairs(sites) do
		local D = self:descriptor(site)
		local target, shared = self:site_target(site)
		local ekey = (shared or target) .. "|" .. plan.entry_key(D.plan)
		local rkey = (shared or target) .. "|" .. plan.return_key(D.plan)
		local eg = group(entries, eorder, ekey, target, site, D)
		if not M.no_return(site.name) and not self:return_unsafe(site) then
			eg.ret = group(returns, rorder, rkey, target, site, D)
		end
	end
	self.budget:want(#sites)
	-- Return probes first: under -p the process runs meanwhile, and a call whose entry
	-- was seen before its return probe was attached stayed "<unfinished ...>" (every
	-- call for seconds when attaching is slow). A return whose entry was not seen is
	-- dropped (ltrace.events), as ltrace sets a return breakpoint only at an entry.
	-- Groups of several functions (PLT stubs sharing a plan: a handful per object) go
	-- first, all returns then all entries; a function with probes of its own (-x) then
	-- gets its return and its entry in turn, so that when the slots run out each
	-- function is traced whole or not at all (ltrace.budget).
	local solo, solo_ret = {}, {}
	for _, g in ipairs(eorder) do
		if #g.names == 1 and (not g.ret or #g.ret.names == 1) then
			solo[g] = true
			if g.ret then solo_ret[g.ret] = true end
		end
	end
	for _, g in ipairs(rorder) do
		if not solo_ret[g] then self:attach_return(g) end
	end
	for _, g in ipairs(eorder) do
		if not solo[g] then self:attach_entry(g) end
	end
	for _, g in ipairs(eorder) do
		if solo[g] then self:attach_solo(g) end
	end
	self.budget:make_room()
end

-- One function's return probe, then its entry probe: both, or neither.
function Tracer:attach_solo(g)
	if self.budget.full then return self.budget:left_out(1) end
	local r = g.ret and self:attach_return(g.ret)
	if g.ret and not r then
		if self.budget.full then self.budget:left_out(1) end
		return
	end
	local e = self:attach_entry(g)
	if not e then
		if r then r:close() end
		if self.budget.full then self.budget:left_out(1) end
		return
	end
	self.budget:attached({ e, r }, 1)
end

-- -c: one paired probe per group aggregating count and time per function, in kernel; calls
-- a return probe would harm are counted by an entry probe, with no time (ns 0).
function Tracer:count_calls(sites)
	local groups, order = {}, {}
	for _, site in ipairs(sites) do
		local target, shared = self:site_target(site)
		local kind = self:return_unsafe(site) and "uprobe" or "call"
		local g = group(groups, order, kind .. "|" .. (shared or target), target, site, true)
		g.kind = kind
	end
	self.budget:want(#sites)
	for _, g in ipairs(order) do
		local popts = { agg = g.kind == "call" and "stats" or "count", by = "func", print = false }
		if g.site.kind == "plt" then popts.plt = g.names end
		if g.site.kind == "got" then popts.where = self:caller_where(g.site) end
		if first_got(g.site) then self:gate(popts) end
		local p = self:attach(g.kind .. ":" .. g.target, self:base_opts(popts))
		if p then
			self.count_probes[#self.count_probes + 1] = p
			if first_got(g.site) then self.got_probes[#self.got_probes + 1] = p end
			if popts.comm then self.gated[#self.gated + 1] = p end
			if #g.names == 1 then self.budget:attached({ p }, 1) end
		elseif self.budget.full then
			self.budget:left_out(#g.names)
		end
	end
	local closed = self.budget:make_room()
	for k = #self.count_probes, 1, -1 do
		if closed[self.count_probes[k]] then table.remove(self.count_probes, k) end
	end
end

function Tracer:summary()
	local totals, list = {}, {}
	for _, p in ipairs(self.count_probes) do
		local prefix = self.count_prefix and self.count_prefix[p] or ""
		local rename = self.count_rename and self.count_rename[p] or display_name
		for _, ent in ipairs(p:read()) do
			local name = prefix .. (rename == display_name and display_name(self, ent.key)
						or rename(ent.key))
			local t = totals[name]
			if not t then
				t = { name = name, count = 0, ns = 0 }
				totals[name] = t
				list[#list + 1] = t
			end
			t.count = t.count + ent.count
			t.ns = t.ns + ent.sum
		end
	end
	self.out:summary(list)
end

-- ---- libraries loaded later (dlopen) ------------------------------------------------------

-- Objects whose calls were selected already (by real path: the loader's paths and
-- /proc/PID/maps spell them differently).
function Tracer:cover(objects)
	for _, o in ipairs(objects:all()) do
		self.covered[self.native.realpath(o.path) or o.path] = true
	end
end

function Tracer:library_loaded(path)
	local real = self.native.realpath(path) or path
	if self.covered[real] then return end
	self.covered[real] = true
	local obj = self.objects:loaded(real)
	if obj then self.traced_objects[#self.traced_objects + 1] = obj end
	local sites = obj and selector.library_sites(self.opts, self.objects, obj) or {}
	if #sites == 0 then return end
	if self.opts.debug & 1 ~= 0 then warn("loaded %s: %d functions", real, #sites) end
	for _, s in ipairs(sites) do self.selected[s.name] = true end
	if self.opts.summary then self:count_calls(sites) else self:trace_calls(sites) end
	self:say_left_out()
end

-- A library loaded after start gets the same selection as those loaded at start, probed
-- while the process waits at the dynamic linker's breakpoint (libwatch), as ltrace does
-- at r_brk: its constructors' and first calls are seen.
function Tracer:watch_libraries()
	local interp = self.objects.info.interp
	if not interp or not selector.wants_libraries(self.opts) then return false end
	self:cover(self.objects)
	local ok, p = try(require("libwatch").watch, { ldso = interp }, function(e, paths)
		self.held[e.tid] = true	-- its SIGSTOP is not the program's (ltrace.signals)
		for _, path in ipairs(paths) do self:library_loaded(path) end
	end)
	if not ok then
		warn("libraries loaded later (dlopen) are not traced: %s",
		     tostring(p):gsub("^[^:]+:%d+: ", ""))
		return false
	end
	self.probes[#self.probes + 1] = p
	self.watching = true
	if self.opts.debug & 1 ~= 0 then
		warn("probe uprobe:%s:_dl_debug_state (libraries loaded later)", interp)
	end
	return true
end

-- "+++ exited (status N) +++" once the traced process is gone.
function Tracer:finish()
	local c = counters()
	if self.watching then M.check_names(self.opts, self.selected, self.traced_objects) end
	if self.opts.debug & 1 ~= 0 then
		warn("events %d, lost: ringbuf_full %d inflight_full %d lost_detached %d unmatched %d",
		     c.events, c.ringbuf_full, c.inflight_full, c.lost_detached, c.unmatched_return)
	end
	-- Unlike ltrace, the traced program never waits for ltrace-ebpf: calls made faster
	-- than they can be printed are lost once the ring buffer is full. Say so.
	local lost = (c.ringbuf_full or 0) + (c.inflight_full or 0)
	if lost > 0 and not self.opts.summary then
		warn("%d call records were lost (the program made calls faster than they could be " ..
		     "printed): the trace above is incomplete; -c counts every call, -e traces fewer", lost)
	end
	if not self.opts.summary then
		local gone = not io.open("/proc/" .. self.pid .. "/stat")
		if gone and not self.main_exited then
			local status = self.native.exit_status()
			local who = { tid = self.pid, ts = nil, ip = -1 }
			local sig = status > 128 and status - 128 or 0
			if sig > 0 and sig < 65 then
				self.out:line(who, ("+++ killed by %s +++"):format(signals.name(sig)))
			else
				self.out:line(who, ("+++ exited (status %d) +++"):format(status))
			end
		end
	else
		self:summary()
	end
	self.out:close()
end

-- A name or library given to -e or -x that matches nothing: said, where ltrace would
-- silently trace nothing for it. have: the set of names selected; objects: the traced
-- objects (those loaded later too).
function M.check_names(opts, have, objects)
	local function imports(o)
		local set = {}
		for _, imp in ipairs(o:imports()) do set[imp.name] = true end
		return set
	end
	local function functions(o) return o:function_set() end
	for _, f in ipairs({ { "-e", opts.hide_caller and {} or opts.plt_filter, imports },
			     { "-x", opts.static_filter, functions } }) do
		for _, u in ipairs(filter.unmatched(f[2], have, objects, f[3])) do
			if u.lib then
				warn("%s '%s': no traced object is named '%s': that part matches nothing",
				     f[1], u.expr, u.lib)
			else
				warn("%s %s: no such function is %s", f[1], u.name, f[1] == "-e" and
				     "called through the PLT (or GOT) of the traced objects" or
				     "defined in the traced objects")
			end
		end
	end
end

-- The functions the probe slots had no room for, in one line (ltrace.budget).
function Tracer:say_left_out()
	local line = self.budget:take_line()
	if line then warn("%s", line) end
end

-- After the calls' probes: the failures deferred by Tracer:attach, said.
function Tracer:started_calls()
	self.started = true
	self:say_left_out()
	local first = self.failures[1]
	if first and not self.attached then
		error(("nothing traced: %s%s"):format(first[2], #self.failures > 1 and
			(" (and %d more probes failed)"):format(#self.failures - 1) or ""), 0)
	end
	for _, f in ipairs(self.failures) do warn("%s: not traced: %s", f[1], f[2]) end
end

function M.run(opts, native)
	local exe, pid, name = target_program(opts, native)
	local self = setmetatable({
		opts = opts, native = native, pid = pid, probes = {}, got_probes = {}, gated = {},
		count_probes = {}, demangled = {}, failed = {}, covered = {}, failures = {},
		held = {},	-- tids stopped by the core's holds: their SIGSTOP is not shown
		budget = Budget.new(),	-- the session's probe slots (ltrace.budget)
	}, Tracer)
	-- Every traced call is a record; the core's default ring (4 MiB) is enough: once it is
	-- half full the traced thread waits for the printer (lossless). A 32 MiB ring printed
	-- `ls -lR /usr/share/doc` no faster and took 78 MB of peak RSS against 20.
	-- The programs the probes below will need verify in parallel while the program's
	-- objects, prototypes and call sites are read (a hint: the library watch and calls
	-- without strings take the plain builds, string captures the sleepable ones, GOT
	-- calls paired ones, -c the lean paired one).
	if opts.summary then
		core.prefetch({ { "call", "lean" } })
	else
		core.prefetch({ { "uprobe", "plain" }, { "uprobe", "sleepable" },
				{ "uretprobe", "plain" }, { "uretprobe", "sleepable" },
				{ "call", "sleepable" } })
	end
	self.objects = Objects.new(native, exe, pid, name)
	self.protos = M.prototypes(opts)
	self.out = Out.new(opts, native)
	opts.main_tid = pid
	if #opts.pids > 0 then
		-- Before any probe: these threads may be inside calls when the probes attach.
		opts.early_tids = {}
		for _, tid in ipairs(native.threads(pid) or { pid }) do opts.early_tids[tid] = true end
	end
	self.events = Events.new(self.out, opts)
	-- First: their template verifies here while the prefetched ones do in the background.
	if not opts.summary then signals.attach_signals(self, not opts.no_signals) end
	local sites = selector.sites(opts, self.objects)
	self.selected = {}
	for _, s in ipairs(sites) do self.selected[s.name] = true end
	if opts.summary then
		self:count_calls(sites)
	else
		self:trace_calls(sites)
	end
	self:started_calls()
	self:watch_exec()
	-- With libraries loaded later a name may still come: said at the end, if not.
	self.traced_objects = self.objects:all()
	if not self:watch_libraries() then M.check_names(opts, self.selected, self.traced_objects) end
	if opts.follow then require("ltrace.exec").attach(self) end
	if opts.syscalls then
		local sys = require("ltrace.syscalls")
		if opts.summary then sys.attach_count(self) else sys.attach(self) end
	end
	-- After the syscall probes: a process's last system call shows before its exit line.
	if not opts.summary then signals.attach_exits(self) end
	every("100ms", function() self.out:flush() end)
	on("end", function() self:finish() end)
	-- Drops are reported by ltrace.lua's own summary: expected faults (a NULL string, the
	-- speculative string reads of printf varargs) are not news.
	package.loaded.prelude.report_drops = false
	return self
end

function M.main(...)
	local native = require("ltrace.native")
	local opts = optparse.parse({ ... }, native)
	if opts.help then
		io.stdout:write(optparse.USAGE)
		return
	elseif opts.version then
		io.stdout:write("ltrace version 0.7.3 (ltrace-ebpf front end).\n")
		return
	elseif opts.debug_help then
		io.stdout:write(optparse.DEBUG_HELP)
		return
	end
	return M.run(opts, native)
end

return M
