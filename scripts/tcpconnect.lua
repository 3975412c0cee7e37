-- tcpconnect: active TCP connections (connect()), one line each. Attaches the tracepoint
-- sock:inet_sock_set_state filtered in kernel to CLOSE -> SYN_SENT (the change connect()
-- makes, in the calling process), and prints pid, comm, the source and destination address
-- and the destination port (the source port is not chosen yet at that point). -i SECS
-- instead counts connections per (comm, destination, port) and prints them every SECS
-- (-n COUNT times).
--
--   ltrace-ebpf scripts/tcpconnect.lua -h   (the options: the spec table below)
local tool = require("tool")

local spec = {
	name = "tcpconnect",
	summary = "Prints TCP connect()s with addresses and port (tracepoint sock:inet_sock_set_state).",
	options = {
		{ "-P", "port", "PORT", "only connections to this port", number = true },
		tool.TIMESTAMP,
		{ "-i", "interval", "SECS", "count connections, print the counts every SECS", number = true },
		tool.COUNT,
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end

local addr = tool.inet_addr

local where = { "protocol == 6", "oldstate == 7", "newstate == 2" }
if opts.port then where[#where + 1] = "dport == " .. math.tointeger(opts.port) end
local counts = {}
on("begin", function()    -- the header once the probe is attached
	if not opts.json and not opts.interval then
		printf("%s%-7s %-16s %-2s %-39s %-39s %s\n", opts.timestamp and "TIME     " or "", "PID",
		       "COMM", "IP", "SADDR", "DADDR", "DPORT")
		io.stdout:flush()
	end
end)
probe("tracepoint:sock:inet_sock_set_state", { where = where }, function(e)
	local sa, da, ip = addr(e, "saddr", "saddr_v6"), addr(e, "daddr", "daddr_v6"),
	                   e.family == 2 and 4 or 6
	if opts.interval then
		local k = e.comm .. "\0" .. da .. "\0" .. e.dport
		counts[k] = (counts[k] or 0) + 1
		return
	end
	if opts.json then
		tool.record({ ts_ns = e.ts, pid = e.pid, comm = e.comm, ip = ip, saddr = sa, daddr = da,
		              dport = e.dport })
	else
		printf("%s%-7d %-16s %-2d %-39s %-39s %d\n", opts.timestamp and os.date("%H:%M:%S ") or "",
		       e.pid, e.comm, ip, sa, da, e.dport)
	end
	io.stdout:flush()
end)
tool.start(opts)

local function report()
	local items = {}
	for k, c in pairs(counts) do
		local comm, da, port = k:match("^(.-)%z(.-)%z(.*)$")
		items[#items + 1] = { comm = comm, daddr = da, dport = tonumber(port), n = c }
	end
	table.sort(items, function(a, b) return a.n > b.n end)
	local t = os.date("!%H:%M:%S")
	if not opts.json then printf("%s\n%-16s %-39s %-6s %s\n", t, "COMM", "DADDR", "DPORT", "CONNECTS") end
	for _, it in ipairs(items) do
		if opts.json then
			tool.record({ comm = it.comm, daddr = it.daddr, dport = it.dport, connects = it.n })
		else
			printf("%-16s %-39s %-6d %d\n", it.comm, it.daddr, it.dport, it.n)
		end
	end
	io.stdout:flush()
	counts = {}
end
if opts.interval then
	tool.every_report(opts, report, nil, function() return next(counts) ~= nil end)
end
