-- tcplife: TCP connections and how long they lived. Follows each socket through the
-- tracepoint sock:inet_sock_set_state (TCP only) from its first state change out of CLOSE
-- or LISTEN (SYN_SENT: connect; SYN_RECV: accepted) to CLOSE, and prints one line per
-- connection: the owning pid and comm, local and remote address and port, and the lifetime
-- in ms. The owner is the task at connect (SYN_SENT) or at close() (FIN_WAIT1, LAST_ACK),
-- which run in the process; other changes may run in softirq context. Listening sockets
-- and connections open before the tool started are not reported.
-- System-wide by default; -p PID, -c CMD or -- CMD keep the state changes made while the
-- target runs (enough for connections it opens and closes itself).
--
--   ltrace-ebpf scripts/tcplife.lua -h   (the options: the spec table below)
local tool = require("tool")

local spec = {
	name = "tcplife",
	summary = "Prints each TCP connection's addresses, ports, owner and lifetime "
	          .. "(tracepoint sock:inet_sock_set_state).",
	options = {
		{ "-L", "lport", "PORT", "only connections with this local port", number = true },
		{ "-D", "rport", "PORT", "only connections with this remote port", number = true },
		tool.TIMESTAMP,
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end

local SYN_SENT, SYN_RECV, FIN_WAIT1, CLOSE, LAST_ACK, LISTEN = 2, 3, 4, 7, 9, 10

local addr = tool.inet_addr

local socks = {}     -- skaddr -> { birth, pid, comm, owner_sure }
on("begin", function()    -- the header once the probe is attached
	if not opts.json then
		printf("%s%-7s %-16s %-21s %-21s %s\n", opts.timestamp and "TIME     " or "", "PID", "COMM",
		       "LADDR:LPORT", "RADDR:RPORT", "MS")
		io.stdout:flush()
	end
end)
probe("tracepoint:sock:inet_sock_set_state", { where = "protocol == 6" }, function(e)
	local sk, old, new = e.skaddr, e.oldstate, e.newstate
	if new == LISTEN or old == LISTEN and new == CLOSE then return end
	local s = socks[sk]
	if not s then
		if not (new == SYN_SENT or new == SYN_RECV) then return end   -- born before we looked
		s = { birth = e.ts, pid = e.pid, comm = e.comm }
		socks[sk] = s
	end
	if new == SYN_SENT or ((new == FIN_WAIT1 or new == LAST_ACK) and not s.sure) then
		s.pid, s.comm, s.sure = e.pid, e.comm, new == SYN_SENT or nil
	end
	if new ~= CLOSE then return end
	socks[sk] = nil
	if opts.lport and e.sport ~= opts.lport then return end
	if opts.rport and e.dport ~= opts.rport then return end
	local ms = (e.ts - s.birth) / 1e6
	local la, ra = addr(e, "saddr", "saddr_v6"), addr(e, "daddr", "daddr_v6")
	if opts.json then
		tool.record({ ts_ns = e.ts, pid = s.pid, comm = s.comm, family = e.family == 2 and 4 or 6,
		              laddr = la, lport = e.sport, raddr = ra, rport = e.dport, ms = ms })
	else
		printf("%s%-7d %-16s %-21s %-21s %.3f\n", opts.timestamp and os.date("%H:%M:%S ") or "",
		       s.pid, s.comm, tool.inet_endpoint(e, "saddr", "saddr_v6", e.sport),
		       tool.inet_endpoint(e, "daddr", "daddr_v6", e.dport), ms)
	end
	io.stdout:flush()
end)
tool.start(opts)
