#!/usr/bin/env bash
# HTTP/1.x requests (lua/http.lua, src/proto/) seen by httpsnoop and sslsniff with real
# servers and clients on loopback: nginx (static files, and a proxy to python3's
# http.server, which sleeps a known time), curl and python3 clients, openssl s_server with
# a certificate made here. Every request made is reported exactly once, with its method,
# path, status, body size, and a latency that covers the server's sleep; keep-alive,
# pipelining, a 1 MB response, a connection opened before the session, TLS and redaction.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
S="$SRC_DIR/scripts"
for bin in nginx curl openssl; do
	command -v "$bin" >/dev/null || { echo "test_http: $bin missing (./build.sh deps)" >&2; exit 1; }
done
BASE=$((20000 + ($$ % 4000) * 4))
PPY=$BASE NGX=$((BASE + 1)) TLS=$((BASE + 2))

mkdir -p "$TMP/www"
head -c 1048576 /dev/zero >"$TMP/www/big.bin"
cat >"$TMP/srv.py" <<'PYEOF'
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        if self.path.startswith("/sleep/"):
            time.sleep(int(self.path.split("/")[2]) / 1000)
        if self.path.startswith("/chunked/"):	# 3 bytes, then N, then the last chunk
            n = int(self.path.split("/")[2])
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"3\r\nabc\r\n")
            self.wfile.write(b"%x\r\n" % n + b"y" * n + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        body = b"slept\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PYEOF
"$PY" "$TMP/srv.py" "$PPY" &
PY_PID=$!
source "$(dirname "$0")/nginx_static.sh"
nginx_static "$TMP" "$NGX" "location /py/ { proxy_pass http://127.0.0.1:$PPY/; proxy_http_version 1.1; }"
for ((i = 0; i < 500; i++)); do
	curl -s -o /dev/null "http://127.0.0.1:$PPY/" && break
	sleep 0.02
done

# ready: the background httpsnoop has printed its header, which it does in its "begin"
# phase, once every probe is attached (wait_attached returns at the first link: on a slow
# kernel, such as 6.1 under qemu's TCG, a short-lived target's request came before the rest).
ready() {
	wait_for "$OUT" "^PID +COMM" 60
}

# rows ROLE METHOD PATH: the output lines (httpsnoop's columns) for one request.
rows() {
	awk -v r="$1" -v m="$2" -v p="$3" '$3 == r && $4 == m && $5 == p' "$OUT"
}
# once ROLE METHOD PATH STATUS BYTES: reported exactly once, with that status and size.
once() {
	local got
	got=$(rows "$1" "$2" "$3")
	assert_eq 1 "$(printf '%s' "$got" | grep -c . || true)" "$1 $2 $3 reported once"
	assert_eq "$4 $5" "$(awk '{print $6, $7}' <<<"$got" | head -1)" "$1 $2 $3: status and bytes"
}
# latency_ms ROLE METHOD PATH
latency_ms() {
	rows "$1" "$2" "$3" | awk '{printf "%d", $8}'
}

case_ "nginx serving files and proxying to python3 (server and client sides)"
bg snoop "$S/httpsnoop.lua" -p "$NGX_PID"
ready
curl -s -o /dev/null "http://127.0.0.1:$NGX/index.html"
curl -s -o /dev/null "http://127.0.0.1:$NGX/big.bin"
curl -s -o /dev/null "http://127.0.0.1:$NGX/py/sleep/300"
bg_until "server +GET +/py/sleep/300 "
OUT="$TMP/snoop.out"
once server GET /index.html 200 6
once server GET /big.bin 200 1048576
once server GET /py/sleep/300 200 6
once client GET /sleep/300 200 6
assert_between 300 10000 "$(latency_ms server GET /py/sleep/300)" "nginx's latency covers the 300 ms sleep"
assert_between 300 10000 "$(latency_ms client GET /sleep/300)" "the upstream request's latency covers it"
assert_between 0 299 "$(latency_ms server GET /index.html)" "a static file takes less than the sleep"
OUT="$TMP/out"

case_ "-C: only the requests the process made; -S: only those it served (httpsnoop, httplat)"
bg side "$S/httpsnoop.lua" -C -p "$NGX_PID"
ready
curl -s -o /dev/null "http://127.0.0.1:$NGX/py/sleep/10"
bg_until "client +GET +/sleep/10 "
OUT="$TMP/side.out"
once client GET /sleep/10 200 6
assert_eq "" "$(rows server GET /py/sleep/10)" "-C: nginx's own server side left out"
# httplat prints no header once attached: requests until one is in a histogram (-i 1).
bg side "$S/httplat.lua" -S -i 1 -p "$NGX_PID"
for ((i = 0; i < 100; i++)); do
	curl -s -o /dev/null "http://127.0.0.1:$NGX/py/sleep/10"
	grep -q "GET /py/sleep/10 200" "$OUT" && break
	sleep 0.2
done
kill -INT "$BG_PID" 2>/dev/null || true
bg_wait
OUT="$TMP/side.out"
assert_file_contains "$OUT" "GET /py/sleep/10 200" "-S: nginx's server side"
assert_file_lacks "$OUT" "GET /sleep/10 200" "-S: its upstream request left out"
OUT="$TMP/out"

case_ "python3 client: keep-alive, pipelining (a 404 in the middle), 1 MB"
cat >"$TMP/client.py" <<'PYEOF'
import http.client, socket, sys
port = int(sys.argv[1])
c = http.client.HTTPConnection("127.0.0.1", port)
for p in ("/index.html", "/big.bin"):
    c.request("GET", p)
    c.getresponse().read()
c.close()
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET /index.html?p=1 HTTP/1.1\r\nHost: x\r\n\r\n"
          b"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
          b"GET /index.html?p=3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
while s.recv(65536):
    pass
s.close()
PYEOF
lt "$S/httpsnoop.lua" -- "$PY" "$TMP/client.py" "$NGX"
assert_rc 0
once client GET /index.html 200 6
once client GET /big.bin 200 1048576
once client GET "/index.html?p=1" 200 6
once client GET /missing 404 "$(rows client GET /missing | awk '{print $7}')"
once client GET "/index.html?p=3" 200 6
assert_eq 5 "$(grep -c ' client ' "$OUT" || true)" "five requests, five lines"

case_ "chunked responses, within and past the copy window (curl to python3)"
lt "$S/httpsnoop.lua" -- curl -s -o /dev/null -o /dev/null "http://127.0.0.1:$PPY/chunked/10" \
	"http://127.0.0.1:$PPY/chunked/300000"
assert_rc 0
once client GET /chunked/10 200 13
assert_eq 1 "$(rows client GET /chunked/300000 | grep -c . || true)" "the large chunked response reported once"
assert_eq 200 "$(rows client GET /chunked/300000 | awk '{print $6}')" "its status"
assert_between 300003 300100 "$(rows client GET /chunked/300000 | awk '{print $7}')" \
	"its size: the body, and at most the framing counted with it where the window lost it"

case_ "a connection opened before the session: its next request"
cat >"$TMP/early.py" <<'PYEOF'
import http.client, os, sys, time
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
c.request("GET", "/index.html?early")
c.getresponse().read()
open(sys.argv[2] + ".ready", "w").close()
while not os.path.exists(sys.argv[2] + ".go"):
    time.sleep(0.01)
c.request("GET", "/py/sleep/200")
c.getresponse().read()
PYEOF
"$PY" "$TMP/early.py" "$NGX" "$TMP/early" &
EARLY_PID=$!
wait_file "$TMP/early.ready"
bg early "$S/httpsnoop.lua" -p "$EARLY_PID"
ready
touch "$TMP/early.go"
wait_pid "$EARLY_PID" 20
bg_wait
OUT="$TMP/early.out"
once client GET /py/sleep/200 200 6
assert_between 200 10000 "$(latency_ms client GET /py/sleep/200)" "latency covers the 200 ms sleep"
assert_eq "" "$(rows client GET '/index.html?early')" "the request before the session is not reported"
OUT="$TMP/out"

case_ "the socket's ends: from connect, and from /proc for a connection opened before"
cat >"$TMP/ends.lua" <<'LUAEOF'
if arg[1] then trace_pid(tonumber(arg[1])) end
probe("http:request", function(r)
	print(("%s %s %s %s:%s %s:%s"):format(r.role, r.path, r.status, r.laddr, r.lport, r.raddr, r.rport))
end)
on("begin", function() io.stderr:write("ready\n") end)
LUAEOF
lt "$TMP/ends.lua" -- curl -s -o /dev/null "http://127.0.0.1:$NGX/index.html"
assert_rc 0
assert_match "$(cat "$OUT")" "^client /index.html 200 [^ ]+ 127\.0\.0\.1:$NGX\$" "curl's peer, from connect"
rm -f "$TMP/early.ready" "$TMP/early.go"
"$PY" "$TMP/early.py" "$NGX" "$TMP/early" &
EARLY_PID=$!
wait_file "$TMP/early.ready"
bg ends "$TMP/ends.lua" "$EARLY_PID"
wait_for "$ERR" "^ready$" 60
touch "$TMP/early.go"
bg_until "/py/sleep/200"
OUT="$TMP/ends.out"
wait_pid "$EARLY_PID" 20
assert_match "$(cat "$OUT")" "^client /py/sleep/200 200 127\.0\.0\.1:[0-9]+ 127\.0\.0\.1:$NGX\$" \
	"both ends of a connection opened before the session (/proc)"
OUT="$TMP/out"

case_ "TLS: curl https to openssl s_server (OpenSSL uprobes), sslsniff redacts"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
	-days 1 -subj /CN=localhost 2>/dev/null
openssl s_server -accept "$TLS" -cert "$TMP/cert.pem" -key "$TMP/key.pem" -www -quiet \
	</dev/null >/dev/null 2>&1 &
TLS_PID=$!
for ((i = 0; i < 500; i++)); do
	curl -sk -o /dev/null "https://127.0.0.1:$TLS/" && break
	sleep 0.02
done
lt "$S/httpsnoop.lua" -- curl -sk -o /dev/null "https://127.0.0.1:$TLS/tls"
assert_rc 0
assert_eq 1 "$(awk '$3 == "client+" && $4 == "GET" && $5 == "/tls" && $6 == 200' "$OUT" | grep -c . || true)" \
	"the TLS request reported once, as a client over TLS"
# python3 loads libssl with dlopen (import ssl: _ssl's DT_NEEDED), after the probes attach
cat >"$TMP/pyssl.py" <<'PYEOF'
import sys
import ssl, http.client
c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]),
                                context=ssl._create_unverified_context())
