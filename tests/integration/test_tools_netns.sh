#!/usr/bin/env bash
# The TCP tools across network namespaces: the test creates a namespace joined to the root
# namespace by a veth pair, serves inside it and connects from outside (and over IPv6 on the
# namespace's own loopback). The tools trace system-wide, so they must see the sockets of
# both namespaces with the right addresses, ports, owners and lifetimes. The namespace and
# its links are removed at exit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
JROWS="$(dirname "$0")/json_rows.py"

PY=/usr/bin/python3.11
S="$SRC_DIR/scripts"
NS="lt$$"
NET="10.213.$(($$ % 250))"
HOST_IF="lt${$}a"
NS_IF="lt${$}b"

netns_cleanup() {
	ip netns del "$NS" 2>/dev/null || true	# takes the veth pair with it
	_cleanup
}
trap netns_cleanup EXIT

ip netns add "$NS"
ip -n "$NS" link set lo up
ip link add "$HOST_IF" type veth peer name "$NS_IF"
ip link set "$NS_IF" netns "$NS"
ip addr add "$NET.1/24" dev "$HOST_IF"
ip link set "$HOST_IF" up
ip -n "$NS" addr add "$NET.2/24" dev "$NS_IF"
ip -n "$NS" link set "$NS_IF" up

# tcpns.py serve ADDR N FILE: accepts N connections on ADDR (ephemeral port), echoing one
# line each; writes "PID PORT" to FILE once listening.
# tcpns.py connect ADDR PORT N FILE: N connections, each held 50 ms; writes
# "PID CLIENT_PORT..." to FILE at the end.
cat >"$TMP/tcpns.py" <<'PYEOF'
import os, socket, sys, time
def publish(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text + "\n")
    os.rename(path + ".tmp", path)
if sys.argv[1] == "serve":
    addr, n, out = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    srv = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
    srv.bind((addr, 0))
    srv.listen(16)
    publish(out, "%d %d" % (os.getpid(), srv.getsockname()[1]))
    for _ in range(n):
        c, _a = srv.accept()
        c.sendall(c.recv(100))
        c.close()
    srv.close()
else:
    addr, port, n, out = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    cports = []
    for _ in range(n):
        s = socket.create_connection((addr, port))
        cports.append(s.getsockname()[1])
        s.sendall(b"hello\n")
        s.recv(100)
        time.sleep(0.05)
        s.close()
    publish(out, "%d %s" % (os.getpid(), " ".join(map(str, cports))))
PYEOF

# exchange TAG ADDR N [CLIENT_NS]: a server in the namespace on ADDR, N connections to it
# from the root namespace (or from CLIENT_NS); sets SPID SPORT CPID CPORTS.
exchange() {
	local tag=$1 addr=$2 n=$3 client_ns=${4:-}
	ip netns exec "$NS" "$PY" "$TMP/tcpns.py" serve "$addr" "$n" "$TMP/$tag.srv" &
	local srv=$!
	wait_file "$TMP/$tag.srv"
	read -r SPID SPORT <"$TMP/$tag.srv"
	if [ -n "$client_ns" ]; then
		ip netns exec "$client_ns" "$PY" "$TMP/tcpns.py" connect "$addr" "$SPORT" "$n" "$TMP/$tag.cli"
	else
		"$PY" "$TMP/tcpns.py" connect "$addr" "$SPORT" "$n" "$TMP/$tag.cli"
	fi
	wait_pid "$srv"
	read -r CPID CPORTS <"$TMP/$tag.cli"
}

case_ "tcplife: a connection from the root namespace to a server in another namespace"
bg life "$S/tcplife.lua"
wait_for "$OUT" "^PID +COMM"
exchange life "$NET.2" 2
set -- $CPORTS
bg_until "$CPID +python3.11 +$NET\.1:$1 " "$CPID +python3.11 +$NET\.1:$2 " \
	"$SPID +python3.11 +$NET\.2:$SPORT +$NET\.1:$1 " "$SPID +python3.11 +$NET\.2:$SPORT +$NET\.1:$2 "
