#!/usr/bin/env bash
# Bad input (issue 12): every value below was once accepted silently or answered wrongly.
# One table: each row is the expected exit status, an ERE the one-line stderr must match
# ('^$': nothing on stderr), and the command line. A row starting with "nobody" runs the
# tool as uid/gid 65534 without groups (setpriv), with a HOME that does not exist (so no
# ~/.ltrace.conf is read). The rows after the table check what an exit status alone cannot.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent)
PROBE="probe('$LIB:ltfix_add', "
S="$SRC_DIR/scripts"

# row RC ERE [nobody] ARGS...
row() {
	local rc=$1 re=$2
	shift 2
	if [ "${1:-}" == nobody ]; then
		shift
		LAST_CMD="(as nobody) ltrace-ebpf $*"
		RC=0
		timeout -k 5 "$DEFAULT_TIMEOUT" "${NOBODY[@]}" "$LTRACE_EBPF" "$@" >"$OUT" 2>"$ERR" \
			</dev/null || RC=$?
	else
		lt "$@"
	fi
	assert_rc "$rc" "$LAST_CMD: exit status"
	if [ "$re" == '^$' ]; then
		assert_eq "" "$(cat "$ERR")" "$LAST_CMD: nothing on stderr"
	else
		assert_eq 1 "$(wc -l <"$ERR")" "$LAST_CMD: one line on stderr"
		assert_match "$(cat "$ERR")" "$re" "$LAST_CMD: the message"
	fi
}

case_ "the table"
# item 1, item 10's last case: not root, ltrace mode traces nothing: an error, not a table
row 1 'nothing traced: .*Operation not permitted' nobody -c "$RUN" add 1 2
row 1 'nothing traced: .*Operation not permitted' nobody "$RUN" add 1 2
# item 9: the version, as ltrace prints it; nothing else runs
row 0 '^$' -V
row 0 '^$' --version
row 0 '^$' -V "$RUN" add 1 2
row 0 '^$'	# the REPL, at the end of an empty stdin
row 2 "option '-E' requires an argument" -E
# item 10: values out of range, one line each naming the value
row 1 "option 'sample' must be an integer 0\.\..*\(not -5\)" \
	-E "${PROBE}{ sample = -5 }, function() end)" -- "$RUN" add 1 2
row 1 "option 'min_duration' \(ns\) must be an integer 0\.\..*\(not -5\)" \
	-E "probe('call:$LIB:ltfix_add', { min_duration = -5 }, function() end)" -- "$RUN" add 1 2
row 1 "option 'args': an index .* must be an integer 1\.\.[0-9]+ \(not 13\)" \
	-E "${PROBE}{ args = { [13] = 'int' } }, function() end)" -- "$RUN" add 1 2
row 1 "option 'args': an index .* must be an integer 1\.\.[0-9]+ \(not -1\)" \
	-E "${PROBE}{ args = { [-1] = 'int' } }, function() end)" -- "$RUN" add 1 2
row 1 "^ltrace-ebpf: -E:1: trace_pid: the pid must be an integer 1\.\.4194304 \(not -1\)" \
	-E "trace_pid(-1)"
row 1 "trace_pid: the pid must be an integer 1\.\.4194304 \(not 1099511627776" \
	-E "trace_pid(2^40)"
row 1 "^ltrace-ebpf: -E:1: exit code must be an integer 0\.\.255 \(not 1099511627776" \
	-E "exit(2^40)"
row 1 "address 0x0 is not in the code \(an executable segment\) of .*libltfix\.so" \
	-E "probe('uprobe:$LIB:0x0', function() end)" -- "$RUN" add 1 2
row 1 "probe spec .*: a NUL byte inside it" \
	-E "probe('$LIB:ltfix_add\\0junk', function() end)" -- "$RUN" add 1 2
row 1 "-p 2: a kernel thread: nothing in user space to trace" \
	-p 2 -E "probe('uprobe:libc:malloc', function() end)"
row 1 "tracefs at /sys/kernel/tracing cannot be read: Permission denied" \
	nobody -l 'tracepoint:sched:*'
