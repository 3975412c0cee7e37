#!/usr/bin/env bash
# --json for every shipped tool and the ltrace front end (issue 15 item 2): every line of the
# output decodes with python3's json, the first is the session line and the last the end
# line; a tool's -j is the same output (lua/tool.lua), in FILE with -o FILE. Tools on kernel
# probes are skipped where the kernel has none, as test_tools_options does.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

S="$SRC_DIR/scripts"
JROWS="$(dirname "$0")/json_rows.py"

# check_lines FILE WHAT: every line JSON, session first, end last, with the tool's exit status.
check_lines() {
	assert_eq 0 "$("$JROWS" "$1" >/dev/null 2>"$TMP/jrows.err"; echo $?)" "$2: every line is JSON $(head -c 300 "$TMP/jrows.err")"
	assert_eq session "$("$JROWS" "$1" -- type | head -1)" "$2: the session line first"
	assert_eq end "$("$JROWS" "$1" -- type | tail -1)" "$2: the end line last"
	assert_eq "$RC" "$("$JROWS" "$1" type=end -- exit_status)" "$2: the end line's exit status"
}

# run_tool TOOL OPTIONS...: with its positional argument and a target (as test_tools_options).
run_tool() {
	local t=$1 pos=() target=(-- "$RUN" add 1 2)
	shift
	grep -q 'PATTERN\|LIB:FUNC' "$TMP/$t.help" && pos=("$LIB:ltfix_add")
	[ "$t" == stackcount ] && pos=(syscall:openat)
	[ "$t" == pycalls ] && pos=()
	grep -q -- '-p PID' "$TMP/$t.help" || target=(-d 1)
	[ "$t" == offcputime ] && target=(-- sleep 0.2)
	[ "$t" == pycalls ] && target=(-c "/usr/bin/python3.11 -c pass")
	lt -t 120 "$@" "${pos[@]}" "${target[@]}"	# generous: the VM is shared
}

for f in "$S"/*.lua; do
	t=$(basename "$f" .lua)
	case_ "$t --json / -j"
	lt "$f" -h
	cp "$OUT" "$TMP/$t.help"
	if grep -q 'kcall:\|kprobe:' "$f"; then
		lt "$f" -d 1
		if [ "$RC" != 0 ] && grep -q "has no kprobes" "$ERR"; then
			echo "  ($t: this kernel has no kernel probes)"
			continue
		fi
	fi
	run_tool "$t" --json "$f"
	assert_rc 0 "$t --json"
	check_lines "$OUT" "$t --json"
	if grep -qE '^  -j ' "$TMP/$t.help"; then
		run_tool "$t" "$f" -j
		assert_rc 0 "$t -j"
		check_lines "$OUT" "$t -j"
	fi
done

case_ "a tool's -j -o FILE: the JSON in FILE, none on stdout"
lt "$S/opensnoop.lua" -j -o "$TMP/j.out" -- "$RUN" add 1 2
assert_rc 0
check_lines "$TMP/j.out" "opensnoop -j -o FILE"
assert_ne 0 "$("$JROWS" "$TMP/j.out" type=record tool=opensnoop | wc -l)" "its records"
assert_eq 0 "$(grep -c '^{' "$OUT" || true)" "no JSON on stdout"

case_ "the ltrace front end: --json CMD, --json -c CMD"
lt --json "$RUN" -n 3 add 1 2
assert_rc 0
check_lines "$OUT" "ltrace-ebpf --json CMD"
assert_eq 3 "$(grep -c '^ltfix_add(1, 2, .*= 3$' "$ERR")" "the ltrace lines are on stderr"
# the front end traces the program's calls with entry and return probes (docs/ltrace.md)
assert_eq 3 "$("$JROWS" "$OUT" type=event func=ltfix_add rec=entry -- args | grep -c '^\[1,2,')" "ltfix_add's 3 entries"
assert_eq 3 "$("$JROWS" "$OUT" type=event func=ltfix_add rec=return -- ret | grep -cx 3)" "and 3 returns"
lt --json -c "$RUN" -n 3 add 1 2
assert_rc 0
check_lines "$OUT" "ltrace-ebpf --json -c CMD"
assert_eq 3 "$("$JROWS" "$OUT" type=agg name="ltrace -c" -- rows | python3 -c '
import json, sys
print(next(r["count"] for r in json.load(sys.stdin) if r["key"] == "ltfix_add"))')" "-c: ltfix_add counted 3 times"
assert_contains "$(cat "$ERR")" "% time     seconds  usecs/call" "-c's table still on stderr"

finish
