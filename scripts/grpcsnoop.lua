-- grpcsnoop: one line per gRPC call, as the traced process saw it (the client that made it
-- or the server that answered it; h2c or TLS through OpenSSL): pid, comm, role, the method
-- as /service/method, the gRPC status from the trailers, and the latency (the request's
-- first HTTP/2 frame to the response's end). The calls come from probe("http:request")
-- (lua/http.lua, src/proto/http2.c; docs/http.md, "HTTP/2 and gRPC").
--
--   ltrace-ebpf scripts/grpcsnoop.lua -h   (the options: the spec table below)
local tool = require("tool")
local http = require("http")

local spec = {
	name = "grpcsnoop",
	summary = "Prints gRPC calls with status and latency (HTTP/2 over sockets and OpenSSL).",
	options = {
		http.SERVER,
		http.CLIENT,
		tool.TIMESTAMP,
		tool.JSON,
	},
}
local opts = tool.parse(arg, spec)
if opts.help then return exit(0) end

-- grpc/status.h's codes
local CODES = { [0] = "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
	"NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
	"FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
	"UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED" }
local role = http.role(opts)

-- A gRPC call: HTTP/2 with gRPC's content type, or a gRPC status; a call whose headers were
-- not decoded (HPACK state lost: docs/http.md) is shown with what is known.
local function is_grpc(r)
	return r.proto == "h2" and ((r.content_type or ""):find("^application/grpc") ~= nil
		or r.grpc_status ~= nil or r.headers_lost)
end

-- The status column: the code's name; "-" when no trailers came (reset, or not answered).
local function status_of(r)
	if r.grpc_status then return CODES[r.grpc_status] or tostring(r.grpc_status) end
	if r.reset then return "RST" .. r.reset end
	return "-"
end

on("begin", function()
	if not opts.json then
		printf("%s%-7s %-16s %-7s %-44s %-18s %10s\n", opts.timestamp and "TIME     " or "",
		       "PID", "COMM", "ROLE", "METHOD", "STATUS", "LAT(ms)")
		io.stdout:flush()
	end
end)
probe("http:request", function(r)
	if not is_grpc(r) or (role and r.role ~= role) then return end
	local ms = r.status > 0 and r.latency and r.latency / 1e6 or nil
	local path = r.path ~= "" and r.path or "?"
	if opts.json then
		tool.record({ pid = r.pid, comm = r.comm, role = r.role, tls = r.tls, method = path,
		              grpc_status = r.grpc_status, status = status_of(r),
		              grpc_message = r.grpc_message, http_status = r.status,
		              latency_ms = ms, headers_lost = r.headers_lost })
	else
		printf("%s%-7d %-16s %-7s %-44s %-18s %10s\n", opts.timestamp and os.date("%H:%M:%S ") or "",
		       r.pid, r.comm, r.role .. (r.tls and "+" or ""), path, status_of(r),
		       ms and ("%.3f"):format(ms) or "-")
	end
	io.stdout:flush()
end)
tool.start(opts)