assert_rc 130
out=$(cat "$TMP/life.out")
for cp in $CPORTS; do
	assert_match "$out" "$CPID +python3.11 +$NET\.1:$cp +$NET\.2:$SPORT +[0-9]+\.[0-9]{3}" \
		"client end $cp (root namespace)"
	assert_match "$out" "$SPID +python3.11 +$NET\.2:$SPORT +$NET\.1:$cp +[0-9]+\.[0-9]{3}" \
		"server end $cp (the test's namespace)"
	ms=$(awk -v a="$NET.1:$cp" '$3 == a { print int($5) }' "$TMP/life.out")
	assert_between 40 3000 "$ms" "client lifetime in ms (>= the 50 ms hold)"
done
assert_eq 4 "$(count_lines "$NET\." "$TMP/life.out")" "two connections, both ends, nothing else"

case_ "tcplife over IPv6 inside the namespace: [::1]:port and JSON"
bg life6 "$S/tcplife.lua"
wait_for "$OUT" "^PID +COMM"
exchange life6 "::1" 1 "$NS"
bg_until "$CPID +python3.11 +\[::1\]:$CPORTS "
assert_rc 130
assert_match "$(cat "$TMP/life6.out")" "$CPID +python3.11 +\[::1\]:$CPORTS +\[::1\]:$SPORT +[0-9]+\.[0-9]{3}" \
	"client end over IPv6"
bg life6j "$S/tcplife.lua" -j
wait_attached "$BG_PID"
exchange life6j "::1" 1 "$NS"
bg_until "\"pid\":$CPID,\"raddr\""	# a record (sorted keys), not an event line
assert_rc 130
assert_eq 1 "$("$JROWS" "$TMP/life6j.out" type=record pid="$CPID" comm=python3.11 family=6 laddr=::1 \
	lport="$CPORTS" raddr=::1 rport="$SPORT" | wc -l)" "client end in JSON"
assert_eq 1 "$("$JROWS" "$TMP/life6j.out" type=record pid="$SPID" comm=python3.11 family=6 laddr=::1 \
	lport="$SPORT" raddr=::1 rport="$CPORTS" | wc -l)" "server end in JSON"

case_ "tcpstates: the server's transitions inside the namespace"
bg states "$S/tcpstates.lua"
wait_for "$OUT" "^SKADDR"
exchange states "$NET.2" 1
bg_until "$SPID +python3.11 +$NET\.2:$SPORT +$NET\.1:$CPORTS +ESTABLISHED +FIN_WAIT1" \
	"$CPID +python3.11 +$NET\.1:$CPORTS +$NET\.2:$SPORT +CLOSE_WAIT +LAST_ACK"
assert_rc 130
out=$(cat "$TMP/states.out")
assert_match "$out" "$SPID +python3.11 +$NET\.2:$SPORT +0\.0\.0\.0:0 +CLOSE +LISTEN" \
	"listen inside the namespace"
assert_match "$out" "$SPID +python3.11 +$NET\.2:$SPORT +$NET\.1:$CPORTS +ESTABLISHED +FIN_WAIT1" \
	"the server closes first, inside the namespace"
assert_match "$out" "$CPID +python3.11 +$NET\.1:$CPORTS +$NET\.2:$SPORT +CLOSE_WAIT +LAST_ACK" \
	"then the client, in the root namespace"

case_ "tcpconnect -- CMD: the connect into the namespace"
ip netns exec "$NS" "$PY" "$TMP/tcpns.py" serve "$NET.2" 1 "$TMP/conn.srv" &
srv=$!
wait_file "$TMP/conn.srv"
read -r SPID SPORT <"$TMP/conn.srv"
lt "$S/tcpconnect.lua" -- "$PY" "$TMP/tcpns.py" connect "$NET.2" "$SPORT" 1 "$TMP/conn.cli"
wait_pid "$srv"
assert_rc 0
read -r CPID _ <"$TMP/conn.cli"
assert_match "$(cat "$OUT")" "$CPID +python3.11 +4 +$NET\.1 +$NET\.2 +$SPORT" "connect row"

finish
