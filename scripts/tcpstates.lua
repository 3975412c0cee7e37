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

-- show(e, ms, when): one transition's line (e: the event or a held copy of it).
local function show(e, ms, when)
	if opts.lport and e.sport ~= opts.lport then return end
	if opts.rport and e.dport ~= opts.rport then return end
	local sk = e.skaddr
	local old, new = STATES[e.oldstate] or tostring(e.oldstate), STATES[e.newstate] or tostring(e.newstate)
	local la, ra = addr(e, "saddr", "saddr_v6"), addr(e, "daddr", "daddr_v6")
	if opts.json then
		tool.record({ ts_ns = e.ts, skaddr = ("0x%x"):format(sk), pid = e.pid, comm = e.comm,
		              family = e.family == 2 and 4 or 6, laddr = la, lport = e.sport, raddr = ra,
		              rport = e.dport, oldstate = old, newstate = new, ms = ms })
	else
		printf("%s0x%-16x %-7d %-16s %-21s %-21s %-12s %-12s %s\n",
		       opts.timestamp and os.date("%H:%M:%S ", when) or "", sk, e.pid, e.comm,
		       tool.inet_endpoint(e, "saddr", "saddr_v6", e.sport),
		       tool.inet_endpoint(e, "daddr", "daddr_v6", e.dport), old, new,
		       ms and ("%.3f"):format(ms) or "-")
	end
	io.stdout:flush()
end

-- Linux 6.1 and 6.12 (not 6.18: measured in the kernel matrix) report LISTEN -> SYN_RECV
-- from inet_csk_clone_lock(), on the new socket before tcp_v4_syn_recv_sock() (or the v6
-- one) gives it its addresses: the tracepoint carries the listener's local address and
-- 0.0.0.0:0 as the peer. Such a transition (a peer port of 0 can be nothing else) waits for
-- the same socket's next one (SYN_RECV -> ESTABLISHED, or -> CLOSE), whose addresses and
-- ports it takes; one the run ends before is printed as the kernel gave it.
local ADDRESS = { "family", "saddr", "saddr_v6", "daddr", "daddr_v6", "sport", "dport" }
local COPIED = { "skaddr", "pid", "comm", "oldstate", "newstate", table.unpack(ADDRESS) }
local held, seq = {}, 0    -- skaddr -> { ev = the fields, ms =, when =, seq = arrival }
probe("tracepoint:sock:inet_sock_set_state", { where = "protocol == 6" }, function(e)
	local sk = e.skaddr
	local prev = last[sk]
	last[sk] = e.newstate ~= 7 and e.ts or nil
	local ms = prev and (e.ts - prev) / 1e6
	local h = held[sk]
	if h then
		held[sk] = nil
		for _, f in ipairs(ADDRESS) do h.ev[f] = e[f] end
		show(h.ev, h.ms, h.when)
	end
	if e.oldstate == 10 and e.newstate == 3 and e.dport == 0 then
		local ev = {}
		for _, f in ipairs(COPIED) do ev[f] = e[f] end
		seq = seq + 1
		held[sk] = { ev = ev, ms = ms, when = os.time(), seq = seq }
		return
	end
	show(e, ms, os.time())
end)
on("end", function()
	local left = {}
	for _, h in pairs(held) do left[#left + 1] = h end
	table.sort(left, function(a, b) return a.seq < b.seq end)
	for _, h in ipairs(left) do show(h.ev, h.ms, h.when) end
end)
tool.start(opts)
