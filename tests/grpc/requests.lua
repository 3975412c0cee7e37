-- test_grpc.sh: every http:request as one line of its fields (the HTTP/2 ones included):
-- req ROLE PROTO METHOD PATH STATUS GRPC_STATUS TLS BYTES LAT_MS. "-p PID": that process only.
-- "ready" on stderr once every probe is attached.
if arg[1] == "-p" then trace_pid(tonumber(arg[2])) end
on("begin", function() io.stderr:write("ready\n") end)	-- every probe attached
probe("http:request", function(r)
	printf("req %s %s %s %s %d %s %s %d %d\n", r.role, r.proto, r.method, r.path, r.status,
	       r.grpc_status or "-", tostring(r.tls), r.bytes, (r.latency or 0) // 1000000)
	io.stdout:flush()
end)
