#!/usr/bin/env bash
# The shipped stack tools under a timeout against workloads that make them print:
# profile (-c CMD, -p PID with -d), offcputime (-m, -M), stackcount (kernel counts and --dwarf),
# their usage lines and option errors.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

HOT="$FIXTURE_DIR/stk_hot"

# Off-CPU waits whose end no sched_switch showed, from the drops line on stderr (0 if none):
# their time is missing from the stacks (see test_profile_offcpu).
lost_waits() {
	local n
	n=$(sed -n 's/.*offcpu_lost=\([0-9]*\).*/\1/p' "$ERR")
	echo "${n:-0}"
}

case_ "profile -c CMD -f"
lt "$SRC_DIR/scripts/profile.lua" -F 499 -f -c "$HOT 500"
assert_rc 0
assert_match "$(cat "$OUT")" "stk_hot;[^ ]*hot_three [0-9]+" "hot_three stack"

case_ "profile -p PID -d SECS"
"$HOT" 3000 &
hot_pid=$!
lt "$SRC_DIR/scripts/profile.lua" -F 499 -f -p "$hot_pid" -d 0.5
assert_rc 0
assert_match "$(cat "$OUT")" "stk_hot;[^ ]*hot_(three|one) [0-9]+" "hot stacks of the running pid"
assert_alive "$hot_pid" "the profiled process keeps running"
kill "$hot_pid"
wait "$hot_pid" 2>/dev/null || true

case_ "profile --dwarf names main below the hot functions"
lt "$SRC_DIR/scripts/profile.lua" -F 499 -f --dwarf -- "$HOT" 500
assert_rc 0
assert_match "$(cat "$OUT")" "stk_hot;_start;.*;main;hot_three [0-9]+" "DWARF-unwound folded stack"

case_ "offcputime: the sleep, in microseconds, folded"
lt "$SRC_DIR/scripts/offcputime.lua" -f -- sleep 0.25
assert_rc 0
line=$(grep -m1 nanosleep "$OUT" || true)
if [ "$(lost_waits)" = 0 ]; then
	assert_match "$line" "^sleep;.*do_nanosleep_\\[k\\];.*schedule_\\[k\\] [0-9]+$" "blocked stack"
	# on a loaded machine the wake-up comes late
	assert_between 240000 1000000 "${line##* }" "microseconds asleep"
else
	assert_eq 1 "$(lost_waits)" "the one sleep, counted lost"
fi

case_ "offcputime -M: a fixture's two blocking chains, the long one over the maximum"
lt "$SRC_DIR/scripts/offcputime.lua" -f -- "$FIXTURE_DIR/stk_block" 100 3 2 20
assert_rc 0
line=$(grep -m1 ";main;blk_a;blk_b;blk_sleep;.*do_nanosleep_" "$OUT" || true)
assert_match "$line" "^stk_block;.*;main;blk_a;blk_b;blk_sleep;.*schedule_\\[k\\] [0-9]+$" "main -> a -> b"
# the sleeps' own path (a preemption on the way back to user space is another line); a wait
# lost takes its 100 ms along; on a loaded machine each wake-up comes late
assert_between $((300000 - 100000 * $(lost_waits))) 1000000 \
	"$(awk '/;main;blk_a;blk_b;blk_sleep;.*do_nanosleep_/ { n += $NF } END { print n }' "$OUT")" \
	"microseconds in 3 x 100 ms sleeps"
lt "$SRC_DIR/scripts/offcputime.lua" -f -M 90000 -- "$FIXTURE_DIR/stk_block" 100 3 2 20
assert_rc 0
assert_eq 0 "$(count_lines ";blk_b;")" "100 ms waits over -M 90000"
assert_eq 1 "$(count_lines ";main;blk_a;blk_c;blk_sleep;")" "2 ms waits kept"

case_ "offcputime: top stacks as text"
# the top 5: on a loaded machine the exec's migration (sched_exec) can wait longer than the sleep
lt "$SRC_DIR/scripts/offcputime.lua" -n 5 -- sleep 0.2
assert_rc 0
if [ "$(lost_waits)" = 0 ]; then
	assert_contains "$(cat "$OUT")" "do_nanosleep+" "kernel frame"
else
	assert_eq 1 "$(lost_waits)" "the one sleep, counted lost"
fi
assert_match "$(cat "$OUT")" "sleep \\([0-9]+\\)" "comm (pid)"

case_ "stackcount: stacks reaching a function, counted in kernel"
lt "$SRC_DIR/scripts/stackcount.lua" -n 5 "$FIXTURE_DIR/stk_fp:stk_leaf" -- \
	"$FIXTURE_DIR/stk_fp" leaf 40
assert_rc 0
assert_eq 40 "$(awk '/^            [0-9]+$/ { n += $1 } END { print n }' "$OUT")" "calls counted"
assert_contains "$(cat "$OUT")" "        stk_c+" "a caller frame"

case_ "stackcount --dwarf -f through libc"
lt "$SRC_DIR/scripts/stackcount.lua" --dwarf -f "$FIXTURE_DIR/stk_nofp:stk_cmp" -- \
	"$FIXTURE_DIR/stk_nofp" qsort
assert_rc 0
assert_match "$(cat "$OUT")" ";main;stk_a;stk_b;stk_c;qsort_r;[^ ]*stk_cmp [0-9]+" "folded through libc"

case_ "usage and errors"
for t in profile offcputime stackcount memleak; do
	lt "$SRC_DIR/scripts/$t.lua" -h
	assert_rc 0
	assert_contains "$(cat "$OUT")" "usage: ltrace-ebpf scripts/$t.lua" "$t usage line"
done
lt "$SRC_DIR/scripts/profile.lua" -F
assert_rc 1
assert_contains "$(cat "$ERR")" "-F needs HZ" "missing value"
lt "$SRC_DIR/scripts/profile.lua"
assert_rc 1
assert_contains "$(cat "$ERR")" "name a target" "no target"

finish
