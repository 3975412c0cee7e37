-- ltrace.syscalls: -S, system calls as ltrace prints them among the library calls:
-- "SYS_openat(-100, "/etc/hostname", 0, 0) = 3", from the syscall provider's paired
-- syscall:* probe (one record when the call returns, with its arguments). Prototypes are
-- the SYS_ entries of the prototype files (ltrace's 4 guessed arguments otherwise); path
-- and name arguments come back as strings, everything else as the register.
-- Before the command's exec completes, the syscalls are the held child's (ltrace-ebpf's
-- own code): they are skipped, as ltrace starts tracing at the exec.

local conf = require("ltrace.conf")
local try = require("ltrace.try")

local M = {}

-- Argument names of a syscall, in order, from its tracefs format.
-- Also which are 32-bit ints ("int dfd"): the kernel records them sign-extended (-100),
-- while the register ltrace reads holds the 32 bits the caller wrote (0xffffff9c).
local names_cache, int32_cache = {}, {}
local function arg_names(name)
	local names = names_cache[name]
	if names then return names, int32_cache[name] end
	names = {}
	local int32 = {}
	for _, dir in ipairs({ "/sys/kernel/tracing", "/sys/kernel/debug/tracing" }) do
		local f = io.open(dir .. "/events/syscalls/sys_enter_" .. name .. "/format")
		if f then
			for line in f:lines() do
				local field = line:match("field:[^;]-([%w_]+);")
				if field and not line:find("common_", 1, true) and field ~= "__syscall_nr" then
					names[#names + 1] = field
					local ctype = line:match("field:%s*(.-)%s+[%w_]+;")
					int32[#names] = ctype == "int" or ctype == "unsigned int" or
						ctype == "pid_t" or ctype == "uid_t" or ctype == "gid_t"
				end
			end
			f:close()
			break
		end
	end
	names_cache[name], int32_cache[name] = names, int32
	return names, int32
end

-- The name ltrace 0.7.3 prints: its x86_64 table (strace's of 2012) names syscalls up to
-- process_vm_writev (311) and calls 17 and 18 pread and pwrite; a newer one is its number
-- (SYS_334 for rseq). Its prototypes (/etc/ltrace.conf) are looked up by that name too.
local LTRACE_LAST_NR = 311
local LTRACE_NAMES = { pread64 = "pread", pwrite64 = "pwrite" }

function M.ltrace_name(native, name)
	local nr = native.syscall_nr(name)
	if nr and nr > LTRACE_LAST_NR then return tostring(nr) end
	return LTRACE_NAMES[name] or name
end

local function descriptor(t, name)
	local D = t.sys_descs[name]
	if D then return D end
	local sysname = "SYS_" .. M.ltrace_name(t.native, name)
	local proto = t.protos.protos[sysname] or conf.default_proto(sysname)
	D = { proto = proto, plan = { locs = conf.locations(proto.params), entry = {},
		ret_args = {}, kind = "call", fast = {} }, display = sysname }
	D.plan.regs = { 1, 2, 3, 4, 5, 6 }
	t.sys_descs[name] = D
	return D
end

-- A syscall record as an event view for ltrace.events: registers from the raw arguments,
-- captured strings from the named path/name fields.
local function view(e, name)
	local v = { tid = e.tid, pid = e.pid, ts = e.ts, duration = e.duration,
		    reg_ret = e.ret, args = {} }
	local fields
	local names, int32 = arg_names(name)
	for i = 1, 6 do
		local raw = e.args[i]
		if type(raw) == "string" then	-- a buffer fetched at return (out_buffers)
			v.args[i], raw = raw, 1	-- read, so not NULL; its address is not kept
		end
		raw = type(raw) == "number" and raw or 0
		v["reg" .. i] = int32[i] and raw & 0xffffffff or raw
	end
	for i, n in ipairs(names) do
		if i > 6 then break end
		fields = fields or e.fields
		local value = fields[n]
		if type(value) == "string" then v.args[i] = value end
	end
	return v
end

-- exit and exit_group never reach the syscall exit the paired probe waits for: their entry
-- tracepoints print the open half, "SYS_exit_group(0 <no return ...>", as ltrace does.
local function attach_no_return(t, started)
	for _, name in ipairs({ "exit", "exit_group" }) do
		local p = probe("tracepoint:syscalls:sys_enter_" .. name, t:base_opts({}), function(e)
			if not started() then return end
			local v = { tid = e.tid, pid = e.pid, ts = e.ts, duration = 0, reg_ret = 0,
				    args = {}, reg1 = e.error_code }
			for i = 2, 6 do v["reg" .. i] = 0 end
			t.events:whole(descriptor(t, name), v, 0, true)
		end)
		t.probes[#t.probes + 1] = p
	end
end

-- Syscalls whose buffers ltrace's prototypes print as strings ("long SYS_read(int,
-- +string0,ulong)", "long SYS_write(int,string3,ulong)"): argument position, name, and
-- when it is read ("out:" at return). Each gets its own probe, which reads the buffer (the
-- -s length and one more, for the "..."); the glob's records of these syscalls are skipped.
local BUFFERS = { read = { 2, "buf", "out:" }, getcwd = { 1, "buf", "out:" },
		  write = { 2, "buf", "" } }

local function buffers(t)
	local list = {}
	for name, a in pairs(BUFFERS) do
		local proto = t.protos.protos["SYS_" .. name]
		local param = proto and proto.params[a[1]]
		if param and param.lens == "string" and
		   (a[3] == "") == not (proto.right and proto.right <= a[1]) then
			list[name] = a
		end
	end
	return list
end

function M.attach(t)
	t.sys_descs = {}
	local started = #t.opts.command == 0
	local skip = buffers(t)
	local function record(e, name)
		if not started then
			started = name == "execve" and e.ret == 0
			return
		end
		local D = descriptor(t, name)
		local v = view(e, name)
		for r in pairs(v.args) do D.plan.entry[r] = true end
		t.events:whole(D, v, 0)
	end
	local function attach(spec, popts, fn)
		local ok, err = try(probe, spec, popts, t:lossless(popts, fn))
		if not ok then
			error("-S: system call tracing is not available (" ..
			      tostring(err):gsub("^[^:]+:%d+: ", "") .. ")", 0)
		end
		t.probes[#t.probes + 1] = err
	end
	-- Lines wait for the printer, as calls do (lossless).
	attach("syscall:*", t:base_opts({}), function(e)
		local name = e.func
		if not skip[name] or not started then record(e, name) end
	end)
	for name, a in pairs(skip) do
		local fetch = { [a[2]] = ("%sbytes:%d%s"):format(a[3], t.opts.strlen + 1,
							       a[3] == "" and "" or "/ret") }
		attach("syscall:" .. name, t:base_opts({ fetch = fetch }), function(e)
			if started then record(e, name) end
		end)
	end
	attach_no_return(t, function() return started end)
end

-- -c -S: syscall counts and times next to the library calls', aggregated in kernel.
function M.attach_count(t)
	local ok, p = try(probe, "syscall:*", t:base_opts(t:gate({ agg = "stats", by = "func",
									print = false })))
	if not ok then
		error("-S: system call tracing is not available (" ..
		      tostring(p):gsub("^[^:]+:%d+: ", "") .. ")", 0)
	end
	t.count_probes[#t.count_probes + 1] = p
	if #t.opts.command > 0 then t.gated[#t.gated + 1] = p end
	t.count_prefix = t.count_prefix or {}
	t.count_prefix[p] = "SYS_"
	t.count_rename = t.count_rename or {}
	t.count_rename[p] = function(name) return M.ltrace_name(t.native, name) end
end

return M
