#!/usr/bin/env bash
# A ptrace tool attached right after a session must find the program's own instructions.
# While a uprobe is in place its int3 is what the process's memory shows: ltrace 0.7.3
# saved that int3 as the "original" byte of its own breakpoint, the uprobe was then removed
# by a detach still running after the tool's exit, and ltrace put the int3 back when it
# left: the traced Python died with SIGTRAP (status 133, 3 of 4 tries, issue 11 item 2).
# Every probe is now gone before the tool exits (detach.h).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3.11
LTRACE=/usr/bin/ltrace

for i in 1 2 3 4; do
	case_ "try $i: ltrace -p right after ltrace-ebpf -p on a Python loop leaves it running"
	rm -f "$TMP/ready"
	"$PY" -c 'import os, sys, time
open(sys.argv[1], "w").close()
while True:
    os.getcwd()
    time.sleep(0.01)' "$TMP/ready" &
	TARGET=$!
	wait_file "$TMP/ready"
	bg ebpf -p "$TARGET" -e getcwd+clock_nanosleep -T
	wait_attached "$BG_PID"
	wait_for "$TMP/ebpf.err" "getcwd"	# the probes have fired: their int3s are in place
	kill -INT "$(pgrep -P "$BG_PID" | head -1)"
	bg_wait
	assert_rc 130 "ltrace-ebpf ended by SIGINT (128 + 2, as ltrace)"
	# At once, as a user would: ltrace attaches, puts its breakpoints in, and detaches on
	# SIGINT (restoring what it read as the original bytes).
	"$LTRACE" -p "$TARGET" -o "$TMP/ltrace.out" &
	LTRACE_PID=$!
	for ((t = 0; t < 1000; t++)); do
		tracer=$(awk '$1 == "TracerPid:" { print $2 }' "/proc/$TARGET/status" 2>/dev/null)
		[ "$tracer" == "$LTRACE_PID" ] && break
		sleep 0.01
	done
	assert_eq "$LTRACE_PID" "$tracer" "the Python loop's tracer: ltrace"
	sleep 0.5	# ltrace's breakpoints in place, the loop running through them
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
done

finish
