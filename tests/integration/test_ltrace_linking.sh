#!/usr/bin/env bash
# The default selection (calls from the main binary into libraries) however the program was
# linked: PIE and not, BIND_NOW, CET's .plt.sec (where ltrace misses every call after the
# first to a function) and -fno-plt (calls through the GOT, where ltrace sees none): the
# calls traced are exactly those the fixture logged itself making, and the output matches
# the plain PIE build's. Functions refused because their first instruction is AVX-512
# (EVEX: -fno-plt probes the callee itself) are left out of the expectation, as reported.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$SRC_DIR/tests/fixtures/ltrace/ltrace_test_lib.sh"

run_logged() {	# VARIANT: ltrace-ebpf on it, the fixture's log in $TMP/log
	rm -f "$TMP/log" "$TMP/le.out"
	LAST_CMD="ltrace-ebpf $LTFX_CONF -o le.out $1"
	LTFX_LOG="$TMP/log" timeout -k 5 60 "$LTRACE_EBPF" $LTFX_CONF -o "$TMP/le.out" \
		"$LTFX/$1" >"$TMP/le.err" 2>&1 </dev/null || RC=$?
}

for variant in ltfx_basic ltfx_basic_nopie ltfx_basic_now ltfx_basic_cet ltfx_basic_noplt \
	       ltfx_basic_noplt_nopie; do
	case_ "$variant: the calls the fixture logged"
	RC=0
	run_logged "$variant"
	assert_eq 3 "$RC" "exit status of the traced command"
	logged_calls "$TMP/log" "$variant"
	assert_file_contains "$TMP/le.out" "+++ exited (status 3) +++" "exit line"
	assert_file_contains "$TMP/le.out" 'snprintf("42-abc", 64, "%d-%s", 42, "abc")' \
		"right-side arguments and a printf format"
	assert_file_contains "$TMP/le.out" 'getenv("LTFX_SURELY_UNSET")' "string argument"
	case "$variant" in
	*noplt*) ;;	# memcpy's first instruction may be AVX-512 on this CPU: see refused()
	*) assert_file_contains "$TMP/le.out" 'memcpy(0x' "IFUNC memcpy through the PLT" ;;
	esac
done

case_ "-fno-plt PIE: the held child's own calls before exec are not the program's"
run_logged ltfx_basic_noplt
first=$(head -1 "$TMP/le.out")
assert_match "$first" '^malloc\(24\)' "first traced call"

case_ "-f into an exec'd -fno-plt program: its GOT calls, from its first one"
for variant in ltfx_basic_noplt ltfx_basic_noplt_nopie; do
	rm -f "$TMP/log" "$TMP/le.out"
	RC=0
	LAST_CMD="ltrace-ebpf $LTFX_CONF -f -o le.out ltfx_exec $variant"
	LTFX_LOG="$TMP/log" timeout -k 5 60 "$LTRACE_EBPF" $LTFX_CONF -f -o "$TMP/le.out" \
		"$LTFX/ltfx_exec" "$LTFX/$variant" >"$TMP/le.err" 2>&1 </dev/null || RC=$?
	assert_eq 3 "$RC" "exit status of the exec'd program"
	assert_file_contains "$TMP/le.out" '--- Called exec() ---' "the exec"
	# The exec'd program's lines, without the pid prefix: the calls it logged.
	sed -n '/--- Called exec() ---/,$p' "$TMP/le.out" | tail -n +2 | sed 's/^[0-9]* //' \
		>"$TMP/after.out"
	# shellcheck disable=SC2046
	_compare names "$TMP/log" "$TMP/after.out" "$variant exec'd under -f" $(refused "$TMP/le.err")
	assert_file_contains "$TMP/after.out" 'getenv("LTFX_SURELY_UNSET")' "$variant: a GOT call"
done

if have_ltrace; then
	case_ "the CET and -fno-plt builds print what ltrace prints for the plain build"
	LTFX_LOG="$TMP/ltlog" timeout -k 5 60 ltrace $LTFX_CONF -o "$TMP/lt.out" "$LTFX/ltfx_basic" \
		>/dev/null 2>&1 || true
	sed -i "s|$TMP/ltlog|$TMP/log|g" "$TMP/lt.out"
	run_logged ltfx_basic_cet
	same_calls "ltfx_basic_cet vs ltrace on ltfx_basic"
	# -fno-plt: the same lines, except for functions refused as AVX-512 on this CPU.
	run_logged ltfx_basic_noplt
	for f in $(refused "$TMP/le.err"); do
		grep -v "^$f(" "$TMP/lt.out" >"$TMP/lt.tmp" || true
		mv "$TMP/lt.tmp" "$TMP/lt.out"
	done
	same_calls "ltfx_basic_noplt vs ltrace on ltfx_basic"
fi

case_ "CET: every call through .plt.sec, not only the first (ltrace's breakpoint on the lazy
.plt entry runs once per function)"
run_logged ltfx_basic_cet
assert_eq 4 "$(grep -c '^strcmp(' "$TMP/le.out" || true)" "strcmp calls on .plt.sec"

finish
