# Shared helpers for the integration tests (sourced by tests/integration/test_*.sh).
#
# Environment (set by ctest): LTRACE_EBPF (the binary), FIXTURE_DIR (libltfix.so and the
# ltfix_* programs), SRC_DIR. Each test file sources this, runs cases, and ends with
# `finish`, which fails the test when any assertion failed.
#
# What it gives a test:
#   lt [-t SECS] ARGS...      run the tool under a timeout; stdout -> $OUT, stderr -> $ERR,
#                             exit status -> $RC (never aborts the test)
#   val KEY / vals KEY        value(s) of "KEY=VALUE" lines the script printed on stdout
#   assert_eq / assert_ne / assert_rc / assert_between / assert_contains / assert_not_contains
#   / assert_match / assert_no_match / assert_file_contains   each names what it checked when it fails
#   assert_alive PID       the process runs (not a zombie)
#   wait_for FILE REGEX / wait_file FILE / wait_pid PID / wait_gone PID
#                             synchronization on files and processes (polling with a deadline,
#                             never a sleep that races the tracer)
#   serve_start / serve_cmd / serve_stop   a long-running ltfix_serve fed through a fifo
#   tool_serve / tool_wait    the tool running `-- ltfix_serve` in the background
#   CONTROL_LUA + control CODE   run Lua inside a running session, in order, acknowledged
#   links_held_by PID         BPF links a process holds
#   bg NAME ARGS / wait_attached PID / bg_wait   a tool in the background, its output in
#                             $TMP/NAME.out/.err, waited for once it holds a BPF link
# `finish` then checks that no BPF link created by the test is still attached (and no tracefs
# uprobe left behind) and that no process the test started is still running.
set -euo pipefail

: "${LTRACE_EBPF:?LTRACE_EBPF must name the ltrace-ebpf binary}"
# ./build.sh asan runs every test with the sanitized binary instead.
LTRACE_EBPF=${LTRACE_EBPF_UNDER_TEST:-$LTRACE_EBPF}
: "${FIXTURE_DIR:?FIXTURE_DIR must name the fixture directory}"
: "${SRC_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

LIB="$FIXTURE_DIR/libltfix.so"
RUN="$FIXTURE_DIR/ltfix_run"
SERVE="$FIXTURE_DIR/ltfix_serve"
CTOR="$FIXTURE_DIR/ltfix_ctor"
FORK="$FIXTURE_DIR/ltfix_fork"
TEST_NAME="$(basename "$0" .sh)"
TMP="$(mktemp -d "/tmp/lt-$TEST_NAME.XXXXXX")"
OUT="$TMP/out"
ERR="$TMP/err"
RC=0
DEFAULT_TIMEOUT=30
FAILURES=0
CHECKS=0
CASE="(setup)"
# Every process this test starts inherits the tag, so leftovers can be told from the work
# of anyone else running BPF tools on the machine at the same time.
export LT_ITEST_TAG="$TEST_NAME.$$.$RANDOM"

for f in "$LTRACE_EBPF" "$LIB" "$RUN" "$SERVE" "$CTOR" "$FORK"; do
	if [ ! -e "$f" ]; then
		echo "$TEST_NAME: missing $f (build first: cmake --build build)" >&2
		exit 1
	fi
done
BPFTOOL=${BPFTOOL:-$(command -v bpftool || echo /usr/sbin/bpftool)}
if [ ! -x "$BPFTOOL" ]; then
	echo "$TEST_NAME: bpftool not found (the leak check lists BPF links with it)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "$TEST_NAME: integration tests need root (BPF)" >&2
	exit 1
fi

# ---- reporting --------------------------------------------------------------------------

# case NAME: starts a group of assertions (named in failure messages).
case_() {
	CASE="$1"
	echo "--- $CASE"
}

_dump_last_run() {
	[ -n "${_DUMPED:-}" ] && return 0
	_DUMPED=1
	echo "    last command: ${LAST_CMD:-none} (exit $RC)"
	if [ -s "$OUT" ]; then
		echo "    --- stdout (last 30 lines)"
		tail -n 30 "$OUT" | sed 's/^/    | /'
	fi
	if [ -s "$ERR" ]; then
		echo "    --- stderr (last 30 lines)"
		tail -n 30 "$ERR" | sed 's/^/    | /'
	fi
}

