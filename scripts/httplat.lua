-- httplat: HTTP/1.x request latency histograms per route (method and path without its
-- query, or its first -l LEVELS segments) and status, printed every -i SECS (and at the
-- end): power-of-two buckets of milliseconds, as bpftrace prints hist(). Requests come
-- from probe("http:request") (lua/http.lua, docs/http.md).
--
--   ltrace-ebpf scripts/httplat.lua -h   (the options: the spec table below)
local tool = require("tool")
local http = require("http")

local spec = {
	name = "httplat",
	summary = "Prints HTTP/1.x latency histograms per route and status (socket syscalls, OpenSSL uprobes).",
	options = {
		{ "-l", "levels", "COUNT", "group paths by their first COUNT segments (default: the whole path)", number = true },
		http.SERVER,
		http.CLIENT,
		tool.INTERVAL,
		tool.COUNT,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end

-- "/a/b/c?x=1" -> "/a/b/c", or with -l 1: "/a"
local function route(path)
	local p = path:match("^[^?#]*")
	if not opts.levels then return p end
	local out, n = "", 0
	for seg in p:gmatch("/[^/]*") do
		if n == opts.levels then break end
		out, n = out .. seg, n + 1
	end
	return out ~= "" and out or "/"
end

local agg = require("agg")
local lat = agg.hist("latency", { unit = "ns", print = false })	-- "METHOD route status" keys
http.requests(opts, {}, function(r)
	if not r.latency then return end
	lat[("%s %s %d"):format(r.method, route(r.path), r.status)]:add(r.latency)
end)
tool.start(opts)

local function report()
	printf("%s\n%s\n", os.date("!%H:%M:%S"), tostring(lat))
	io.stdout:flush()
end
tool.every_report(opts, report, function() lat:clear() end,
                  function() return next(lat:items()) ~= nil end)
