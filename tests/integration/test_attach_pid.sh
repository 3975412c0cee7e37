#!/usr/bin/env bash
# -p PID: attach to a running process, see only its calls made after the attach, end when
# it exits; interrupting the tool never harms the process.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Attach probes to the running server; the begin handler says when they are in place.
cat >"$TMP/attach.lua" <<LUA
local n, wrong, args = 0, 0, {}
probe("call:$LIB:ltfix_add", { args = { "i32", "i32" }, ret = "i32" }, function(c)
  n = n + 1
  if c.pid ~= target() then wrong = wrong + 1 end
  args[#args + 1] = c.args[1] .. "+" .. c.args[2] .. "=" .. c.ret
end)
probe("libltfix:ltfix_greet", { args = { "str" } }, function(e) print("greet=" .. e.args[1]) end)
on("begin", function() io.open(arg[1] .. "/ready", "w"):close() end)
on("end", function()
  print("n=" .. n)
  print("wrong=" .. wrong)
  print("args=" .. table.concat(args, " "))
  print("target=" .. target())
end)
LUA

case_ "-p PID sees the calls made after the attach, and ends when the process exits"
"$RUN" -n -1 add 9 9 >"$TMP/noise.out" 2>&1 &
NOISE=$!
wait_for "$TMP/noise.out" "^looping pid $NOISE\$"
serve_start srv
serve_cmd "add 4 1 1"	# before the attach: not seen
"$LTRACE_EBPF" -p "$SERVE_PID" "$TMP/attach.lua" "$TMP" >"$OUT" 2>"$ERR" &
TOOL=$!
LAST_CMD="ltrace-ebpf -p $SERVE_PID attach.lua"
wait_file "$TMP/ready"
serve_cmd "add 3 5 6"
serve_cmd "greet 1 hello"
serve_cmd "add 2 -1 1"
serve_cmd "exit 0"
exec 7>&-
wait_pid "$SERVE_PID"
assert_eq 0 "$WAIT_RC" "the server's own exit status"
wait_pid "$TOOL"	# the session ends because its target exited
RC=$WAIT_RC
assert_rc 0 "tool status after the target exited"
assert_eq 5 "$(val n)" "calls after the attach"
assert_eq 0 "$(val wrong)" "events from other processes (a looping one runs meanwhile)"
assert_eq "5+6=11 5+6=11 5+6=11 -1+1=0 -1+1=0" "$(val args)" "arguments and returns"
assert_eq hello "$(val greet)" "probe by short library name, resolved through /proc/PID/maps"
assert_eq "$SERVE_PID" "$(val target)" "target()"
assert_eq "" "$(cat "$ERR")" "stderr"
kill "$NOISE"
wait_pid "$NOISE"

case_ "interrupting the tool (SIGINT, SIGTERM) leaves the attached process running"
for sig in INT TERM; do
	rm -f "$TMP/ready"
	serve_start "srv$sig"
	"$LTRACE_EBPF" -p "$SERVE_PID" "$TMP/attach.lua" "$TMP" >"$OUT" 2>"$ERR" &
	TOOL=$!
	wait_file "$TMP/ready"
	serve_cmd "add 2 1 2"
	kill -$sig "$TOOL"
	wait_pid "$TOOL"
	RC=$WAIT_RC
	assert_ne 0 "$RC" "tool status after SIG$sig"
	assert_eq 2 "$(val n)" "calls seen before SIG$sig (end handlers ran)"
	assert_alive "$SERVE_PID" "the attached process after SIG$sig to the tool"
	serve_cmd "add 100 1 2"	# uprobes are gone: it runs on, unharmed
	assert_file_contains "$TMP/srv$sig.out" "ok add 100 last 3" "the process still works"
	serve_stop 0
	assert_eq 0 "$WAIT_RC" "the attached process exits normally later"
done

case_ "-p of a process that does not exist"
sh -c 'exit 0' &
dead=$!
wait "$dead" || true
lt -p "$dead" -E "probe('$LIB:ltfix_add')"
assert_ne 0 "$RC" "exit status"
assert_contains "$(cat "$ERR")" "$dead" "message names the pid"
assert_contains "$(cat "$ERR")" "no such process" "message says why"
lt -p notapid -E "print(1)"
assert_ne 0 "$RC" "exit status for -p notapid"
assert_contains "$(cat "$ERR")" "notapid" "message names the bad pid"

case_ "-p and -- CMD together are refused"
lt -p $$ -E "print(1)" -- true
assert_ne 0 "$RC" "exit status"
assert_contains "$(cat "$ERR")" "-p" "message"

finish