fail() {
	FAILURES=$((FAILURES + 1))
	echo "FAIL [$CASE]: $*"
	_dump_last_run
}

pass() {
	CHECKS=$((CHECKS + 1))
}

# ---- assertions (all return 0, so a failure never hides the assertions after it) ----------

assert_eq() {	# EXPECTED ACTUAL WHAT
	if [ "$1" == "$2" ]; then pass; else fail "$3: expected '$1', got '$2'"; fi
}

assert_ne() {	# UNEXPECTED ACTUAL WHAT
	if [ "$1" != "$2" ]; then pass; else fail "$3: expected anything but '$1'"; fi
}

assert_rc() {	# EXPECTED [WHAT]
	assert_eq "$1" "$RC" "${2:-exit status of: $LAST_CMD}"
}

assert_between() {	# LOW HIGH ACTUAL WHAT   (integers, inclusive)
	if [[ "$3" =~ ^-?[0-9]+$ ]] && [ "$3" -ge "$1" ] && [ "$3" -le "$2" ]; then
		pass
	else
		fail "$4: expected $1..$2, got '$3'"
	fi
}

assert_contains() {	# HAYSTACK NEEDLE WHAT
	if [[ "$1" == *"$2"* ]]; then pass; else fail "$3: '$2' not found in: $1"; fi
}

assert_not_contains() {	# HAYSTACK NEEDLE WHAT
	if [[ "$1" != *"$2"* ]]; then pass; else fail "$3: '$2' should not appear in: $1"; fi
}

assert_match() {	# STRING ERE WHAT
	if [[ "$1" =~ $2 ]]; then pass; else fail "$3: '$1' does not match /$2/"; fi
}
assert_no_match() {	# STRING ERE WHAT
	if [[ "$1" =~ $2 ]]; then fail "$3: '$1' matches /$2/"; else pass; fi
}

assert_file_contains() {	# FILE NEEDLE WHAT
	if grep -qF -- "$2" "$1"; then pass; else fail "$3: '$2' not in $(basename "$1")"; fi
}

assert_file_lacks() {	# FILE NEEDLE WHAT
	if ! grep -qF -- "$2" "$1"; then pass; else fail "$3: '$2' found in $(basename "$1")"; fi
}

# ---- running the tool -------------------------------------------------------------------

# lt [-t SECS] ARGS...: the tool under a timeout, stdout/stderr captured, status in RC.
lt() {
	local secs=$DEFAULT_TIMEOUT
	if [ "${1:-}" == "-t" ]; then
		secs=$2
		shift 2
	fi
	LAST_CMD="ltrace-ebpf $*"
	_DUMPED=
	RC=0
	timeout -k 5 "$secs" "$LTRACE_EBPF" "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
	if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
		fail "timed out after ${secs}s: $LAST_CMD"
	fi
	return 0
}

# val KEY: the value of the first "KEY=VALUE" line of $OUT (or FILE); empty when absent.
val() {
	local file="${2:-$OUT}"
	grep -m1 -- "^$1=" "$file" 2>/dev/null | cut -d= -f2- || true
}

# vals KEY: every value of "KEY=VALUE" lines, space separated, in output order.
vals() {
	local file="${2:-$OUT}"
	grep -- "^$1=" "$file" 2>/dev/null | cut -d= -f2- | tr '\n' ' ' | sed 's/ $//' || true
}

# count_lines REGEX [FILE]: how many lines match.
count_lines() {
	grep -cE -- "$1" "${2:-$OUT}" 2>/dev/null || true
}

# wait_for FILE REGEX [SECS]: returns when a line of FILE matches, fails the case on timeout.
wait_for() {
	local file=$1 re=$2 secs=${3:-20} i
	for ((i = 0; i < secs * 100; i++)); do
		if [ -e "$file" ] && grep -qE -- "$re" "$file"; then
			return 0
		fi
		sleep 0.01
	done
	fail "timed out after ${secs}s waiting for /$re/ in $(basename "$file")"
	[ -e "$file" ] && sed 's/^/    | /' "$file" | tail -n 20
	return 1
}

