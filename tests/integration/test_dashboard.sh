#!/usr/bin/env bash
# --dashboard driven in a detached tmux session (docs/dashboard.md): keys sent with
# send-keys, the screen read with capture-pane. A fixture's calls in the histogram panel
# with their exact count; the pid filter key keeps every thread of the process (calls made
# on 4 threads at once) and stops a second process's events in the kernel (the probe's
# hits, read by the script at its end, and its by-pid and by-tid aggregates); the terminal
# is restored (alternate screen left, cursor shown, stty settings as before) after Ctrl-C,
# after the target exits, after a callback's Lua error and after SIGTERM; text frames
# when stdout is not a terminal.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || { echo "$TEST_NAME: tmux not installed (build.sh installs it)" >&2; exit 1; }
TM=(tmux -L "lt-dash-$$" -f /dev/null)

# dash_start ARGS...: the tool with --dashboard in a 160x50 tmux pane; the pane's shell
# keeps the terminal's settings before and after, and the tool's exit status ($TMP/exit
# appears last: once it exists, stty.after is written).
dash_start() {
	local q
	rm -f "$TMP/exit" "$TMP/stty.before" "$TMP/stty.after"
	q=$(printf ' %q' "$LTRACE_EBPF" --dashboard "$@")
	"${TM[@]}" kill-server 2>/dev/null || true
	"${TM[@]}" new-session -d -s dash -x 160 -y 50 \
		"stty -g >$TMP/stty.before; $q 2>$TMP/dash.err; echo \$? >$TMP/exit.tmp; stty -g >$TMP/stty.after; mv $TMP/exit.tmp $TMP/exit; exec sleep 600"
}
screen() { "${TM[@]}" capture-pane -p -t dash 2>/dev/null || true; }
pane() { "${TM[@]}" display -p -t dash "$1"; }
# wait_screen ERE: polls the pane until a line matches (20 s at most).
wait_screen() {
	local i
	for ((i = 0; i < 400; i++)); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.05
	done
	fail "the screen never showed /$1/"
	screen | sed 's/^/    | /'
	return 1
}
# assert_restored WHAT: the tool ended and left the terminal as it found it.
assert_restored() {
	wait_file "$TMP/exit" || return 0
	assert_eq 0 "$(pane '#{alternate_on}')" "$1: the alternate screen was left"
	assert_eq 1 "$(pane '#{cursor_flag}')" "$1: the cursor is shown again"
	assert_eq "$(cat "$TMP/stty.before")" "$(cat "$TMP/stty.after")" "$1: stty settings as before"
}
dash_stop() { "${TM[@]}" kill-server 2>/dev/null || true; }

# A second ltfix_serve on fd 8 (serve_start's is on fd 7); ARGS: a command to run it under.
serve2_start() {
	rm -f "$TMP/b.in" "$TMP/b.out"
	mkfifo "$TMP/b.in"
	"$@" "$SERVE" <"$TMP/b.in" >"$TMP/b.out" 2>&1 &
	SERVE2_PID=$!
	exec 8>"$TMP/b.in"
	SERVE2_ACKS=0
	wait_for "$TMP/b.out" "^pid $SERVE2_PID\$"
}
serve2_cmd() {
	echo "$*" >&8
	SERVE2_ACKS=$((SERVE2_ACKS + 1))
	for ((i = 0; i < 2000; i++)); do
		[ "$(grep -cE '^(ok|error)' "$TMP/b.out")" -ge "$SERVE2_ACKS" ] && return 0
		sleep 0.01
	done
	fail "second server: no answer to '$*'"
}
serve2_stop() { echo "exit 0" >&8; exec 8>&-; wait_pid "$SERVE2_PID"; }

