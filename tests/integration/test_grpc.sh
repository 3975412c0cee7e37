#!/usr/bin/env bash
# HTTP/2 and gRPC (src/proto/http2*.c, lua/http.lua) with real servers and clients on
# loopback: python3-grpcio's server and client over h2c (sendmsg/recvmsg of ~25 iovecs) and
# over TLS (a certificate made here; gRPC's OpenSSL runs on memory BIOs, so its SSL * has no
# fd), seen by grpcsnoop from both sides:
# every call reported once with its method, gRPC status, and a latency that covers the
# server's known sleep; a unary call, one that fails (NOT_FOUND), a server stream. Then
# plain HTTP/2: curl --http2-prior-knowledge to nghttpd (h2c, the server speaking first)
# and curl https with ALPN h2 to nghttpd, both sides, through probe("http:request"); and
# curl --http2's "Upgrade: h2c" to a python3-h2 server (the connection switches after the 101).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
S="$SRC_DIR/scripts"
G="$SRC_DIR/tests/grpc"
for bin in openssl curl nghttpd; do
	command -v "$bin" >/dev/null || { echo "test_grpc: $bin missing (./build.sh deps)" >&2; exit 1; }
done
"$PY" -c "import grpc" 2>/dev/null || { echo "test_grpc: python3-grpcio missing (./build.sh deps)" >&2; exit 1; }
BASE=$((24000 + ($$ % 4000) * 2))
H2C=$BASE H2S=$((BASE + 1))

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
	-days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null

# rows FILE ROLE METHOD: grpcsnoop's lines for one method on one side.
rows() {
	awk -v r="$2" -v m="$3" '$3 == r && $4 == m' "$1"
}
# once FILE ROLE METHOD STATUS: reported exactly once, with that gRPC status.
once() {
	local got
	got=$(rows "$1" "$2" "$3")
	assert_eq 1 "$(printf '%s' "$got" | grep -c . || true)" "$2 $3 reported once"
	assert_eq "$4" "$(awk '{print $5}' <<<"$got" | head -1)" "$2 $3: gRPC status"
}
# attached grpcsnoop|requests: the tool just started with bg has every probe attached (grpcsnoop prints its
# header, requests.lua "ready" on stderr, once the session begins): a link alone
# (wait_attached) is the first of several, and a traced client let go before the last one
# may be gone when it comes ("cannot attach ...: No such process").
attached() {
	case $1 in
	grpcsnoop) wait_for "$OUT" "^PID" 30 ;;
	requests) wait_for "$ERR" "^ready" 30 ;;
	esac
}
latency_ms() {
	rows "$1" "$2" "$3" | awk '{printf "%d", $6}'
}

# both_views MARK [--tls CERT KEY]: python3-grpcio's server (h2c, or TLS with --tls), seen by
# grpcsnoop -p, and its client run under grpcsnoop; every call reported once on each side
# with its method and gRPC status, the 300 ms sleep inside the latencies (MARK: "+" when
# seen through OpenSSL). Leaves the server running: SRV_PID, PORT.
both_views() {
	local mark=$1 cli_tls=() role esc=
	shift
	[ -z "$mark" ] || esc='\+'	# a regex
	[ $# -eq 0 ] || cli_tls=(--tls "$2")
	"$PY" "$G/server.py" "$@" >"$TMP/grpc_srv.out" 2>&1 &
	SRV_PID=$!
	wait_for "$TMP/grpc_srv.out" "^port [0-9]+" 30
	PORT=$(awk '/^port/ {print $2}' "$TMP/grpc_srv.out")
	bg server "$S/grpcsnoop.lua" -p "$SRV_PID"
	attached grpcsnoop
	SERVER_BG=$BG_PID
	OUT="$TMP/out" ERR="$TMP/err"
	lt "$S/grpcsnoop.lua" -- "$PY" "$G/client.py" "$PORT" "${cli_tls[@]}" \
		Sleep:300 Fail Count:3 Sleep:0
	assert_rc 0
	assert_match "$(cat "$ERR")" "call /demo.Echo/Fail NOT_FOUND" "the client saw the error itself"
	cp "$OUT" "$TMP/client.out"
	cp "$ERR" "$TMP/client.err"
	BG_PID=$SERVER_BG
	OUT="$TMP/server.out"
	bg_until "server$esc +/demo.Echo/Count "
	for role in client server; do
		assert_not_contains "$(cat "$TMP/$role.err")" "HTTP/2 header blocks not decoded" \
			"$role: no header block lost"
		once "$TMP/$role.out" "$role$mark" /demo.Echo/Fail NOT_FOUND
		once "$TMP/$role.out" "$role$mark" /demo.Echo/Count OK
		assert_eq 2 "$(rows "$TMP/$role.out" "$role$mark" /demo.Echo/Sleep | grep -c ' OK ' || true)" \
			"$role: two Sleep calls, both OK"
		assert_between 300 10000 "$(rows "$TMP/$role.out" "$role$mark" /demo.Echo/Sleep |
			awk '{print int($6)}' | sort -n | tail -1)" "$role: the latency covers the 300 ms sleep"
		assert_between 0 299 "$(rows "$TMP/$role.out" "$role$mark" /demo.Echo/Sleep |
			awk '{print int($6)}' | sort -n | head -1)" "$role: Sleep:0 takes less than the sleep"
	done
	assert_eq 0 "$(grep -c 'client' "$TMP/server.out" || true)" "-p: only the server's calls"
}

