#!/usr/bin/env bash
# tracepoint: probes on real processes: syscalls:sys_enter_openat's filename (a user
# pointer read in kernel through fetch) and flags exactly as the fixture passed them, with
# its pid; sched:sched_switch's fields (prev_pid, prev_comm of a fixture that sleeps);
# predicates and aggregation keys on named fields in kernel; globs with __data_loc strings;
# listing; errors that name the tracepoint or field, with nothing left attached.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

KOPEN="$FIXTURE_DIR/lt_kopen"
KREAD="$FIXTURE_DIR/lt_kread"

case_ "sys_enter_openat: filename and flags of each open, the fixture's pid"
touch "$TMP/lt-kopen-exists"
lt -E '
io.stdout:setvbuf("line")  -- the fixture writes to the same file
probe("tracepoint:syscalls:sys_enter_openat", { fetch = { filename = "str" } }, function(e)
  if (e.filename or ""):find("lt%-kopen") then
    printf("ev=%s %d %d %d %d\n", e.filename, e.flags, e.mode, e.dfd, e.pid)
  end
end)' -- "$KOPEN" "$TMP/lt-kopen-exists" /nonexistent/lt-kopen-missing "w:$TMP/lt-kopen-new"
assert_rc 0
pid=$(val fixture_pid)
assert_eq "$TMP/lt-kopen-exists 524288 0 -100 $pid
/nonexistent/lt-kopen-missing 524288 0 -100 $pid
$TMP/lt-kopen-new 524865 384 -100 $pid" "$(grep '^ev=' "$OUT" | cut -d= -f2-)" "openat events"
# The fixture's own view of what it passed.
assert_eq "524288 0 524288 0 524865 384" "$(grep '^open=' "$OUT" | awk '{ print $2, $3 }' |
	tr '\n' ' ' | sed 's/ $//')" "flags and modes the fixture used"

case_ "a predicate on a named field runs in kernel"
cat >"$TMP/where.lua" <<'LUA'
io.stdout:setvbuf("line")
p = probe("tracepoint:syscalls:sys_enter_openat",
          { fetch = { filename = "str" }, where = { "flags == 524865", "mode == 384" } },
          function(e) print("ev=" .. e.filename) end)
on("end", function()
  local s = p:stats()
  print("hits=" .. s.hits)
  print("filtered=" .. s.filtered)
  print("emitted=" .. s.emitted)
end)
LUA
lt "$TMP/where.lua" -- "$KOPEN" "$TMP/lt-kopen-exists" "w:$TMP/lt-kopen-new"
assert_rc 0
assert_eq "$TMP/lt-kopen-new" "$(vals ev)" "only the O_CREAT open reaches Lua"
assert_eq 1 "$(val emitted)" "records sent"
assert_eq "$(val hits)" "$(($(val filtered) + 1))" "every other open filtered in kernel"

case_ "sched_switch: the sleeping fixture's pid and comm, real next pids"
lt -E '
io.stdout:setvbuf("line")  -- the fixture writes to the same file
probe("tracepoint:sched:sched_switch", function(e)
  printf("sw=%d %s %d %s %d\n", e.prev_pid, e.prev_comm, e.next_pid, e.next_comm, e.prev_state)
end)' -- "$KREAD" 5 20
assert_rc 0
pid=$(val fixture_pid)
comm=$(val fixture_comm)
assert_eq lt_kread "$comm" "the fixture's /proc/PID/comm"
mine=$(grep -c "^sw=$pid $comm " "$OUT" || true)
assert_between 5 1000 "$mine" "switches out of the fixture, by pid and comm"
assert_eq "" "$(grep '^sw=' "$OUT" | awk -v p="$pid" '$1 != "sw=" p' | head -3)" \
	"prev_pid is always the traced process"
assert_eq "" "$(grep '^sw=' "$OUT" | awk '$3 !~ /^[0-9]+$/ || $3 == substr($1, 4)' | head -3)" \
	"next_pid is another task's pid"
# prev_state 1: TASK_INTERRUPTIBLE, the five nanosleeps.
assert_between 5 1000 "$(grep -c "^sw=$pid $comm [0-9]* .* 1\$" "$OUT" || true)" "sleeps seen"

