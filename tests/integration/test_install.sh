#!/usr/bin/env bash
# The README's install step, as a newcomer takes it: `cmake --install` of this build into a
# fresh prefix, then, from another directory with only PREFIX/bin on PATH: ltrace mode
# (`ltrace-ebpf ls`), a shipped tool by name (the ltrace-ebpf-NAME link and --tool), the
# tool list, the man page (and that it lists the options --help lists), the REPL's help and
# table printing from a pipe, and Tab completion on a terminal (tmux).
source "$(dirname "$0")/lib.sh"

BUILD_DIR=$(dirname "$(readlink -f "$LTRACE_EBPF")")
PREFIX="$TMP/prefix"
HERE="$TMP/elsewhere"
mkdir -p "$HERE"

case_ "cmake --install into a fresh prefix"
RC=0
cmake --install "$BUILD_DIR" --prefix "$PREFIX" >"$TMP/install.log" 2>&1 || RC=$?
LAST_CMD="cmake --install $BUILD_DIR --prefix $PREFIX"
assert_rc 0
for f in bin/ltrace-ebpf bin/ltrace-ebpf-opensnoop share/ltrace-ebpf/scripts/opensnoop.lua \
	share/man/man1/ltrace-ebpf.1 share/doc/ltrace-ebpf/README.md \
	share/doc/ltrace-ebpf/docs/scripting.md; do
	[ -e "$PREFIX/$f" ] && pass || fail "$f not installed"
done
for s in "$SRC_DIR"/scripts/*.lua; do
	t=$(basename "$s" .lua)
	[ "$(readlink "$PREFIX/bin/ltrace-ebpf-$t")" = ltrace-ebpf ] && pass ||
		fail "bin/ltrace-ebpf-$t is not a link to ltrace-ebpf"
done

# Runs the installed tool from $HERE with only the prefix's bin/ first on PATH.
inst() {
	RC=0
	LAST_CMD="$*"
	(cd "$HERE" && PATH="$PREFIX/bin:/usr/bin:/bin:/usr/sbin:/sbin" \
		timeout -k 5 60 "$@") >"$OUT" 2>"$ERR" </dev/null || RC=$?
}

case_ "ltrace-ebpf ls: ltrace mode, from another directory"
inst ltrace-ebpf ls
assert_rc 0
assert_contains "$(cat "$ERR")" "opendir(" "ls's library calls, as ltrace prints them"
assert_contains "$(cat "$ERR")" "+++ exited (status 0) +++" "ltrace's exit line"

case_ "a shipped tool by name: the ltrace-ebpf-NAME link and --tool NAME"
echo x >"$TMP/marker-link"
inst ltrace-ebpf-opensnoop -- cat "$TMP/marker-link"
assert_rc 0
assert_contains "$(cat "$OUT")" "$TMP/marker-link" "opensnoop (link) shows cat's open"
# The tool's own options follow the link's name, as after --tool NAME.
inst ltrace-ebpf-opensnoop -x -h
assert_rc 0
assert_match "$(head -n 1 "$OUT")" '^usage: .*opensnoop' "ltrace-ebpf-opensnoop -x -h prints the tool's usage"
echo x >"$TMP/marker-opt"
inst ltrace-ebpf --tool opensnoop -- cat "$TMP/marker-opt"
assert_rc 0
assert_contains "$(cat "$OUT")" "$TMP/marker-opt" "opensnoop (--tool) shows cat's open"
inst ltrace-ebpf --tool no_such_tool
assert_rc 2
assert_eq "ltrace-ebpf: --tool: no tool 'no_such_tool' (ltrace-ebpf --tools lists them)" \
	"$(cat "$ERR")" "an unknown tool: one line"

case_ "--tools: every shipped tool, one line each"
inst ltrace-ebpf --tools
assert_rc 0
assert_eq "$(ls "$SRC_DIR"/scripts/*.lua | wc -l)" "$(wc -l <"$OUT")" "one line per tool"
assert_match "$(grep '^opensnoop ' "$OUT")" '^opensnoop +Traces open' "opensnoop's line has its summary"

case_ "man ltrace-ebpf"
RC=0
(cd "$HERE" && MANPATH="$PREFIX/share/man" MANWIDTH=100 man -P cat ltrace-ebpf) \
	>"$OUT" 2>"$ERR" || RC=$?
LAST_CMD="MANPATH=$PREFIX/share/man man ltrace-ebpf"
assert_rc 0
assert_contains "$(cat "$OUT")" "ltrace-ebpf - a scriptable" "the man page's NAME line"
# Every option --help lists is in the man page's OPTIONS, and no other.
help_opts=$("$PREFIX/bin/ltrace-ebpf" --help | grep -E '^  -' | sed -E 's/^  (-[^ ]*( -[^ ]*)?|--[^ ]*).*/\1/' |
	grep -oE -- '--?[A-Za-z][A-Za-z-]*' | sort -u)
