#!/usr/bin/env bash
# The snoop/count tools (opensnoop, syscount, funccount, funclatency) under a timeout against
# fixtures whose calls are known exactly: the paths lt_kopen opens, the reads lt_kread
# makes, the calls ltfix_run makes; their usage lines.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

KOPEN="$FIXTURE_DIR/lt_kopen"
JROWS="$(dirname "$0")/json_rows.py"
KREAD="$FIXTURE_DIR/lt_kread"

case_ "opensnoop -- CMD: the fixture's opens, with its pid, fd and errno"
lt "$SRC_DIR/scripts/opensnoop.lua" -- "$KOPEN" /etc/hostname "$TMP/nonexist"
assert_rc 0
pid=$(val fixture_pid)
assert_match "$(head -1 "$OUT")$(grep -m1 '^PID' "$OUT")" "PID +COMM +FD +ERR +PATH" "header"
# The fd the fixture itself got (3, or higher when the test runner leaves fds open).
fd=$(awk '/^open=\/etc\/hostname /{print $4}' "$OUT")
assert_eq "1" "$(awk -v p="$pid" -v fd="$fd" '$1 == p && $2 == "lt_kopen" && $3 == fd && $4 == 0 && $5 == "/etc/hostname"' "$OUT" | wc -l)" "the open of /etc/hostname"
assert_eq "1" "$(awk -v p="$pid" -v f="$TMP/nonexist" '$1 == p && $3 == -1 && $4 == 2 && $5 == f' "$OUT" | wc -l)" "the failed open (ENOENT)"
assert_eq "0" "$(awk -v p="$pid" 'NF >= 5 && $1 ~ /^[0-9]+$/ && $1 != p' "$OUT" | wc -l)" "only the target's opens"

case_ "opensnoop -x -j -c CMD: failed opens only, as JSON"
lt "$SRC_DIR/scripts/opensnoop.lua" -x -j -c "$KOPEN /etc/hostname $TMP/nonexist2"
assert_rc 0
rows=$("$JROWS" "$OUT" type=record tool=opensnoop -- comm syscall fd err errno path)
assert_eq "$(printf 'lt_kopen\topenat\t-1\t2\tENOENT\t%s' "$TMP/nonexist2")" "$rows" "one record: the failed open"

case_ "syscount: reads counted exactly (difference of two runs)"
lt "$SRC_DIR/scripts/syscount.lua" -- "$KREAD" 100
assert_rc 0
r1=$(awk '$1 == "read" { print $2 }' "$OUT")
assert_between 100 110 "$r1" "reads of lt_kread 100"
lt "$SRC_DIR/scripts/syscount.lua" -L -- "$KREAD" 300
assert_rc 0
r2=$(awk '$1 == "read" { print $2 }' "$OUT")
assert_eq 200 "$((r2 - r1))" "200 more reads with 300 than with 100"
assert_match "$(awk '$1 == "read"' "$OUT")" "^read +[0-9]+ +[0-9]+\\.[0-9]{3}$" "-L latency column"

case_ "syscount -P -j: per process"
lt "$SRC_DIR/scripts/syscount.lua" -P -j -- "$KREAD" 100
assert_rc 0
pid=$(val fixture_pid "$ERR")	# the command's stdout: stderr, with the JSON on stdout
n=$("$JROWS" "$OUT" type=record pid="$pid" -- count)
assert_between $((r1 + 1)) $((r1 + 200)) "$n" "syscalls of the fixture (reads + the rest)"
assert_eq 1 "$("$JROWS" "$OUT" type=record | wc -l)" "only the target"

case_ "funccount: calls counted in kernel, exactly"
lt "$SRC_DIR/scripts/funccount.lua" "$LIB:ltfix_*" -- "$RUN" -t 2 -n 30 -M 5 add 1 2
assert_rc 0
assert_eq 65 "$(awk '$1 == "ltfix_add" { print $2 }' "$OUT")" "ltfix_add calls"
assert_eq 1 "$(grep -c '^ltfix_' "$OUT")" "only ltfix_add was called"
lt "$SRC_DIR/scripts/funccount.lua" -j -i 5 "$LIB:ltfix_add" -- "$RUN" -n 7 add 1 2
assert_rc 0
assert_eq "$(printf 'ltfix_add\t7')" "$("$JROWS" "$OUT" type=record tool=funccount -- func count)" "JSON count"

