#!/usr/bin/env bash
# The end of a session: the tool switches every probe off, closes every link, and only then
# exits (detach.h). Right after the exit nothing of ours is attached: no link, no child
# still detaching, and a process that goes on running is never stopped by a probe of the
# ended session.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# links_of_ours_since BEFORE: the links created since BEFORE (link_ids) still held by a
# process of this test, right now (no waiting).
links_of_ours_since() {
	comm -13 <(echo "$1") <(link_ids) | while read -r id; do
		for h in $(link_holders "$id"); do is_ours "$h" && echo "$id"; done
	done
}

# processes_of_ours: the pids of this test's processes still running (a zombie has closed
# everything: not counted).
processes_of_ours() {
	local d
	for d in /proc/[0-9]*; do
		[ "${d#/proc/}" != $$ ] && [ "$(awk '{ print $3 }' "$d/stat" 2>/dev/null)" != Z ] &&
			is_ours "${d#/proc/}" && echo "${d#/proc/}"
	done
	return 0
}

case_ "uprobe, uretprobe, call, tracepoint and syscall links are all closed before the tool exits"
cat >"$TMP/many.lua" <<LUA
local n = 0
probe("call:$LIB:ltfix_add", function() n = n + 1 end)
probe("uprobe:$LIB:ltfix_greet", function() end)
probe("uretprobe:$LIB:ltfix_greet", function() end)
probe("tracepoint:sched:sched_process_exit", { print = false })
probe("syscall:getpid", { agg = "count", print = false })
on("end", function() print("n=" .. n) end)
LUA
before=$(link_ids)
lt "$TMP/many.lua" -- "$RUN" -x 4 -n 20 add 1 2
assert_rc 4 "the target's exit status"
assert_eq 20 "$(val n)" "calls seen before the end"
assert_eq "" "$(links_of_ours_since "$before")" "links of ours right after the exit"
assert_eq "" "$(processes_of_ours)" "processes of ours right after the exit"

case_ "-p PID: a held probe of the ended session does not stop the process afterwards"
cat >"$TMP/hold.lua" <<LUA
probe("call:$LIB:ltfix_add", { hold = true, lossless = true }, function(c) end)
on("begin", function() io.open(arg[1] .. "/ready", "w"):close() end)
LUA
serve_start srv
"$LTRACE_EBPF" -p "$SERVE_PID" "$TMP/hold.lua" "$TMP" >"$OUT" 2>"$ERR" &
TOOL=$!
LAST_CMD="ltrace-ebpf -p $SERVE_PID hold.lua"
wait_file "$TMP/ready"
serve_cmd "add 3 1 1"
kill -INT "$TOOL"
wait_pid "$TOOL"
# Calls right after the exit: they run through, unheld.
for i in 1 2 3 4 5; do serve_cmd "add 200 1 1"; done
assert_file_contains "$TMP/srv.out" "ok add 200" "the process answers after the tool ended"
assert_ne T "$(awk '$1 == "State:" { print substr($2, 1, 1) }' "/proc/$SERVE_PID/status")" \
	"the process is not stopped"
serve_stop 0
assert_eq 0 "$WAIT_RC" "the process exits normally later"

case_ "-c: both halves of the paired call probe are uprobe_multi links, none per site"
# A classic (perf-event) uprobe link is one site whose release waits for a grace period
# under the kernel's global event_mutex: a -c session on git once left ~25 s of them.
tool_serve srv -c -o "$TMP/c.out"
serve_cmd "add 3 1 1"
types=$(for fd in /proc/"$TOOL_PID"/fdinfo/*; do
	awk '$1 == "link_type:" { print $2 }' "$fd" 2>/dev/null
done | sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' ' | sed 's/ $//')
assert_eq "uprobe_multi=1 uretprobe_multi=1" "$types" "the links the -c session holds"
serve_cmd "quit"
tool_wait
assert_rc 0
assert_file_contains "$TMP/c.out" "calls" "the -c table"

finish
