#!/usr/bin/env bash
# A session's life: the target is held before exec (calls from constructors are seen), the
# tool exits with the target's status after the end handlers ran (once), script arguments,
# target(), exit() from a script, signals passed on to the target.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case_ "-- CMD: calls made before main() (a constructor) are traced"
cat >"$TMP/ctor.lua" <<LUA
probe("call:$LIB:ltfix_add", function(c)
  print("call=" .. c.args[1] .. "+" .. c.args[2] .. "=" .. c.ret)
end)
LUA
lt "$TMP/ctor.lua" -- "$CTOR"
assert_rc 0
assert_file_contains "$OUT" "ctor 42 main 3" "the fixture ran its constructor"
assert_eq "40+2=42 1+2=3" "$(vals call)" "the constructor's call, then main's"

case_ "exit status is the command's, after end handlers ran once"
lt -E 'on("end", function() print("end=ran") end)' -- sh -c 'exit 7'
assert_rc 7
assert_eq ran "$(vals end)" "end handler ran exactly once"
lt -E "probe('$LIB:ltfix_add', function() end) on('end', function() print('end=ran') end)" \
	-- "$RUN" -x 3 -n 10 add 1 2
assert_rc 3
assert_eq ran "$(vals end)" "end handler ran exactly once"
lt -E 'on("end", function() print("end=ran") end)' -- true
assert_rc 0
lt -E 'on("end", function() print("end=ran") end)' -- sh -c 'kill -TERM $$'
assert_rc 143
assert_eq ran "$(vals end)" "end handler after the target was killed by a signal"

case_ "several end handlers run in order, once each, even when callbacks call exit()"
cat >"$TMP/ends.lua" <<LUA
local n = 0
probe("$LIB:ltfix_add", function() n = n + 1 exit(0) end)
on("end", function() print("end=first") end)
on("end", function() print("end=second") end)
probe("end", function() print("end=third") end)
on("end", function() exit(9) print("end=fourth") end)
LUA
lt "$TMP/ends.lua" -- "$RUN" -n 50 add 1 2
assert_eq "first second third fourth" "$(vals end)" "end handlers"

case_ "begin handlers run before the target starts, after the top level"
cat >"$TMP/begin.lua" <<LUA
print("order=top")
on("begin", function() print("order=begin") io.stdout:flush() end)
probe("begin", function() print("order=begin2") io.stdout:flush() end)
probe("$LIB:ltfix_add", { name = "adds" })
LUA
lt "$TMP/begin.lua" -- "$CTOR"
assert_rc 0
assert_eq "top begin begin2" "$(vals order)" "order"
assert_eq 1 "$(count_lines '^@adds: 2$')" "both calls counted"

case_ "script arguments and target()"
cat >"$TMP/args.lua" <<LUA
local a, b = ...
print("arg0=" .. arg[0])
print("arg1=" .. arg[1])
print("arg2=" .. arg[2])
print("dots=" .. a .. "," .. b)
print("n=" .. #arg)
print("target=" .. tostring(target()))
probe("$LIB:ltfix_add", function(e) print("pid=" .. e.pid) end)
LUA
lt "$TMP/args.lua" one "two words" -- "$RUN" add 1 2
assert_rc 0
assert_eq "$TMP/args.lua" "$(val arg0)" "arg[0]"
assert_eq one "$(val arg1)" "arg[1]"
assert_eq "two words" "$(val arg2)" "arg[2]"
assert_eq "one,two words" "$(val dots)" "..."
assert_eq 2 "$(val n)" "#arg"
assert_eq "$(val pid)" "$(val target)" "target() is the traced command's pid"
lt -E 'print("target=" .. tostring(target()))'
assert_rc 0
assert_eq nil "$(val target)" "no target without a command"

case_ "exit(code) from a callback ends the session with that code; the target lives on"
cat >"$TMP/exit.lua" <<LUA
probe("$LIB:ltfix_greet", { args = { "str" } }, function(e)
  if e.args[1] == "stop" then exit(4) end
end)
on("end", function() print("end=ran") end)
LUA
tool_serve exit "$TMP/exit.lua"
serve_cmd "greet 3 go"
serve_cmd "greet 1 stop"
wait_pid "$TOOL_PID"
RC=$WAIT_RC
assert_rc 4 "status after exit(4)"
assert_eq ran "$(vals end)" "end handler"
assert_alive "$SERVE_PID" "the target outlives the session"
serve_cmd "add 5 1 2"	# still answers, probes gone
assert_file_contains "$OUT" "ok add 5 last 3" "target works after the tool left"
serve_cmd "exit 6"
exec 7>&-
wait_gone "$SERVE_PID"	# not our child (the tool was its parent)

case_ "a timer's exit() ends a session without a target"
lt -E 'after("30ms", function() exit(5) end) on("end", function() print("end=ran") end)'
assert_rc 5
assert_eq ran "$(vals end)" "end handler"
lt -E 'print("x=1")'
assert_rc 0
assert_eq 1 "$(val x)" "a script with nothing to wait for ends after its top level"

case_ "SIGTERM to the tool is passed on to the target; end handlers run"
cat >"$TMP/term.lua" <<LUA
on("end", function() print("end=ran") end)
LUA
tool_serve term "$TMP/term.lua"
kill -TERM "$TOOL_PID"
# The server's stdin stays open until the tool is gone, so only the signal can end it.
wait_pid "$TOOL_PID"
RC=$WAIT_RC
exec 7>&-
assert_rc 143 "status after SIGTERM (the target died of it)"
assert_eq ran "$(vals end)" "end handler"
wait_gone "$SERVE_PID"

finish
