#!/usr/bin/env bash
# report.sh WORK_ROOT VERSION...: the matrix's results as Markdown: one line per kernel
# (boot time, tests passed), one row per test with a column per kernel (verdict.sh: pass,
# expected FAIL when only cases listed in expected-failures.txt failed, FAIL, TIMEOUT),
# then the first failure of every failed test: the assertion lib.sh printed (or the log's
# last line) and the first error the tool wrote; then the known failures with their reasons.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$1
shift
list=${EXPECTED_FAILURES:-$here/expected-failures.txt}
declare -A verdict
stale=
for v in "$@"; do
	[ -e "$root/$v/started" ] || continue
	while read -r t what; do
		if [ "$t" == stale ]; then
			stale+="- $v: $what (listed in expected-failures.txt, did not fail)"$'\n'
		else
			verdict[$v/$t]=$what
		fi
	done < <("$here/verdict.sh" "$root/$v" "$v")
done

secs_between() {
	[ -e "$1" ] && [ -e "$2" ] || { echo "?"; return 0; }
	awk -v a="$(cat "$1")" -v b="$(cat "$2")" 'BEGIN { printf "%.0f", b - a }'
}

tests=
for v in "$@"; do
	w=$root/$v
	if [ ! -e "$w/started" ]; then
		echo "- $v: did not boot (see $w/console.log)"
		continue
	fi
	# shellcheck source=/dev/null
	tests="$tests $(. "$w/config" && echo "$TESTS")"	# in the order they ran
	pass=0 total=0
	for rc in "$w"/results/*.rc; do
		[ -e "$rc" ] || continue
		total=$((total + 1))
		[ "$(cat "$rc")" == 0 ] && pass=$((pass + 1))
	done
	end="finished"
	[ -e "$w/done" ] || end="did NOT finish"
	echo "- $v: booted in $(secs_between "$w/qemu-start" "$w/started") s, $pass/$total tests" \
		"passed, $end after $(secs_between "$w/qemu-start" "$w/qemu-end") s"
done
tests=$(tr ' ' '\n' <<<"$tests" | awk 'NF && !seen[$0]++')

echo
printf '| test |'; printf ' %s |' "$@"; echo
printf '|---|'; printf -- '---|%.0s' "$@"; echo
for t in $tests; do
	printf '| %s |' "$t"
	for v in "$@"; do
		r=$root/$v/results/$t
		if [ ! -e "$r.rc" ]; then
			printf ' not run |'
			continue
		fi
		s=${verdict[$v/$t]:-?}
		[ "$s" == expected ] && s="expected FAIL"
		printf ' %s (%s s) |' "$s" "$(cat "$r.secs")"
	done
	echo
done

echo
for v in "$@"; do
	for t in $tests; do
		r=$root/$v/results/$t
		[ -e "$r.rc" ] && [ "$(cat "$r.rc")" != 0 ] || continue
		# The first failed assertion (its first line), then each distinct error the tool
		# printed (temporary paths cut, so that one cause is listed once).
		msg=$(grep -m1 '^FAIL' "$r.log" || tail -n 1 "$r.log")
		echo "- $v $t: ${msg:0:200}"
		sed -n 's/^ *| \(ltrace-ebpf: .*\)/\1/p' "$r.log" |
			sed -E 's#/tmp/lt-[^ :]*/##g; s#^ltrace-ebpf: ##; s#^[^ ]+:[0-9]+: ##' | awk '!seen[$0]++' |
			head -n 4 | cut -c1-200 | sed 's/^/  - tool: /'
	done
done

# The known failures of the kernels shown, with why (expected-failures.txt).
known=$(for v in "$@"; do
	awk -F' [|] ' -v v="$v" '
		/^[ \t]*(#|$)/ { next }
		{ k = $1; gsub(/^[ \t]+|[ \t]+$/, "", k) }
		v == k || index(v, k ".") == 1 || index(v, k "-") == 1 {
			printf "| %s | %s | %s | %s |\n", v, $2, $3, $4 }' "$list"
done)
if [ -n "$known" ]; then
	echo
	echo "Known failures (tests/kernels/expected-failures.txt):"
	echo
	echo "| kernel | test | case | why |"
	echo "|---|---|---|---|"
	echo "$known"
fi
if [ -n "$stale" ]; then
	echo
	echo "Listed as failing but passed (remove them from expected-failures.txt):"
	echo
	printf '%s' "$stale"
fi
