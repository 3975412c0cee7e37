#!/usr/bin/env bash
# A ptrace tool attached right after a session must find the program's own instructions.
# While a uprobe is in place its int3 is what the process's memory shows: ltrace 0.7.3
# saved that int3 as the "original" byte of its own breakpoint, the uprobe was then removed
# by a detach still running after the tool's exit, and ltrace put the int3 back when it
# left: the traced Python died with SIGTRAP (status 133, 3 of 4 tries, issue 11 item 2).
# Every probe is now gone before the tool exits (detach.h), also when another process
# holds a reference to one of our links as we close it (bpftool link show, a reader of
# /proc/PID/fdinfo: every test's leak check does both): the release then ran in that
# process, after our exit (once in a loaded `ctest -j2`; every time with link_holder.py).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3.11
LTRACE=/usr/bin/ltrace

HERE=$(dirname "$0")

# start_loop: the Python loop in TARGET, running.
start_loop() {
	rm -f "$TMP/ready"
	"$PY" -c 'import os, sys, time
open(sys.argv[1], "w").close()
while True:
    os.getcwd()
    time.sleep(0.01)' "$TMP/ready" &
	TARGET=$!
	wait_file "$TMP/ready"
}

# trace_loop [HOLD]: ltrace-ebpf -p on it until its probes have fired (their int3s are in
# place); their sites in $TMP/sites, from a link_holder.py that holds our links HOLD seconds
# (0: it lets them go at once). HOLDER: its pid.
trace_loop() {
	bg ebpf -p "$TARGET" -e getcwd+clock_nanosleep -T
	wait_attached "$BG_PID"
	wait_for "$TMP/ebpf.err" "getcwd"
	rm -f "$TMP/sites"
	python3 "$HERE/link_holder.py" "$TARGET" "$TMP/sites" "${1:-0}" &
	HOLDER=$!
	wait_file "$TMP/sites"
}

# intact: the code at our probes' sites in the loop reads as in the file (else $TMP/intact
# says where not).
intact() {
	python3 "$HERE/sites_intact.py" "$TARGET" "$TMP/sites" >"$TMP/intact" 2>&1
}

# stop_tool: SIGINT, then what we own: the program's text, read right after our exit, is its
# file's (a SIGTRAP after ltrace with this intact is not from a breakpoint we left).
stop_tool() {
	kill -INT "$(pgrep -P "$BG_PID" | head -1)"
	bg_wait
	assert_rc 130 "ltrace-ebpf ended by SIGINT (128 + 2, as ltrace)"
	rc=0
	intact || rc=$?
	assert_eq 0 "$rc" "every probed site reads as in the file right after our exit: $(tr '\n' ' ' \
		<"$TMP/intact")"
}

# ltrace_then_end: at once, as a user would, ltrace attaches, puts its breakpoints in, and
# detaches on SIGINT (restoring what it read as the original bytes); the loop must still
# run, and end by our SIGTERM.
ltrace_then_end() {
	"$LTRACE" -p "$TARGET" -o "$TMP/ltrace.out" &
	LTRACE_PID=$!
	for ((t = 0; t < 1000; t++)); do
		tracer=$(awk '$1 == "TracerPid:" { print $2 }' "/proc/$TARGET/status" 2>/dev/null)
		[ "$tracer" == "$LTRACE_PID" ] && break
		sleep 0.01
	done
	assert_eq "$LTRACE_PID" "$tracer" "the Python loop's tracer: ltrace"
	# ltrace reads the symbols first (over 1 s under load): wait for its int3s at the
	# same PLT entries, then let the loop run through them.
	local until=$((SECONDS + 30))
	while intact && ((SECONDS < until)); do
		sleep 0.05
	done
	assert_eq 1 "$(intact && echo 0 || echo 1)" "ltrace's breakpoints in the loop"
	sleep 0.3
	kill -INT "$LTRACE_PID"
	wait_pid "$LTRACE_PID"
	# A stray int3 left in the loop would fire within its next iteration (10 ms).
	sleep 0.3
	assert_alive "$TARGET" "the Python loop after ltrace detached"
	assert_ne T "$(awk '$1 == "State:" { print substr($2, 1, 1) }' "/proc/$TARGET/status" \
		2>/dev/null)" "the Python loop is not stopped"
	kill -TERM "$TARGET" 2>/dev/null || true
	wait_pid "$TARGET"
	assert_eq 143 "$WAIT_RC" "the loop ends by our SIGTERM, not SIGTRAP (133)"
}

for i in 1 2 3; do
	case_ "try $i: ltrace -p right after ltrace-ebpf -p on a Python loop leaves it running"
	start_loop
	trace_loop
	wait_pid "$HOLDER"
	stop_tool
	ltrace_then_end
done

# Held 2 s by another process as we close them: before the fix the text right after our
# exit still had our int3s, every time.
for i in 1 2; do
	case_ "try $i: our links held by another process as we close them; ltrace -p right after"
	start_loop
	trace_loop 2
	stop_tool
	ltrace_then_end
	wait_pid "$HOLDER"
	assert_eq 0 "$WAIT_RC" "the holder held our links"
done

# The last guard reads the bytes (detach_sites.c): a site still showing an int3 after our
# links are gone is waited for, then reported. Another session's uprobe on the same site
# of the same process keeps its int3 there for as long as that session runs: the first to
# leave must see it, wait for it (bounded), and say so; the second leaves the text intact.
case_ "two sessions on the same sites: the first to leave reads the other's int3s and says so"
start_loop
bg second -p "$TARGET" -e getcwd -T
SECOND=$BG_PID
wait_attached "$SECOND"
wait_for "$TMP/second.err" "getcwd"
trace_loop
wait_pid "$HOLDER"
kill -INT "$(pgrep -P "$BG_PID" | head -1)"
bg_wait
assert_rc 130 "the first session ended by SIGINT"
assert_match "$(cat "$TMP/ebpf.err")" "probed site\(s\) in pid $TARGET still show a breakpoint" \
	"the first session saw the second's int3s in the program's text"
BG_PID=$SECOND
stop_tool
kill -TERM "$TARGET" 2>/dev/null || true
wait_pid "$TARGET"
assert_eq 143 "$WAIT_RC" "the loop ends by our SIGTERM, not SIGTRAP (133)"

finish
