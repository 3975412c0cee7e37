#!/usr/bin/env bash
# Output never holds the tool hostage (issue 11, item 5), and a spawned command inherits
# what it would untraced (ignored signals, the signal mask).
#
# - A reader that stops reading (`| sleep 600`): SIGTERM / SIGINT still end the session
#   within the grace period (src/base/output_guard.c), with 128+signal, and the traced program
#   is not left stopped by the lossless holds the stalled output caused.
# - The same with ltrace's -o naming a FIFO nobody reads.
# - A reader that went away (`| head -3`): the session ends with 141 (SIGPIPE, as ltrace)
#   and the traced program runs on.
# - nohup / background scripts: a spawned target ignores what the tool inherited ignored.
source "$(dirname "$0")/lib.sh"

MANY="$FIXTURE_DIR/ltfx_many"

state_of() {	# PID -> one-letter state, empty when gone
	awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || true
}

# Waits until the traced program is held (stopped by a lossless hold: the output is
# stalled and the ring half full); echoes its pid.
wait_stalled() {	# TOOL_PID [SECS]
	local tool=$1 secs=${2:-60} i child
	for ((i = 0; i < secs * 20; i++)); do
		child=$(pgrep -P "$tool" -x ltfx_many || true)
		# T: a SIGSTOP hold; t: the guardian's ptrace stop
		if [ -n "$child" ] && [[ "$(state_of "$child")" == [Tt] ]]; then
			echo "$child"
			return 0
		fi
		sleep 0.05
	done
	echo "${child:-}"
	return 1
}

# A stalled reader: a FIFO opened by a process that never reads it.
stalled_fifo() {	# NAME: makes $TMP/NAME; the reader's pid in $READER
	mkfifo "$TMP/$1"
	sleep 600 <"$TMP/$1" &
	READER=$!
}

stop_on_stalled_output() {	# SIGNAL EXPECTED_RC [-o]
	local sig=$1 want=$2 how=${3:-stderr} tool child rc=0 t0 t1
	stalled_fifo "fifo.$sig.$how"
	local f="$TMP/fifo.$sig.$how"
	if [ "$how" == "-o" ]; then
		"$LTRACE_EBPF" -o "$f" "$MANY" 1000000000 2>"$TMP/err.$sig" &
	else
		"$LTRACE_EBPF" "$MANY" 1000000000 2>"$f" &
	fi
	tool=$!
	if ! child=$(wait_stalled "$tool"); then
		fail "the traced program was never held behind the stalled output"
	fi
	t0=$(date +%s%N)
	kill "-$sig" "$tool"
	wait_gone "$tool" 15
	kill -KILL "$tool" 2>/dev/null || true	# (still there: failed above; do not hang)
	wait "$tool" || rc=$?
	t1=$(date +%s%N)
	assert_eq "$want" "$rc" "exit status after SIG$sig with the output stalled"
	echo "SIG$sig ($how): session ended $(((t1 - t0) / 1000000)) ms after the signal"
	# The command got the signal too (ltrace forwards it); it must not stay stopped.
	if [ -n "$child" ]; then
		wait_gone "$child" 10
		assert_no_match "$(state_of "$child")" "^[Tt]$" "the traced program is not left stopped"
		kill -KILL "$child" 2>/dev/null || true
	fi
	kill "$READER" 2>/dev/null || true
	wait "$READER" 2>/dev/null || true
}

case_ "SIGTERM ends the session while stderr's reader is stalled"
stop_on_stalled_output TERM 143

case_ "SIGINT ends the session while stderr's reader is stalled"
stop_on_stalled_output INT 130

case_ "SIGTERM ends the session while -o names a stalled FIFO"
stop_on_stalled_output TERM 143 -o

case_ "a closed output (| head -3) ends an attached session with 141; the process runs on"
"$MANY" 1000000000 &
P=$!
for ((i = 0; i < 500; i++)); do	# until it runs the program (exec done)
	[ "$(readlink "/proc/$P/exe" 2>/dev/null)" == "$(readlink -f "$MANY")" ] && break
	sleep 0.01
done
set +e
timeout 60 "$LTRACE_EBPF" -s 40 -p "$P" 2>&1 | head -3 >"$TMP/head.out"
st=("${PIPESTATUS[@]}")
set -e
assert_eq 141 "${st[0]}" "the tool's status once head went away (124: it kept tracing)"
assert_eq 3 "$(wc -l <"$TMP/head.out")" "head got its three lines: $(head -c 300 "$TMP/head.out")"
assert_alive "$P" "the attached process"
sleep 0.2
assert_no_match "$(state_of "$P")" "^[Tt]$" "the attached process is not left stopped"
kill "$P"
wait "$P" 2>/dev/null || true

case_ "a closed output ends a spawned session with 141; the command is not sent SIGPIPE"
set +e
timeout 60 "$LTRACE_EBPF" "$MANY" 1000000000 2>&1 | head -3 >/dev/null
st=("${PIPESTATUS[@]}")
set -e
assert_eq 141 "${st[0]}" "the tool's status once head went away"
# The command runs on, on its own (not killed, not stopped), as under ltrace.
child=$(pgrep -x ltfx_many || true)
assert_ne "" "$child" "the command still runs after the tool ended"
for c in $child; do
	assert_no_match "$(state_of "$c")" "^[Tt]$" "the command is not left stopped"
	kill "$c" 2>/dev/null || true
done

case_ "a spawned command inherits the tool's ignored signals and mask (nohup)"
untraced=$(bash -c "trap '' HUP INT; exec sh -c 'grep -E \"^Sig(Ign|Blk)\" /proc/self/status'")
traced=$(bash -c "trap '' HUP INT; exec \"\$0\" -o /dev/null sh -c 'grep -E \"^Sig(Ign|Blk)\" /proc/self/status'" "$LTRACE_EBPF")
assert_eq "$untraced" "$traced" "SigIgn/SigBlk of a command under nohup-like ignores"
traced=$(bash -c "trap '' HUP INT; exec \"\$0\" -E 'x = 1' -- sh -c 'grep -E \"^Sig(Ign|Blk)\" /proc/self/status'" "$LTRACE_EBPF")
assert_eq "$untraced" "$traced" "the same in script mode"

finish
