#!/usr/bin/env bash
# Errors: each ends the tool with a non-zero status and a one-line message naming the bad
# item (and the script's file:line when it comes from a script); none of them harms the
# traced process.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# script NAME LINES...: writes $TMP/NAME.lua, one argument per line.
script() {
	local name=$1
	shift
	printf '%s\n' "$@" >"$TMP/$name.lua"
}

# A probe error at line 3 of a script: exit 1, "FILE:3:" and the item in the message; the
# target command was never started (and is not left waiting).
expect_script_error() {	# NAME ITEM LINE3
	local name=$1 item=$2
	script "$name" "-- line 1" "local x = 1" "$3" "print('not reached')"
	lt "$TMP/$name.lua" -- "$RUN" add 1 2
	assert_rc 1 "$name: exit status"
	assert_contains "$(cat "$ERR")" "$TMP/$name.lua:3:" "$name: message has file:line"
	# The item must be in the message itself, not in the file name before it.
	assert_contains "$(sed "s|$TMP/$name.lua||g" "$ERR")" "$item" "$name: message names '$item'"
	assert_eq 1 "$(wc -l <"$ERR")" "$name: one-line message"
	assert_file_lacks "$OUT" "not reached" "$name: the script stopped at the error"
	assert_file_lacks "$OUT" "total" "$name: the target was never started"
}

case_ "probe() errors name the item and the script line"
expect_script_error unknown_lib "libnosuchlib" 'probe("libnosuchlib:foo")'
expect_script_error unknown_func "nosuchfunc" "probe('$LIB:nosuchfunc')"
expect_script_error glob_nothing "nomatch_*" "probe('$LIB:nomatch_*')"
expect_script_error bad_kind "bogus" 'probe("bogus:x:y")'
expect_script_error unknown_key "bogus_key" "probe('$LIB:ltfix_add', { bogus_key = 1 })"
expect_script_error bad_type "wat" "probe('$LIB:ltfix_add', { args = { 'wat' } })"
expect_script_error bad_where "arg9" "probe('$LIB:ltfix_add', { where = 'arg9 > 1' })"
expect_script_error bad_tid "tid" "probe('$LIB:ltfix_add', { tid = 'x' })"
expect_script_error bad_strsize "strsize" "probe('$LIB:ltfix_add', { strsize = 0 })"
expect_script_error bad_of "of" "probe('$LIB:ltfix_add', { agg = 'sum', of = 'duration' })"
expect_script_error bad_duration "1xs" "probe('call:$LIB:ltfix_add', { min_duration = '1xs' })"
expect_script_error top_error "boom" 'error("boom")'
expect_script_error bad_on "start" 'on("start", function() end)'
expect_script_error returns_twice "it returns twice" 'probe("call:libc:_setjmp")'

case_ "option values that are not accepted name their key"
expect_script_error bad_agg "agg" "probe('$LIB:ltfix_add', { agg = 'bogus' })"
expect_script_error bad_by "by" "probe('$LIB:ltfix_add', { by = 'bogus' })"

case_ "timer errors name the script line"
expect_script_error bad_every "bogus" 'every("bogus", function() end)'
expect_script_error bad_interval "interval" 'probe("interval:0", function() end)'

case_ "a probe error can be caught with pcall and the script goes on"
script caught "local ok, err = pcall(probe, '$LIB:nosuchfunc')" \
	"print('ok=' .. tostring(ok))" "print('err=' .. err)" \
	"probe('$LIB:ltfix_add', { name = 'adds' })"
lt "$TMP/caught.lua" -- "$RUN" -n 3 add 1 2
assert_rc 0
assert_eq false "$(val ok)" "pcall result"
assert_contains "$(val err)" "nosuchfunc" "error value"
assert_eq 1 "$(count_lines '^@adds: 3$')" "the script went on tracing"

case_ "Lua syntax error: file:line, nothing started"
script syntax "-- line 1" "local x = 1" "local y = = 2" "probe('$LIB:ltfix_add')"
lt "$TMP/syntax.lua" -- "$RUN" add 1 2
assert_rc 1
assert_contains "$(cat "$ERR")" "$TMP/syntax.lua:3:" "message has file:line"
assert_file_lacks "$OUT" "total" "the target was never started"
lt -E 'local = 1' -- "$RUN" add 1 2
assert_rc 1
assert_contains "$(cat "$ERR")" "-E:1:" "one-liner: -E:1:"

case_ "runtime error in a callback: file:line, exit 1; the target runs to its end"
script cb "local n = 0" "probe('$LIB:ltfix_add', function(e)" "  n = n + 1" \
	"  local t = nil" "  t.x = 1" "end)" "on('end', function() print('end=' .. n) end)"
