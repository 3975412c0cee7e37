#!/usr/bin/env bash
# Pipelined requests in records the ring buffer had no room for, counted by their number
# (bpf-templates/lib/emit.bpf.h's count_commands: a lost record whose copy starts with a
# request line, and one more per head followed by another request line in it), so that
# requests reported + requests lost == requests made with several requests per read:
# nginx serving a client that sends 5 GETs per write (pipelined.py), the tool held in its
# first callback on the smallest ring so that records are lost whatever the machine's speed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || { echo "test_http_pipeline_lost: nginx missing (./build.sh deps)" >&2; exit 1; }
source "$(dirname "$0")/nginx_static.sh"

PY=/usr/bin/python3
NGX=$((24000 + ($$ % 4000) * 2))

case_ "pipelined requests in lost records: reported + lost == made"
nginx_static "$TMP" "$NGX"
bg lossy -p "$NGX_PID" "$SRC_DIR/tests/integration/http_lossy.lua" "$TMP"
wait_for "$OUT" "^ready" 30
curl -s -o /dev/null "http://127.0.0.1:$NGX/index.html"	# the first request: the hold
"$PY" "$SRC_DIR/tests/integration/pipelined.py" "$NGX" 2000 5 >"$TMP/client.out"
MADE=$(( $(awk '/^made/ {print $2}' "$TMP/client.out") + 1 ))
touch "$TMP/go" "$TMP/stop"
bg_wait
assert_rc 0
REPORTED=$(grep -cE "^server	GET	/index.html	[0-9]+\$" "$TMP/lossy.out" || true)
LOST=$(sed -nE 's/^http: ([0-9]+) requests lost, [0-9]+ syscall.SSL records lost.*/\1/p' "$TMP/lossy.err")
assert_ne "" "$LOST" "records were lost, and said ($(head -c 300 "$TMP/lossy.err"))"
assert_between 6 "$MADE" "${LOST:-0}" "more requests lost than one read's"
assert_eq "$MADE" "$((REPORTED + ${LOST:-0}))" "reported ($REPORTED) + lost (${LOST:-0}) == made"
kill "$NGX_PID" 2>/dev/null || true
wait "$NGX_PID" 2>/dev/null || true

finish
