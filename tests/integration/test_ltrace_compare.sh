#!/usr/bin/env bash
# ltrace-ebpf in ltrace mode against real ltrace on the same fixture programs with the same
# flags: the same calls, in the same order per thread, with the same rendered arguments and
# results (addresses and pids normalized), and -c call counts equal. Both tools read the
# same prototypes (-F /etc/ltrace.conf -F ltfx.conf), so only the tracing differs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$SRC_DIR/tests/fixtures/ltrace/ltrace_test_lib.sh"

if ! have_ltrace; then
	echo "$TEST_NAME: ltrace (and /etc/ltrace.conf) not installed: comparisons skipped"
	finish
fi

for variant in ltfx_basic ltfx_basic_nopie ltfx_basic_now; do
	case_ "default selection, $variant (PLT calls of the main binary)"
	both $LTFX_CONF "$LTFX/$variant"
	same_calls "$variant"
done

case_ "threads without -f: the main thread only, as ltrace"
both $LTFX_CONF "$LTFX/ltfx_threads"
same_calls "ltfx_threads"

case_ "threads with -f: every thread, [pid N] lines, unfinished/resumed across threads"
both $LTFX_CONF -f "$LTFX/ltfx_threads"
same_calls "ltfx_threads -f"
assert_file_contains "$TMP/le.out" "+++ exited (status 0) +++" "thread exit lines"

case_ "fork with -f: the child's calls and exit, SIGCHLD"
both $LTFX_CONF -f "$LTFX/ltfx_fork"
same_calls "ltfx_fork -f"
assert_file_contains "$TMP/le.out" "+++ exited (status 7) +++" "the child's exit"
assert_file_contains "$TMP/le.out" "--- SIGCHLD (Child exited) ---" "SIGCHLD"

case_ "fork without -f: the parent only"
both $LTFX_CONF "$LTFX/ltfx_fork"
same_calls "ltfx_fork"

case_ "signals: a handler's calls inside raise(), then death by SIGSEGV"
both $LTFX_CONF "$LTFX/ltfx_signal" segv
same_calls "ltfx_signal segv"
assert_file_contains "$TMP/le.out" "--- SIGSEGV (Segmentation fault) ---" "the signal"
assert_file_contains "$TMP/le.out" "+++ killed by SIGSEGV +++" "the death"

case_ "strings in stack slots: printf's varargs past the fifth, eight string parameters"
both $LTFX_CONF "$LTFX/ltfx_stack"
same_calls "ltfx_stack"
assert_file_contains "$TMP/le.out" '"e5", "f6", "g7", "h8", "i9") = 27' "printf %s from the stack"
assert_file_contains "$TMP/le.out" '5, "stack", 7, nil, '"'z'"') = 27' "a NULL %s from the stack"
assert_file_contains "$TMP/le.out" '"ff", "in stack\t7", "eighth "string" longer than thir"...) = 67' \
	"-F prototype: strings 7 and 8 from the stack"

case_ "-x: a recursive function of the program, nested, with -n indentation"
both $LTFX_CONF -x ltfx_depth -n 2 "$LTFX/ltfx_recurse"
same_calls "-x ltfx_depth -n 2"
assert_file_contains "$TMP/le.out" "    ltfx_depth(1 <unfinished ...>" "depth 3 indents 4"

case_ "-e filters: malloc+free, /regex/, @MAIN, two -e"
for filter in "-e malloc+free" "-e /str.*/" "-e strlen@MAIN" "-e fopen -e fclose"; do
	read -ra words <<<"$filter"
	both $LTFX_CONF "${words[@]}" "$LTFX/ltfx_basic"
	same_calls "$filter"
done

case_ "-l: calls into the named library"
both $LTFX_CONF -l 'libc.so*' "$LTFX/ltfx_recurse"
same_calls "-l libc.so*"

case_ "-s, -A, -a, -T: string size, array size, alignment, times"
both $LTFX_CONF -s 5 -A 2 -a 30 -T "$LTFX/ltfx_basic"
same_calls "-s 5 -A 2 -a 30 -T"

case_ "-C: C++ names demangled (exception thrown and caught through traced calls)"
if [ -x "$LTFX/ltfx_cxx" ]; then
	both $LTFX_CONF -C "$LTFX/ltfx_cxx"
	same_calls "-C ltfx_cxx"
	assert_file_contains "$TMP/le.out" "operator new[](unsigned long)(16" "demangled new[]"
	assert_file_lacks "$TMP/le.err" "terminate called" "the exception was caught"
fi

case_ "-c: the same functions with the same call counts"
# (Not fork: ltrace counts fork twice, its return in the child too, and a noreturn exit.)
for args in "$LTFX/ltfx_basic" "-f $LTFX/ltfx_threads"; do
	# shellcheck disable=SC2086
	both $LTFX_CONF -c $args
	same_counts "-c $args"
done
assert_file_contains "$TMP/le.out" "% time     seconds  usecs/call     calls      function" "header"

finish
