#!/bin/bash
# The --otlp benchmark (docs/benchmarks.md, "OpenTelemetry spans"). Root.
#
#   bench/otlp.sh [RUNS [CALLS [SPANS]]]     defaults: 5 runs, 300000 calls, 8000 spans
#
# 1. Spans/s through OTLP to the tests' receiver (tests/integration/otlp_receiver.py, which
#    validates every field): SPANS calls of bench_fn (within the sender's queue, so none is
#    dropped), their spans timed at the receiver from the first request's arrival to the
#    last answer; and the tool's CPU time per span (user + sys of the whole session, minus
#    the same session without --otlp, divided by the spans).
# 2. The per-call cost of a call: probe, --otlp off vs on, RUNS interleaved runs of CALLS
#    calls each, timed by the workload (its loop alone, in the thread's CPU time and wall
#    time): (a) a probe with a Lua callback (records flow either way; on: each is also a
#    span), (b) a probe without a callback (off: an in-kernel count only; on: the probe
#    sends its records to be spans). Prints Markdown rows on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
CALLS=${2:-300000}
SPANS=${3:-8000}
BUILD=${BUILD_DIR:-build}
LT=$BUILD/ltrace-ebpf
WL=$BUILD/bench/workload
LIBB=$BUILD/bench/libbenchfix.so
cmake --build "$BUILD" -j2 --target ltrace-ebpf bench >/dev/null
TMP=$(mktemp -d /tmp/lt-bench-otlp.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$TMP"' EXIT

median() { python3 -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
# cpu_of CMD...: runs CMD, prints its user + sys CPU seconds (its children included).
cpu_of() {
	python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=open(sys.argv[0] and "'"$TMP"'/cpu.err", "w"))
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.4f" % (r.ru_utime + r.ru_stime))' "$@"
}

python3 tests/integration/otlp_receiver.py --port-file "$TMP/port" --spans /dev/null \
	--violations "$TMP/violations" --times "$TMP/times" &
for ((i = 0; i < 500; i++)); do [ -s "$TMP/port" ] && break; sleep 0.01; done
URL=http://127.0.0.1:$(cat "$TMP/port")

# ---- 1. spans/s ------------------------------------------------------------------------
SCRIPT="probe('call:$LIBB:bench_fn', { print = false })"
rates=() cpus=()
for ((r = 0; r < 3; r++)); do
	: >"$TMP/times"
	on=$(cpu_of "$LT" --otlp "$URL" -E "$SCRIPT" -- "$WL" fix "$SPANS" "$TMP/wl.out")
	grep -q " $SPANS sent to " "$TMP/cpu.err" || { cat "$TMP/cpu.err" >&2; exit 1; }
	off=$(cpu_of "$LT" -E "$SCRIPT" -- "$WL" fix "$SPANS" "$TMP/wl.out")
	rates+=("$(awk 'NR == 1 { t0 = $1 } { t1 = $2; n += $3 } END { printf "%.0f", n / (t1 - t0) }' "$TMP/times")")
	cpus+=("$(awk -v a="$on" -v b="$off" -v n="$SPANS" 'BEGIN { printf "%.2f", (a - b) * 1e6 / n }')")
done
[ -s "$TMP/violations" ] && { echo "bench/otlp.sh: the receiver saw violations" >&2; cat "$TMP/violations" >&2; exit 1; }
echo "| spans through OTLP/HTTP JSON to the tests' receiver ($SPANS spans in batches of 512, median of 3) | $(median "${rates[@]}" | awk '{ printf "%.0f", $1 }') spans/s (receiver: first request to last answer) | $(median "${cpus[@]}") us of the tool's CPU per span (user + sys, minus the session without --otlp) |"
echo "  (spans/s: ${rates[*]}; CPU us/span: ${cpus[*]})" >&2

# ---- 2. per-call cost, --otlp off vs on --------------------------------------------------
run_one() {	# SCRIPT off|on -> "CPU-ns wall-ns" per call
	local flags=()
	[ "$2" == on ] && flags=(--otlp "$URL")
	"$LT" "${flags[@]}" -E "$1" -- "$WL" fix "$CALLS" "$TMP/run.out" >/dev/null 2>"$TMP/run.err"
	sed -nE 's/^ns=([0-9]+) cpu_ns=([0-9]+) n=([0-9]+).*/\1 \2 \3/p' "$TMP/run.out" |
		awk '{ printf "%.1f %.1f\n", $2 / $3, $1 / $3 }'
}
compare() {	# WHAT SCRIPT
	local cpu_off=() cpu_on=() wall_off=() wall_on=() c w
	for ((r = 0; r < RUNS; r++)); do
		read -r c w < <(run_one "$2" off)
		cpu_off+=("$c") wall_off+=("$w")
		read -r c w < <(run_one "$2" on)
		cpu_on+=("$c") wall_on+=("$w")
	done
	local co cn wo wn
	co=$(median "${cpu_off[@]}") cn=$(median "${cpu_on[@]}")
	wo=$(median "${wall_off[@]}") wn=$(median "${wall_on[@]}")
	echo "| $1, CPU per call ($RUNS runs of $CALLS calls, median) | off: $co ns | on: $cn ns | on/off: $(awk -v a="$cn" -v b="$co" 'BEGIN { printf "%.2f", a / b }')x |"
	echo "| $1, wall per call | off: $wo ns | on: $wn ns | on/off: $(awk -v a="$wn" -v b="$wo" 'BEGIN { printf "%.2f", a / b }')x |"
	echo "  ($1: CPU off: ${cpu_off[*]}; on: ${cpu_on[*]}; wall off: ${wall_off[*]}; on: ${wall_on[*]}; last on: $(tail -1 "$TMP/run.err"))" >&2
}
compare "call: probe with a Lua callback" "probe('call:$LIBB:bench_fn', function(e) end)"
compare "call: probe without a callback" "probe('call:$LIBB:bench_fn', { print = false })"
