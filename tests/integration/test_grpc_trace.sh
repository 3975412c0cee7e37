#!/usr/bin/env bash
# HTTP/2 and gRPC requests as spans (src/proto/http2.c's request heads through
# http_conn.c's on_begin hook to src/proto/http_link.c, lua/http.lua's delivery), both ends
# traced in one session with --otlp to the tests' receiver (otlp_receiver.py):
#   - python3-grpcio's client and server over TLS: a client span and a server span per call,
#     named "POST /demo.Echo/M", with OpenTelemetry's RPC attributes (rpc.system grpc,
#     rpc.service, rpc.method, rpc.grpc.status_code); a call carrying a traceparent as
#     metadata joins that trace on both sides. gRPC's OpenSSL runs on memory BIOs (no
#     socket during SSL_read/SSL_write): each SSL * is paired with the socket its thread
#     moves the ciphertext on, so the server span is the client span's child.
#   - curl to nghttpd, h2c and h2 in TLS (sockets with known ends): the server span is the
#     client span's child (the connection's two ends), one trace; a traceparent header
#     (HPACK-decoded) gives the client span its trace and parent.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/otlp_lib.sh"

PY=/usr/bin/python3
G="$SRC_DIR/tests/grpc"
for bin in openssl curl nghttpd; do
	command -v "$bin" >/dev/null || { echo "test_grpc_trace: $bin missing (./build.sh deps)" >&2; exit 1; }
done
"$PY" -c "import grpc" 2>/dev/null || { echo "test_grpc_trace: python3-grpcio missing (./build.sh deps)" >&2; exit 1; }
TRACE=4bf92f3577b34da6a3ce929d0e0e4736
PARENT=00f067aa0ba902b7
BASE=$((24000 + ($$ % 4000) * 2))
H2C=$BASE H2S=$((BASE + 1))

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
	-days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null
"$PY" "$G/server.py" --tls "$TMP/cert.pem" "$TMP/key.pem" >"$TMP/grpc_srv.out" 2>&1 &
SRV_PID=$!
wait_for "$TMP/grpc_srv.out" "^port [0-9]+" 30
PORT=$(awk '/^port/ {print $2}' "$TMP/grpc_srv.out")
receiver_start rcv
URL=http://127.0.0.1:$RPORT

cat >"$TMP/trace.lua" <<'LUAEOF'
for _, pid in ipairs(arg) do trace_pid(tonumber(pid)) end
probe("http:request", function(r)
	print(("req %s %s %s grpc=%s stream=%s trace=%s span=%s parent=%s ends=%s:%s,%s:%s start=%s end=%s")
		:format(r.role, r.path, r.status, r.grpc_status, r.stream, r.trace_id, r.span_id, r.parent,
			r.laddr, r.lport, r.raddr, r.rport, r.start, r["end"]))
	io.stdout:flush()
end)
LUAEOF

# both NAME SERVER-PID CLIENT-COMMAND...: the client run by the session (-f: the server's
# pid too, and the command's children); its output in $TMP/NAME.out/.err, the spans' facts in $TMP/facts.
both() {
	local name=$1 srv=$2
	shift 2
	receiver_clear rcv
	OUT="$TMP/$name.out" ERR="$TMP/$name.err"
	lt -f --otlp "$URL" "$TMP/trace.lua" "$srv" -- "$@"
	assert_rc 0 "$name: the client's exit status"
	"$PY" "$G/span_facts.py" "$TMP/rcv.spans" >"$TMP/facts"
}

case_ "gRPC over TLS, both sides: a client span and a server span per call, RPC attributes"
both grpc "$SRV_PID" "$PY" "$G/client.py" "$PORT" --tls "$TMP/cert.pem" Sleep:0 Fail
assert_eq 2 "$(grep -c '^call ' "$TMP/grpc.err" || true)" "the client made two calls"
assert_eq 4 "$(grep -c '^req ' "$TMP/grpc.out" || true)" "four requests: each call's two sides"
assert_match "$(grep '^req client /demo.Echo/Sleep' "$TMP/grpc.out")" \
	"grpc=0 stream=[0-9]+ trace=[0-9a-f]{32} span=[0-9a-f]{16} parent=nil" "r.stream, r.trace_id, r.span_id"
