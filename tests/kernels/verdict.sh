#!/usr/bin/env bash
# verdict.sh WORK VERSION: each test's verdict on one kernel against the known failures in
# tests/kernels/expected-failures.txt, one line per test: "TEST pass|expected|FAIL|TIMEOUT",
# then one line "stale TEST | CASE" per expected failure of this kernel that did not fail
# in a test that ran (the kernel or the tool changed: the list must say so).
# A failed test is "expected" when it ran to its end (lib.sh's finish: "TEST: N failed, M
# passed") and every case it failed ("FAIL [CASE]: ...") is listed for this kernel; one
# that stopped before (set -e, a crash, its deadline) is never expected: its later cases
# did not run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1
version=$2
list=${EXPECTED_FAILURES:-$here/expected-failures.txt}

# The list's lines for this kernel as "TEST | CASE": a line's kernel is a version prefix
# up to a '.' or '-' (as KERNELS= selects), "6.1" is not "6.12".
expected=$(awk -F' [|] ' -v v="$version" '
	/^[ \t]*(#|$)/ { next }
	{ k = $1; gsub(/^[ \t]+|[ \t]+$/, "", k) }
	v == k || index(v, k ".") == 1 || index(v, k "-") == 1 { print $2 " | " $3 }' "$list")

# shellcheck source=/dev/null
for t in $(. "$work/config" && echo "$TESTS"); do
	r=$work/results/$t
	[ -e "$r.rc" ] || continue
	rc=$(cat "$r.rc")
	failed=$(sed -n 's/^FAIL \[\(.*\)\]: .*/\1/p' "$r.log" | awk '!seen[$0]++')
	if [ "$rc" == 0 ]; then
		verdict=pass
	elif [ "$rc" == 124 ] || [ "$rc" == 137 ]; then
		verdict=TIMEOUT
	elif [ -z "$failed" ] || ! grep -qE "^$t: [0-9]+ failed, [0-9]+ passed" "$r.log"; then
		verdict=FAIL
	else
		verdict=expected
		while IFS= read -r c; do
			grep -qxF "$t | $c" <<<"$expected" || verdict=FAIL
		done <<<"$failed"
	fi
	echo "$t $verdict"
	[ "$verdict" == TIMEOUT ] && continue	# cases after the deadline did not run
	while IFS= read -r e; do
		[ -n "$e" ] && [ "${e%% | *}" == "$t" ] || continue
		grep -qxF "${e#* | }" <<<"$failed" || echo "stale $e"
	done <<<"$expected"
done
