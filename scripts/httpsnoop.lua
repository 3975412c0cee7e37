-- httpsnoop: one line per HTTP/1.x request, as the traced process saw it (client or server
-- side, plaintext or through OpenSSL): pid, comm, role, method, path, status, response
-- body bytes and latency (first request byte to last response byte). The requests come
-- from probe("http:request") (lua/http.lua, docs/http.md); credentials never show
-- (Authorization, Cookie), -R adds a pattern to redact from paths.
--
--   ltrace-ebpf scripts/httpsnoop.lua -h   (the options: the spec table below)
local tool = require("tool")
local http = require("http")

local spec = {
	name = "httpsnoop",
	summary = "Prints HTTP/1.x requests with status, bytes and latency (socket syscalls, OpenSSL uprobes).",
	options = {
		{ "-R", "redact", "ERE", "also redact what matches ERE (POSIX extended) in paths" },
		http.SERVER,
		http.CLIENT,
		tool.TIMESTAMP,
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end

local jstr = fmt.json_string

on("begin", function()
	if not opts.json then
		printf("%s%-7s %-16s %-6s %-7s %-40s %-6s %10s %10s\n", opts.timestamp and "TIME     " or "",
		       "PID", "COMM", "ROLE", "METHOD", "PATH", "STATUS", "BYTES", "LAT(ms)")
		io.stdout:flush()
	end
end)
http.requests(opts, { redact = opts.redact and { opts.redact } or nil }, function(r)
	local ms = r.latency and r.latency / 1e6
	if opts.json then
		io.write(('{"time":%s,"pid":%d,"comm":%s,"role":%s,"tls":%s,"method":%s,"path":%s,'
		          .. '"status":%d,"bytes":%d,"latency_ms":%s}\n'):format(
			jstr(os.date("!%H:%M:%S")), r.pid, jstr(r.comm), jstr(r.role), tostring(r.tls),
			jstr(r.method), jstr(r.path), r.status, r.bytes,
			ms and ("%.3f"):format(ms) or "null"))
	else
		printf("%s%-7d %-16s %-6s %-7s %-40s %-6s %10d %10s\n",
		       opts.timestamp and os.date("%H:%M:%S ") or "", r.pid, r.comm,
		       r.role .. (r.tls and "+" or ""), r.method, r.path,
		       r.status > 0 and tostring(r.status) or "-", r.bytes,
		       ms and ("%.3f"):format(ms) or "-")
	end
	io.stdout:flush()
end)
tool.start(opts)
