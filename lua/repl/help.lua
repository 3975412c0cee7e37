-- The REPL's `help` command: `help` lists the topics, `help TOPIC` shows one. The full
-- reference is docs/scripting.md (installed under share/doc/ltrace-ebpf).
local topics = {}
local order = { "probes", "options", "aggregates", "examples" }

topics.probes = [[
probe(SPEC [, OPTIONS] [, function(e) ... end]) attaches a probe and returns its handle.
  call:LIB:FUNC           each call, at return: e.args, e.ret, e.duration (ns)
  uprobe:LIB:FUNC         function entry (LIB:FUNC alone means the same): e.args
  uretprobe:LIB:FUNC      function return: e.ret
  usdt:BIN:PROVIDER:NAME  a static probe (Python's python:function__entry ...)
  tracepoint:CAT:NAME     a kernel tracepoint: its fields by name (e.prev_pid)
  syscall:NAME            each syscall, at exit: e.ret, e.errno, named args (e.fd)
  rawtracepoint:NAME      a raw tracepoint, BTF-typed args = {"prev.pid"} (e.prev_pid)
  profile:hz:N            N stack samples a second per CPU
  offcpu                  time blocked, per stack
  begin, end, interval:1s session start, end, a timer (also on(), every())
LIB is a path, a short name (libc, libm) or a program in $PATH; FUNC may be a glob
(libc:str*). Tab completes kinds, libraries, functions, tracepoints and syscalls.
list("libc:str*") prints probe points; probes() the session's probes.
Each event has ts, pid, tid, comm, cpu, probe, func, type.
Handles: p:enable() p:disable() p:filter{...} p:detach() p:stats() p:print() p:agg()]]

topics.options = [[
probe(SPEC, { ... }) options (an unknown key is an error):
  args = {"int", "str", ...}  how arguments are read (int uint ptr i32 u8 str bytes:N ...)
  ret = "int"                 how the return value is read
  tid = N, comm = "name"      only this thread / command (in kernel)
  where = "arg1 > 5"          predicates in kernel on arg1..arg6, ret, duration, fields
  min_duration = "10us"       drop shorter paired calls in kernel
  sample = N                  keep one event in N
  agg = "count"|"sum"|"min"|"max"|"stats"|"hist"   aggregate in kernel
  of = "duration"|"argN"|"ret"|FIELD   the value aggregated
  by = "func"|"pid"|"tid"|"comm"|"argN"|"ret"|"ustack"|FIELD   the key
  stack = "user"|"kernel"|"both"      capture stacks (e.ustack, e.kstack)
  hold = true, lossless = true         the traced thread waits for the callback
A probe with neither a callback nor agg counts calls in kernel.]]

topics.aggregates = [[
In the kernel (printed at exit, or now with p:print()):
  p = probe("call:libc:malloc", { agg = "hist", of = "arg1" })
  p:print()   p:read()   p:clear()
In Lua (docs/lua-aggregates.md), in a callback:
  c = counter("calls")   c:add(e.comm)              counts per key, largest first
  h = hist("lat")        h[e.comm]:add(e.duration)  a log2 histogram per key
  s = stats("bytes")     s:add(e.comm, e.ret)       count, sum, min, max, avg per key
  print(c)   print(h)   print(s:top(5))             printed like bpftrace
fmt.log2_hist, fmt.table, fmt.bytes, fmt.duration format numbers and tables.]]

topics.examples = [[
  probe("libc:str*")                                   -- count str* calls, in kernel
  probe("call:libc:malloc", {args={"uint"}}, function(e) print(e.comm, e.args[1]) end)
  probe("syscall:openat", {fetch={filename="str"}}, function(e) print(e.filename) end)
  probe("tracepoint:sched:sched_process_exec", function(e) print(e.pid, e.comm) end)
  p = probe("syscall:*", {agg="hist", by="syscall"})   -- latency per syscall
  p:print()
  every("1s", function() print(counters().events) end)
  probes()                                             -- what is attached
  exit()                                               -- leave (also Ctrl-D)]]

return function(topic)
	if topic == nil or topic == "" then
		print("Lua 5.4 with the tracing API. Type an expression to see its value, or a statement.")
		print("help TOPIC, one of: " .. table.concat(order, ", "))
		print("Reference: docs/scripting.md; ltrace-ebpf --tools lists the shipped tools.")
		return
	end
	local text = topics[topic]
	if not text then
		error(string.format("help: no topic '%s' (topics: %s)", tostring(topic),
			table.concat(order, ", ")), 2)
	end
	print(text)
end
