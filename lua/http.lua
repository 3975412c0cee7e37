-- http: HTTP/1.x and HTTP/2 (gRPC) requests as Lua events, from what the socket syscalls and OpenSSL's
-- SSL_read/SSL_write move (docs/http.md). The parsing, request/response matching and
-- redaction are C (src/proto/, require("ltrace.proto")); this module makes the probes: the
-- data syscalls' records go to the tracker in C (tracker:feed), the rest through Lua.
--
--   probe("http:request", { headers = {"user-agent"}, redact = {"[0-9]{13,16}"} }, function(r)
--     print(r.pid, r.comm, r.method, r.path, r.status, r.latency, r.bytes)
--   end)
--
-- Capture is bounded in the kernel: the first WINDOW bytes of each call are copied (across
-- the iovecs of readv/writev/recvmsg/sendmsg); how many bytes moved comes from the return
-- value, so bodies past the window are still counted and timed. sendfile is counted, not
-- copied. Sockets opened before the session are found in /proc at first sight.
local proto = require("ltrace.proto")

local M = {}

M.WINDOW = 1024	-- bytes copied per call (LT_FETCH_MAX_LEN)
M.LIBSSL = "/usr/lib/x86_64-linux-gnu/libssl.so.3"

local handlers = {}	-- fn(r) per http:request probe
local plaintext = {}	-- fn(p) per ssl:data probe (sslsniff)
local tracker, comms = nil, {}
local last_fd, last_ts = {}, {}	-- ssl:data alone: tid -> its last read/write's socket, when
local ssl_fd = {}	-- pid .. ":" .. SSL* -> fd
local feeds = {}	-- the probes whose records carry the traffic (their drops are counted)

