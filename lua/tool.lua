-- tool: what the tools in scripts/ share. One option table per tool gives both the parser
-- and the -h text, so a tool lists exactly the options it takes; the common ones are
-- handled here once: -p PID (with spec.pids, PID,PID,...), -c CMD (a shell command line) or `-- CMD` after the script's
-- options (the target: a running pid, or a command held until the probes are attached),
-- -d SECS (the end), -o FILE (everything the tool prints goes to FILE), -h. Shared
-- entries for the options several tools take alike (-i SECS, -n COUNT, -j, -T) are
-- M.INTERVAL, M.COUNT, M.JSON, M.TIMESTAMP. Stack tools add theirs through stacktool.lua.
-- -j is --json (docs/json.md): both set opts.json, and a tool writes its rows with
-- M.record instead of its text.
local core = require("ltrace.core")

local M = {}

M.INTERVAL = { "-i", "interval", "SECS", "print (and reset) every SECS seconds", number = true }
M.COUNT = { "-n", "count", "COUNT", "stop after COUNT intervals", number = true }
M.JSON = { "-j", "json", nil, "write JSON lines, as --json (docs/json.md); with -o FILE in FILE" }
M.TIMESTAMP = { "-T", "timestamp", nil, "print a wall clock time column" }

local TARGET = {
	{ "-p", "pid", "PID", "trace this process (and only it)", number = true },
	{ "-c", "cmd", "CMD", "run CMD (a shell command line) and trace it" },
}
local COMMON = {
	{ "-d", "duration", "SECS", "stop after SECS seconds", number = true },
	{ "-o", "output", "FILE", "write the output to FILE" },
	{ "-h", "help", nil, "this help" },
}

-- What a number option takes, by its argument's name: { min, max, fraction allowed,
-- min excluded }. A value outside is refused with one line, never used as it stands
-- (-T -3 printed nothing, -n 0 never stopped).
local RANGES = {
	SECS = { 0, nil, true, true },
	MIN_US = { 0, nil, true }, MAX_US = { 0, nil, true }, MIN_AGE_MS = { 0, nil, true },
	TOP = { 1 }, COUNT = { 1 }, HZ = { 1 },
	SIG = { 0, 64 }, PORT = { 1, 65535 }, PID = { 1, 4194304 }, TID = { 1, 4194304 },
}

local function number_arg(o, text)
	local r = assert(RANGES[o[3]], o[3])
	local v = tonumber(text)
	local ok = v ~= nil and v == v and v ~= math.huge and v ~= -math.huge
	           and (r[3] or math.tointeger(v) ~= nil)
	           and (v > r[1] or (v == r[1] and not r[4])) and (not r[2] or v <= r[2])
	if ok then return r[3] and v or math.tointeger(v) end
	local what = r[3] and "a number" or "an integer"
	local range = r[4] and ("> %d"):format(r[1]) or r[2] and ("%d..%d"):format(r[1], r[2])
	              or (">= %d"):format(r[1])
	error(("%s %s must be %s %s (not %s)"):format(o[1], o[3], what, range, text), 0)
end

