-- tcpstates: TCP socket state transitions, one line each. Attaches the kernel tracepoint
-- sock:inet_sock_set_state (TCP only, IPv4 and IPv6) and prints, per transition, the
-- socket, the task that was running, the local and remote address and port, the old and
-- new state and how long the socket spent in the old one (ms; "-" for a socket first seen).
-- System-wide by default; -p PID, -c CMD or -- CMD keep the transitions made while the
-- target runs (in its context: those made in softirq on behalf of its sockets are not).
--
--   ltrace-ebpf scripts/tcpstates.lua -h   (the options: the spec table below)
local tool = require("tool")

local spec = {
	name = "tcpstates",
	summary = "Prints TCP state transitions (tracepoint sock:inet_sock_set_state).",
	options = {
		{ "-L", "lport", "PORT", "only sockets with this local port", number = true },
		{ "-D", "rport", "PORT", "only sockets with this remote port", number = true },
		tool.TIMESTAMP,
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end

local STATES = { "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
                 "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV" }

local addr = tool.inet_addr

local last = {}      -- skaddr -> ts of the last transition
on("begin", function()    -- the header once the probe is attached
	if not opts.json then
		printf("%s%-18s %-7s %-16s %-21s %-21s %-12s %-12s %s\n", opts.timestamp and "TIME     " or "",
		       "SKADDR", "PID", "COMM", "LADDR:LPORT", "RADDR:RPORT", "OLDSTATE", "NEWSTATE", "MS")
		io.stdout:flush()
	end
end)
probe("tracepoint:sock:inet_sock_set_state", { where = "protocol == 6" }, function(e)
	if opts.lport and e.sport ~= opts.lport then return end
	if opts.rport and e.dport ~= opts.rport then return end
	local sk = e.skaddr
	local prev = last[sk]
	last[sk] = e.newstate ~= 7 and e.ts or nil
	local ms = prev and (e.ts - prev) / 1e6
	local old, new = STATES[e.oldstate] or tostring(e.oldstate), STATES[e.newstate] or tostring(e.newstate)
	local la, ra = addr(e, "saddr", "saddr_v6"), addr(e, "daddr", "daddr_v6")
	if opts.json then
		tool.record({ ts_ns = e.ts, skaddr = ("0x%x"):format(sk), pid = e.pid, comm = e.comm,
		              family = e.family == 2 and 4 or 6, laddr = la, lport = e.sport, raddr = ra,
		              rport = e.dport, oldstate = old, newstate = new, ms = ms })
	else
		printf("%s0x%-16x %-7d %-16s %-21s %-21s %-12s %-12s %s\n",
		       opts.timestamp and os.date("%H:%M:%S ") or "", sk, e.pid, e.comm,
		       tool.inet_endpoint(e, "saddr", "saddr_v6", e.sport),
		       tool.inet_endpoint(e, "daddr", "daddr_v6", e.dport), old, new,
		       ms and ("%.3f"):format(ms) or "-")
	end
	io.stdout:flush()
end)
tool.start(opts)
