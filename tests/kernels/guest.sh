#!/usr/bin/env bash
# guest.sh WORK: inside the guest's chroot (the host's root over 9p), runs the integration
# tests named in WORK/config against the host's build, with the environment ctest gives them
# (tests/CMakeLists.txt), each under its own deadline. Per test it leaves WORK/results/
# TEST.rc (exit status, 124 on timeout), TEST.secs and TEST.log; WORK/started and WORK/done
# mark the run's start and its end, so that the host tells a broken run from failed tests.
set -uo pipefail
work=$1
# shellcheck source=/dev/null
. "$work/config"	# TESTS, TEST_TIMEOUT, LT_TIMEOUT_SCALE, LTRACE_EBPF, LTRACE_EBPF_ASAN, FIXTURE_DIR, SRC_DIR
export LTRACE_EBPF LTRACE_EBPF_ASAN FIXTURE_DIR SRC_DIR LT_TIMEOUT_SCALE
export PATH="$SRC_DIR/tests/kernels/bin:$PATH"

echo "$(date +%s.%N) $(uname -r) $(cut -d' ' -f1 /proc/uptime)" >"$work/started"
mkdir -p "$work/results"
for t in $TESTS; do
	script=$SRC_DIR/tests/integration/$t.sh
	echo "guest: $t"
	t0=$(date +%s.%N)
	# ctest runs a test in the build's tests/ directory, writable; here the build is on the
	# read-only host share, so a file a tool writes where it stands (profile.svg) goes to a
	# fresh directory in the guest's /tmp instead.
	cwd=$(mktemp -d "/tmp/cwd-$t.XXXXXX")
	# -k: a test's own cleanup (finish, traps) gets a minute before it is killed.
	(cd "$cwd" && /usr/bin/timeout -k 60 "$TEST_TIMEOUT" bash "$script") >"$work/results/$t.log" 2>&1 </dev/null
	echo $? >"$work/results/$t.rc"
	echo "$(date +%s.%N) $t0" | awk '{ printf "%.0f\n", $1 - $2 }' >"$work/results/$t.secs"
	echo "guest: $t exit $(cat "$work/results/$t.rc") in $(cat "$work/results/$t.secs") s"
done
sync
date +%s.%N >"$work/done"
