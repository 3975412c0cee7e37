#!/usr/bin/env bash
# The network, scheduler, block and Python tools under a timeout against workloads that make
# them print: pycalls (exact call counts through USDT, -- CMD, -c CMD -j, -p PID -i -n),
# tcpstates, tcplife and tcpconnect (a python3 server and client on 127.0.0.1, ports
# asserted), runqlat (a histogram while a workload runs) and biolatency (a histogram after
# sync + dd oflag=direct under /tmp, or a clear "no block I/O seen" when the disk gives no
# events), plus usage lines and refused options. Only loopback traffic.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
JROWS="$(dirname "$0")/json_rows.py"

PY=/usr/bin/python3.11	# the interpreter with USDT notes (python3 in $PATH may be another)
S="$SRC_DIR/scripts"

# calls.py N [GO_FILE]: (waits for GO_FILE, then) calls target_fn N times.
cat >"$TMP/calls.py" <<'PYEOF'
import os, sys, time
def target_fn(i):
    return i + 1
n = int(sys.argv[1])
if len(sys.argv) > 2:
    while not os.path.exists(sys.argv[2]):
        time.sleep(0.01)
for i in range(n):
    target_fn(i)
PYEOF

# tcp.py N FILE: a server on 127.0.0.1 (ephemeral port) and N client connections, each one
# line echoed, client closes after 50 ms; writes "PID SERVER_PORT CLIENT_PORT..." to FILE.
cat >"$TMP/tcp.py" <<'PYEOF'
import os, socket, sys, threading, time
n, out = int(sys.argv[1]), sys.argv[2]
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(16)
port = srv.getsockname()[1]
def serve():
    for _ in range(n):
        c, _a = srv.accept()
        c.sendall(c.recv(100))
        c.close()
t = threading.Thread(target=serve)
t.start()
cports = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    cports.append(s.getsockname()[1])
    s.sendall(b"hello\n")
    s.recv(100)
    time.sleep(0.05)
    s.close()
t.join()
srv.close()
with open(out + ".tmp", "w") as f:
    f.write("%d %d %s\n" % (os.getpid(), port, " ".join(map(str, cports))))
os.rename(out + ".tmp", out)
PYEOF

# ---- pycalls ------------------------------------------------------------------------------

case_ "pycalls -- CMD: exact count"
lt "$S/pycalls.lua" -t 5 -- "$PY" "$TMP/calls.py" 1234
assert_rc 0
assert_match "$(grep 'target_fn' "$OUT" || true)" "^ +1234  target_fn \(.*/calls.py\)$" \
	"target_fn called 1234 times"

case_ "pycalls -c CMD -j"
lt "$S/pycalls.lua" -j -t 3 -c "$PY $TMP/calls.py 777"
assert_rc 0
assert_match "$("$JROWS" "$OUT" type=record func=target_fn -- file calls)" \
	$'^[^\t]*calls.py\t777$' "JSON record"

case_ "pycalls -p PID -i SECS"
rm -f "$TMP/go"
"$PY" "$TMP/calls.py" 500 "$TMP/go" &
py_pid=$!
bg pyp "$S/pycalls.lua" -p "$py_pid" -i 0.2 -n 100
wait_for "$OUT" "calls, [0-9]+ functions" || true
touch "$TMP/go"
wait_pid "$py_pid"
bg_wait
assert_rc 0
assert_eq 500 "$(awk '$2 == "target_fn" { n += $1 } END { print n + 0 }' "$TMP/pyp.out")" \
	"calls summed over the intervals"

# ---- tcpstates / tcplife (system-wide, filtered on the test's ports) -----------------------

case_ "tcpstates: the transitions of a loopback connection"
rm -f "$TMP/ports1"
bg tcps "$S/tcpstates.lua" -d 4
wait_for "$OUT" "^SKADDR" || true
"$PY" "$TMP/tcp.py" 1 "$TMP/ports1"
bg_wait
assert_rc 0
read -r tpid sport cport <"$TMP/ports1"
out=$(cat "$TMP/tcps.out")
assert_match "$out" "127\.0\.0\.1:$sport +0\.0\.0\.0:0 +CLOSE +LISTEN" "listen"
assert_match "$out" "$tpid +python3.11 +127\.0\.0\.1:$cport +127\.0\.0\.1:$sport +SYN_SENT +ESTABLISHED +[0-9.]+" \
	"client connects"
