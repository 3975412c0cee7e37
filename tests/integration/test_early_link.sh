#!/usr/bin/env bash
# The session's first uprobe probe is linked while its template verifies (early_link.h):
# its links run a trampoline that tail-calls the real program. Every call is still seen,
# captures still work. A first probe that needs the sleepable programs (captures) is linked
# the ordinary way: the kernel lets sleepable programs use no program array.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# link_names PID: the names of the programs PID's links run, sorted, on one line.
link_names() {
	local id
	for id in $(links_held_by "$1"); do link_prog_name "$id"; done | sort | tr '\n' ' '
}

# early_case NAME FIRST EXPECTED-LINKS [ENV=VALUE...]: a probe on ltfix_add (FIRST: call,
# uprobe or uretprobe, made first) and a call probe on ltfix_greet capturing its string
# argument (made first when FIRST is capture, the add probe is then a call probe); 3 + 4
# calls of ltfix_add and one of ltfix_greet while the session runs.
early_case() {
	local name=$1 first=$2 want=$3 add greet a
	shift 3
	case $first in
	uprobe) add="probe('uprobe:$LIB:ltfix_add', function(e) n = n + 1
	          sum = sum + e.args[1] + e.args[2] end)" ;;
	uretprobe) add="probe('uretprobe:$LIB:ltfix_add', function(e) n = n + 1 sum = sum + e.ret end)" ;;
	*) add="probe('call:$LIB:ltfix_add', function(c) n = n + 1 sum = sum + c.ret end)" ;;
	esac
	greet="probe('call:$LIB:ltfix_greet', { args = { 'str' } },
	  function(c) print('greet=' .. c.args[1]) end)"
	{
		echo "local n, sum = 0, 0"
		if [ "$first" == capture ]; then echo "$greet"; echo "$add"; else echo "$add"; echo "$greet"; fi
		echo "on('end', function() print('n=' .. n) print('sum=' .. sum) end)"
	} >"$TMP/$name.lua"
	for a in "$@"; do export "${a?}"; done
	tool_serve "$name" "$TMP/$name.lua"
	for a in "$@"; do unset "${a%%=*}"; done
	assert_eq "$want" "$(link_names "$TOOL_PID")" "programs the links run"
	serve_cmd "add 3 5 6"
	serve_cmd "greet 1 hello"
	serve_cmd "add 4 1 1"
	serve_cmd "exit 0"
	tool_wait
	assert_rc 0
	assert_eq 7 "$(val n)" "calls seen"
	assert_eq 41 "$(val sum)" "arguments or returns (3 x 11 + 4 x 2)"
	assert_eq hello "$(val greet)" "string captured"
	assert_eq "" "$(cat "$ERR")" "stderr"
}

GREET="lt_call_entry_multi lt_call_return_multi"
ORDINARY="lt_call_entry_multi lt_call_entry_multi lt_call_return_multi lt_call_return_multi "

case_ "a first call probe's links run the trampolines; every call is seen"
early_case early call "$GREET lt_early_entry lt_early_return "

case_ "a first uprobe or uretprobe probe: one trampoline"
early_case entry uprobe "$GREET lt_early_entry "
early_case return uretprobe "$GREET lt_early_return "

case_ "a first probe that captures (sleepable programs) is linked the ordinary way"
early_case capture capture "$ORDINARY"

case_ "... and so with the sleepable programs turned off: the first probe is early again"
early_case nosleep capture "$GREET lt_early_entry lt_early_return " LTRACE_EBPF_NO_SLEEPABLE=1

case_ "LTRACE_EBPF_NO_EARLY_LINK=1 links every probe the ordinary way"
early_case off call "$ORDINARY" LTRACE_EBPF_NO_EARLY_LINK=1

case_ "core.prefetch: programs verified ahead serve the probes; a bad name is an error"
cat >"$TMP/prefetch.lua" <<LUA
local core = require("ltrace.core")
assert(core.prefetch({ { "call", "plain" }, { "uprobe", "sleepable" } }))
local n, s = 0, 0
probe("call:$LIB:ltfix_add", function(c) n = n + 1 end)
probe("uprobe:$LIB:ltfix_greet", { args = { "str" } }, function(e) s = s + #e.args[1] end)
on("end", function() print("n=" .. n) print("s=" .. s) end)
LUA
lt "$TMP/prefetch.lua" -- "$RUN" -n 6 add 1 2
assert_rc 0
assert_eq 6 "$(val n)" "paired calls seen"
lt "$TMP/prefetch.lua" -- "$RUN" -n 6 greet hello
assert_rc 0
assert_eq 30 "$(val s)" "strings captured (6 x 'hello')"
lt -E "require('ltrace.core').prefetch({ { 'call', 'nosuchbuild' } })"
assert_ne 0 "$RC" "exit status"
assert_contains "$(cat "$ERR")" "nosuchbuild" "the message names the bad build"

finish