# wait_file FILE [SECS]: returns when FILE exists.
wait_file() {
	local file=$1 secs=${2:-20} i
	for ((i = 0; i < secs * 100; i++)); do
		[ -e "$file" ] && return 0
		sleep 0.01
	done
	fail "timed out after ${secs}s waiting for $(basename "$file")"
	return 1
}

# wait_pid PID [SECS]: waits for a child of this shell; its status in WAIT_RC.
wait_pid() {
	local pid=$1 secs=${2:-30} i
	for ((i = 0; i < secs * 100; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		sleep 0.01
	done
	if kill -0 "$pid" 2>/dev/null; then
		fail "process $pid still running after ${secs}s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	WAIT_RC=0
	wait "$pid" 2>/dev/null || WAIT_RC=$?
}

# wait_gone PID [SECS]: waits for a process that is not our child to disappear (a zombie
# counts as gone); fails the case if it does not.
wait_gone() {
	local pid=$1 secs=${2:-10} i state
	for ((i = 0; i < secs * 100; i++)); do
		state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)
		if [ -z "$state" ] || [ "$state" == Z ]; then
			pass
			return 0
		fi
		sleep 0.01
	done
	fail "process $pid still running after ${secs}s"
}

# assert_alive PID WHAT: the process is running (not a zombie).
assert_alive() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || true)
	if [ -n "$state" ] && [ "$state" != Z ]; then pass; else fail "$2: process $1 is gone"; fi
}

# ---- a tool running in the background while the test makes events -----------------------

# bg NAME ARGS...: the tool in the background, stdout/stderr in $TMP/NAME.out/.err; BG_PID.
bg() {
	local name=$1
	shift
	LAST_CMD="ltrace-ebpf $*"
	OUT="$TMP/$name.out"
	ERR="$TMP/$name.err"
	timeout -k 5 30 "$LTRACE_EBPF" "$@" >"$OUT" 2>"$ERR" </dev/null &
	BG_PID=$!
}
# wait_attached PID: returns once the tool under `timeout` (a child of PID) holds a BPF link.
wait_attached() {
	local i child
	for ((i = 0; i < 2000; i++)); do
		child=$(pgrep -P "$1" | head -1 || true)
		if [ -n "$child" ] && [ -n "$(links_held_by "$child")" ]; then
			return 0
		fi
		sleep 0.01
	done
	fail "the tool did not attach"
}
# bg_wait: waits for it; its status in RC. OUT and ERR go back to $TMP/out and $TMP/err
# (the tool's output stays in $TMP/NAME.out).
bg_wait() {
	wait_pid "$BG_PID" 40
	RC=$WAIT_RC
	OUT="$TMP/out"
	ERR="$TMP/err"
}
# bg_until RE...: waits until the tool's output has a line matching each RE, then ends it
# as Ctrl-C does (status 130) and waits. For tools whose events print as they happen: no
# fixed -d window that a loaded machine can outrun.
bg_until() {
	local re
	for re in "$@"; do
		wait_for "$OUT" "$re" 30 || break
	done
	kill -INT "$BG_PID" 2>/dev/null || true	# timeout(1) passes it on to the tool
	bg_wait
}

# ---- a long-running target: ltfix_serve fed through a fifo ------------------------------

# serve_start NAME: starts ltfix_serve with stdin from $TMP/NAME.in, stdout to $TMP/NAME.out;
# sets SERVE_PID. The fifo stays open on fd 7 (one server at a time per test).
serve_start() {
	local name=$1
	rm -f "$TMP/$name.in" "$TMP/$name.out"
	mkfifo "$TMP/$name.in"
	"$SERVE" <"$TMP/$name.in" >"$TMP/$name.out" 2>&1 &
	SERVE_PID=$!
	SERVE_NAME=$name
	exec 7>"$TMP/$name.in"
	SERVE_ACKS=0
	wait_for "$TMP/$name.out" "^pid $SERVE_PID\$"
}