assert_match "$out" "127\.0\.0\.1:$sport +127\.0\.0\.1:$cport +LISTEN +SYN_RECV" "server accepts"
assert_match "$out" "127\.0\.0\.1:$cport +127\.0\.0\.1:$sport +LAST_ACK +CLOSE" "client side closed"
assert_match "$out" "127\.0\.0\.1:$sport +127\.0\.0\.1:$cport +[A-Z_0-9]+ +CLOSE " "server side closed"

case_ "tcpstates -L PORT, -j -- CMD"
lt "$S/tcpstates.lua" -i 1
assert_rc 1
assert_contains "$(cat "$ERR")" "unknown option '-i'" "tcpstates has no -i"
rm -f "$TMP/ports2"
lt "$S/tcpstates.lua" -L 1 -- "$PY" "$TMP/tcp.py" 1 "$TMP/ports2"
assert_rc 0
assert_eq 0 "$(count_lines '127\.0\.0\.1:')" "-L 1 keeps no transition"
rm -f "$TMP/ports2"
lt "$S/tcpstates.lua" -j -- "$PY" "$TMP/tcp.py" 1 "$TMP/ports2"
assert_rc 0
read -r tpid sport cport <"$TMP/ports2"
# connect() and listen() change state in the process itself (what a target keeps)
assert_eq 1 "$("$JROWS" "$OUT" type=record pid="$tpid" comm=python3.11 family=4 laddr=127.0.0.1 lport=0 \
	raddr=127.0.0.1 rport="$sport" oldstate=CLOSE newstate=SYN_SENT ms=- | wc -l)" \
	"JSON connect transition (no ms: the first one seen)"
assert_eq 1 "$("$JROWS" "$OUT" type=record lport="$sport" raddr=0.0.0.0 rport=0 oldstate=CLOSE \
	newstate=LISTEN | wc -l)" "JSON listen transition"

case_ "tcplife: both ends of two connections, with owner and lifetime"
rm -f "$TMP/ports3"
bg tcpl "$S/tcplife.lua" -d 4
wait_for "$OUT" "^PID +COMM" || true
"$PY" "$TMP/tcp.py" 2 "$TMP/ports3"
bg_wait
assert_rc 0
read -r tpid sport cport1 cport2 <"$TMP/ports3"
out=$(cat "$TMP/tcpl.out")
for cp in "$cport1" "$cport2"; do
	assert_match "$out" "$tpid +python3.11 +127\.0\.0\.1:$cp +127\.0\.0\.1:$sport +[0-9]+\.[0-9]{3}" "client end $cp"
	assert_match "$out" "$tpid +python3.11 +127\.0\.0\.1:$sport +127\.0\.0\.1:$cp +[0-9]+\.[0-9]{3}" "server end $cp"
	ms=$(awk -v a="127.0.0.1:$cp" '$3 == a { print int($5) }' "$TMP/tcpl.out")
	assert_between 40 3000 "$ms" "client lifetime in ms (>= the 50 ms sleep)"
done
assert_eq 0 "$(grep -c ":$sport +0\.0\.0\.0:0" "$TMP/tcpl.out" || true)" "no listening socket"

case_ "tcplife -j (system-wide), -D PORT"
rm -f "$TMP/ports4"
# The tool's own duration grows with the deadlines (the kernel matrix's slow guests).
bg tcplj "$S/tcplife.lua" -j -d $((4 * ${LT_TIMEOUT_SCALE:-1}))
wait_attached "$BG_PID"
"$PY" "$TMP/tcp.py" 1 "$TMP/ports4"
bg_wait
assert_rc 0
read -r tpid sport cport <"$TMP/ports4"
assert_eq 1 "$("$JROWS" "$TMP/tcplj.out" type=record pid="$tpid" comm=python3.11 family=4 \
	laddr=127.0.0.1 lport="$cport" raddr=127.0.0.1 rport="$sport" -- ms | grep -cE '^[0-9.e-]+$')" \
	"JSON connection"
rm -f "$TMP/ports4"
lt "$S/tcplife.lua" -D 1 -d 2 -- "$PY" "$TMP/tcp.py" 1 "$TMP/ports4"
assert_rc 0
assert_eq 0 "$(count_lines '127\.0\.0\.1:')" "-D 1 keeps no connection"

# ---- tcpconnect ---------------------------------------------------------------------------