assert_eq 4 "$(fact spans)" "four spans: the requests only (SSL_read/SSL_write make none)"
assert_eq 2 "$(fact Sleep_spans)" "POST /demo.Echo/Sleep: client and server"
assert_eq 2 "$(fact Fail_spans)" "POST /demo.Echo/Fail: client and server"
assert_eq "" "$(fact Sleep_parent)" "the client span is a root"
assert_eq 1 "$(fact Sleep_linked)" "Sleep: the server's parent is the client span (the TLS connection's socket)"
assert_eq 1 "$(fact Fail_linked)" "Fail: linked too"
assert_match "$(grep '^req server /demo.Echo/Sleep' "$TMP/grpc.out")" \
	"ends=(::ffff:)?127.0.0.1:$PORT,(::ffff:)?127.0.0.1:[0-9]+ " "the server's TLS connection: its socket's ends"
assert_eq "grpc demo.Echo Sleep grpc demo.Echo Sleep" "$(fact Sleep_rpc)" "rpc.system, rpc.service, rpc.method"
assert_eq "0 0 0 0" "$(fact Sleep_status)" "OK: rpc.grpc.status_code 0, no error"
assert_eq "5 5 2 0" "$(fact Fail_status)" \
	"NOT_FOUND: status code 5, an error for the client, not for the server (OpenTelemetry's RPC conventions)"
no_violations rcv

case_ "gRPC: a call with a traceparent as metadata joins that trace, both sides"
both header "$SRV_PID" "$PY" "$G/client.py" "$PORT" --tls "$TMP/cert.pem" --traceparent "00-$TRACE-$PARENT-01" Sleep:0
assert_eq 2 "$(fact spans)" "two spans"
assert_eq 1 "$(fact traces)" "one trace"
assert_eq "$TRACE" "$(fact Sleep_trace)" "the client span: the metadata's trace"
assert_eq "$PARENT" "$(fact Sleep_parent)" "the client span's parent: the metadata's span"
assert_eq "$TRACE" "$(fact Sleep_server_trace)" "the server span: the metadata's trace"
no_violations rcv

# Linking the two ends needs the client socket's own end, read from /proc when the tool
# first handles its records, which just after the start can be hundreds of ms late on a
# loaded machine (a 300 ms margin failed 1 run in 2): curl uploads a body its shell gives
# it 1.5 s later (-T -: the head goes first), so it outlives that lookup.
mkdir -p "$TMP/www"
echo hello >"$TMP/www/index.html"
# up URL ARGS...: waits until nghttpd answers
up() {
	for ((i = 0; i < 500; i++)); do
		curl -s -o /dev/null "$@" && return 0
		sleep 0.02
	done
}

case_ "h2c: curl --http2-prior-knowledge to nghttpd, both traced: the server span is the client span's child"
nghttpd --no-tls -d "$TMP/www" "$H2C" >"$TMP/nghttpd.out" 2>&1 &
NGH_PID=$!
up --http2-prior-knowledge "http://127.0.0.1:$H2C/"
both h2c "$NGH_PID" sh -c "(sleep 1.5; echo x) | curl -s -o /dev/null -T - --http2-prior-knowledge http://127.0.0.1:$H2C/index.html"
assert_eq 2 "$(grep -c '^req .* /index.html 200 ' "$TMP/h2c.out" || true)" "the request's two sides"
assert_eq 2 "$(fact spans)" "two spans"
assert_eq 1 "$(fact index_html_linked)" "the server's parent: the client span, same trace"
assert_eq "" "$(fact index_html_parent)" "the client span is a root"
no_violations rcv
kill "$NGH_PID" 2>/dev/null || true
wait "$NGH_PID" 2>/dev/null || true

case_ "h2 in TLS: curl https (ALPN h2) to nghttpd, both traced: linked"
nghttpd -d "$TMP/www" "$H2S" "$TMP/key.pem" "$TMP/cert.pem" >"$TMP/nghttpd_tls.out" 2>&1 &
NGH_PID=$!
up -k --http2 "https://127.0.0.1:$H2S/"
both h2s "$NGH_PID" sh -c "(sleep 1.5; echo x) | curl -sk -o /dev/null -T - --http2 -H 'traceparent: 00-$TRACE-$PARENT-01' https://127.0.0.1:$H2S/index.html"
assert_eq 2 "$(grep -c '^req .* /index.html 200 ' "$TMP/h2s.out" || true)" "the request's two sides"
assert_eq 2 "$(fact spans)" "two spans"
assert_eq 1 "$(fact index_html_linked)" "the server's parent: the client span, same trace"
assert_eq "$TRACE" "$(fact index_html_trace)" "the traceparent header's trace (HPACK-decoded)"
assert_eq "$PARENT" "$(fact index_html_parent)" "the client span's parent: the header's span"
no_violations rcv
kill "$NGH_PID" 2>/dev/null || true
wait "$NGH_PID" 2>/dev/null || true

kill "$SRV_PID" 2>/dev/null || true
wait "$SRV_PID" 2>/dev/null || true
receiver_stop rcv
finish
