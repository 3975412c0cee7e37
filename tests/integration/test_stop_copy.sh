#!/usr/bin/env bash
# A stop signal's copy: timeout(1) passes the signal it gets on to the command and again to
# its process group, so a tool run under it gets it twice. When the copy came once the end
# handlers had started (a tool's last report; seen on one vCPU under qemu), it interrupted
# them. The same signal again from the same process is that copy: the end handler finishes.
# Another process's signal still interrupts it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# The end handler says it started, then runs Lua until the test lets it go: a signal that
# interrupts Lua code lands in that loop.
cat >"$TMP/end.lua" <<LUA
probe("syscall:getppid", { agg = "count", print = false })
on("begin", function() io.stderr:write("ready\n") end)
on("end", function()
	io.stderr:write("end started\n")
	while true do
		local f = io.open("$TMP/go")
		if f then f:close() break end
	end
	print("end done")
end)
LUA

# start SCRIPT RE: runs the tool on SCRIPT in the background (its pid in PID) and waits
# until its stderr has a line matching RE.
start() {
	rm -f "$OUT" "$ERR"	# $ERR of the case before holds RE until the tool opens it
	"$LTRACE_EBPF" "$1" >"$OUT" 2>"$ERR" </dev/null &
	PID=$!
	wait_for "$ERR" "$2" 30
}

# stop KILL [RE]: starts the script, stops it with SIGINT from this shell, then, once its
# end handler runs, sends SIGINT again with the command KILL, waits for RE on stderr (or,
# with none, a moment: a dropped signal shows nothing), lets the handler go and waits.
stop() {
	rm -f "$TMP/go"
	start "$TMP/end.lua" "^ready$"
	local pid=$PID
	kill -INT "$pid"
	wait_for "$ERR" "^end started$" 30
	"$1" -INT "$pid"
	if [ -n "${2:-}" ]; then
		wait_for "$ERR" "$2" 30
	else
		sleep 0.2
	fi
	touch "$TMP/go"
	wait_pid "$pid" 30
	RC=$WAIT_RC
}

case_ "SIGINT again from the same process (timeout's copy): the end handler finishes"
stop kill	# bash's builtin: the same sender as the first
assert_rc 130 "exit status of a SIGINT stop"
assert_file_contains "$OUT" "end done" "the end handler ran to its end"
assert_file_lacks "$ERR" "interrupted" "no interrupted end handler"

case_ "SIGINT from another process still interrupts the end handler"
stop /bin/kill "interrupted"	# a process of its own: another sender
assert_file_lacks "$OUT" "end done" "the end handler was interrupted"

case_ "SIGINT while a begin handler runs: a stop (130), the end handlers run"
cat >"$TMP/begin.lua" <<LUA
probe("syscall:getppid", { agg = "count", print = false })
on("begin", function()
	io.stderr:write("begin started\n")
	while true do end
end)
on("end", function() print("end ran") end)
LUA
start "$TMP/begin.lua" "^begin started$"
kill -INT "$PID"
wait_pid "$PID" 30
assert_eq 130 "$WAIT_RC" "exit status of a SIGINT stop"
assert_file_contains "$OUT" "end ran" "the end handler ran"
assert_file_lacks "$ERR" "error in begin" "no begin handler error"

case_ "SIGINT while a periodic report runs: the report finishes, then the stop (130)"
# A report that took its interval's counts and was cut before printing them lost them
# (syslat's last requests under qemu). The running code gets a grace to finish.
cat >"$TMP/every.lua" <<LUA
probe("syscall:getppid", { agg = "count", print = false })
every(0.1, function()
	io.stderr:write("report started\n")
	while true do
		local f = io.open("$TMP/go2")
		if f then f:close() break end
	end
	print("report done")
end)
on("end", function() print("end ran") end)
LUA
start "$TMP/every.lua" "^report started$"
kill -INT "$PID"
sleep 0.1
: >"$TMP/go2"	# well within the grace (a second)
wait_pid "$PID" 30
assert_eq 130 "$WAIT_RC" "exit status of a SIGINT stop"
assert_file_contains "$OUT" "report done" "the report running when the stop came finished"
assert_file_contains "$OUT" "end ran" "then the end handler ran"
assert_file_lacks "$ERR" "interrupted" "the report was not interrupted"

case_ "SIGINT while a periodic report loops for good: interrupted after the grace, 130"
rm -f "$TMP/go2"
start "$TMP/every.lua" "^report started$"
kill -INT "$PID"
wait_pid "$PID" 30
assert_eq 130 "$WAIT_RC" "exit status of a SIGINT stop"
assert_file_lacks "$OUT" "report done" "the loop never ended on its own"
assert_file_contains "$OUT" "end ran" "the end handler ran"

finish
