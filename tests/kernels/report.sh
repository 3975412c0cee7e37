#!/usr/bin/env bash
# report.sh WORK_ROOT VERSION...: the matrix's results as Markdown: one line per kernel
# (boot time, tests passed), one row per test with a column per kernel, then the first
# failure of every failed test: the assertion lib.sh printed (or the log's last line) and
# the first error the tool wrote.
set -euo pipefail
root=$1
shift

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
		case "$(cat "$r.rc")" in
		0) s=pass ;;
		124 | 137) s=TIMEOUT ;;
		*) s=FAIL ;;
		esac
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
