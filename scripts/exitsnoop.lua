-- exitsnoop: process exits as they happen: PID PPID COMM EXIT (the exit status, or the
-- signal that killed it) and the age of the process. rawtracepoint:sched_process_exit with
-- fields read through the task in kernel; a process's exit is its main thread's (pid ==
-- tgid, as bcc's and libbpf-tools' exitsnoop), not the tracepoint's group_dead, which only
-- newer kernels pass (not 6.1 or 6.12), nor p->signal->live read at the tracepoint, which
-- a thread that decremented it earlier can see at 0 too (on one CPU 6.1 showed it).
--
--   ltrace-ebpf scripts/exitsnoop.lua [-t] [-x] [-j] [-d SECS] [(-p PID | -c CMD | -- CMD)]
local tool = require("tool")

local spec = {
  name = "exitsnoop",
  summary = "Traces process exits: PID PPID COMM AGE(s) EXIT.",
  options = {
    { "-t", "threads", nil, "every thread's exit, not only processes'" },
    { "-x", "failed", nil, "only exits with a non-zero status or a signal" },
    tool.JSON,
  },
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end
tool.start(opts)

local where = {}
if opts.failed then where[#where + 1] = "arg1 != 0" end  -- args[1]: p.exit_code
if not opts.json then
  printf("%-7s %-7s %-7s %-16s %8s %s\n", "PID", "TID", "PPID", "COMM", "AGE(s)", "EXIT")
end
probe("rawtracepoint:sched_process_exit", {
  args = { "p.exit_code" },
  fields = { tgid = "p.tgid", ttid = "p.pid", ppid = "p.real_parent->tgid",
             start = "p.start_time", tcomm = "p.comm" },
  where = #where > 0 and where or nil,
}, function(e)
  if not opts.threads and e.ttid ~= e.tgid then return end
  local code = e.args[1]
  local sig, status = code & 0x7f, (code >> 8) & 0xff
  local how = sig ~= 0 and ("signal %d%s"):format(sig, code & 0x80 ~= 0 and " (core)" or "")
              or ("code %d"):format(status)
  local age = (e.ts - e.start) / 1e9
  if opts.json then
    tool.record({ ts_ns = e.ts, pid = e.tgid, tid = e.ttid, ppid = e.ppid, comm = e.tcomm,
                  age_s = age, exit_code = status, signal = sig })
  else
    printf("%-7d %-7d %-7d %-16s %8.2f %s\n", e.tgid, e.ttid, e.ppid, e.tcomm, age, how)
  end
  io.stdout:flush()
end)