man_opts=$(sed 's/\\-/-/g' "$PREFIX/share/man/man1/ltrace-ebpf.1" |
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' | grep -A1 '^\.TP' | grep -E '^\.B' |
	grep -oE -- '(^| )--?[A-Za-z][A-Za-z-]*' | tr -d ' ' | sort -u)
assert_eq "$help_opts" "$man_opts" "the options of --help and of the man page"

case_ "the REPL from a pipe: help, help TOPIC, tables printed with their contents"
RC=0
(cd "$HERE" && printf 'help\nhelp probes\n{1, 2, x = {a = 1}}\nhelp nope\n' |
	timeout -k 5 30 "$PREFIX/bin/ltrace-ebpf") >"$OUT" 2>"$ERR" || RC=$?
LAST_CMD="printf 'help ...' | ltrace-ebpf"
assert_rc 0
assert_contains "$(cat "$OUT")" "help TOPIC, one of: probes, options, aggregates, examples" "help"
assert_contains "$(cat "$OUT")" "tracepoint:CAT:NAME" "help probes"
assert_contains "$(cat "$OUT")" $'{\n  1,\n  2,\n  x = { a = 1 },\n}' "a table's contents"
assert_eq "stdin:1: help: no topic 'nope' (topics: probes, options, aggregates, examples)" \
	"$(cat "$ERR")" "an unknown topic: one line"

case_ "Tab completion on a terminal (tmux): tracepoints, syscalls, kinds, Lua names"
SOCK="lt-install-$$"
tm() { tmux -L "$SOCK" "$@"; }
# wait_pane TEXT: polls the screen until TEXT shows (deadline 20 s).
wait_pane() {
	local end=$((SECONDS + 20))
	while [ $SECONDS -lt $end ]; do
		tm capture-pane -p -t lt 2>/dev/null | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
# completes TABS TYPED EXPECTED WHAT: types TYPED and Tab TABS times (1: a unique match is
# inserted; 2: the matches of an ambiguous word are listed, readline's double Tab),
# expects EXPECTED on screen.
completes() {
	tm send-keys -t lt -l "$2"
	tm send-keys -t lt Tab
	[ "$1" = 2 ] && tm send-keys -t lt Tab
	wait_pane "$3" && pass ||
		fail "$4: '$3' not on screen: $(tm capture-pane -p -t lt | grep -v '^$' | tail -n 5)"
	tm send-keys -t lt C-u
}
(cd "$HERE" && TERM=xterm INPUTRC=/dev/null tm new-session -d -s lt -x 200 -y 50 \
	"$PREFIX/bin/ltrace-ebpf")
if wait_pane "ltrace>"; then	# capture-pane drops trailing blanks
	pass
	completes 1 "tracepoint:sch" "tracepoint:sched:" "a tracepoint category"
	completes 1 "tracepoint:sched:sched_process_exe" "tracepoint:sched:sched_process_exec" \
		"a tracepoint event"
	completes 2 "syscall:openat" "syscall:openat2" "syscall names"
	completes 1 "rawtr" "rawtracepoint:" "a probe kind"
	completes 1 "string.form" "string.format(" "a global table's field"
	completes 2 "counter" "counters(" "Lua globals"
	tm send-keys -t lt "exit()" Enter
else
	fail "no prompt in tmux: $(tm capture-pane -p -t lt 2>&1 | tail -n 5)"
fi
tm kill-server 2>/dev/null || true

finish
