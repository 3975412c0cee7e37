#!/usr/bin/env bash
# rawtracepoint:NAME / tp_btf:NAME: BTF-typed arguments and field paths resolved against
# the kernel's BTF, checked on sched_switch against /proc for a sleeping fixture; filters
# and aggregation on path values; -p PID; errors naming the bad part of a path.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

NAP="$FIXTURE_DIR/ltnap"

# nap_start SECS: the sleeping fixture in the background; NAP_PID.
nap_start() {
	"$NAP" "$1" >"$TMP/nap.out" 2>&1 &
	NAP_PID=$!
	wait_for "$TMP/nap.out" "^pid $NAP_PID\$"
}

# comm_of TID: the kernel's name for a task ("swapper/N" for the idle task 0). /proc adds
# a workqueue worker's current work ("kworker/0:2-events"), which task->comm has not.
comm_of() {
	{ cat "/proc/$1/comm" 2>/dev/null || cat "/proc/$NAP_PID/task/$1/comm" 2>/dev/null ||
		true; } | sed 's#^\(kworker/[^-]*\)-.*#\1#'
}

case_ "-l shows a tracepoint's BTF signature"
lt -l rawtracepoint:sched_switch
assert_rc 0
assert_eq "rawtracepoint:sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)" \
	"$(cat "$OUT")" "signature with argument names"
lt -l 'rawtracepoint:sched_process_*'
assert_contains "$(cat "$OUT")" "rawtracepoint:sched_process_exec" "glob listing"

case_ "sched_switch: prev/next pid and comm from field paths match /proc"
nap_start 20
cat >"$TMP/switch.lua" <<LUA
local want = tonumber(arg[1])
probe("rawtracepoint:sched_switch", {
  args = { "prev.pid", "prev.comm", "next.pid", "next->comm", "prev_state" },
  fields = { "prev.tgid", state = "prev_state", "next.real_parent.pid" },
  -- the switch where it goes to sleep: on one CPU it can be preempted first (state 0)
  where = { "prev_pid == " .. want, "prev_state != 0" },
}, function(e)
  print("prev_pid=" .. e.args[1])
  print("prev_comm=" .. e.args[2])
  print("next_pid=" .. e.args[3])
  print("next_comm=" .. e.args[4])
  print("prev_tgid=" .. e.prev_tgid)
  print("named=" .. e.prev_pid .. "," .. e.next_comm)
  print("state=" .. (e.state & 0xff))
  print("types=" .. math.type(e.args[1]) .. "," .. type(e.args[2]))
  print("parent=" .. math.type(e.next_real_parent_pid))
  exit()
end)
LUA
lt "$TMP/switch.lua" "$NAP_PID"
assert_rc 0
assert_eq "$NAP_PID" "$(val prev_pid)" "prev.pid (filtered in kernel on it)"
assert_eq "$(cat /proc/$NAP_PID/comm)" "$(val prev_comm)" "prev.comm is the fixture's name"
assert_eq lt-napper "$(val prev_comm)" "prev.comm"
assert_eq "$NAP_PID" "$(val prev_tgid)" "a named field"
NEXT=$(val next_pid)
if [ "$NEXT" == 0 ]; then
	assert_match "$(val next_comm)" '^swapper/[0-9]+$' "next is the idle task"
else
	want=$(comm_of "$NEXT")
	[ -n "$want" ] && assert_eq "$want" "$(val next_comm)" "next->comm matches /proc/$NEXT/comm"
fi
assert_eq "$NAP_PID,$(val next_comm)" "$(val named)" "args paths are fields by their names too"
assert_eq 1 "$(val state)" "prev_state: the fixture sleeps (TASK_INTERRUPTIBLE, maybe | FREEZABLE)"
assert_eq "integer,string" "$(val types)" "integers and char arrays typed from BTF"
assert_eq integer "$(val parent)" "two pointers followed"

case_ "without args: arguments typed from BTF, and by their names"
lt -E "probe('tp_btf:sched_switch', { where = 'prev_state == 1' }, function(e)
  print('preempt=' .. tostring(e.args[1]) .. ',' .. tostring(e.preempt))
  print('prev=' .. (e.args[2] ~= 0 and 'ptr' or 'null'))
  print('prev_state=' .. e.args[4] .. ',' .. e.prev_state)
  print('func=' .. e.func)
  exit()
end)"
assert_rc 0
assert_eq "0,0" "$(val preempt)" "bool preempt (a voluntary switch)"
assert_eq ptr "$(val prev)" "struct task_struct *prev"
assert_eq "1,1" "$(val prev_state)" "filtered on a tracepoint argument by name"
assert_eq sched_switch "$(val func)" "the tracepoint's name"

case_ "in-kernel aggregation keyed by a path value"
lt -E "probe('rawtracepoint:sched_switch', { args = { 'prev.pid' }, agg = 'count',
  by = 'prev_pid', where = 'prev_pid == $NAP_PID', name = 'switches' })
after('300ms', function() exit() end)"
assert_rc 0
assert_match "$(cat "$OUT")" "^@switches\[$NAP_PID\]: [0-9]+$" "count per prev.pid"

case_ "-p PID: only the process's own switches"
cat >"$TMP/pid.lua" <<'LUA'
local n, other = 0, 0
probe("rawtracepoint:sched_switch", { args = { "prev.tgid" } }, function(e)
  n = n + 1
  if e.args[1] ~= target() or e.pid ~= target() then other = other + 1 end
  if n == 5 then
    print("n=" .. n)
    print("other=" .. other)
    exit()
  end
end)
LUA
lt -p "$NAP_PID" "$TMP/pid.lua"
assert_rc 0
assert_eq 5 "$(val n)" "events"
assert_eq 0 "$(val other)" "events of other processes"
kill "$NAP_PID"
wait_pid "$NAP_PID"

case_ "path errors name the bad part"
check_error() {	# OPTIONS MESSAGE
	lt -E "probe('rawtracepoint:sched_switch', $1)"
	assert_rc 1 "status for $1"
	assert_contains "$(cat "$ERR")" "$2" "$1"
	assert_eq 1 "$(wc -l <"$ERR")" "one line for $1"
}
check_error "{ args = { 'prev.pidd' } }" \
	"args[1] 'prev.pidd': 'prev' (struct task_struct) has no member 'pidd'"
check_error "{ args = { [2] = 'prevv.pid' } }" \
	"args[2] 'prevv.pid': sched_switch has no argument 'prevv' (it has preempt, prev, next, prev_state)"
check_error "{ args = { 'prev.pid.x' } }" "'prev.pid' is a pid_t, not a struct or union"
check_error "{ args = { 'prev.comm[16]' } }" "index 16 out of bounds of 'prev.comm'"
check_error "{ fields = { 'prev.sched_reset_on_fork' } }" "bitfield"
check_error "{ fields = { comm = 'prev.comm' } }" "the name 'comm' is taken"
check_error "{ where = 'nosuch == 1' }" "'nosuch' is not an argument or field of raw tracepoint"
check_error "{ fields = { x = 'prev.pid' }, where = 'x == 1' }" "field 'x' has no value slot"
check_error "{ ret = 'int' }" "a raw tracepoint has no return value"
lt -E "probe('rawtracepoint:no_such_tp')"
assert_contains "$(cat "$ERR")" "the kernel has no raw tracepoint 'no_such_tp'" "unknown tracepoint"

finish