case_ "tcpconnect -- CMD"
rm -f "$TMP/ports5"
lt "$S/tcpconnect.lua" -- "$PY" "$TMP/tcp.py" 2 "$TMP/ports5"
assert_rc 0
read -r tpid sport _ <"$TMP/ports5"
assert_eq 2 "$(count_lines "^$tpid +python3.11 +4 +127\.0\.0\.1 +127\.0\.0\.1 +$sport\$")" "two connects"

case_ "tcpconnect -P PORT, -i SECS -j"
rm -f "$TMP/ports6"
lt "$S/tcpconnect.lua" -j -i 0.3 -n 50 -- "$PY" "$TMP/tcp.py" 3 "$TMP/ports6"
assert_rc 0
read -r tpid sport _ <"$TMP/ports6"
assert_eq 3 "$("$JROWS" "$OUT" type=record dport="$sport" -- connects |
	awk '{ n += $1 } END { print n + 0 }')" "3 connects counted"
lt "$S/tcpconnect.lua" -P 1 -- "$PY" "$TMP/tcp.py" 1 "$TMP/ports6"
assert_rc 0
assert_eq 0 "$(count_lines "python3.11")" "-P 1 keeps no connect"

# ---- runqlat ------------------------------------------------------------------------------

case_ "runqlat: histogram while a workload runs"
( for _ in 1 2 3 4 5 6; do sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done' & done; wait ) &
work=$!
lt "$S/runqlat.lua" -d 1
wait_pid "$work"
assert_rc 0
assert_contains "$(cat "$OUT")" "usecs" "unit header"
assert_between 1 100000000 "$(awk -F'[= ]' '/^total=/ { print $2 }' "$OUT")" "latencies measured"
assert_match "$(cat "$OUT")" "[0-9]+ -> [0-9]+ +: [1-9][0-9]* +\|\*+ *\|" "a histogram row"

case_ "runqlat -m -j -i -n"
lt "$S/runqlat.lua" -m -j -i 0.3 -n 2
assert_rc 0
assert_eq 2 "$("$JROWS" "$OUT" type=agg name=runqlat unit=ms agg=hist | wc -l)" "two JSON histograms"

case_ "runqlat refuses a target"
lt "$S/runqlat.lua" -p $$
assert_rc 1
assert_contains "$(cat "$ERR")" "runqlat is system-wide" "error"

# ---- biolatency ---------------------------------------------------------------------------

case_ "biolatency: sync + dd oflag=direct"
bg bio "$S/biolatency.lua" -i 0.5 -n 4
wait_for "$OUT" "^total=" || true
sync
# A /tmp without a disk (tmpfs: the kernel matrix's guests) refuses O_DIRECT before 6.6.
dd if=/dev/zero of="$TMP/dd.bin" bs=64k count=32 oflag=direct 2>/dev/null || true
sync
bg_wait
assert_rc 0
rm -f "$TMP/dd.bin"
seen=$(awk -F'[= ]' '/^total=/ { n += $2 } END { print n + 0 }' "$TMP/bio.out")
if [ "$seen" -gt 0 ]; then
	assert_match "$(cat "$TMP/bio.out")" "[0-9]+ -> [0-9]+ +: [1-9][0-9]* +\|\*+ *\|" "a histogram row"
	assert_file_contains "$TMP/bio.out" "usecs" "the unit header"
else
	echo "    (this disk gave no block tracepoint events)"
	assert_file_contains "$TMP/bio.out" "no block I/O seen" "the no-I/O line"
fi

case_ "biolatency -D -j"
bg bioj "$S/biolatency.lua" -D -j -d 2
sleep 0.5
dd if=/dev/zero of="$TMP/dd.bin" bs=64k count=16 oflag=direct 2>/dev/null || true
sync
bg_wait
assert_rc 0
rm -f "$TMP/dd.bin"
assert_match "$("$JROWS" "$TMP/bioj.out" type=agg name=biolatency unit=us agg=hist -- rows)" \
	'^\[(\{.*"key":"[0-9]+:[0-9]+".*\})?\]$' "JSON: a histogram per disk"

# ---- usage --------------------------------------------------------------------------------

case_ "usage lines"
for t in pycalls tcpstates tcplife tcpconnect runqlat biolatency; do
	lt "$S/$t.lua" -h
	assert_rc 0
	assert_contains "$(head -1 "$OUT")" "usage: ltrace-ebpf scripts/$t.lua" "$t -h"
	lt "$S/$t.lua" --bogus
	assert_rc 1
	assert_contains "$(cat "$ERR")" "unknown option '--bogus'" "$t --bogus"
done

finish
