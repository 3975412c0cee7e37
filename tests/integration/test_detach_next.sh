#!/usr/bin/env bash
# Another tracer started right after a session is not delayed by it (issue 11 item 8).
# `ltrace-ebpf -c git --version` puts a paired call probe on git's 242 PLT stubs. Its
# return half once went on one classic perf-event uprobe per site (a prefetched return
# program was thrown away), whose releases each wait for an RCU-tasks-trace grace period
# under the kernel's global event_mutex: ~25 s of detaching in a child after the tool
# exited, during which every tracepoint attach or tracefs read on the machine waited.
# Now both halves are uprobe_multi links (one grace period each, no global lock) and
# they are closed before the tool exits.
# The second tracer attaches a tracepoint (event_mutex) and a uprobe, then exits; its
# whole run right after a session is compared with the same run alone (the best of three
# each, interleaved: other tools on the machine only ever add time), with a 100 ms
# allowance.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

GIT=/usr/bin/git
SECOND="probe('tracepoint:syscalls:sys_enter_openat', { print = false })
probe('libc:getpid', { print = false })
on('begin', function() exit(0) end)"

# second_run: the second tracer's whole run (start, attach, detach, exit) in ms, in MS.
second_run() {
	local t0 t1
	t0=$(date +%s%N)
	lt -t 120 -E "$SECOND"
	t1=$(date +%s%N)
	assert_rc 0 "the second tracer"
	MS=$(((t1 - t0) / 1000000))
}

# best_of MS...: the smallest.
best_of() {
	printf '%s\n' "$@" | sort -n | head -1
}

# Interleaved (alone, then right after a session, three times) so both see the same load.
base=()
after=()
for i in 1 2 3; do
	case_ "round $i: the second tracer alone (baseline)"
	second_run
	base+=("$MS")
	case_ "round $i: the second tracer right after a 242-site -c session on git"
	lt -c -o "$TMP/c.out" "$GIT" --version
	assert_rc 0 "ltrace-ebpf -c git --version"
	assert_contains "$(cat "$OUT")" "git version" "git ran"
	assert_file_contains "$TMP/c.out" "calls" "the -c table"
	second_run
	after+=("$MS")
done
case_ "the second tracer right after a session: within 100 ms of its run alone"
echo "    baseline ${base[*]} ms; right after a session ${after[*]} ms"
b=$(best_of "${base[@]}")
a=$(best_of "${after[@]}")
assert_between 0 $((b + 100)) "$a" "the second tracer's best run after a session (ms)"

finish