# serve_cmd "FUNC COUNT ARGS...": one command; returns once the server has made the calls.
# "quit" and "exit CODE" wait for the server's "bye".
serve_cmd() {
	local i re='^(ok|error)' want
	echo "$*" >&7
	SERVE_ACKS=$((SERVE_ACKS + 1))
	want=$SERVE_ACKS
	if [[ "$1" == quit* || "$1" == exit* ]]; then
		re='^bye$'
		want=1
	fi
	for ((i = 0; i < 2000; i++)); do
		if [ "$(grep -cE "$re" "$TMP/$SERVE_NAME.out")" -ge "$want" ]; then
			return 0
		fi
		sleep 0.01
	done
	fail "ltfix_serve did not answer '$*'"
}

# serve_stop [CODE]: asks the server to exit; its status in WAIT_RC.
serve_stop() {
	echo "exit ${1:-0}" >&7 2>/dev/null || true
	exec 7>&-
	wait_pid "$SERVE_PID"
}

# ---- a long-running target under the tool, and a script steered while it runs -----------

# tool_serve NAME TOOL-ARGS...: runs `ltrace-ebpf TOOL-ARGS -- ltfix_serve` in the background
# (or TOOL-ARGS as given when they already contain "--"), with the server's stdin on fd 7
# and the tool's and server's stdout in $TMP/NAME.out, stderr in $TMP/NAME.err. Sets
# TOOL_PID and SERVE_PID once the server has printed its pid.
tool_serve() {
	local name=$1 a has_cmd=
	shift
	for a in "$@"; do [ "$a" == "--" ] && has_cmd=1; done
	rm -f "$TMP/$name.in" "$TMP/$name.out" "$TMP/$name.err"
	mkfifo "$TMP/$name.in"
	LAST_CMD="ltrace-ebpf $*"
	if [ -n "$has_cmd" ]; then
		"$LTRACE_EBPF" "$@" <"$TMP/$name.in" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	else
		"$LTRACE_EBPF" "$@" -- "$SERVE" <"$TMP/$name.in" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	fi
	TOOL_PID=$!
	SERVE_NAME=$name
	SERVE_ACKS=0
	exec 7>"$TMP/$name.in"
	OUT="$TMP/$name.out"
	ERR="$TMP/$name.err"
	wait_for "$OUT" "^pid [0-9]+\$" || return 0
	SERVE_PID=$(awk '/^pid [0-9]+$/ { print $2; exit }' "$OUT")
}

# tool_wait: after the target was told to leave, waits for the tool; its status in RC.
tool_wait() {
	exec 7>&- 2>/dev/null || true
	wait_pid "$TOOL_PID"
	RC=$WAIT_RC
}

# CONTROL_LUA: a script fragment that runs Lua sent by the test while the session runs:
# every 10 ms it looks for $CONTROL_DIR/cmdN, runs it, and answers in ackN ("ok" or the
# error). Scripts that use it take the directory as their first argument.
CONTROL_LUA='
local control_dir, control_n = arg[1], 1
every("10ms", function()
  local f = io.open(control_dir .. "/cmd" .. control_n)
  if not f then return end
  local code = f:read("a")
  f:close()
  local fn, err = load(code, "=cmd" .. control_n)
  local ok = fn ~= nil
  if fn then ok, err = pcall(fn) end
  local a = io.open(control_dir .. "/ack.tmp", "w")
  a:write(ok and "ok" or ("error: " .. tostring(err)), "\n")
  a:close()
  os.rename(control_dir .. "/ack.tmp", control_dir .. "/ack" .. control_n)
  control_n = control_n + 1
end)
'
CONTROL_N=0

# control 'LUA CODE': runs the code inside the session (see CONTROL_LUA); fails the case
# unless it ran without error.
control() {
	CONTROL_N=$((CONTROL_N + 1))
	printf '%s\n' "$1" >"$TMP/cmd.tmp"
	mv "$TMP/cmd.tmp" "$TMP/cmd$CONTROL_N"
	wait_file "$TMP/ack$CONTROL_N" || return 0
	assert_eq ok "$(cat "$TMP/ack$CONTROL_N")" "control command '$1'"
}

# ---- kernel state: BPF links ------------------------------------------------------------

# link_ids: the ids of every BPF link in the system, one per line.
link_ids() {
	"$BPFTOOL" link show 2>/dev/null | awk -F: '/^[0-9]+:/ { print $1 }' | sort -n
}