case_ "gRPC over h2c: python3-grpcio server and client, both views (grpcsnoop)"
# gRPC's own transport writes with sendmsg, a frame header per iovec (~25 of them): the
# iov capture must follow them all (LT_IOV_MAX) or header blocks are cut
both_views ""
kill "$SRV_PID" 2>/dev/null || true
wait "$SRV_PID" 2>/dev/null || true

case_ "gRPC over TLS: python3-grpcio server and client, both views (grpcsnoop)"
both_views + --tls "$TMP/cert.pem" "$TMP/key.pem"

case_ "grpcsnoop -j: records with the method and the gRPC status"
lt "$S/grpcsnoop.lua" -j -- "$PY" "$G/client.py" "$PORT" --tls "$TMP/cert.pem" Fail Sleep:0
assert_rc 0
assert_eq "$(printf 'client\t/demo.Echo/Fail\t5\tNOT_FOUND')" \
	"$("$PY" "$SRC_DIR/tests/integration/json_rows.py" "$OUT" method=/demo.Echo/Fail -- role method grpc_status status)" \
	"the failed call's record"
assert_eq "$(printf 'client\t/demo.Echo/Sleep\t0\tOK')" \
	"$("$PY" "$SRC_DIR/tests/integration/json_rows.py" "$OUT" method=/demo.Echo/Sleep -- role method grpc_status status)" \
	"the unary call's record"

case_ "a gRPC connection opened before the session: every call counted, the loss said"
# two calls, then the tracers start on both processes, then four more on the same connection:
# its HPACK tables were filled unseen, so methods and statuses sent as indexed entries are
# not known (docs/http.md), but each call is reported once and timed.
"$PY" "$G/client.py" "$PORT" --tls "$TMP/cert.pem" Sleep:0 Fail Pause:"$TMP/go" \
	Sleep:300 Fail Count:2 Sleep:0 2>"$TMP/early_calls.txt" &
CLI_PID=$!
wait_for "$TMP/early_calls.txt" "^paused" 30
bg early_server "$S/grpcsnoop.lua" -p "$SRV_PID"
attached grpcsnoop
SERVER_BG=$BG_PID
bg early_client "$S/grpcsnoop.lua" -p "$CLI_PID"
attached grpcsnoop
touch "$TMP/go"
bg_wait		# the client's tracer ends with it
wait "$CLI_PID" 2>/dev/null || true
assert_eq 4 "$(grep -c 'call /demo.Echo/' "$TMP/early_calls.txt" | awk '{print $1 - 2}')" "the client made four calls watched"
assert_eq 4 "$(grep -c ' client+ ' "$TMP/early_client.out" || true)" "the client's four calls, each once"
assert_between 300 10000 "$(awk '$3 == "client+" {print int($NF)}' "$TMP/early_client.out" | sort -n | tail -1)" \
	"the longest covers the 300 ms sleep"
assert_contains "$(cat "$TMP/early_client.err")" "HTTP/2 header blocks not decoded (HPACK state lost)" "the loss is said"
BG_PID=$SERVER_BG
OUT="$TMP/early_server.out"
kill -INT "$BG_PID" 2>/dev/null || true
bg_wait
assert_eq 4 "$(grep -c ' server+ ' "$TMP/early_server.out" || true)" "the server's four calls, each once"
assert_between 300 10000 "$(awk '$3 == "server+" {print int($NF)}' "$TMP/early_server.out" | sort -n | tail -1)" \
	"the server's longest covers the sleep"
kill "$SRV_PID" 2>/dev/null || true
wait "$SRV_PID" 2>/dev/null || true