case_ "funclatency: a log2 histogram of 3 calls of 2 ms"
lt "$SRC_DIR/scripts/funclatency.lua" -u "$LIB:ltfix_sleep_us" -- "$RUN" -n 3 sleep 2000
assert_rc 0
assert_match "$(cat "$OUT")" "ltfix_sleep_us \\(usecs\\): count 3, avg [0-9.]+, min [0-9]+, max [0-9]+" "summary"
assert_eq 3 "$(awk '/^\[/ { n += $3 } END { print n }' "$OUT")" "calls in the histogram"
assert_between 2000 1000000 "$(sed -n 's/.*min \([0-9]*\),.*/\1/p' "$OUT")" "min us"
lt "$SRC_DIR/scripts/funclatency.lua" -j "$LIB:ltfix_sleep_us" -- "$RUN" -n 3 sleep 2000
assert_rc 0
assert_match "$("$JROWS" "$OUT" type=agg unit=ns -- rows)" '^\[\{"buckets":\[\{"count":[0-9],"hi":[0-9]+,"lo":[0-9]+\}.*"count":3,"key":null,"max":[0-9]+,"min":[0-9]+,"sum":[0-9]+\}\]$' "JSON: an agg line, 3 calls"

case_ "execsnoop -- CMD: the target's exec, with its pid"
lt "$SRC_DIR/scripts/execsnoop.lua" -- sh -c 'echo me=$$; exec /bin/true'
assert_rc 0
pid=$(val me)
assert_eq 1 "$(awk -v p="$pid" '$1 == p && $3 == "true" && $4 == "/bin/true"' "$OUT" | wc -l)" "exec of /bin/true"
lt "$SRC_DIR/scripts/execsnoop.lua" -j -c /bin/true
assert_rc 0
assert_match "$("$JROWS" "$OUT" type=record path=/bin/true -- pid old_pid ppid comm)" $'^[0-9]+\t[0-9]+\t-?[0-9]+\ttrue$' "JSON exec"

case_ "syscount -- CMD counts from the command's exec on, as strace -c -f (issue 12 item 6)"
# a bare name: the launcher's PATH search (an execve per directory) and its own close()
# must not be counted; exit_group never returns, so syscount leaves it out
lt "$SRC_DIR/scripts/syscount.lua" -T 100 -- true
assert_rc 0
awk 'NF == 2 && $2 ~ /^[0-9]+$/ { print $1, $2 }' "$OUT" | sort >"$TMP/syscount.counts"
strace -c -f -o "$TMP/strace.c" true
awk '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" && $NF != "exit_group" { print $NF, $4 }' \
	"$TMP/strace.c" | sort >"$TMP/strace.counts"
assert_eq "$(cat "$TMP/strace.counts")" "$(cat "$TMP/syscount.counts")" "per-syscall counts of true"
assert_contains "$(cat "$TMP/syscount.counts")" "execve 1" "one execve"

case_ "execsnoop: the parent of short-lived children, read at exec (issue 12 item 5)"
# A copy of the fixture under a name only this test runs: other tests running in
# parallel exec ltfix_run too, and execsnoop -n sees every process on the machine.
KID="$TMP/ltkid$$"
cp "$RUN" "$KID"
KID_COMM=$(basename "$KID" | cut -c1-15)
bg exec_kids "$SRC_DIR/scripts/execsnoop.lua" -j -n "$KID_COMM"
wait_attached "$BG_PID"
sh -c 'echo $$ >"$1"; for i in 1 2 3 4; do "$2" add 1 2 >/dev/null; done' sh "$TMP/kids.ppid" "$KID"
kill -INT "$(pgrep -P "$BG_PID" | head -1)"
bg_wait
ppid=$(cat "$TMP/kids.ppid")
assert_eq 4 "$("$JROWS" "$TMP/exec_kids.out" type=record comm="$KID_COMM" | wc -l)" "four execs"
assert_eq 4 "$("$JROWS" "$TMP/exec_kids.out" type=record ppid="$ppid" | wc -l)" "each with its parent, the shell (exited since)"

