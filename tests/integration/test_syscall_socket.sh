#!/usr/bin/env bash
# syscall probes with option socket = true: only the calls whose first argument is a socket
# are reported, told in the kernel (the fd's inode mode). A python3 process reads and
# closes sockets and files alike with the same syscalls (read, close); only the socket
# calls come out, each once; a probe without the option sees both. A value that is not a
# boolean is refused with one line.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
# N reads of 2 bytes from a socketpair and N from a file, one close of each per round,
# in turn; the fds are logged ("sock FD", "file FD").
cat >"$TMP/rw.py" <<'PYEOF'
import os, socket, sys
n, log = int(sys.argv[1]), open(sys.argv[2], "w")
path = sys.argv[3]
with open(path, "w") as f:
    f.write("xy")
for i in range(n):
    a, b = socket.socketpair()
    b.send(b"hi")
    fd = os.open(path, os.O_RDONLY)
    assert os.read(a.fileno(), 2) == b"hi" and os.read(fd, 2) == b"xy"
    log.write("sock %d\nfile %d\n" % (a.fileno(), fd))
    os.close(fd)
    a.close()
    b.close()
log.close()
PYEOF
N=20
cat >"$TMP/probe.lua" <<'LUAEOF'
local socket = arg[1] == "socket"
probe("syscall:read,close", { socket = socket, where = "ret >= 0" }, function(e)
	print(e.syscall, e.args[1], e.ret)
end)
LUAEOF

case_ "socket = true: reads and closes of sockets only, each once"
lt "$TMP/probe.lua" socket -- "$PY" "$TMP/rw.py" "$N" "$TMP/py.log" "$TMP/data"
assert_rc 0
SOCK=$(awk '$1 == "sock" { print $2 }' "$TMP/py.log" | sort -u)
FILE=$(awk '$1 == "file" { print $2 }' "$TMP/py.log" | sort -u)
assert_eq 1 "$(echo "$SOCK" | wc -l)" "the socket's fd is the same every round ($SOCK)"
assert_eq "$N" "$(grep -c "^read	$SOCK	2\$" "$OUT" || true)" "every read of the socket"
assert_eq "$N" "$(grep -c "^close	$SOCK	0\$" "$OUT" || true)" "every close of the socket"
assert_eq 0 "$(grep -c "^read	$FILE	" "$OUT" || true)" "no read of the file ($FILE)"
assert_eq 0 "$(grep -c "^close	$FILE	" "$OUT" || true)" "no close of the file"
assert_eq 0 "$(grep -vc "^[a-z]*	$SOCK	\|^close	$((SOCK + 1))	0\$" "$OUT" || true)" \
	"nothing else but the socketpair's other end closed"

case_ "without the option: the file's reads and closes too"
lt "$TMP/probe.lua" all -- "$PY" "$TMP/rw.py" "$N" "$TMP/py.log" "$TMP/data"
assert_rc 0
assert_eq "$N" "$(grep -c "^read	$FILE	2\$" "$OUT" || true)" "every read of the file"
assert_eq "$N" "$(grep -c "^read	$SOCK	2\$" "$OUT" || true)" "every read of the socket"

case_ "socket = 1: refused with one line"
lt -E 'probe("syscall:read", { socket = 1 }, function() end)' -- true
assert_rc 1
assert_eq 1 "$(grep -c . "$ERR")" "one line on stderr"
assert_file_contains "$ERR" "option 'socket': expected true or false"

finish
