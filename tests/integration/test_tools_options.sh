#!/usr/bin/env bash
# Every option a shipped tool lists in -h works (issue 12 item 4): the options are read from
# each tool's own -h, each is run once (with a value fitting its argument name) against a
# real target, and must be accepted; -o FILE must put the output in FILE and none on stdout.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

S="$SRC_DIR/scripts"
TOOLS=()
for f in "$S"/*.lua; do TOOLS+=("$(basename "$f" .lua)"); done

# A value for an option's argument, by the name -h gives it.
value_for() {
	case "$1" in
	SECS) echo 1 ;;
	COUNT | TOP) echo 3 ;;
	COMM) echo ltfix_run ;;
	SIG) echo 9 ;;
	PORT) echo 9 ;;
	HZ) echo 49 ;;
	MIN_US | MIN_AGE_MS | TID) echo 1 ;;
	MAX_US) echo 1000000 ;;
	LIB) echo libc ;;
	PYTHON) echo /usr/bin/python3.11 ;;
	FILE) echo "$TMP/o.out" ;;
	ERE) echo "token=[a-z]+" ;;
	*) echo "no value for $1" >&2; return 1 ;;
	esac
}

# run_tool TOOL ARGS...: with the tool's positional argument and a target it can take (a
# system-wide tool ends after -d 1).
run_tool() {
	local t=$1 pos=() target=(-- "$RUN" add 1 2)
	shift
	grep -q 'PATTERN\|LIB:FUNC' "$TMP/$t.help" && pos=("$LIB:ltfix_add")
	# stackcount's -K and -B need a probe with a kernel stack
	[ "$t" == stackcount ] && pos=(syscall:openat)
	grep -q -- '-p PID' "$TMP/$t.help" || target=(-d 1)
	# offcputime's output is the target's waits: one that waits
	[ "$t" == offcputime ] && target=(-- sleep 0.2)
	lt "$S/$t.lua" "$@" "${pos[@]}" "${target[@]}"
}

for t in "${TOOLS[@]}"; do
	case_ "$t: -h lists what it takes"
	lt "$S/$t.lua" -h
	assert_rc 0 "$t -h"
	cp "$OUT" "$TMP/$t.help"
	assert_match "$(head -1 "$OUT")" "^usage: ltrace-ebpf scripts/$t\.lua " "$t: usage line"
	# "  -x ARG   help" lines: the options; -h, -p and -c are the target's, tried below.
	grep -E '^  -[-a-zA-Z]+ ' "$OUT" | awk '{ a = ($2 ~ /^[A-Z_:]+$/) ? $2 : ""; print $1, a }' |
		grep -vE '^(-h|-p|-c|--) ' >"$TMP/$t.opts"
	assert_ne 0 "$(wc -l <"$TMP/$t.opts")" "$t: lists options"
	# A tool on kernel probes (kopensnoop) is refused where the kernel has none (6.18 built
	# without CONFIG_KPROBES, fentry refused): -h is checked, its runs are the matrix's.
	if grep -q 'kcall:\|kprobe:' "$S/$t.lua"; then
		lt "$S/$t.lua" -d 1
		if [ "$RC" != 0 ] && grep -q "has no kprobes" "$ERR"; then
			echo "  ($t: this kernel has no kernel probes; its options run in tests/kernels)"
			continue
		fi
	fi
	while read -r flag argname; do
		args=("$flag")
		[ -n "$argname" ] && args+=("$(value_for "$argname")")
		rm -f "$TMP/o.out"
		run_tool "$t" "${args[@]}"
		assert_rc 0 "$t ${args[*]}: accepted"
		assert_not_contains "$(cat "$ERR")" "unknown option" "$t ${args[*]}"
		if [ "$flag" == -o ]; then
			assert_eq 1 "$([ -s "$TMP/o.out" ] && echo 1 || echo 0)" "$t -o FILE: FILE has the output"
			# stdout holds the command's own output only
			assert_eq "" "$(grep -Fxf "$TMP/o.out" "$OUT" || true)" "$t -o FILE: none of it on stdout"
		fi
	done <"$TMP/$t.opts"
done

case_ "the target options every tool with a target lists"
lt "$S/opensnoop.lua" -c "$RUN add 1 2"
assert_rc 0 "opensnoop -c CMD"
assert_contains "$(cat "$OUT")" "libltfix.so" "opensnoop -c CMD: the command's opens"
serve_start srv
lt "$S/syscount.lua" -p "$SERVE_PID" -d 1
assert_rc 0 "syscount -p PID"
serve_stop

case_ "-o FILE: one line and status 1 when FILE cannot be written"
lt "$S/opensnoop.lua" -o "$TMP/no/such/dir/x" -- "$RUN" add 1 2
assert_rc 1 "opensnoop -o in a missing directory"
assert_eq 1 "$(wc -l <"$ERR")" "one line on stderr"
assert_contains "$(cat "$ERR")" "-o: " "the message names -o"

finish