case_ "exitsnoop: exit status and killing signal"
lt "$SRC_DIR/scripts/exitsnoop.lua" -- sh -c 'echo me=$$; exit 3'
assert_rc 3 "the target's exit status passed on"
pid=$(val me)
assert_eq 1 "$(awk -v p="$pid" '$1 == p && $2 == p && $4 == "sh" && $6 == "code" && $7 == 3' "$OUT" | wc -l)" "exit code 3"
lt "$SRC_DIR/scripts/exitsnoop.lua" -j -- sh -c 'echo me=$$; kill -USR1 $$'
assert_rc 138 "the target killed by SIGUSR1 (128 + 10)"
pid=$(val me "$ERR")	# with the JSON on stdout, the command's own stdout is stderr
assert_match "$("$JROWS" "$OUT" type=record tool=exitsnoop -- pid tid ppid comm age_s exit_code signal)" $'^'"$pid"$'\t'"$pid"$'\t[0-9]+\tsh\t[0-9.e-]+\t0\t10$' "killed by SIGUSR1"
lt "$SRC_DIR/scripts/exitsnoop.lua" -x -- /bin/true
assert_rc 0
assert_eq 0 "$(grep -c ' code ' "$OUT" || true)" "-x leaves out a clean exit"
# Three threads: one line for the process (the thread that exits last), -t: one per thread.
# Without the tracepoint's group_dead (not on 6.1 or 6.12): the main thread's exit.
lt "$SRC_DIR/scripts/exitsnoop.lua" -- "$FIXTURE_DIR/ltfx_threads"
assert_rc 0
assert_eq 1 "$(awk '$4 == "ltfx_threads" && $6 == "code" && $7 == 0' "$OUT" | wc -l)" "one exit per process"
assert_eq 1 "$(awk '$4 == "ltfx_threads" && $1 == $2' "$OUT" | wc -l)" "the main thread, joining its workers, exits last"
lt "$SRC_DIR/scripts/exitsnoop.lua" -t -- "$FIXTURE_DIR/ltfx_threads"
assert_rc 0
assert_eq 3 "$(awk '$4 == "ltfx_threads"' "$OUT" | wc -l)" "-t: every thread's exit"
assert_eq 1 "$(awk '$4 == "ltfx_threads"' "$OUT" | awk '{print $1}' | sort -u | wc -l)" "-t: one process"

case_ "killsnoop: kill() calls with signal, target and result"
lt "$SRC_DIR/scripts/killsnoop.lua" -- sh -c 'echo me=$$; sleep 5 & echo child=$!; kill -15 $!; kill -0 999999 2>/dev/null; wait; true'
assert_rc 0
pid=$(val me)
child=$(val child)
assert_eq 1 "$(awk -v p="$pid" -v c="$child" '$1 == p && $3 == 15 && $4 == c && $5 == 0' "$OUT" | wc -l)" "SIGTERM to the child"
assert_eq 1 "$(awk -v p="$pid" '$1 == p && $3 == 0 && $4 == 999999 && $5 == -3' "$OUT" | wc -l)" "ESRCH"
lt "$SRC_DIR/scripts/killsnoop.lua" -x -j -- sh -c 'kill -0 999999 2>/dev/null; true'
assert_rc 0
assert_match "$("$JROWS" "$OUT" type=record tool=killsnoop -- pid comm sig tpid ret errno)" $'^[0-9]+\tsh\t0\t999999\t-3\tESRCH$' "-x -j"

case_ "usage and errors"
for t in opensnoop syscount funccount funclatency execsnoop exitsnoop killsnoop; do
	lt "$SRC_DIR/scripts/$t.lua" -h
	assert_rc 0
	assert_contains "$(cat "$OUT")" "usage: ltrace-ebpf scripts/$t.lua" "$t usage line"
	lt "$SRC_DIR/scripts/$t.lua" --bogus
	assert_rc 1
	assert_contains "$(cat "$ERR")" "unknown option '--bogus'" "$t rejects an unknown option"
done

finish
