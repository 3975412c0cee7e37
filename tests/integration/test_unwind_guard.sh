#!/usr/bin/env bash
# Return probes and C++ exceptions: a return probe replaces the return address the unwinder
# walks through, and the C++ runtime terminates the program when it meets the kernel's
# trampoline. The unwind guard (bpf-templates/unwind_guard.bpf.c) restores the pending
# return addresses when an exception starts; it needs bpf_probe_write_user, which kernel
# lockdown withholds. Where the guard is active the program must survive and the unwound
# returns be counted; where it is not, the user must be told before it can happen.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

THROW="$FIXTURE_DIR/ltfx_throw"
LOCALE_CTOR=_ZNSt6localeC1EPKc	# std::locale::locale(const char *): throws inside libstdc++
WARNING="return probes are not guarded against exceptions"

case_ "the guard is only set up for targets that link an unwinder"
lt -E 'print("guard=" .. require("ltrace.core").unwind_guard())' -- "$RUN" noop
assert_eq unneeded "$(val guard)" "a C program"
lt -E 'probe("call:'"$LIB"':ltfix_add")' -- "$RUN" add 1 2
assert_not_contains "$(cat "$ERR")" "$WARNING" "no warning for a C program"
lt -E 'local state, why = require("ltrace.core").unwind_guard()
print("guard=" .. state) print("why=" .. why)' -- "$THROW"
GUARD=$(val guard)
assert_match "$GUARD" "^(active|unavailable)$" "a C++ program needs it"
if [ "$GUARD" == unavailable ]; then
	assert_match "$(val why)" "lockdown|refused" "the reason names the kernel's refusal"
fi

case_ "an exception thrown inside a call that has a return probe"
lt -E "probe('call:libstdc++:$LOCALE_CTOR', function(c) print('returned') end)
on('end', function() print('unwound=' .. counters().returns_unwound) end)" -- "$THROW"
if [ "$GUARD" == active ]; then
	assert_rc 5
	assert_file_contains "$OUT" "caught 2" "both exceptions reached main"
	assert_between 1 64 "$(val unwound)" "returns_unwound counts the abandoned call"
	assert_eq 0 "$(count_lines '^returned$')" "the thrown-through call never returns"
else
	assert_eq 1 "$(grep -c "$WARNING" "$ERR")" "warned once, before the program ran"
	assert_contains "$(cat "$ERR")" "a C++ exception thrown through a traced call will terminate" \
		"the warning says what happens"
	assert_eq 134 "$RC" "the program is terminated (SIGABRT), as warned"
fi

case_ "the ltrace front end on a C++ program that throws through library calls"
lt -o "$TMP/lt.out" "$THROW"
if [ "$GUARD" == active ]; then
	assert_rc 5
	assert_file_contains "$TMP/lt.out" "+++ exited (status 5) +++" "normal exit"
	assert_file_contains "$TMP/lt.out" "$LOCALE_CTOR(" "the throwing call is shown"
else
	assert_contains "$(cat "$ERR")" "$WARNING" "warned"
fi

finish