local function feed(spec, opts, fn)
	local p = probe(spec, opts, fn)
	feeds[#feeds + 1] = p
	return p
end

local function comm_of(pid, e)
	local c = comms[pid]
	if not c and e then c = e.comm; comms[pid] = c end
	return c or "?"
end

-- ---- delivery: a finished request to the callbacks, and under --otlp as a span --------

local spans	-- nil: not known yet (--otlp is set up after the script's first lines)
local span_opt = true	-- the first http:request probe's `span` option

-- gRPC per OpenTelemetry's RPC conventions (rpc.system, rpc.service, rpc.method,
-- rpc.grpc.status_code): true when r is a gRPC call. An error is any status but OK for a
-- client, and for a server only those that say the server failed (the conventions' list).
local GRPC_SERVER_ERRORS = { [2] = true, [4] = true, [12] = true, [13] = true, [14] = true, [15] = true }
local function grpc_attrs(r, attrs)
	if not (r.content_type or ""):match("^application/grpc") then return false end
	local service, method = r.path:match("^/([^/]+)/([^/?]+)")
	attrs["rpc.system"], attrs["rpc.service"], attrs["rpc.method"] = "grpc", service, method
	attrs["rpc.grpc.status_code"] = r.grpc_status
	attrs["error.type"] = nil
	local code = r.grpc_status
	if not code then
		if r.status == 0 or r.status >= 400 then attrs["error.type"] = r.status > 0 and tostring(r.status) or "no response" end
	elseif code ~= 0 and (r.role == "client" or GRPC_SERVER_ERRORS[code]) then
		attrs["error.type"] = tostring(code)
	end
	return true
end

-- OpenTelemetry's HTTP semantic conventions (v1.26: http.request.method, url.path, ...);
-- the span's ids are the request's (src/proto/http_link.c: the traffic's trace, or new).
local function export_span(r)
	local path, query = r.path:match("^([^?]*)%??(.*)$")
	local server = r.role == "server"
	local attrs = {
		["http.request.method"] = r.method, ["url.path"] = path,
		["url.scheme"] = r.tls and "https" or "http",
		["network.protocol.version"] = r.version,
		["network.peer.address"] = r.raddr, ["network.peer.port"] = r.rport,
		["thread.id"] = r.tid,
	}
	if query ~= "" then attrs["url.query"] = query end
	if r.status > 0 then attrs["http.response.status_code"] = r.status end
	local host, hport = (r.host or ""):match("^%[?([^%]]-)%]?:?(%d*)$")
	if server then
		attrs["server.address"] = host ~= "" and host or r.laddr
		attrs["server.port"] = tonumber(hport) or r.lport
		attrs["client.address"], attrs["client.port"] = r.raddr, r.rport
	else
		attrs["server.address"] = host ~= "" and host or r.raddr
		attrs["server.port"] = tonumber(hport) or r.rport
	end
	-- an error: no response, or 5xx served, or 4xx/5xx received
	local failed = r.status == 0 or r.status >= (server and 500 or 400)
	if failed then attrs["error.type"] = r.status > 0 and tostring(r.status) or "no response" end
	if grpc_attrs(r, attrs) then failed = attrs["error.type"] ~= nil end
	export.span { name = r.method .. " " .. path, kind = r.role, pid = r.pid,
	              start = r.start, duration = (r["end"] or r.start) - r.start,
	              status = failed and "error" or "unset", attrs = attrs,
	              trace = r.trace_id, id = r.span_id,
	              -- the header's vendor entries go with its trace
	              tracestate = r.traceparent and r.traceparent:match("^%s*%x%x%-(%x+)") == r.trace_id
	                           and r.tracestate or nil,
	              parent = r.parent and ("00-%s-%s-01"):format(r.trace_id, r.parent) or nil }
end

local function deliver(list, comm)
	if not list then return end
	if spans == nil then spans = span_opt and export.otlp().enabled end
	for _, r in ipairs(list) do
		comms[r.pid] = comms[r.pid] or comm	-- for those the end's flush reports
		r.comm = comms[r.pid] or "?"
		if spans and r.span_id then export_span(r) end
		for _, fn in ipairs(handlers) do fn(r) end
	end
end

-- One line on stderr ("http: ...") of the counts that are not zero: each item is
-- { count, format, format's arguments (the count when none) }.
local function say_counts(items)
	local parts = {}
	for _, it in ipairs(items) do
		if it[1] > 0 then
			local args = #it > 2 and { table.unpack(it, 3) } or { it[1] }
			parts[#parts + 1] = it[2]:format(table.unpack(args))
		end
	end
	if #parts > 0 then io.stderr:write("http: ", table.concat(parts, ", "), "\n") end
end

-- Said once at the end, on stderr: trace context that could not be used.
local function report_trace()
	local st = tracker:stats()
	say_counts({
		{ st.traceparent_invalid, "%d invalid traceparent headers ignored" },
		{ st.ambiguous, "%d client requests not linked (several server requests on their thread)" },
	})
end

-- ---- capture: the probes, their bytes to the tracker ------------------------------------

local function data(e, fd, outbound, bytes, total, tls)
	comm_of(e.pid, e)
	deliver(tracker:data(e.pid, fd, outbound, e.ts + (e.duration or 0), bytes, total, tls, e.tid),
	        e.comm)
end

-- A probe's options: the caller's opts.probe (filters such as comm), then these.
local function probe_opts(opts, own)
	local o = {}
	for k, v in pairs(opts.probe or {}) do o[k] = v end
	for k, v in pairs(own) do o[k] = v end
	return o
end

-- A connecting socket's own end from the kernel's TCP state changes (src/proto/tcp_ends.h):
-- a short connection is gone from /proc by the time its records are read. Optional: without
-- the tracepoint, /proc is all there is.
local TCP_STATES = { [1] = true, [2] = true }	-- ESTABLISHED, SYN_SENT: the changes used
local function own_ends(with)
	pcall(probe, "tracepoint:sock:inet_sock_set_state", with {}, function(e)
		if e.protocol ~= 6 or not TCP_STATES[e.newstate] then return end
		local a = e.family == 2 and e.saddr or e.saddr_v6
		tracker:tcp_state(e.tid, e.skaddr, e.oldstate, e.newstate, e.family,
		                  string.char(table.unpack(a)), e.sport)
	end)
end

local function syscalls(opts)
	local W = M.WINDOW
	-- socket = true: calls on files (nginx closes the file it served at every request) are
	-- told in the kernel and send nothing
	local function with(t) t.socket = true; return probe_opts(opts, t) end
	-- Five probes, not one per syscall: each probe runs on every syscall of the machine
	-- (a table test first), so fewer probes cost less to everyone. Argument 2 is the
	-- buffer (or the iovec array, the msghdr, or the sockaddr) in each syscall a probe names.
	-- The data syscalls' records go to the tracker in C (tracker:feed): Lua runs once per
	-- request, not once per read or write.
	local function fed(spec, args)
		tracker:feed(feed(spec, with { args = { [2] = args }, where = "ret > 0" },
		                  function() end), deliver)
	end
	fed("syscall:read,write,recvfrom,sendto", ("out:bytes:%d/ret"):format(W))
	-- the iovecs' buffers in order, for as many bytes as moved (the window at most):
	-- readv/writev's array is argument 2, recvmsg/sendmsg's is the msghdr's msg_iov
	fed("syscall:readv,writev", ("out:iov:%d/ret"):format(W))
	fed("syscall:recvmsg,sendmsg", ("out:iov:%d/ret@16"):format(W))
	-- sendfile is counted, not copied (its bytes are a file's); close ends the connection
	probe("syscall:sendfile,close", with { where = "ret >= 0" }, function(e)
		if e.syscall == "close" then
			deliver(tracker:close(e.pid, e.args[1], e.ts), e.comm)
		elseif e.ret > 0 then
			data(e, e.args[1], true, nil, e.ret, false)
		end
	end)
	-- a new socket: the peer's address (accept's is written at return, connect's given),
	-- and accept's listener, whose local end bind gave (the server's address)
	probe("syscall:accept4,accept,connect,bind", with { args = { [2] = "out:bytes:28" } },
	      function(e)
		if e.syscall == "bind" then
			if e.ret == 0 then tracker:bound(e.pid, e.args[1], e.args[2]) end
			return
		end
		local fd = e.syscall == "connect" and e.args[1] or e.ret
		if e.syscall == "connect" and e.ret ~= 0 and e.errno ~= "EINPROGRESS" then return end
		if fd < 0 then return end
		comm_of(e.pid, e)
		deliver(tracker:opened(e.pid, fd, e.args[2], e.ts,
		                       e.syscall ~= "connect" and e.args[1] or nil), e.comm)
		if e.syscall == "connect" then tracker:connected(e.tid, e.pid, fd) end
	end)
	own_ends(function(t) return probe_opts(opts, t) end)	-- a tracepoint: no socket option
end

-- The socket an SSL* uses: the one its thread's read or write went to during the call,
-- else the one it used before (data already buffered by OpenSSL makes no syscall).
local function ssl_socket(e)
	local key = e.pid .. ":" .. e.args[1]
	local fd, ts = tracker:last_fd(e.tid)
	if not fd then fd, ts = last_fd[e.tid], last_ts[e.tid] end	-- ssl:data alone
	if ts and ts >= e.ts and ts <= e.ts + e.duration then ssl_fd[key] = fd end
	return ssl_fd[key]
end

-- An SSL* that never used a socket during a call (memory BIOs, as gRPC's: the ciphertext
-- is moved by other code, SSL_get_fd is -1) is its own connection, known by a negative
-- number in place of the fd, until SSL_free.
local ssl_conn, ssl_conns = {}, 0
local function ssl_id(e)
	local key = e.pid .. ":" .. e.args[1]
	if not ssl_conn[key] then ssl_conns = ssl_conns + 1; ssl_conn[key] = -ssl_conns end
	return ssl_conn[key]
end

local function ssl_freed(e)
	local key = e.pid .. ":" .. e.args[1]
	ssl_fd[key] = nil
	local id = ssl_conn[key]
	if not id then return end
	ssl_conn[key] = nil
	deliver(tracker:close(e.pid, id, e.ts), e.comm)
end

-- Such a connection's socket (for its ends: the link's rule 1) is the one its thread moves
-- the ciphertext on: what an SSL_read returns, the thread's last read took in; what an
-- SSL_write encrypted, the thread's next send sends (the tracker pairs it: tls_wrote).
local function memory_bio_bytes(e, id, outbound, bytes, n)
	if not outbound then
		local fd, ts, sent = tracker:last_fd(e.tid)
		if fd and not sent and ts <= e.ts then tracker:tls_socket(e.pid, id, fd) end
	end
	data(e, id, outbound, bytes, n, true)
	if outbound then tracker:tls_wrote(e.tid, e.pid, id, e.ts + e.duration) end
end

local function tls_bytes(e, outbound, bytes, n)
	if n <= 0 then return end
	local fd = ssl_socket(e)
	for _, fn in ipairs(plaintext) do
		fn({ pid = e.pid, tid = e.tid, comm = e.comm, fd = fd, outbound = outbound,
		     ts = e.ts, bytes = bytes, len = n, func = e.func })
	end
	if #handlers == 0 then return end
	if fd then data(e, fd, outbound, bytes, n, true) else memory_bio_bytes(e, ssl_id(e), outbound, bytes, n) end
end

-- OpenSSL 3: SSL_read/SSL_write return the count; the _ex forms return 1 and store it.
local function tls(opts, lib)
	local W = M.WINDOW
	local function with(args)	-- ret: C's int (i32: -1 on error is -1; "int" is 64 bits)
		return probe_opts(opts, { args = args, ret = "i32", span = false })	-- spans: requests
	end
	local fns = {
		{ "SSL_read", false, { "ptr", ("out:bytes:%d/ret"):format(W), "i32" } },
		{ "SSL_write", true, { "ptr", ("bytes:%d/arg3"):format(W), "i32" } },
		{ "SSL_read_ex", false, { "ptr", ("out:bytes:%d/arg3"):format(W), "size_t", "out:uint@0" } },
		{ "SSL_write_ex", true, { "ptr", ("bytes:%d/arg3"):format(W), "size_t", "out:uint@0" } },
	}
	for _, f in ipairs(fns) do
		local name, outbound = f[1], f[2]
		feed("call:" .. lib .. ":" .. name, with(f[3]), function(e)
			if name:sub(-3) == "_ex" then
				if e.ret ~= 1 then return end
				local n = e.args[4]
				tls_bytes(e, outbound, (e.args[2] or ""):sub(1, n), n)
			elseif e.ret > 0 then	-- <= 0: nothing moved (-1: WANT_READ, an error)
				tls_bytes(e, outbound, e.args[2], e.ret)
			end
		end)
	end
	probe("uprobe:" .. lib .. ":SSL_free", probe_opts(opts, { args = { "ptr" } }), ssl_freed)
end

--- lost(): requests whose first record the full ring buffer lost, so far.
function M.lost()
	local n = 0
	for _, p in ipairs(feeds) do n = n + (p:stats().dropped_cmd or 0) end
	return n
end

-- Losses said once at the end, on stderr: requests whose first record the full ring buffer
-- lost (the kernel tells a lost record that starts with a request line: dropped_cmd), so
-- that requests reported + requests lost == requests made; the records lost; connections
-- evicted and pipelined requests let go (those were reported, unanswered).
local function report_losses()
	deliver(tracker:flush())	-- requests a lost close would leave unsaid
	local c, st, lost = counters(), tracker:stats(), M.lost()
	say_counts({
		{ c.ringbuf_full or 0, "%d requests lost, %d syscall/SSL records lost (ring buffer full)",
		  lost, c.ringbuf_full },
		{ st.evicted, "%d connections evicted" },
		{ st.dropped, "%d pipelined requests dropped" },
		-- docs/http.md, HTTP/2 and gRPC: what is then lost
		{ st.h2_blocks_lost, "%d HTTP/2 header blocks not decoded (HPACK state lost)" },
		-- not requests the client made: not reported
		{ st.h2_pushed, "%d HTTP/2 server pushes ignored" },
		{ st.h2_desyncs, "%d times HTTP/2 frames were lost past the copy window" },
	})
end

local started = false
local function start(opts)
	if started then return end
	started = true
	on("end", report_losses)
	on("end", report_trace)
	span_opt = opts.span ~= false
	tracker = proto.http({ headers = opts.headers, redact = opts.redact,
	                       max_conns = opts.max_conns })
	if opts.syscalls ~= false then syscalls(opts) end
	if opts.tls ~= false then
		local f = io.open(opts.libssl or M.LIBSSL)
		if f then f:close(); tls(opts, opts.libssl or M.LIBSSL) end
	end
end

--- request(opts, fn): fn(r) for every HTTP/1 or HTTP/2 request with its response (or status 0 when
--- none came before the connection closed). opts: headers (names to keep, r.headers and
--- r.resp_headers), redact (POSIX EREs), tls (false: no OpenSSL uprobes), libssl (its
--- path), max_conns, span (false: no OTLP spans under --otlp); the first call's options
--- make the probes.
function M.request(opts, fn)
	if type(opts) == "function" then opts, fn = nil, opts end
	if type(fn) ~= "function" then error("http:request needs a function", 3) end
	handlers[#handlers + 1] = fn
	start(opts or {})
end

--- plaintext(opts, fn): fn(p) for every SSL_read/SSL_write: p.pid, tid, comm, fd,
--- outbound, ts, bytes (the first WINDOW bytes), len (how many moved), func.
function M.plaintext(opts, fn)
	if type(opts) == "function" then opts, fn = nil, opts end
	if type(fn) ~= "function" then error("ssl:data needs a function", 3) end
	plaintext[#plaintext + 1] = fn
	opts = opts or {}
	opts.syscalls = opts.syscalls or false
	start(opts)
	if opts.syscalls == false then	-- the fd still comes from the thread's syscalls
		probe("syscall:read,write,recvfrom,sendto", { where = "ret > 0", socket = true }, function(e)
			last_fd[e.tid], last_ts[e.tid] = e.fd, e.ts
		end)
	end
end

--- The options every request tool takes alike: which side's requests it shows.
M.SERVER = { "-S", "server", nil, "only requests the process served" }
M.CLIENT = { "-C", "client", nil, "only requests the process made" }
--- The side opts ask for (from M.SERVER / M.CLIENT): "server", "client" or nil (both).
function M.role(opts) return opts.server and "server" or opts.client and "client" or nil end
--- probe("http:request", popts, fn) for the requests of the side opts ask for (-S, -C).
function M.requests(opts, popts, fn)
	local role = M.role(opts)
	return probe("http:request", popts, function(r)
		if not role or r.role == role then fn(r) end
	end)
end

--- The tracker's patterns over text (sslsniff's plaintext).
function M.redact(text) return tracker and tracker:redact(text) or text end
function M.stats() return tracker and tracker:stats() or {} end

return M