case_ "h2c: curl --http2-prior-knowledge to nghttpd, both sides (probe http:request)"
mkdir -p "$TMP/www"
echo hello >"$TMP/www/index.html"
nghttpd --no-tls -d "$TMP/www" "$H2C" >"$TMP/nghttpd.out" 2>&1 &
NGH_PID=$!
for ((i = 0; i < 500; i++)); do
	curl -s -o /dev/null --http2-prior-knowledge "http://127.0.0.1:$H2C/" && break
	sleep 0.02
done
bg h2server "$G/requests.lua" -p "$NGH_PID"
attached requests
OUT="$TMP/out" ERR="$TMP/err"
lt "$G/requests.lua" -- curl -s -o /dev/null --http2-prior-knowledge "http://127.0.0.1:$H2C/index.html"
assert_rc 0
assert_eq "req client h2 GET /index.html 200 - false 6" "$(cut -d' ' -f1-9 "$OUT")" "curl's request, once"
lt "$G/requests.lua" -- curl -s -o /dev/null --http2-prior-knowledge "http://127.0.0.1:$H2C/nope"
assert_eq "req client h2 GET /nope 404" "$(cut -d' ' -f1-6 "$OUT")" "a 404, once"
OUT="$TMP/h2server.out"
bg_until "^req server h2 GET /nope "
H2SRV="$TMP/h2server.out"
assert_eq 1 "$(grep -c '^req server h2 GET /index.html 200 - false 6 ' "$H2SRV" || true)" "nghttpd served /index.html once"
assert_eq 1 "$(grep -c '^req server h2 GET /nope 404 ' "$H2SRV" || true)" "and /nope once"
kill "$NGH_PID" 2>/dev/null || true
wait "$NGH_PID" 2>/dev/null || true

case_ "h2c by Upgrade: curl --http2 to python3-h2, one connection, both sides (probe http:request)"
# curl asks in HTTP/1.1 with "Upgrade: h2c"; after the 101 the connection is HTTP/2: the
# request that asked is answered on stream 1, the next one is stream 3 (docs/http.md)
"$PY" "$G/h2c_upgrade.py" >"$TMP/upgrade_srv.out" 2>&1 &
UPG_PID=$!
wait_for "$TMP/upgrade_srv.out" "^port [0-9]+" 30
UPORT=$(awk '/^port/ {print $2}' "$TMP/upgrade_srv.out")
bg upserver "$G/requests.lua" -p "$UPG_PID"
attached requests
OUT="$TMP/out" ERR="$TMP/err"
lt "$G/requests.lua" -- curl -s -o /dev/null -o /dev/null --http2 \
	"http://127.0.0.1:$UPORT/sleep/300" "http://127.0.0.1:$UPORT/nope"
assert_rc 0
cp "$OUT" "$TMP/upclient.out"
OUT="$TMP/upserver.out"
bg_until "^req server h2 GET /nope "
for role in client server; do
	assert_eq 2 "$(grep -c '^req ' "$TMP/up$role.out" || true)" "$role: two requests, no 101 among them"
	assert_eq 1 "$(grep -c "^req $role h2 GET /sleep/300 200 - false 5 " "$TMP/up$role.out" || true)" \
		"$role: the request that asked for the upgrade, answered in HTTP/2"
	assert_eq 1 "$(grep -c "^req $role h2 GET /nope 404 " "$TMP/up$role.out" || true)" "$role: the next one, on stream 3"
	assert_between 300 10000 "$(awk '$5 == "/sleep/300" {print $NF}' "$TMP/up$role.out")" \
		"$role: the latency covers the 300 ms sleep"
done
kill "$UPG_PID" 2>/dev/null || true
wait "$UPG_PID" 2>/dev/null || true

case_ "h2 in TLS: curl https (ALPN h2) to nghttpd, the client's view"
nghttpd -d "$TMP/www" "$H2S" "$TMP/key.pem" "$TMP/cert.pem" >"$TMP/nghttpd_tls.out" 2>&1 &
NGH_PID=$!
for ((i = 0; i < 500; i++)); do
	curl -sk -o /dev/null --http2 "https://127.0.0.1:$H2S/" && break
	sleep 0.02
done
lt "$G/requests.lua" -- curl -sk -o /dev/null --http2 "https://127.0.0.1:$H2S/index.html"
assert_rc 0
assert_eq "req client h2 GET /index.html 200 - true 6" "$(cut -d' ' -f1-9 "$OUT")" "curl's request through SSL_write/SSL_read"
kill "$NGH_PID" 2>/dev/null || true
wait "$NGH_PID" 2>/dev/null || true

finish