case_ "aggregation keyed by a field, in kernel"
cat >"$TMP/agg.lua" <<'LUA'
p = probe("tracepoint:sched:sched_switch", { agg = "count", by = "prev_pid", print = false })
on("end", function()
  for _, e in ipairs(p:read()) do print("k=" .. e.key .. ":" .. e.count) end
  print("events=" .. counters().events)
end)
LUA
lt "$TMP/agg.lua" -- "$KREAD" 5 20
assert_rc 0
pid=$(val fixture_pid)
k=$(vals k)
assert_match "$k" "^$pid:[0-9]+\$" "one key: the fixture's pid"
assert_between 5 1000 "${k#*:}" "its switches"
assert_eq 0 "$(val events)" "no per-event records"

case_ "a glob attaches every match; __data_loc strings decode"
lt -f -E '
io.stdout:setvbuf("line")
p = probe("tracepoint:sched:sched_process_*", function(e)
  if e.func == "sched:sched_process_exec" then printf("exec=%d %s\n", e.pid, e.filename) end
  if e.func == "sched:sched_process_fork" then
    printf("fork=%d %d %s\n", e.parent_pid, e.child_pid, e.child_comm)
  end
end)
on("end", function() print("sites=" .. #p:sites()) end)' -- sh -c "'$KREAD' 1; exit 0"
assert_rc 0
assert_between 4 100 "$(val sites)" "sched_process_* tracepoints attached"
pid=$(val fixture_pid)
assert_eq "$pid $KREAD" "$(grep "^exec=$pid " "$OUT" | cut -d= -f2-)" "exec of the fixture"
assert_eq 1 "$(count_lines "^fork=[0-9]+ $pid sh\$")" "fork that made the fixture"

case_ "listing: -l globs, -l -v shows fields and types"
lt -l 'tracepoint:sched:sched_sw*'
assert_rc 0
assert_contains "$(cat "$OUT")" "tracepoint:sched:sched_switch" "sched_switch listed"
assert_not_contains "$(cat "$OUT")" "sched_wakeup" "only matches"
lt -l -v 'tracepoint:sched:sched_process_exec'
assert_rc 0
assert_eq "tracepoint:sched:sched_process_exec
    __data_loc char[] filename
    pid_t pid
    pid_t old_pid" "$(cat "$OUT")" "fields of sched_process_exec"

case_ "several probes on one tracepoint each see every event"
lt -E 'local ps = {}
for i = 1, 3 do ps[i] = probe("tracepoint:syscalls:sys_enter_openat", { agg = "count", print = false }) end
on("end", function() for i = 1, 3 do print("n" .. i .. "=" .. ps[i]:read()[1].count) end end)' \
	-- "$KOPEN" /nonexistent/a /nonexistent/b
n1=$(val n1)
assert_between 2 1000 "$n1" "first probe's count"
assert_eq "$n1 $n1" "$(val n2) $(val n3)" "the others count the same"
lt -E 'for i = 1, 9 do probe("tracepoint:syscalls:sys_enter_openat", { agg = "count" }) end' -- true
assert_ne 0 "$RC" "exit status past 8 probes"
assert_contains "$(cat "$ERR")" "it already has 8 probes of this session" "message"

case_ "errors name the tracepoint or field, exit non-zero, leave nothing attached"
lt -E 'probe("tracepoint:sched:nope", function() end)' -- true
assert_ne 0 "$RC" "exit status for an unknown tracepoint"
assert_contains "$(cat "$ERR")" "no tracepoint sched:nope" "message"
lt -E 'probe("tracepoint:nocat:*", function() end)' -- true
assert_ne 0 "$RC" "exit status for a glob matching nothing"
assert_contains "$(cat "$ERR")" "no tracepoint matches nocat:*" "message"
lt -E 'probe("tracepoint:sched:sched_switch", { where = "nofield == 1" }, function() end)' -- true
assert_ne 0 "$RC" "exit status for an unknown field in where"
assert_contains "$(cat "$ERR")" "no field 'nofield' in tracepoint sched:sched_switch" "message"
lt -E 'probe("tracepoint:sched:sched_switch", { where = "prev_comm == 1" }, function() end)' \
	-- true
assert_ne 0 "$RC" "exit status for a string field in where"
assert_contains "$(cat "$ERR")" "field 'prev_comm' of sched:sched_switch is 'char prev_comm[16]'" \
	"message"
lt -E 'probe("tracepoint:sched:sched_switch", { fetch = { nofield = "str" } }, print)' -- true
assert_ne 0 "$RC" "exit status for an unknown field in fetch"
assert_contains "$(cat "$ERR")" "no field 'nofield'" "message"

finish
