#!/bin/bash
# The --json benchmark (docs/benchmarks.md, "JSON lines"). Root.
#
#   bench/json.sh [RUNS [CALLS]]     defaults: 5 runs, 200000 calls
#
# A call: probe with a callback on bench_fn, CALLS calls, every event written to a file two
# ways, RUNS interleaved runs each: --json=FILE (the event line the session writes itself;
# the callback does nothing) and the plain text output (the callback printf's its function,
# arguments, return value and duration to stdout, redirected to a file). The figure is
# events handled per CPU-second of the tracer: the CPU time of ltrace-ebpf and its children
# (getrusage), minus the workload's own (its loop's CPU time, which it prints), divided into
# the events the session handed to callbacks (counters().events; events lost to a full ring
# do not count). Prints Markdown rows on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
CALLS=${2:-200000}
BUILD=${BUILD_DIR:-build}
LT=$BUILD/ltrace-ebpf
WL=$BUILD/bench/workload
LIBB=$BUILD/bench/libbenchfix.so
cmake --build "$BUILD" -j2 --target ltrace-ebpf bench >/dev/null
TMP=$(mktemp -d /tmp/lt-bench-json.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

COUNT="on('end', function() io.stderr:write('events=', counters().events, '\n') end)"
JSON="probe('call:$LIBB:bench_fn', function(e) end) $COUNT"
TEXT="probe('call:$LIBB:bench_fn', function(e) printf('%s(%d, %d) = %d <%d ns>\n', e.func, e.args[1], e.args[2], e.ret, e.duration) end) $COUNT"

# run_one json|text -> "events tracer_cpu_s bytes"
run_one() {
	local args
	if [ "$1" == json ]; then args=(--json="$TMP/out" -E "$JSON"); else args=(-E "$TEXT"); fi
	python3 - "$LT" "$TMP" "$WL" "$CALLS" "${args[@]}" <<'PY'
import os, re, resource, subprocess, sys
lt, tmp, wl, calls, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
before = resource.getrusage(resource.RUSAGE_CHILDREN)
out = open(tmp + "/out", "ab") if "--json=" not in args[0] else subprocess.DEVNULL
err = open(tmp + "/err", "w")
subprocess.run([lt] + args + ["--", wl, "fix", calls, tmp + "/wl"], stdout=out, stderr=err,
               check=True)
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
wl_cpu = int(re.search(r"cpu_ns=(\d+)", open(tmp + "/wl").read()).group(1)) / 1e9
events = int(re.search(r"events=(\d+)", open(tmp + "/err").read()).group(1))
print(events, "%.4f" % (cpu - wl_cpu), os.path.getsize(tmp + "/out"))
PY
	rm -f "$TMP/out"
}
median() { python3 -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
json=() text=() jbytes=0 tbytes=0
for ((r = 0; r < RUNS; r++)); do
	read -r ev cpu bytes < <(run_one json)
	json+=("$(awk -v e="$ev" -v c="$cpu" 'BEGIN { printf "%.0f", e / c }')")
	jbytes=$((bytes / ev))
	read -r ev cpu bytes < <(run_one text)
	text+=("$(awk -v e="$ev" -v c="$cpu" 'BEGIN { printf "%.0f", e / c }')")
	tbytes=$((bytes / ev))
done
j=$(median "${json[@]}") t=$(median "${text[@]}")
echo "| events per CPU-second of the tracer, $CALLS calls of a \`call:\` probe (median of $RUNS interleaved runs) | --json=FILE $(printf '%.0f' "$j") ($jbytes bytes an event) | text to a file $(printf '%.0f' "$t") ($tbytes bytes an event) | json/text $(awk -v a="$j" -v b="$t" 'BEGIN { printf "%.2f", a / b }')x |"
