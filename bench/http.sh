#!/bin/bash
# The httpsnoop benchmark (docs/benchmarks.md, "HTTP requests"). Root; needs nginx-light and
# apache2-utils (ab).
#
#   bench/http.sh [REQUESTS [RUNS [CONCURRENCY]]]     defaults: 20000 requests, 3 runs, 4
#   LT_BASE=/other/build/ltrace-ebpf LT_BASE_SRC=/other/checkout bench/http.sh ...   A/B
#
# nginx (one process) serves a 6-byte file on loopback; ab makes REQUESTS keep-alive
# requests with CONCURRENCY connections, untraced and with scripts/httpsnoop.lua -p nginx
# (its output to a file), RUNS interleaved rounds (with LT_BASE: untraced, before, after). Per run: ab's requests/s, the CPU time
# nginx used and, traced, the tool's CPU time and peak RSS, and how many requests the tool
# reported (every one, or losses on its stderr). Prints Markdown rows on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
RUNS=${2:-3}
C=${3:-4}
BUILD=${BUILD_DIR:-build}
LT=$PWD/$BUILD/ltrace-ebpf
command -v ab >/dev/null && command -v nginx >/dev/null ||
	{ echo "bench/http.sh: needs ab (apache2-utils) and nginx (nginx-light)" >&2; exit 1; }