# The script: a histogram of arg1, a count by pid, a streaming probe; at its end, the
# kernel's counters of the histogram probe and the by-pid counts go to a file.
cat >"$TMP/dash.lua" <<LUA
local dash = require("dashboard")
local h = probe("$LIB:ltfix_add", { agg = "hist", of = "arg1", name = "add_arg1" })
local t = probe("$LIB:ltfix_add", { agg = "count", by = "pid", name = "add_by_pid" })
local th = probe("$LIB:ltfix_add", { agg = "count", by = "tid", name = "add_by_tid" })
probe("$LIB:ltfix_add", function(e) if e.args[1] == 99 then error("boom in a callback") end end)
dash.hist(h, { title = "add arg1" })
dash.top(t, { title = "calls by pid" })
dash.counters() dash.drops() dash.log()
on("end", function()
	local f = assert(io.open("$TMP/kernel.txt", "w"))
	f:write("hits=", h:stats().hits, "\n")
	for _, e in ipairs(t:read()) do f:write("pid_", e.key, "=", e.count, "\n") end
	for _, e in ipairs(th:read()) do f:write("tid_", e.key, "=", e.count, "\n") end
	f:close()
end)
LUA

case_ "histogram panel: the exact count; the pid filter key (all threads of the process), checked in the kernel; Ctrl-C"
serve_start a
serve2_start
dash_start "$TMP/dash.lua"
wait_screen "calls by pid" || true
assert_eq 1 "$(pane '#{alternate_on}')" "the dashboard is on the alternate screen"
serve_cmd "add 200 5 1"
serve2_cmd "add 30 5 1"
# 230 calls with arg1 = 5: one bucket, [4, 8)
wait_screen "add arg1 +\(histogram, count 230\)" || true
assert_match "$(screen)" "\[ +4, +8\) +230 \|#+\|" "the [4, 8) bucket holds the 230 calls"
assert_match "$(screen)" " $SERVE2_PID +30 " "the top table: the second server's 30 calls"
"${TM[@]}" send-keys -t dash p
wait_screen "^pid, every thread of the process \(empty: any\): _" || true
"${TM[@]}" send-keys -t dash "$SERVE_PID" Enter
# The header shows the filter once the key handler wrote it to the probes' config entries.
wait_screen "filters: pid=$SERVE_PID" || true
# 40 calls on 4 threads of the filtered process, none on its main thread: a thread filter
# would stop them all
serve_cmd "threads 4 add 10 5 1"
serve2_cmd "add 50 5 1"
wait_screen "add arg1 +\(histogram, count 270\)" || true
assert_match "$(screen)" " $SERVE2_PID +30 " "the second server's count stays at 30 on screen"
"${TM[@]}" send-keys -t dash C-c
assert_restored "Ctrl-C"
assert_eq 130 "$(cat "$TMP/exit" 2>/dev/null)" "exit status after Ctrl-C"
# The kernel's counters: the filtered process's 50 calls never reached the probe.
assert_file_contains "$TMP/kernel.txt" "hits=270"
assert_file_contains "$TMP/kernel.txt" "pid_$SERVE_PID=240"
assert_file_contains "$TMP/kernel.txt" "pid_$SERVE2_PID=30"
# the 40 calls came from 4 threads, not the process's main one: 10 each
threads=$(grep '^tid_' "$TMP/kernel.txt" | grep -v -e "^tid_$SERVE_PID=" -e "^tid_$SERVE2_PID=" || true)
assert_eq 4 "$(echo "$threads" | grep -c '=10$')" "threads of the filtered process with 10 calls each"
assert_file_contains "$TMP/kernel.txt" "tid_$SERVE_PID=200"
assert_eq "" "$(cat "$TMP/dash.err")" "stderr"
dash_stop
serve_stop
serve2_stop

