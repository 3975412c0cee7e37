#!/bin/bash
# The --dashboard benchmark (docs/benchmarks.md, "Terminal dashboard"). Root; needs tmux.
#
#   bench/dashboard.sh [RUNS [SECS [RATE]]]     defaults: 3 runs, 5 s each, 100000 events/s
#
# A workload (ltfix_run -n -1: ltfix_add in a loop, forever) is traced with -p by a script
# that streams every kept call to a Lua callback counting them; the probe's in-kernel
# 1-in-N sampling brings the calls down to about RATE events/s (N from a calibration run).
# The same session runs SECS seconds without and with --dashboard, both in a tmux pane (a
# terminal either way), RUNS times interleaved; the tool's CPU time (user + system, from
# getrusage of its parent) is the figure. The view's own cost is the difference, as a share
# of one core. Prints Markdown rows on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
SECS=${2:-5}
RATE=${3:-100000}
BUILD=${BUILD_DIR:-build}
LT=$(realpath "$BUILD/ltrace-ebpf")
RUN=$(realpath "$BUILD/tests/fixtures/ltfix_run")
LIB=$(realpath "$BUILD/tests/fixtures/libltfix.so")
cmake --build "$BUILD" -j2 --target ltrace-ebpf >/dev/null
TMP=$(mktemp -d /tmp/lt-bench-dashboard.XXXXXX)
TM=(tmux -L "lt-bench-dash-$$" -f /dev/null)
trap '"${TM[@]}" kill-server 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

median() { python3 -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

"$RUN" -n -1 add 5 1 >/dev/null &
WPID=$!

script() {	# SAMPLE -> the script's file
	cat >"$TMP/s$1.lua" <<LUA
local n = 0
probe("$LIB:ltfix_add", { sample = $1 }, function(e) n = n + 1 end)
on("end", function() local f = io.open("$TMP/events", "w") f:write(n, "\n") f:close() end)
LUA
	echo "$TMP/s$1.lua"
}

# one MODE SAMPLE: a session of SECS s in a tmux pane; sets CPU (s) and EVENTS (per s).
one() {
	local flag=() s
	[ "$1" = dash ] && flag=(--dashboard)
	s=$(script "$2")
	rm -f "$TMP/cpu" "$TMP/events"
	"${TM[@]}" kill-server 2>/dev/null || true
	"${TM[@]}" new-session -d -s b -x 160 -y 50 "python3 -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:])
r = resource.getrusage(resource.RUSAGE_CHILDREN)
open(\"$TMP/cpu.tmp\", \"w\").write(\"%f\\n\" % (r.ru_utime + r.ru_stime))
' timeout --foreground -s INT $SECS $LT ${flag[*]} $s -p $WPID 2>$TMP/err; mv $TMP/cpu.tmp $TMP/cpu"
	for ((i = 0; i < 100 + SECS * 10; i++)); do [ -s "$TMP/cpu" ] && break; sleep 0.1; done
	[ -s "$TMP/cpu" ] && [ -s "$TMP/events" ] || { echo "bench/dashboard.sh: run failed" >&2; cat "$TMP/err" >&2; exit 1; }
	CPU=$(cat "$TMP/cpu")
	EVENTS=$(awk -v s="$SECS" '{ printf "%d", $1 / s }' "$TMP/events")
}

one plain 1
SAMPLE=$(awk -v e="$EVENTS" -v r="$RATE" 'BEGIN { n = int(e / r + 0.5); print n < 1 ? 1 : n }')
plain=() dash=() ev_plain=() ev_dash=()
for ((k = 0; k < RUNS; k++)); do
	one plain "$SAMPLE"; plain+=("$CPU"); ev_plain+=("$EVENTS")
	one dash "$SAMPLE"; dash+=("$CPU"); ev_dash+=("$EVENTS")
done
p=$(median "${plain[@]}") d=$(median "${dash[@]}")
ep=$(median "${ev_plain[@]}") ed=$(median "${ev_dash[@]}")
echo "| session | events/s (median) | tool CPU over ${SECS} s (median of $RUNS) | share of a core |"
echo "|---|---|---|---|"
awk -v p="$p" -v e="$ep" -v s="$SECS" 'BEGIN { printf "| without --dashboard | %d | %.2f s | %.1f%% |\n", e, p, 100 * p / s }'
awk -v d="$d" -v e="$ed" -v s="$SECS" 'BEGIN { printf "| with --dashboard | %d | %.2f s | %.1f%% |\n", e, d, 100 * d / s }'
awk -v p="$p" -v d="$d" -v s="$SECS" -v n="$SAMPLE" 'BEGIN {
	printf "\nratio with/without: %.3f; the view: %.1f%% of a core (sample 1 in %d of the workload'"'"'s calls)\n",
		d / p, 100 * (d - p) / s, n }'
echo "runs (s): without ${plain[*]}; with ${dash[*]}" >&2
