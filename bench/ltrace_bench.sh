#!/usr/bin/env bash
# ltrace vs ltrace-ebpf (ltrace mode) on the same commands: wall time added per library
# call, with -c (in-kernel counting for ltrace-ebpf) and with every call written to a file
# (-o FILE). Needs root, ltrace, and a build (BUILD_DIR, default build/). Prints a Markdown
# report (the "ltrace front end" section of docs/benchmarks.md).
#
#   bench/ltrace_bench.sh [-r RUNS] [-n CALLS]
#
# Workloads: ltfx_many (CALLS calls of abs() through the PLT, default 100000), `ls -lR` of a
# generated tree (200 directories, 2000 files), gzip of a 16 MiB file. Each configuration
# runs RUNS times (default 3) and the median wall time counts. Calls per workload: the
# "total" of ltrace-ebpf -c (ltrace -c's is printed next to it). Added time per call:
# (median traced - median untraced) / calls; start-up and detach are included, as a user
# waits for them.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build}
runs=3
calls=100000
while getopts "r:n:" o; do
	case $o in
	r) runs=$OPTARG ;;
	n) calls=$OPTARG ;;
	*) echo "usage: $0 [-r RUNS] [-n CALLS]" >&2; exit 2 ;;
	esac
done
LE=$build/ltrace-ebpf
FIX=$build/tests/fixtures
for f in "$LE" "$FIX/ltfx_many"; do
	[ -x "$f" ] || { echo "missing $f: cmake --build $build" >&2; exit 1; }
done
command -v ltrace >/dev/null || { echo "ltrace is not installed" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }

work=$(mktemp -d /tmp/ltrace-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tree"
for d in $(seq 1 200); do
	mkdir -p "$work/tree/d$d"
	for f in $(seq 1 10); do echo "$d $f" >"$work/tree/d$d/f$f"; done
done
head -c $((16 << 20)) /dev/urandom | base64 >"$work/data"

# median_ns CMD...: median wall time of RUNS runs, in ns (output discarded).
median_ns() {
	local times=() t0 t1
	for _ in $(seq 1 "$runs"); do
		rm -f "$work/data.gz"
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 </dev/null || true
		t1=$(date +%s%N)
		times+=($((t1 - t0)))
	done
	printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}

calc() {	# EXPR [DECIMALS]
	awk "BEGIN { printf \"%.${2:-2}f\", $1 }"
}

total_of() {	# FILE: the "total" count of a -c table
	awk '$NF == "total" { print $(NF - 1) }' "$1"
}

report_row() {	# NAME CMD...
	local name=$1 base lt_c lt_o le_c le_o n n_lt
	shift
	base=$(median_ns "$@")
	"$LE" -c -o "$work/le.c" "$@" >/dev/null 2>&1 </dev/null || true
	ltrace -c -o "$work/lt.c" "$@" >/dev/null 2>&1 </dev/null || true
	n=$(total_of "$work/le.c")
	n_lt=$(total_of "$work/lt.c")
	lt_c=$(median_ns ltrace -c -o /dev/null "$@")
	lt_o=$(median_ns ltrace -o "$work/lt.out" "$@")
	le_c=$(median_ns "$LE" -c -o /dev/null "$@")
	le_o=$(median_ns "$LE" -o "$work/le.out" "$@")
	printf '| %s | %s (ltrace: %s) | %s ms | %s | %s | %s | %s | %s | %s |\n' "$name" "$n" "$n_lt" \
		"$(calc "$base / 1e6" 0)" \
		"$(calc "($lt_c - $base) / $n / 1000")" "$(calc "($le_c - $base) / $n / 1000")" \
		"$(calc "($lt_c - $base) / ($le_c - $base)" 1)x" \
		"$(calc "($lt_o - $base) / $n / 1000")" "$(calc "($le_o - $base) / $n / 1000")" \
		"$(calc "($lt_o - $base) / ($le_o - $base)" 1)x"
}

echo "| workload | calls | untraced | ltrace -c (us/call) | ltrace-ebpf -c | ratio | ltrace -o (us/call) | ltrace-ebpf -o | ratio |"
echo "|---|---|---|---|---|---|---|---|---|"
report_row "ltfx_many $calls" "$FIX/ltfx_many" "$calls"
report_row "ls -lR (2200 entries)" ls -lR "$work/tree"
report_row "gzip 21 MiB" gzip -k -f "$work/data"