cmake --build "$BUILD" -j2 --target ltrace-ebpf >/dev/null
TMP=$(mktemp -d /tmp/lt-bench-http.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$TMP"' EXIT
PORT=$((40000 + $$ % 10000))
source tests/integration/nginx_static.sh
nginx_static "$TMP" "$PORT"
NGX=$NGX_PID
HZ=$(getconf CLK_TCK)
cpu_ms() { awk -v hz="$HZ" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat"; }
median() { python3 -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

ab_run() {	# -> "REQ_PER_S NGINX_CPU_MS COMPLETE"
	local before after
	before=$(cpu_ms "$NGX")
	ab -q -k -c "$C" -n "$N" "http://127.0.0.1:$PORT/index.html" >"$TMP/ab.out" 2>&1
	after=$(cpu_ms "$NGX")
	echo "$(sed -nE 's/^Requests per second: +([0-9.]+).*/\1/p' "$TMP/ab.out")" \
		"$((after - before))" "$(sed -nE 's/^Complete requests: +([0-9]+)/\1/p' "$TMP/ab.out")"
}

# traced BIN SRC -> "REQ_PER_S NGINX_CPU_MS TOOL_CPU_MS PEAK_RSS_KB REPORTED MADE RECORDS_LOST
# REQUESTS_LOST" (the last "-" from a binary that does not count them)
traced() {
	local tool t0 rps cpu done_n prev n tcpu rss lost lreq
	rm -f "$TMP/snoop.out"
	(cd "$2" && exec "$1" scripts/httpsnoop.lua -p "$NGX" -o "$TMP/snoop.out") 2>"$TMP/snoop.err" &
	tool=$!
	for ((i = 0; i < 3000; i++)); do [ -s "$TMP/snoop.out" ] && break; sleep 0.01; done
	t0=$(cpu_ms "$tool")
	read -r rps cpu done_n < <(ab_run)
	# the tool may still be behind: wait until its output stops growing (3 s)
	prev=-1
	while n=$(grep -c ' server GET ' "$TMP/snoop.out" || true); [ "$n" != "$prev" ]; do
		prev=$n
		sleep 3
	done
	tcpu=$(($(cpu_ms "$tool") - t0))
	rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$tool/status")
	kill -INT "$tool"
	wait "$tool" || true
	# "http: N requests lost, M syscall/SSL records lost" (before: records only)
	lost=$(sed -nE 's/^http: (([0-9]+) requests lost, )?([0-9]+) syscall.SSL records lost.*/\3 \2/p' \
		"$TMP/snoop.err" | head -1)
	read -r lost lreq <<<"${lost:-0 0}"
	echo "$rps $cpu $tcpu $rss $(grep -c ' server GET ' "$TMP/snoop.out" || true) $done_n $lost ${lreq:--}"
}

# LT_BASE=path/to/ltrace-ebpf (and LT_BASE_SRC, its checkout for the script): a second
# traced column, interleaved in the same runs (A/B: before and after a change).
BASE=${LT_BASE:-}
BASE_SRC=${LT_BASE_SRC:-$PWD}
off_rps=() off_cpu=() on=() base=()
for ((r = 0; r < RUNS; r++)); do
	read -r rps cpu _ < <(ab_run)
	off_rps+=("$rps") off_cpu+=("$cpu")
	[ -n "$BASE" ] && base+=("$(traced "$BASE" "$BASE_SRC")")
	on+=("$(traced "$LT" "$PWD")")
done
col() {	# col N ROWS...: the median of field N
	local n=$1
	shift
	median $(printf '%s\n' "$@" | awk -v n="$n" '{ print $n }')
}
seen() {	# reported/made (records lost, requests counted lost)
	printf '%s\n' "$@" | awk '{ printf "%s%d/%d (%d, %s)", (NR > 1 ? ", " : ""), $5, $6, $7, $8 }'
}
mo=$(median "${off_rps[@]}") co=$(median "${off_cpu[@]}")
ratio() { python3 -c "print('%.2fx' % ($1 / max($2, 1)))"; }
us() { python3 -c "print('%.1f' % ($1 * 1000 / $N))"; }	# CPU ms per run -> us per request
cell() {	# cell ROWS...: "rps | nginx CPU | tool CPU | RSS" medians of one traced column
	echo "$(col 1 "$@") $(col 2 "$@") $(col 3 "$@") $(col 4 "$@")"
}
read -r nr nc nt nm < <(cell "${on[@]}")
if [ -n "$BASE" ]; then
	read -r br bc bt bm < <(cell "${base[@]}")
	echo "| what (ab -k -c $C, $N requests, median of $RUNS) | untraced | before (LT_BASE) | after | after/before |"
	echo "|---|---|---|---|---|"
	printf '| requests/s | %.0f | %.0f (%s) | %.0f (%s) | %s |\n' "$mo" "$br" "$(ratio "$br" "$mo")" \
		"$nr" "$(ratio "$nr" "$mo")" "$(ratio "$nr" "$br")"
	printf '| nginx CPU ms per run | %.0f | %.0f (%s) | %.0f (%s) | %s |\n' "$co" "$bc" "$(ratio "$bc" "$co")" \
		"$nc" "$(ratio "$nc" "$co")" "$(ratio "$nc" "$bc")"
	printf '| CPU us per request: nginx + ltrace-ebpf | %s | %s + %s | %s + %s | |\n' "$(us "$co")" \
		"$(us "$bc")" "$(us "$bt")" "$(us "$nc")" "$(us "$nt")"
	printf '| ltrace-ebpf CPU ms per run | - | %.0f | %.0f | %s |\n' "$bt" "$nt" "$(ratio "$nt" "$bt")"
	printf '| ltrace-ebpf peak RSS kB | - | %.0f | %.0f | |\n' "$bm" "$nm"
	printf '| requests reported / made (records lost, requests counted lost) | - | %s | %s | |\n' "$(seen "${base[@]}")" "$(seen "${on[@]}")"
else
	echo "| what (ab -k -c $C, $N requests, median of $RUNS) | untraced | httpsnoop -p nginx | ratio |"
	echo "|---|---|---|---|"
	printf '| requests/s | %.0f | %.0f | %s |\n' "$mo" "$nr" "$(ratio "$nr" "$mo")"
	printf '| nginx CPU ms per run | %.0f | %.0f | %s |\n' "$co" "$nc" "$(ratio "$nc" "$co")"
	printf '| ltrace-ebpf CPU ms per run | - | %.0f | %s of nginx untraced |\n' "$nt" "$(ratio "$nt" "$co")"
	printf '| CPU us per request: nginx + ltrace-ebpf | %s | %s + %s | |\n' "$(us "$co")" "$(us "$nc")" "$(us "$nt")"
	printf '| ltrace-ebpf peak RSS kB | - | %.0f | |\n' "$nm"
	printf '| requests reported / made (records lost, requests counted lost) | - | %s | |\n' "$(seen "${on[@]}")"
fi
