#!/usr/bin/env bash
# How the bytes of HTTP/1 traffic reach the protocol layer (lua/http.lua's probes): a
# python3 server and client on loopback that move every request and response with
# sendmsg/recvmsg and writev of several iovecs (the status line, the headers and the body
# each in its own buffer, so a head is only whole past the first iovec). Each side logs
# what it sent and received; every exchange must be reported once per side with that
# method, path, status and byte counts, and the server's own address after accept.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
PORT=$((24000 + ($$ % 4000)))
cat >"$TMP/iov.py" <<'PYEOF'
# argv: port, requests, log file. Logs "ROLE METHOD PATH STATUS BODY REQ" per exchange as
# each side saw it, and "client-port N".
import os, socket, sys, threading
port, n, log = int(sys.argv[1]), int(sys.argv[2]), open(sys.argv[3], "w")
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port))
ls.listen(8)

def send(sock, i, parts):	# writev and sendmsg in turn, several buffers each
    sent = sock.sendmsg(parts) if i % 2 else os.writev(sock.fileno(), parts)
    assert sent == sum(map(len, parts))

def recv(sock, i, size):	# recvmsg into one buffer, or into two
    if i % 2:
        return sock.recvmsg(size)[0]
    a, b = bytearray(7), bytearray(size)
    got = sock.recvmsg_into([a, b])[0]
    return (bytes(a) + bytes(b))[:got]

def message(sock, i, buf):	# a head and its Content-Length body: (head, body, rest)
    while b"\r\n\r\n" not in buf:
        buf += recv(sock, i, 4096)
    head, rest = buf.split(b"\r\n\r\n", 1)
    want = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    while len(rest) < want:
        rest += recv(sock, i, 65536)
    return head + b"\r\n\r\n", rest[:want], rest[want:]

def serve():
    c, _ = ls.accept()
    buf = b""
    for i in range(n):
        head, body, buf = message(c, i, buf)
        method, path = head.split(b" ")[:2]
        missing = path.endswith(b"/missing")
        rbody = b"x" * (len(path) * 150)	# past the 1 KiB copy window for some
        status = b"404 Not Found" if missing else b"200 OK"
        send(c, i, [b"HTTP/1.1 " + status + b"\r\n", b"Content-Length: %d\r\n" % len(rbody),
                    b"\r\n", rbody])
        log.write("server %s %s %s %d %d\n" % (method.decode(), path.decode(),
                  status.split()[0].decode(), len(rbody), len(head) + len(body)))
    c.close()

t = threading.Thread(target=serve)
t.start()
s = socket.create_connection(("127.0.0.1", port))
log.write("client-port %d\n" % s.getsockname()[1])
buf = b""
for i in range(n):
    method = b"POST" if i % 3 == 2 else b"GET"
    path = b"/r%d" % i + (b"/missing" if i % 4 == 3 else b"")
    body = b"b" * 7 * (i + 1) if method == b"POST" else b""
    head = [method + b" ", path, b" HTTP/1.1\r\nHost: x\r\n", b"Content-Length: %d\r\n\r\n" % len(body)]
    send(s, i, head + ([body] if body else []))
    rhead, rbody, buf = message(s, i, buf)
    log.write("client %s %s %s %d %d\n" % (method.decode(), path.decode(),
              rhead.split(b" ")[1].decode(), len(rbody), sum(map(len, head)) + len(body)))
s.close()
t.join()
log.close()
PYEOF
cat >"$TMP/req.lua" <<'LUAEOF'
probe("http:request", function(r)
	print(("%s %s %s %d %d %d %s:%s %s:%s"):format(r.role, r.method, r.path, r.status, r.bytes,
		r.req_bytes, r.laddr, r.lport, r.raddr, r.rport))
end)
LUAEOF

case_ "sendmsg/recvmsg and writev with several iovecs: every exchange, both sides, exact"
lt "$TMP/req.lua" -- "$PY" "$TMP/iov.py" "$PORT" 12 "$TMP/py.log"
assert_rc 0
CPORT=$(awk '$1 == "client-port" { print $2 }' "$TMP/py.log")
assert_eq 24 "$(grep -c . "$OUT" || true)" "12 exchanges, seen from both sides"
assert_eq "$(grep -v client-port "$TMP/py.log" | sort)" "$(awk '{ print $1, $2, $3, $4, $5, $6 }' "$OUT" | sort)" \
	"methods, paths, statuses, body and request sizes as the programs saw them"
assert_eq 12 "$(grep -c "^server .* 127\.0\.0\.1:$PORT 127\.0\.0\.1:$CPORT\$" "$OUT" || true)" \
	"the server's own address after accept, and its peer"
assert_eq 12 "$(grep -c "^client .* 127\.0\.0\.1:$PORT\$" "$OUT" || true)" "the client's peer, from connect"

case_ "load with records lost: requests reported + requests counted lost == requests made"
command -v nginx >/dev/null && command -v ab >/dev/null ||
	{ echo "test_http_capture: nginx and ab needed (./build.sh deps)" >&2; exit 1; }
NGX=$((PORT + 1))
source "$(dirname "$0")/nginx_static.sh"
nginx_static "$TMP" "$NGX"
# The smallest ring, and a first callback that holds the tool's loop until ab is done: the
# ring fills under ab's load and records are lost whatever the machine's speed. The script
# ends itself (exit, not a signal that could interrupt a callback): the end drains the ring.
bg lossy -p "$NGX_PID" "$SRC_DIR/tests/integration/http_lossy.lua" "$TMP"
wait_for "$OUT" "^ready" 30
# Every syscall of the machine runs the syscall probes' programs: the five probes of
# lua/http.lua share one sys_enter and one sys_exit program (before: a pair per probe).
assert_match "$(link_types "$(pgrep -P "$BG_PID" | head -1)")" "(^| )raw_tracepoint=2( |\$)" \
	"the syscall probes on two raw tracepoint links"
curl -s -o /dev/null "http://127.0.0.1:$NGX/index.html"	# the first request: the hold
ab -q -k -c 4 -n 20000 "http://127.0.0.1:$NGX/index.html" >"$TMP/ab.out" 2>&1
MADE=$(( $(sed -nE 's/^Complete requests: +([0-9]+)/\1/p' "$TMP/ab.out") + 1 ))
assert_eq 0 "$(sed -nE 's/^Failed requests: +([0-9]+)/\1/p' "$TMP/ab.out")" "ab's requests all answered"
touch "$TMP/go" "$TMP/stop"
bg_wait
assert_rc 0
OUT="$TMP/lossy.out"
REPORTED=$(grep -cE "^server	GET	/index.html	[0-9]+$" "$OUT" || true)	# status 0: its response record lost
LOST=$(sed -nE 's/^http: ([0-9]+) requests lost, [0-9]+ syscall.SSL records lost.*/\1/p' "$TMP/lossy.err")
assert_ne "" "$LOST" "records were lost, and said ($(head -c 300 "$TMP/lossy.err"))"
assert_between 1 "$MADE" "${LOST:-0}" "requests lost counted"
assert_eq "$MADE" "$((REPORTED + ${LOST:-0}))" "reported ($REPORTED) + lost (${LOST:-0}) == made"
kill "$NGX_PID" 2>/dev/null || true
wait "$NGX_PID" 2>/dev/null || true

finish