# link_prog_name ID: the name of the program a link runs (empty when the link is gone).
link_prog_name() {
	local prog
	prog=$("$BPFTOOL" link show id "$1" 2>/dev/null | awk '/^[0-9]+:/ {
		for (i = 1; i < NF; i++) if ($i == "prog") print $(i + 1) }')
	[ -n "$prog" ] && "$BPFTOOL" prog show id "$prog" 2>/dev/null |
		awk '/^[0-9]+:/ { for (i = 1; i < NF; i++) if ($i == "name") print $(i + 1) }'
	return 0
}

# links_held_by PID: the ids of the BPF links PID holds open, one per line.
links_held_by() {
	local fd
	for fd in /proc/"$1"/fdinfo/*; do
		awk '/^link_id:/ { print $2 }' "$fd" 2>/dev/null
	done | sort -n
}

# link_types PID: the kinds of BPF links PID holds, counted: "uprobe_multi=1 perf_event=2".
link_types() {
	local fd
	for fd in /proc/"$1"/fdinfo/*; do
		awk '$1 == "link_type:" { print $2 }' "$fd" 2>/dev/null
	done | sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' ' | sed 's/ $//'
}

# link_holders ID: pids holding link ID open.
link_holders() {
	grep -lsx "link_id:[[:space:]]*$1" /proc/[0-9]*/fdinfo/* 2>/dev/null |
		cut -d/ -f3 | sort -u || true
}

is_ours() {	# PID: was it started by this test?
	[ "$1" != "$$" ] && tr '\0' '\n' 2>/dev/null <"/proc/$1/environ" |
		grep -qx "LT_ITEST_TAG=$LT_ITEST_TAG"
}

uprobe_events() {
	grep -F "$FIXTURE_DIR" /sys/kernel/tracing/uprobe_events 2>/dev/null || true
}

LINKS_BEFORE="$(link_ids)"
UPROBE_EVENTS_BEFORE="$(uprobe_events)"

# The check after every test: a link created during the test that still exists must belong
# to someone else (another tool running on the machine), never to a process of this test
# and never to no process at all (pinned or leaked).
check_no_leaks() {
	CASE="(after the test: leftovers)"
	check_no_stray_processes
	check_no_links
}

check_no_stray_processes() {
	local d pid
	# Processes of ours still running are themselves a leak (a tool that did not exit).
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		[ "$pid" == "$$" ] && continue
		if is_ours "$pid" && [ -e "$d/cmdline" ]; then
			fail "process $pid ($(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)) still running"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
}

check_no_links() {
	local id name holders h ours tries
	for ((tries = 0; tries < 100; tries++)); do
		ours=
		for id in $(comm -13 <(echo "$LINKS_BEFORE") <(link_ids)); do
			name=$(link_prog_name "$id")
			[ -z "$name" ] && continue
			holders=$(link_holders "$id")
			if [ -z "$holders" ]; then
				ours+="$id($name, no holder) "
				continue
			fi
			for h in $holders; do
				if is_ours "$h"; then
					ours+="$id($name, held by $h) "
				fi
			done
		done
		[ -z "$ours" ] && break
		sleep 0.02
	done
	if [ -n "$ours" ]; then
		fail "BPF links left attached after the test: $ours"
	else
		pass
	fi
	if [ "$(uprobe_events)" != "$UPROBE_EVENTS_BEFORE" ]; then
		fail "tracefs uprobe_events changed: $(uprobe_events)"
	else
		pass
	fi
}

_cleanup() {
	local pid
	exec 7>&- 2>/dev/null || true
	for pid in $(jobs -p); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	if [ -z "${KEEP_TMP:-}" ]; then
		rm -rf "$TMP"
	fi
}

# finish: the leak check, a summary, and the test's exit status.
finish() {
	local pid
	exec 7>&- 2>/dev/null || true
	for pid in $(jobs -p); do
		if kill -0 "$pid" 2>/dev/null; then
			fail "background job $pid still running at the end"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
	wait 2>/dev/null || true
	check_no_leaks
	if [ "$FAILURES" -gt 0 ]; then
		echo "$TEST_NAME: $FAILURES failed, $CHECKS passed (files kept in $TMP)"
		KEEP_TMP=1
		exit 1
	fi
	echo "$TEST_NAME: all $CHECKS checks passed"
	exit 0
}
trap _cleanup EXIT