c.request("GET", "/py-tls")
c.getresponse().read()
PYEOF
lt "$S/httpsnoop.lua" -- "$PY" "$TMP/pyssl.py" "$TLS"
assert_rc 0
assert_eq 1 "$(awk '$3 == "client+" && $4 == "GET" && $5 == "/py-tls" && $6 == 200' "$OUT" | grep -c . || true)" \
	"python3's TLS request (libssl loaded by dlopen) reported once"
lt "$S/sslsniff.lua" -- curl -sk -o /dev/null "https://127.0.0.1:$TLS/tls" \
	-H "Authorization: Bearer s3cr3t-token" -H "Cookie: sid=s3cr3t-cookie"
assert_rc 0
assert_match "$(cat "$OUT")" "WRITE pid [0-9]+ comm curl fd [0-9]+ [0-9]+ bytes" "the request's write"
assert_contains "$(cat "$OUT")" "GET /tls HTTP/1.1" "the plaintext request line"
assert_contains "$(cat "$OUT")" "HTTP/1.0 200 ok" "the plaintext response"
assert_contains "$(cat "$OUT")" "Authorization: [REDACTED]" "Authorization redacted"
assert_not_contains "$(cat "$OUT")" "s3cr3t" "no credential shown"

case_ "redaction of a pattern in paths"
lt "$S/httpsnoop.lua" -R 'token=[a-z0-9]+' -- curl -s -o /dev/null \
	"http://127.0.0.1:$NGX/index.html?token=s3cr3t"
assert_rc 0
assert_contains "$(cat "$OUT")" "/index.html?[REDACTED]" "the token redacted"
assert_not_contains "$(cat "$OUT")" "s3cr3t" "the token never shown"

kill "$NGX_PID" "$PY_PID" "$TLS_PID" 2>/dev/null || true
wait "$NGX_PID" "$PY_PID" "$TLS_PID" 2>/dev/null || true
finish
