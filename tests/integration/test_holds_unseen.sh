#!/usr/bin/env bash
# Issue 11 items 3 and 7: holds must not show to the program or its parent. -f holds a
# followed process at exec while the new program is probed; with a SIGSTOP the parent's
# waitpid(WUNTRACED | WCONTINUED) returned "stopped" and "continued" and it got SIGCHLDs
# for both (dash's wait3 returned -1 four extra times for two commands). ltrace mode's
# lossless holds (the output falls behind) ran a program's SIGCONT handler and made its
# other threads' read/nanosleep fail with EINTR. The guardian holds them as their ptracer
# instead (src/core/guardian_ptrace.c): what they see is what they see untraced.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$SRC_DIR/tests/fixtures/ltrace/ltrace_test_lib.sh"

WAITER="$LTFX/ltfx_waiter"

case_ "a parent watching its children (waitpid WUNTRACED|WCONTINUED, SIGCHLD codes)"
"$WAITER" 3 /bin/true >"$TMP/untraced" 2>&1
assert_eq 3 "$(grep -c 'waits E sigchld exited$' "$TMP/untraced")" "untraced: exits only"
le -f "$WAITER" 3 /bin/true
assert_rc 0 "the parent's status"
assert_eq "$(cat "$TMP/untraced")" "$(cat "$OUT")" "what the parent saw, traced and untraced"
assert_eq 3 "$(grep -c -- '--- Called exec() ---' "$TMP/le.out")" \
	"every child's exec was followed (and held)"
assert_file_contains "$TMP/le.out" "execv(" "the parent's calls are traced"

case_ "dash running two commands: one SIGCHLD each, as untraced (and as ltrace shows)"
le -f sh -c '/bin/true; /bin/true; echo done'
assert_rc 0 "the shell's status"
assert_eq done "$(cat "$OUT")" "the shell's output"
assert_eq 2 "$(grep -c -- '--- Called exec() ---' "$TMP/le.out")" "both execs followed"
assert_eq 2 "$(grep -c -- '--- SIGCHLD' "$TMP/le.out")" "SIGCHLDs the shell got"
assert_eq 0 "$(grep -cE 'wait3\(.*= -1' "$TMP/le.out")" "wait3 never failed"

case_ "lossless holds (ltrace mode, a slow reader): no SIGCONT handler run, no EINTR"
SIGCONT_FX="$LTFX/ltfx_sigcont"
cat >"$TMP/slow.py" <<'PY'
import sys, time
while sys.stdin.buffer.read(16384):
    time.sleep(0.02)
PY
"$SIGCONT_FX" 100000 >"$TMP/untraced" 2>&1
assert_eq "sigcont=0 eintr_read=0 eintr_sleep=0 calls=100000" "$(cat "$TMP/untraced")" "untraced"
# The trace (stderr) goes to a reader slower than the program: the ring fills, the
# program's thread is held until the lines are out.
LAST_CMD="ltrace-ebpf ltfx_sigcont 100000 2>&1 >prog.out | slow reader"
timeout -k 5 120 "$LTRACE_EBPF" "$SIGCONT_FX" 100000 2>&1 >"$TMP/prog.out" </dev/null |
	python3 "$TMP/slow.py"
assert_eq "$(cat "$TMP/untraced")" "$(cat "$TMP/prog.out")" "what the program noticed, traced"

case_ "LTRACE_EBPF_NO_PTRACE=1: no tracer on the target (for programs that ptrace themselves)"
# dash reads its own status: no fork, no exec. A ptraced program cannot be ptraced again
# (LeakSanitizer at exit, a debugger): the variable keeps the SIGSTOP holds instead.
SHOW_TRACER='while read -r l; do case $l in TracerPid*) echo "${l#*:}";; esac; done </proc/self/status'
le -- sh -c "$SHOW_TRACER"
assert_rc 0
assert_ne 0 "$(tr -d '[:space:]' <"$OUT")" "by default the guardian traces it"
LTRACE_EBPF_NO_PTRACE=1 le -- sh -c "$SHOW_TRACER"
assert_rc 0
assert_eq 0 "$(tr -d '[:space:]' <"$OUT")" "with LTRACE_EBPF_NO_PTRACE=1 nothing does"
assert_file_contains "$TMP/le.out" "+++ exited (status 0) +++" "and it is traced"

case_ "a process traced by a debugger already: SIGSTOP holds, said once"
# strace -f traces the tool, the guardian and the target alike: the guardian cannot seize.
if command -v strace >/dev/null; then
	LAST_CMD="strace -f ltrace-ebpf -f sh -c true"
	RC=0
	timeout -k 5 60 strace -f -o /dev/null "$LTRACE_EBPF" -f -o "$TMP/st.out" sh -c '/bin/true' \
		>"$OUT" 2>"$ERR" </dev/null || RC=$?
	assert_rc 0 "the command's status under strace"
	assert_eq 1 "$(grep -c 'cannot ptrace' "$ERR")" "one notice"
	assert_contains "$(cat "$ERR")" "holds stop it with SIGSTOP, which it and its parent can see" \
		"the notice says what the program and its parent may see"
fi

finish