row 1 "Invalid argument to -w: '99999'.  Use integer 1\.\.126\." -w 99999 "$RUN" add 1 2
# item 4: the tools' options (lua/tool.lua), each value checked against what it means
row 1 "^ltrace-ebpf: -T TOP must be an integer >= 1 \(not -3\)$" "$S/syscount.lua" -T -3 -- "$RUN" add 1 2
row 1 "^ltrace-ebpf: -n COUNT must be an integer >= 1 \(not 0\)$" "$S/syscount.lua" -i 1 -n 0 -- "$RUN" add 1 2
row 1 "^ltrace-ebpf: -d SECS must be a number > 0 \(not -1\)$" "$S/opensnoop.lua" -d -1 -- "$RUN" add 1 2
row 1 "^ltrace-ebpf: -d SECS must be a number > 0 \(not 1e400\)$" "$S/opensnoop.lua" -d 1e400 -- "$RUN" add 1 2
row 1 "^ltrace-ebpf: -p PID must be an integer 1\.\.4194304 \(not 0\)$" "$S/execsnoop.lua" -p 0
row 1 "^ltrace-ebpf: -s SIG must be an integer 0\.\.64 \(not 99\)$" "$S/killsnoop.lua" -s 99 -- "$RUN" add 1 2
row 1 "^ltrace-ebpf: -L PORT must be an integer 1\.\.65535 \(not 70000\)$" "$S/tcplife.lua" -L 70000 -d 1
row 1 "^ltrace-ebpf: -T TOP must be an integer >= 1 \(not 2\.5\)$" "$S/syslat.lua" -T 2.5 -- "$RUN" add 1 2
row 1 "^ltrace-ebpf: -o: $TMP/none/x: No such file or directory$" "$S/opensnoop.lua" -o "$TMP/none/x" -- "$RUN" add 1 2
row 1 "^ltrace-ebpf: -o: $TMP/none/x: No such file or directory$" "$S/stackcount.lua" -o "$TMP/none/x" syscall:openat -- "$RUN" add 1 2
row 1 "^ltrace-ebpf: runqlat is system-wide: -p, -c and -- CMD are not supported$" "$S/runqlat.lua" -p 1

case_ "comm longer than 15 characters: cut as the kernel cuts it, so the full name matches"
cp "$RUN" "$TMP/ltfix_run_with_a_long_name"
lt -E "n = 0 probe('$LIB:ltfix_add', { comm = 'ltfix_run_with_a_long_name' }, function() n = n + 1 end)
      on('end', function() print('hits=' .. n) end)" -- "$TMP/ltfix_run_with_a_long_name" -n 3 add 1 2
assert_rc 0
assert_eq 3 "$(val hits)" "calls seen with the program's full name as comm"

case_ "-V before a command prints the version and does not run the command"
lt -V "$RUN" add 1 2
assert_eq "ltrace version 0.7.3 (ltrace-ebpf front end)." "$(cat "$OUT")" "-V CMD: stdout"
lt -V
assert_match "$(cat "$OUT")" '^ltrace-ebpf [0-9.]+ ' "-V: stdout"

case_ "--help describes --version"
lt --help
assert_match "$(cat "$OUT")" '--version +[a-z]' "--help: --version has a description"

case_ "-p PID alone traces it, as ltrace does; --repl -p PID is the REPL attached"
serve_start srv
bg attached -p "$SERVE_PID"
wait_attached "$BG_PID"
serve_cmd "add 1 2"
serve_stop 3
bg_wait
assert_rc 0 "-p PID: exit status"
assert_file_contains "$TMP/attached.err" "+++ exited (status 3) +++" "-p PID: ltrace's output (on stderr, as ltrace)"
serve_start srv2
row 0 '^$' --repl -p "$SERVE_PID"
serve_stop

case_ "out of descriptors at each step of the start: one line with the reason, never 'not an ELF file' or nothing"
# The hard limit: the tool raises its soft limit to it. Each limit runs out at another step
# (starting the command, the event loop, the library's path, the templates, the attach).
for n in $(seq 4 48); do
	RC=0
	prlimit --nofile="$n:$n" "$LTRACE_EBPF" -E "probe('uprobe:$LIB:ltfix_add', {agg = 'count'})" \
		-- /bin/true >"$OUT" 2>"$ERR" </dev/null || RC=$?
	[ "$RC" -eq 0 ] && continue
	assert_eq 1 "$(grep -c . "$ERR" || true)" "limit $n: exit $RC with one line on stderr"
	assert_file_lacks "$ERR" "not an ELF file" "limit $n: a file it could not open is not called 'not an ELF file'"
	# One limit (34 from a shell, 33 under ctest: one descriptor fewer inherited) runs out in
	# the multi template's load at libbpf's global-data probe; the single template's load
	# that followed failed with EBADF, and that was the message. The cause is the first.
	assert_file_lacks "$ERR" "Bad file descriptor" "limit $n: out of descriptors is not called 'Bad file descriptor'"
done

finish
