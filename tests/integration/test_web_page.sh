#!/usr/bin/env bash
# --http in headless chromium, driven through the DevTools protocol (tests/web/page_test.py):
# 401 without the token and the page with it, a fixture's calls in the DOM within a second,
# a comm filter set on the page taking effect in the kernel (the probe's counters), and a
# session started, stopped and exported from the page (the NDJSON's exact call count).
# The screenshot is kept in $TMP (and in $WEB_SCREENSHOT when set: docs/img/web.png).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

CHROME=$(command -v chromium || true)
# Debian's python3 (python3-websocket is its package), whatever python3 PATH finds first
PY=/usr/bin/python3
if [ -z "$CHROME" ] || ! "$PY" -c 'import websocket' 2>/dev/null; then
	echo "    skipped: chromium and python3-websocket are needed (./build.sh deps)"
	finish
	exit 0
fi

case_ "the page in a browser: token, live events, a filter, a session"
cat >"$TMP/page.lua" <<LUA
probe("call:$LIB:ltfix_add", function(c) end)
probe("call:$LIB:ltfix_sleep_us", { agg = "hist" })
probe("$LIB:ltfix_add", { agg = "count", by = "comm" })
LUA
cat >"$TMP/session.lua" <<LUA
probe("call:$LIB:ltfix_add", function(c) end)
io.stderr:write("ready\n")	-- unbuffered: the page shows the session's output tail
LUA
# the session's target: a second server, fed on fd 8
mkfifo "$TMP/second.in"
"$SERVE" <"$TMP/second.in" >"$TMP/second.out" 2>&1 &
SECOND_PID=$!
exec 8>"$TMP/second.in"
wait_for "$TMP/second.out" "^pid $SECOND_PID\$"
tool_serve page --http 127.0.0.1:0 "$TMP/page.lua"
wait_for "$TMP/page.err" "^http://127\.0\.0\.1:[0-9]+/\?token=[0-9a-f]{48}$"
URL=$(grep -m1 '^http://' "$TMP/page.err")
serve_cmd "sleep 3 200"
shot=$TMP/web.png
PYOUT=$("$PY" "$SRC_DIR/tests/web/page_test.py" --url "$URL" --fifo "$TMP/page.in" \
	--out "$TMP/page.out" --fifo2 "$TMP/second.in" --out2 "$TMP/second.out" \
	--pid2 "$SECOND_PID" --script "$TMP/session.lua" --calls 37 --shot "$shot" 2>&1) || true
echo "$PYOUT" | sed 's/^/    /'
assert_not_contains "$PYOUT" "FAIL" "every check of the page passed"
assert_contains "$PYOUT" "ok the export parses: 37 lines, 37 ltfix_add calls of the fixture" \
	"the session's export"
assert_contains "$PYOUT" "ok screenshot" "the screenshot was taken"
[ -s "$shot" ] && [ -n "${WEB_SCREENSHOT:-}" ] && cp "$shot" "$WEB_SCREENSHOT"
serve_cmd quit
tool_wait
assert_rc 0 "the session ends with its target"
echo "exit 0" >&8
exec 8>&-
wait_pid "$SECOND_PID"

case_ "the page's pid filter: every thread of the process passes, another process is stopped"
# No target: the probes see every process that calls into the library, and the page narrows
# probe 0 to one of them.
cat >"$TMP/pidf.lua" <<LUA
probe("call:$LIB:ltfix_add", function(c) end)
probe("$LIB:ltfix_add", { agg = "count", by = "pid" })
LUA
serve_start kept
mkfifo "$TMP/other.in"
"$SERVE" <"$TMP/other.in" >"$TMP/other.out" 2>&1 &
OTHER_PID=$!
exec 8>"$TMP/other.in"
wait_for "$TMP/other.out" "^pid $OTHER_PID\$"
# not under timeout(1): it passes a SIGINT on to its process group as well, and a second
# one interrupts the script's end handler
"$LTRACE_EBPF" --http 127.0.0.1:0 "$TMP/pidf.lua" >"$TMP/pidf.out" 2>"$TMP/pidf.err" &
PIDF=$!
wait_for "$TMP/pidf.err" "^http://127\.0\.0\.1:[0-9]+/\?token=[0-9a-f]{48}$"
URL=$(grep -m1 '^http://' "$TMP/pidf.err")
PYOUT=$("$PY" "$SRC_DIR/tests/web/pid_filter_test.py" --url "$URL" --fifo "$TMP/kept.in" \
	--out "$TMP/kept.out" --pid "$SERVE_PID" --fifo2 "$TMP/other.in" --out2 "$TMP/other.out" 2>&1) || true
echo "$PYOUT" | sed 's/^/    /'
assert_not_contains "$PYOUT" "FAIL" "every check of the pid filter passed"
assert_contains "$PYOUT" "ok in the kernel: every thread of process $SERVE_PID passed" \
	"the kernel's counters"
kill -INT "$PIDF"
wait_pid "$PIDF"
assert_eq 130 "$WAIT_RC" "the session ends on Ctrl-C"
serve_stop
echo "exit 0" >&8
exec 8>&-
wait_pid "$OTHER_PID"
finish