lt -f "$TMP/cb.lua" -- sh -c "'$RUN' -n 5 add 1 2 >/dev/null; echo \$? >'$TMP/status1'"
assert_rc 1
assert_contains "$(head -n 1 "$ERR")" "error in callback of $LIB:ltfix_add: $TMP/cb.lua:5:" \
	"message names the probe and file:line"
assert_contains "$(cat "$ERR")" "attempt to index a nil value" "message says what failed"
assert_match "$(val end)" '^[1-5]$' "end handlers still ran"
wait_file "$TMP/status1"
assert_eq 0 "$(cat "$TMP/status1")" "the target was not harmed (exit 0)"

case_ "-k keeps going after callback errors"
lt -k -f "$TMP/cb.lua" -- sh -c "'$RUN' -n 5 add 1 2 >/dev/null; echo \$? >'$TMP/status2'"
assert_rc 0
assert_eq 5 "$(val end)" "every call reached the callback"
assert_eq 5 "$(grep -c "error in callback of $LIB:ltfix_add: $TMP/cb.lua:5:" "$ERR")" \
	"each error reported"
wait_file "$TMP/status2"
assert_eq 0 "$(cat "$TMP/status2")" "the target's status"

case_ "error in an end handler: exit 1 with the message"
lt -E 'on("end", function() error("end boom") end)' -- "$RUN" add 1 2
assert_rc 1
assert_contains "$(cat "$ERR")" "end boom" "message"
assert_contains "$(cat "$ERR")" "-E:1:" "file:line"

case_ "command line errors"
lt -E 'print(1)' --
assert_ne 0 "$RC" "'--' without a command: exit status"
assert_contains "$(cat "$ERR")" "'--'" "'--' without a command: message"
lt -E 'print(1)' -- /nonexistent/ltfix_cmd
assert_rc 127 "command not found: exit status"
assert_contains "$(cat "$ERR")" "/nonexistent/ltfix_cmd" "command not found: message names it"
lt -E 'print(1)' -- ltfix_no_such_command_in_path
assert_rc 127 "command not in PATH: exit status"
assert_contains "$(cat "$ERR")" "ltfix_no_such_command_in_path" "message names it"
lt "$TMP/no_such_script.lua"
assert_ne 0 "$RC" "missing script: exit status"
assert_contains "$(cat "$ERR")" "no_such_script.lua" "missing script: message names it"
lt --no-such-option
assert_ne 0 "$RC" "unknown option: exit status"
assert_contains "$(cat "$ERR")" "--no-such-option" "unknown option: message names it"

case_ "an offset inside an instruction is refused (the target would crash)"
# ltfix_add starts with push %rbp (1 byte), mov %rsp,%rbp (3 bytes) (or endbr64, 4 bytes, when
# the compiler adds CET): +2 is inside an instruction either way.
lt -E "probe('$LIB:ltfix_add+2', function() end)" -f -- sh -c "'$RUN' add 1 2 >/dev/null; echo \$? >'$TMP/status3'"
assert_ne 0 "$RC" "exit status"
assert_contains "$(cat "$ERR")" "ltfix_add+2" "message names the spec"
if [ -e "$TMP/status3" ]; then
	assert_eq 0 "$(cat "$TMP/status3")" "the target's status (139 = it crashed)"
fi

case_ "errors against a process attached with -p never harm it"
serve_start srv
for name in unknown_lib unknown_func glob_nothing bad_kind unknown_key syntax; do
	lt -p "$SERVE_PID" "$TMP/$name.lua"
	assert_eq 1 "$RC" "-p with $name: exit status"
	assert_alive "$SERVE_PID" "after $name"
done
script ready "on('begin', function() io.open('$TMP/ready', 'w'):close() end)" \
	"probe('$LIB:ltfix_add', function(e) local t = nil; t.x = 1 end)"
"$LTRACE_EBPF" -p "$SERVE_PID" "$TMP/ready.lua" >"$OUT" 2>"$ERR" &
TOOL=$!
wait_file "$TMP/ready"
serve_cmd "add 3 1 2"
wait_pid "$TOOL"
assert_eq 1 "$WAIT_RC" "-p with a failing callback: exit status"
assert_contains "$(cat "$ERR")" "$TMP/ready.lua:2:" "message has file:line"
assert_alive "$SERVE_PID" "after a callback error"
serve_cmd "add 1000 1 2"
assert_file_contains "$TMP/srv.out" "ok add 1000 last 3" "the process still works"
serve_stop 0
assert_eq 0 "$WAIT_RC" "the process exits normally"

finish
