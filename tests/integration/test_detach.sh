#!/usr/bin/env bash
# The end of a session: the tool switches every probe off, hands its links to a child
# ("lt-detach") that closes them, and exits at once (detach.h). Nothing is left attached
# (finish checks the kernel's links and waits for the child), and a process that goes on
# running while the child detaches is never stopped by a probe of the ended session.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# detach_child_of PID: the pid of PID's lt-detach child, empty when there is none (yet).
detach_child_of() {
	local d
	for d in /proc/[0-9]*; do
		[ "$(cat "$d/comm" 2>/dev/null)" == lt-detach ] || continue
		awk -v p="$1" '$1 == "PPid:" && $2 == p { found = 1 } END { exit !found }' \
			"$d/status" 2>/dev/null && echo "${d#/proc/}"
	done
	return 0
}

case_ "uprobe, uretprobe, call and tracepoint links are all closed after the tool exits"
cat >"$TMP/many.lua" <<LUA
local n = 0
probe("call:$LIB:ltfix_add", function() n = n + 1 end)
probe("uprobe:$LIB:ltfix_greet", function() end)
probe("uretprobe:$LIB:ltfix_greet", function() end)
probe("tracepoint:sched:sched_process_exit", { print = false })
probe("syscall:getpid", { agg = "count", print = false })
on("end", function() print("n=" .. n) end)
LUA
lt "$TMP/many.lua" -- "$RUN" -x 4 -n 20 add 1 2
assert_rc 4 "the target's exit status"
assert_eq 20 "$(val n)" "calls seen before the end"
wait_detached
check_no_links

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
# Calls while the child may still be detaching: they must run through, unheld.
for i in 1 2 3 4 5; do serve_cmd "add 200 1 1"; done
assert_file_contains "$TMP/srv.out" "ok add 200" "the process answers after the tool ended"
assert_ne T "$(awk '$1 == "State:" { print substr($2, 1, 1) }' "/proc/$SERVE_PID/status")" \
	"the process is not stopped"
serve_stop 0
assert_eq 0 "$WAIT_RC" "the process exits normally later"

case_ "LTRACE_EBPF_SYNC_DETACH=1: every link is closed before the tool exits"
cat >"$TMP/sync.lua" <<LUA
probe("call:$LIB:ltfix_add", { agg = "count", print = false })
probe("tracepoint:sched:sched_process_exit", { print = false })
LUA
before=$(link_ids)
LTRACE_EBPF_SYNC_DETACH=1 lt "$TMP/sync.lua" -- "$RUN" -n 3 add 1 2
assert_rc 0
left=$(comm -13 <(echo "$before") <(link_ids) | while read -r id; do
	for h in $(link_holders "$id"); do is_ours "$h" && echo "$id"; done
done)
assert_eq "" "$left" "links of ours right after the exit"
assert_eq "" "$(detach_child_of $$)" "no detaching child"

finish