case_ "clearing the filter (x) lets the second process in again; a bad value is refused"
serve_start a
serve2_start
dash_start "$TMP/dash.lua"
wait_screen "calls by pid" || true
"${TM[@]}" send-keys -t dash p
wait_screen "^pid, every thread of the process \(empty: any\): _" || true
"${TM[@]}" send-keys -t dash "12x" Enter
wait_screen "'12x' is not a pid" || true
"${TM[@]}" send-keys -t dash p "$SERVE_PID" Enter
wait_screen "filters: pid=$SERVE_PID" || true
serve2_cmd "add 7 5 1"
"${TM[@]}" send-keys -t dash x
wait_screen "filters: none" || true
serve2_cmd "add 9 5 1"
wait_screen "add arg1 +\(histogram, count 9\)" || true
"${TM[@]}" send-keys -t dash q
assert_restored "q"
assert_eq 0 "$(cat "$TMP/exit" 2>/dev/null)" "exit status after q"
assert_file_contains "$TMP/kernel.txt" "hits=9"
dash_stop
serve_stop
serve2_stop

case_ "comm, sampling and on/off keys, checked in the kernel's counters; a resize redraws"
cat >"$TMP/keys.lua" <<LUA
local h = probe("$LIB:ltfix_add", { agg = "hist", of = "arg1", name = "add_arg1" })
local c = probe("$LIB:ltfix_add", { agg = "count", name = "add_count" })
on("end", function()
	local f = assert(io.open("$TMP/kernel.txt", "w"))
	for name, p in pairs({ h = h, c = c }) do
		local st = p:stats()
		f:write(name, "_hits=", st.hits, " ", name, "_filtered=", st.filtered, "\n")
	end
	f:close()
end)
LUA
# Pinned to one CPU: 1-in-N sampling counts per CPU, so the kept share is exact.
serve2_start taskset -c 0
dash_start "$TMP/keys.lua"	# no layout: the default view
wait_screen "add_arg1 +\(histogram, count 0\)" || true
assert_match "$(screen)" "x clear filters" "the keys line whole at 160 columns"
"${TM[@]}" send-keys -t dash c nosuchcomm Enter
wait_screen "filters: comm=nosuchcomm" || true
serve2_cmd "add 10 5 1"	# no such comm: not admitted, not even a hit
"${TM[@]}" send-keys -t dash x n 5 Enter
wait_screen "filters: sample=1/5" || true
serve2_cmd "add 50 5 1"	# 50 hits, 1 in 5 kept: 10, 40 filtered
wait_screen "add_arg1 +\(histogram, count 10\)" || true
"${TM[@]}" send-keys -t dash x e
wait_screen "filters: off:#0" || true
serve2_cmd "add 7 5 1"	# probe #0 off: only add_count counts them
wait_screen " #1 +add_count +on +57 " || true
"${TM[@]}" resize-window -t dash -x 90 -y 20
wait_screen "^q quit .{70,}" || true
assert_eq 0 "$(screen | awk 'length > 90 { n++ } END { print n + 0 }')" "no line wider than the new 90 columns"
assert_not_contains "$(screen)" "x clear filters" "the keys line cut at the new width"
assert_match "$(screen | head -n 1)" "^ltrace-ebpf dashboard" "the header on top after the resize"
"${TM[@]}" send-keys -t dash q
assert_restored "q after a resize"
assert_file_contains "$TMP/kernel.txt" "h_hits=50 h_filtered=40"
assert_file_contains "$TMP/kernel.txt" "c_hits=57 c_filtered=40"
dash_stop
serve2_stop

case_ "held threads: the session panel counts the holds"
cat >"$TMP/hold.lua" <<LUA
probe("$LIB:ltfix_add", { hold = true }, function(e) end)
LUA
serve_start a
dash_start "$TMP/hold.lua"
wait_screen "held threads 0 for" || true
serve_cmd "add 3 5 1"
wait_screen "held threads 3 for [0-9.]+ ms" || true
"${TM[@]}" send-keys -t dash q
assert_restored "q with holds"
dash_stop
serve_stop

case_ "a Lua error in a callback ends the view and restores the terminal; the message follows"
serve_start a
dash_start "$TMP/dash.lua"
wait_screen "calls by pid" || true
serve_cmd "add 1 99 1"
assert_restored "Lua error"
assert_eq 1 "$(cat "$TMP/exit" 2>/dev/null)" "exit status after the callback's error"
assert_file_contains "$TMP/dash.err" "boom in a callback"
dash_stop
serve_stop