-- -p of a tool that takes several processes (spec.pids): "PID,PID,..." -> opts.pids, the
-- first also in opts.pid (the session's target).
local PIDS = { "-p", "pid", "PID,...", "trace these processes (and only them)", list = true }
local function pid_list(o, text)
	local pids = {}
	for item in (text .. ","):gmatch("([^,]*),") do pids[#pids + 1] = number_arg(TARGET[1], item) end
	return pids
end

-- The options of spec in the order -h lists them: the tool's, spec.extra's (stacktool),
-- the common ones, then the target's. A system-wide tool (spec.target == false) does not
-- list them; parsed all the same, they are refused with a message that says why.
local function all_options(spec, listed)
	local all = {}
	for _, list in ipairs({ spec.options or {}, spec.extra or {}, COMMON,
	                        (spec.target ~= false or not listed)
	                        and (spec.pids and { PIDS, TARGET[2] } or TARGET) or {} }) do
		for _, o in ipairs(list) do all[#all + 1] = o end
	end
	return all
end

local function usage(spec)
	local short, lines = {}, {}
	for _, o in ipairs(all_options(spec, true)) do
		local left = o[1] .. (o[3] and " " .. o[3] or "")
		if o[2] ~= "help" and o[2] ~= "pid" and o[2] ~= "cmd" then
			short[#short + 1] = "[" .. left .. "]"
		end
		local def = o.default ~= nil and (" (default " .. tostring(o.default) .. ")") or ""
		lines[#lines + 1] = ("  %-14s %s%s"):format(left, o[4], def)
	end
	if spec.positional then short[#short + 1] = spec.positional end
	local target = spec.target == false and "" or spec.target == "required"
	               and " (-p PID | -c CMD | -- CMD)" or " [(-p PID | -c CMD | -- CMD)]"
	local out = { ("usage: ltrace-ebpf scripts/%s.lua %s%s"):format(spec.name,
	              table.concat(short, " "), target), "", spec.summary, "", "options:" }
	for _, l in ipairs(lines) do out[#out + 1] = l end
	if spec.target ~= false then
		out[#out + 1] = ("  %-14s %s"):format("-- CMD ARGS", "run CMD (after the script's options) and trace it")
	end
	return table.concat(out, "\n") .. "\n"
end

-- -o FILE: everything the tool writes (print, printf, io.write, io.stdout) goes to FILE,
-- created as the tool's other output files are (refused: one line, status 1).
-- M.create(path) -> the file -o names, opened for writing, or one line raised.
function M.create(path)
	local f, err = core.create(path)
	if not f then error(("-o: %s"):format(err), 0) end
	return f
end

local function redirect(path)
	local f = M.create(path)
	io.output(f)
	io.stdout = f
	print = function(...)
		local n = select("#", ...)
		for i = 1, n do
			f:write(tostring((select(i, ...))), i < n and "\t" or "\n")
		end
		if n == 0 then f:write("\n") end
	end
	on("end", function() f:flush() end)
end

-- M.parse(argv, spec) -> opts. spec: { name, summary, options = { { flag, key, ARGNAME or
-- nil, help, number = bool, default = v } }, positional = "NAME" or nil, pids = true (-p
-- takes PID,PID,...: opts.pids), target = false
-- (system-wide only) or "required", own_output = true (the tool writes -o FILE itself) }.
-- Misuse raises the usage text (exit status 1); -h prints it and sets opts.help.
function M.parse(argv, spec)
	local opts, byflag = {}, {}
	for _, o in ipairs(all_options(spec)) do
		byflag[o[1]] = o
		if o.default ~= nil then opts[o[2]] = o.default end
	end
	local i = 1
	while i <= #argv do
		local a = argv[i]
		local o = byflag[a]
		if a == "--help" then o = byflag["-h"] end
		if o then
			if o[3] then
				local v = argv[i + 1]
				if v == nil then error(("%s needs %s\n%s"):format(a, o[3], usage(spec)), 0) end
				if o.number then v = number_arg(o, v) end
				if o.list then v = pid_list(o, v) end
				if o.list then opts.pids, v = v, v[1] end
				opts[o[2]] = v
				i = i + 2
			else
				opts[o[2]] = true
				i = i + 1
			end
		elseif a:sub(1, 1) == "-" then
			error(("unknown option '%s'\n%s"):format(a, usage(spec)), 0)
		elseif spec.positional and not opts.positional then
			opts.positional = a
			i = i + 1
		else
			error(("unexpected argument '%s'\n%s"):format(a, usage(spec)), 0)
		end
	end
	if opts.help then
		io.write(usage(spec))
		return opts
	end
	if spec.positional and not opts.positional then
		error(("missing %s\n%s"):format(spec.positional, usage(spec)), 0)
	end
	if (opts.pid and 1 or 0) + (opts.cmd and 1 or 0) + (target() and 1 or 0) > 1 then
		error("use one of -p PID, -c CMD and -- CMD", 0)
	end
	if spec.target == false and (opts.pid or opts.cmd or target()) then
		error(("%s is system-wide: -p, -c and -- CMD are not supported"):format(spec.name), 0)
	end
	M.name = spec.name
	opts.json = opts.json or core.json_active()
	if opts.output and not spec.own_output and not (opts.json and not core.json_active()) then
		redirect(opts.output)
	end
	if opts.json then	-- -j: the session's JSON output, as --json (no-op after --json)
		-- before -c starts its shell: stdout is then the JSON's alone
		local ok, err = core.json_start(opts.output, { script = arg and arg[0],
		                                               target_pid = opts.pid or target() })
		if not ok then error(("-j: %s"):format(err), 0) end
	end
	M.target(opts)
	return opts
end

--- M.record(t): the tool's row t (its columns by name) as a JSON "record" line with
--- "tool" = the tool's name (docs/json.md); under -j / --json only.
function M.record(t)
	t.tool = M.name
	export.json(t)
end

--- M.record_hist(name, unit, rows): log2 histograms a tool keeps itself (bucket b holds
--- [2^(b-1), 2^b), bucket 0 holds 0: the kernel's slots), rows { {key=, buckets=, count=,
--- sum=}, ... }, as one JSON "agg" line.
function M.record_hist(name, unit, rows)
	core.json_agg({ name = name, agg = "hist", unit = unit }, rows)
end

local function alive(pid)
	local f = io.open("/proc/" .. pid .. "/stat")
	if not f then return false end
	local state = (f:read("l") or ""):match("^%d+ %b() (%a)")
	f:close()
	return state ~= nil and state ~= "Z" and state ~= "X"
end

-- -c CMD: a shell that writes its pid and waits at a fifo, then execs CMD once released.
local function spawn(cmd)
	local dir = os.tmpname()
	os.remove(dir)
	assert(os.execute("mkdir -m 700 " .. dir .. " && mkfifo " .. dir .. "/gate"))
	local run = assert(io.open(dir .. "/run.sh", "w"))
	-- the open-file limit the tool was given, not the one it raised for its probes
	local nofile = core.fd_limit_inherited()
	run:write(("%secho $$ > %s/pid\nread _ < %s/gate\nexec %s\n"):format(
		nofile > 0 and ("ulimit -S -n %d\n"):format(nofile) or "", dir, dir, cmd))
	run:close()
	assert(os.execute(("sh %s/run.sh &"):format(dir)))
	local pid
	for _ = 1, 500 do
		local f = io.open(dir .. "/pid")
		pid = f and tonumber(f:read("l"))
		if f then f:close() end
		if pid then break end
		os.execute("sleep 0.01")
	end
	if not pid then error("-c: the command did not start", 0) end
	local function clean()
		for _, f in ipairs({ "gate", "pid", "run.sh" }) do os.remove(dir .. "/" .. f) end
		os.remove(dir)
	end
	-- Never released (the tool failed before its probes were in): the held shell must not
	-- wait at its fifo forever. Collected at the latest when the session closes Lua.
	local held = setmetatable({}, { __gc = function(h)
		if h.released then return end
		os.execute(("kill -KILL %d 2>/dev/null"):format(pid))
		clean()
	end })
	return pid, function()
		held.released = true
		local g = io.open(dir .. "/gate", "w")
		if g then g:write("\n"); g:close() end
		clean()
	end
end

-- M.target(opts), from M.parse, before the tool makes its probes: -c starts the command
-- (held until begin), and the process joins the traced set. Being first, it is the
-- session's target: the kernel limits the user probes to it (trace_pid).
function M.target(opts)
	if opts.cmd then opts.pid, opts.release = spawn(opts.cmd) end
	if not opts.pid then return end
	for _, pid in ipairs(opts.pids or { opts.pid }) do
		if not opts.release and not alive(pid) then
			error(("-p %d: no such process"):format(pid), 0)
		end
		trace_pid(pid)
	end
end

-- M.start(opts): a -c command is released once the probes are attached (at begin); the
-- session ends after -d or when the target is gone.
function M.start(opts)
	local release = opts.release
	if opts.pid then
		local pids = opts.pids or { opts.pid }
		every("100ms", function()
			for _, pid in ipairs(pids) do if alive(pid) then return end end
			exit(0)
		end)
	end
	if release then on("begin", release) end
	if opts.duration then after(opts.duration, function() exit(0) end) end
	return opts.pid or target()
end

--- Interval reporting shared by the counting tools: every -i SECS print with report() and
--- reset with clear() (optional), stop after -n COUNT reports; at the end, one last report
--- unless COUNT reports are already out, or unless pending() (optional) says nothing came
--- in since the last interval's report.
function M.every_report(opts, report, clear, pending)
	local n, reported = 0, false
	if opts.interval then
		every(opts.interval, function()
			report()
			if clear then clear() end
			reported, n = true, n + 1
			if opts.count and n >= opts.count then exit(0) end
		end)
	end
	on("end", function()
		if opts.count and n >= opts.count then return end
		if reported and pending and not pending() then return end
		report()
	end)
end

--- A socket address from sock:inet_sock_set_state fields: dotted IPv4 (field v4) or IPv6
--- (field v6, 16 bytes) by e.family, written as inet_ntop does (RFC 5952: lower-case hex,
--- the longest run of two or more zero groups as "::", IPv4-mapped as ::ffff:a.b.c.d).
function M.inet_addr(e, v4, v6)
	if e.family == 2 then return table.concat(e[v4], ".") end
	local b, w = e[v6], {}
	for i = 1, 16, 2 do w[#w + 1] = b[i] * 256 + b[i + 1] end
	if w[1] == 0 and w[2] == 0 and w[3] == 0 and w[4] == 0 and w[5] == 0 and w[6] == 0xffff then
		return ("::ffff:%d.%d.%d.%d"):format(b[13], b[14], b[15], b[16])
	end
	local best, best_len, run, run_len = nil, 1, nil, 0
	for i = 1, 8 do
		if w[i] == 0 then
			run, run_len = run or i, run_len + 1
			if run_len > best_len then best, best_len = run, run_len end
		else
			run, run_len = nil, 0
		end
	end
	local hex = {}
	for i = 1, 8 do hex[i] = ("%x"):format(w[i]) end
	if not best then return table.concat(hex, ":") end
	return table.concat(hex, ":", 1, best - 1) .. "::" .. table.concat(hex, ":", best + best_len, 8)
end

--- "addr:port", with the IPv6 address in brackets ("[::1]:22") so the port stays apart.
function M.inet_endpoint(e, v4, v6, port)
	local a = M.inet_addr(e, v4, v6)
	return (e.family == 2 and "%s:%d" or "[%s]:%d"):format(a, port)
end

return M
