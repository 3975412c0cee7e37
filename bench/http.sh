#!/bin/bash
# The httpsnoop benchmark (docs/benchmarks.md, "HTTP requests"). Root; needs nginx-light and
# apache2-utils (ab).
#
#   bench/http.sh [REQUESTS [RUNS [CONCURRENCY]]]     defaults: 20000 requests, 3 runs, 4
#
# nginx (one process) serves a 6-byte file on loopback; ab makes REQUESTS keep-alive
# requests with CONCURRENCY connections, untraced and with scripts/httpsnoop.lua -p nginx
# (its output to a file), RUNS interleaved pairs. Per run: ab's requests/s, the CPU time
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
mkdir -p "$TMP/www" "$TMP/ngx"
echo hello >"$TMP/www/index.html"
cat >"$TMP/nginx.conf" <<EOF2
daemon off; master_process off; worker_processes 1;
pid $TMP/ngx/nginx.pid; error_log $TMP/ngx/error.log;
events { worker_connections 256; }
http { access_log off; server { listen 127.0.0.1:$PORT; root $TMP/www; } }
EOF2
nginx -e "$TMP/ngx/error.log" -p "$TMP/ngx" -c "$TMP/nginx.conf" &
NGX=$!
for ((i = 0; i < 500; i++)); do
	curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
	sleep 0.02
done
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

off_rps=() on_rps=() off_cpu=() on_cpu=() tool_cpu=() rss=() seen=()
for ((r = 0; r < RUNS; r++)); do
	read -r rps cpu _ < <(ab_run)
	off_rps+=("$rps") off_cpu+=("$cpu")
	"$LT" scripts/httpsnoop.lua -p "$NGX" -o "$TMP/snoop.out" 2>"$TMP/snoop.err" &
	TOOL=$!
	for ((i = 0; i < 3000; i++)); do [ -s "$TMP/snoop.out" ] && break; sleep 0.01; done
	t0=$(cpu_ms "$TOOL")
	read -r rps cpu done_n < <(ab_run)
	# the tool may still be behind: wait until its output stops growing (3 s)
	prev=-1
	while n=$(grep -c ' server GET ' "$TMP/snoop.out" || true); [ "$n" != "$prev" ]; do
		prev=$n
		sleep 3
	done
	tool_cpu+=("$(($(cpu_ms "$TOOL") - t0))")
	rss+=("$(awk '/^VmHWM/ { print $2 }' "/proc/$TOOL/status")")
	kill -INT "$TOOL"
	wait "$TOOL" || true
	on_rps+=("$rps") on_cpu+=("$cpu")
	lost=$(sed -nE 's/.*ringbuf_full=([0-9]+).*/\1/p' "$TMP/snoop.err" | head -1)
	seen+=("$(grep -c ' server GET ' "$TMP/snoop.out" || true)/$done_n(lost:${lost:-0})")
done
mo=$(median "${off_rps[@]}") mn=$(median "${on_rps[@]}")
co=$(median "${off_cpu[@]}") cn=$(median "${on_cpu[@]}") ct=$(median "${tool_cpu[@]}")
echo "| what | untraced | httpsnoop -p nginx | ratio |"
echo "|---|---|---|---|"
printf '| requests/s (ab -k -c %d, %d requests, median of %d) | %.0f | %.0f | %.2fx |\n' \
	"$C" "$N" "$RUNS" "$mo" "$mn" "$(python3 -c "print($mn / $mo)")"
printf '| nginx CPU ms per run | %.0f | %.0f | %.2fx |\n' "$co" "$cn" "$(python3 -c "print($cn / max($co, 1))")"
printf '| ltrace-ebpf CPU ms per run | - | %.0f | %.2fx of nginx untraced |\n' "$ct" \
	"$(python3 -c "print($ct / max($co, 1))")"
printf '| ltrace-ebpf peak RSS | - | %s kB (runs: %s) | |\n' "$(median "${rss[@]}")" "${rss[*]}"
printf '| requests reported / made (syscall records the full ring buffer lost) | - | %s | |\n' "${seen[*]}"
