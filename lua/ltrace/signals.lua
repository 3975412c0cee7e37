-- ltrace.signals: the lines about processes rather than calls, from kernel tracepoints:
--   --- SIGUSR1 (User defined signal 1) ---   signal:signal_deliver (taken by a traced
--       thread) and signal:signal_generate dropped as ignored (ptrace makes ltrace see
--       those too: a SIGCHLD nobody handles)
--   +++ exited (status 7) +++                  syscalls:sys_enter_exit_group / _exit
--   +++ killed by SIGSEGV +++                  a delivered signal without a handler whose
--                                              default action ends the process
-- Best effort: where the tracepoint provider is missing, ltrace.lua prints the traced
-- command's own exit at the end and no signal lines appear.

local try = require("ltrace.try")

local M = {}

local NAMES = { "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
		"SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM",
		"SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
		"SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
		"SIGIO", "SIGPWR", "SIGSYS" }

-- Signals whose default action does not end the process.
local HARMLESS = { [17] = true, [18] = true, [19] = true, [20] = true, [21] = true,
		   [22] = true, [23] = true, [28] = true }

local IGNORED = 1	-- TRACE_SIGNAL_IGNORED: signal_generate's result
local SIGSTOP = 19

function M.name(sig)
	return NAMES[sig] or ("SIG_%d"):format(sig)
end

function M.text(native, sig)
	return ("--- %s (%s) ---"):format(M.name(sig), native.strsignal(sig))
end

local function try_probe(t, spec, fn)
	local ok, p = try(probe, spec, fn)
	if ok then
		t.probes[#t.probes + 1] = p
	elseif t.opts.debug & 1 ~= 0 then
		io.stderr:write("ltrace-ebpf: ", spec, ": ", tostring(p), "\n")
	end
	return ok
end

local function traced(t, tid)
	return t.opts.follow or tid == t.pid
end

local function who(t, tid, ts, ip)
	return { tid = tid, ts = ts, depth = t.events:depth(tid) + 1, ip = ip }
end

-- "+++ killed by SIGSEGV +++" after a signal with no handler whose default is to end
-- the process; nil otherwise.
local function killed(e)
	if HARMLESS[e.sig] or e.sa_handler ~= 0 then return nil end
	return ("+++ killed by %s +++"):format(M.name(e.sig))
end

-- Signal lines (not with -b); kills are exits and show with -b too.
function M.attach_signals(t, show)
	try_probe(t, "tracepoint:signal:signal_deliver", function(e)
		if not traced(t, e.tid) then return end
		if e.sig == SIGSTOP and t.held and t.held[e.tid] then
			t.held[e.tid] = nil	-- the core's own stop (at exec, at dlopen: ltrace.lua)
			return
		end
		if show then t.out:line(who(t, e.tid, e.ts), M.text(t.native, e.sig)) end
		local k = killed(e)
		if k then
			if e.tid == t.pid then t.main_exited = true end
			t.out:line(who(t, e.tid, e.ts, -1), k)
		end
	end)
	if not show then return end
	try_probe(t, "tracepoint:signal:signal_generate", function(e)
		if e.result ~= IGNORED then return end
		local to = e.fields.pid
		if traced(t, to) then t.out:line(who(t, to, e.ts), M.text(t.native, e.sig)) end
	end)
end

-- Exit lines, when the task asks to exit (exit_group for a process, exit for a thread):
-- the moment ltrace reports it too, and while -f still counts the process as traced.
function M.attach_exits(t)
	return try_probe(t, "tracepoint:syscalls:sys_enter_exit*", function(e)
		if not traced(t, e.tid) then return end
		if e.tid == t.pid then t.main_exited = true end
		t.events:forget(e.tid)
		t.out:line(who(t, e.tid, e.ts, -1), ("+++ exited (status %d) +++"):format(e.error_code & 0xff))
	end)
end

return M
