#!/bin/bash
# The --metrics benchmark (docs/benchmarks.md, "Prometheus exposition"). Root.
#
#   bench/metrics.sh [SERIES [RUNS [CALLS]]]     defaults: 10000 series, 7 runs, 1000000 calls
#
# 1. A scrape of SERIES series: a count keyed by bench_fn's argument, which the workload
#    calls with 0..SERIES-1, then 20 scrapes timed by curl (whole request) and by the
#    exporter itself (ltrace_exporter_last_scrape_duration_seconds: maps read + text), and
#    the allocations of one scrape (malloc/calloc/realloc calls in the traced tool, counted
#    by a second ltrace-ebpf).
# 2. The per-call cost of a call: probe with an in-kernel duration histogram, --metrics off
#    vs on (on: scraped every 200 ms meanwhile), RUNS interleaved runs of CALLS calls each;
#    the workload times its loop alone, in the thread's CPU time (the probes run in it; the
#    scrapes' curl and the tool's HTTP thread compete for the CPUs, not for that time) and in
#    wall time. Prints Markdown rows on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
SERIES=${1:-10000}
RUNS=${2:-7}
CALLS=${3:-1000000}
BUILD=${BUILD_DIR:-build}
LT=$BUILD/ltrace-ebpf
WL=$BUILD/bench/workload
LIBB=$BUILD/bench/libbenchfix.so
cmake --build "$BUILD" -j2 --target ltrace-ebpf bench >/dev/null
TMP=$(mktemp -d /tmp/lt-bench-metrics.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$TMP"' EXIT

median() { python3 -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
wait_line() {	# FILE REGEX
	for ((i = 0; i < 3000; i++)); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.01; done
	echo "bench/metrics.sh: no '$2' in $1" >&2
	cat "$1" >&2
	exit 1
}
url_of() {	# ERRFILE -> "URL TOKEN"
	wait_line "$1" "metrics at http"
	sed -nE 's|.*metrics at (http://[^ ]+/metrics) \(Authorization: Bearer ([0-9a-f]+)\).*|\1 \2|p' "$1"
}

# ---- 1. a scrape of SERIES series ------------------------------------------------------
LTB_HOLD=1 "$LT" --metrics 127.0.0.1:0 --metrics-max-series $((SERIES + 10)) \
	-E "probe('uprobe:$LIBB:bench_fn', { agg = 'count', by = 'arg1', print = false })" \
	-- "$WL" fix "$SERIES" "$TMP/wl.out" 2>"$TMP/lt.err" >/dev/null &
TOOL=$!
read -r URL TOKEN < <(url_of "$TMP/lt.err")
wait_line "$TMP/wl.out" "^ns="
WPID=$(sed -nE 's/.* pid=([0-9]+).*/\1/p' "$TMP/wl.out")
H="Authorization: Bearer $TOKEN"
curl -s -H "$H" "$URL" >"$TMP/page"
got=$(grep -c '^ltrace_uprobe_libbenchfix_bench_fn_total{' "$TMP/page" || true)
[ "$got" -eq "$SERIES" ] || { echo "bench/metrics.sh: $got series, not $SERIES" >&2; exit 1; }
bytes=$(wc -c <"$TMP/page")
walls=() servers=()
for ((k = 0; k < 20; k++)); do
	walls+=("$(curl -s -o /dev/null -w '%{time_total}' -H "$H" "$URL")")
	servers+=("$(curl -s -H "$H" "$URL" | sed -nE 's/^ltrace_exporter_last_scrape_duration_seconds (.*)/\1/p')")
done
# Allocations of 10 scrapes, counted in the tool by a second ltrace-ebpf (-p its pid).
"$LT" -p "$TOOL" -E 'for _, f in ipairs{"malloc", "calloc", "realloc"} do
  probe("libc:" .. f, { agg = "count", name = f }) end' >"$TMP/allocs" 2>"$TMP/allocs.err" &
COUNTER=$!
for ((i = 0; i < 500; i++)); do
	[ -n "$(bpftool link show 2>/dev/null | grep -c uprobe_multi || true)" ] && break
	sleep 0.01
done
sleep 1
for ((k = 0; k < 10; k++)); do curl -s -o /dev/null -H "$H" "$URL"; done
sleep 0.2
kill -INT "$COUNTER"
wait "$COUNTER" || true
allocs=$(awk -F': ' '/^@(malloc|calloc|realloc)/ { s += $2 } END { print s + 0 }' "$TMP/allocs")
kill -USR1 "$WPID"
wait "$TOOL" || true
wall_ms=$(median "${walls[@]}" | awk '{ printf "%.1f", $1 * 1000 }')
server_ms=$(median "${servers[@]}" | awk '{ printf "%.1f", $1 * 1000 }')
echo "| scrape of $SERIES series (a count by argument; $bytes bytes) | $wall_ms ms (curl, median of 20) | $server_ms ms (maps read + text) | $((allocs / 10)) allocations per scrape |"

# ---- 2. per-call cost, --metrics off vs on ---------------------------------------------
SCRIPT="probe('call:$LIBB:bench_fn', { agg = 'hist', print = false })"
run_one() {	# off|on -> "CPU-ns wall-ns" per call
	if [ "$1" == on ]; then
		"$LT" --metrics 127.0.0.1:0 -E "$SCRIPT" -- "$WL" fix "$CALLS" "$TMP/run.out" \
			2>"$TMP/run.err" >/dev/null &
		local tool=$! url token
		read -r url token < <(url_of "$TMP/run.err")
		while kill -0 "$tool" 2>/dev/null; do
			curl -s -o /dev/null -H "Authorization: Bearer $token" "$url" || true
			sleep 0.2
		done
		wait "$tool" || true
	else
		"$LT" -E "$SCRIPT" -- "$WL" fix "$CALLS" "$TMP/run.out" 2>/dev/null >/dev/null
	fi
	sed -nE 's/^ns=([0-9]+) cpu_ns=([0-9]+) n=([0-9]+).*/\1 \2 \3/p' "$TMP/run.out" |
		awk '{ printf "%.1f %.1f\n", $2 / $3, $1 / $3 }'
}
cpu_off=() cpu_on=() wall_off=() wall_on=()
for ((r = 0; r < RUNS; r++)); do
	read -r c w < <(run_one off)
	cpu_off+=("$c") wall_off+=("$w")
	read -r c w < <(run_one on)
	cpu_on+=("$c") wall_on+=("$w")
done
row() {	# WHAT OFF ON
	echo "| call: probe, in-kernel duration hist, $1 per call ($RUNS runs of $CALLS calls, median) | off: $2 ns | on, scraped every 200 ms: $3 ns | on/off: $(awk -v a="$3" -v b="$2" 'BEGIN { printf "%.2f", a / b }')x |"
}
row "CPU" "$(median "${cpu_off[@]}")" "$(median "${cpu_on[@]}")"
row "wall" "$(median "${wall_off[@]}")" "$(median "${wall_on[@]}")"
echo "  (CPU off: ${cpu_off[*]}; on: ${cpu_on[*]}; wall off: ${wall_off[*]}; on: ${wall_on[*]})" >&2