case_ "what the script prints while the view is up waits, bounded: past 16 MiB dropped and said"
cat >"$TMP/loud.lua" <<LUA
local line = string.rep("x", 100000)
probe("$LIB:ltfix_add", function(e) print(e.args[2] == 2 and "last words" or line) end)
LUA
serve_start a
dash_start "$TMP/loud.lua"
wait_screen "events  \(newest first" || true
serve_cmd "add 200 5 1"	# 200 lines of 100 kB: 20 MB
wait_screen "output written while the view is up: [0-9]+ bytes dropped" || true
serve_cmd "add 1 5 2"
wait_screen "events 201 " || true
"${TM[@]}" send-keys -t dash q
assert_restored "q after much output"
assert_match "$(cat "$TMP/dash.err")" "ltrace-ebpf: --dashboard: [0-9]+ bytes written to stdout while the view was up were dropped \(over 16 MiB kept\)" "the drop said on stderr"
assert_match "$(screen)" "last words" "what was printed after the drop is written out at the end"
dash_stop
serve_stop

case_ "the target's exit ends the view and restores the terminal"
mkfifo "$TMP/go"
dash_start "$TMP/dash.lua" -- "$RUN" -w "$TMP/go" -n 120 add 5 1
wait_screen "calls by pid" || true
timeout 20 sh -c "echo go >$TMP/go" || fail "the target never read its fifo"
assert_restored "target exit"
assert_eq 0 "$(cat "$TMP/exit" 2>/dev/null)" "exit status: the target's"
assert_file_contains "$TMP/kernel.txt" "hits=120"
dash_stop

case_ "SIGTERM ends the view and restores the terminal"
serve_start a
dash_start "$TMP/dash.lua"
wait_screen "calls by pid" || true
tool=$(pgrep -P "$(pane '#{pane_pid}')" -x ltrace-ebpf || true)
assert_ne "" "$tool" "the tool's pid"
[ -n "$tool" ] && kill -TERM "$tool"
assert_restored "SIGTERM"
assert_eq 143 "$(cat "$TMP/exit" 2>/dev/null)" "exit status after SIGTERM"
dash_stop
serve_stop

case_ "stdout not a terminal: text frames, the last with the exact count"
lt --dashboard "$TMP/dash.lua" -- "$RUN" -n 77 add 5 1
assert_rc 0
assert_match "$(grep 'histogram, count' "$OUT" | tail -n 1)" "add arg1 +\(histogram, count 77\)" "the last frame's histogram"
assert_match "$(grep -E '^ +\[ +4, +8\)' "$OUT" | tail -n 1)" "\[ +4, +8\) +77 " "its bucket"
assert_not_contains "$(cat "$OUT")" "newest first" "no event log panel in text"

case_ "the shipped dashboard (scripts/dashboard.lua) asks for the view itself"
lt "$SRC_DIR/scripts/dashboard.lua" -- "$RUN" -n 10 add 5 1
assert_rc 0
assert_match "$(grep -E '^.?syscalls  \(top' "$OUT" | tail -n 1)" "\(top 8 by count, [1-9][0-9]* keys\)" \
	"the last frame's syscalls table has the target's syscalls"
assert_match "$(grep 'syscall latency  (histogram' "$OUT" | tail -n 1)" "count [1-9]" \
	"the latency histogram counted them"

case_ "bad layouts: one line, non-zero exit"
lt -E 'require("dashboard").hist(42)'
assert_rc 1
assert_contains "$(cat "$ERR")" "dashboard.hist: expects a probe" "not a probe"
lt --dashboard -E "local p = probe('$LIB:ltfix_add', { agg = 'count' }) require('dashboard').hist(p)"
assert_rc 1
assert_contains "$(cat "$ERR")" "aggregates 'count', not 'hist'" "not a histogram"
lt --dashboard -l 'libc:str*'
assert_rc 2
assert_contains "$(cat "$ERR")" "--dashboard shows a tracing session" "not a session"

finish
