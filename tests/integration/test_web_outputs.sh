#!/usr/bin/env bash
# Outputs side by side on one session: --json=FILE, --dashboard (text frames: stdout is not
# a terminal) and --http each take the session's records through its own tap
# (session_add_tap, src/core/session.c), and each gets every record: the JSON file's event
# lines, the dashboard's event count, and the page's live events (the stream, read with
# curl, and /api/stats), beside the script's own callback.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# stats SECTION KEY: a number of /api/stats (0 when it cannot be read)
stats() {
	curl -s --max-time 20 -H "$AUTH" "${BASE}api/stats" |
		/usr/bin/python3 -c "import json, sys; print(json.load(sys.stdin)['$1']['$2'])" \
		2>/dev/null || echo 0
}

case_ "--json=FILE, --dashboard and --http together: each gets every record"
cat >"$TMP/outs.lua" <<LUA
local n = 0
probe("call:$LIB:ltfix_add", function(c) n = n + 1 end)
on("end", function() io.stderr:write("callbacks=", n, "\n") end)
LUA
tool_serve outs --http 127.0.0.1:0 --json="$TMP/events.json" --dashboard "$TMP/outs.lua"
wait_for "$TMP/outs.err" "^http://127\.0\.0\.1:[0-9]+/\?token=[0-9a-f]{48}$"
URL=$(grep -m1 '^http://' "$TMP/outs.err")
BASE=${URL%%\?*}
AUTH="Authorization: Bearer ${URL##*token=}"
# the live stream from before the calls (a new reader starts at the next event)
curl -sN --max-time 60 -H "$AUTH" "${BASE}api/events" >"$TMP/sse.txt" &
SSE=$!
for ((i = 0; i < 500; i++)); do
	[ "$(stats sse open)" -ge 1 ] && break
	sleep 0.02
done
assert_eq 1 "$(stats sse open)" "the live stream is open"
serve_cmd "add 25 1 2"
for ((i = 0; i < 500; i++)); do
	[ "$(grep -c '"func":"ltfix_add"' "$TMP/sse.txt" || true)" -ge 25 ] && break
	sleep 0.02
done
assert_eq 25 "$(stats events seen)" "--http: records its tap saw"
assert_eq 25 "$(grep -c '^data: .*"func":"ltfix_add"' "$TMP/sse.txt" || true)" \
	"--http: the live stream's ltfix_add events"
kill "$SSE" 2>/dev/null || true
wait "$SSE" 2>/dev/null || true
serve_cmd quit
tool_wait
assert_rc 0 "the session ends with its target"
assert_eq 25 "$(grep -c '"type":"event".*"func":"ltfix_add"' "$TMP/events.json" || true)" \
	"--json: the file's ltfix_add event lines"
assert_file_contains "$TMP/events.json" '"type":"end"'
assert_match "$(grep 'ltrace-ebpf dashboard' "$TMP/outs.out" | tail -n 1)" " events 25 " \
	"--dashboard: the last frame's event count"
assert_file_contains "$TMP/outs.err" "callbacks=25"
finish
