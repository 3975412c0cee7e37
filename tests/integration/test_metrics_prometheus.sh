#!/usr/bin/env bash
# --metrics scraped by Debian's real Prometheus: a histogram of a traced function's
# durations reaches Prometheus's HTTP API with _count equal to the calls the fixture made,
# and histogram_quantile(0.5) in the bucket the scraped counts put the median in, above the
# fixture's known sleep. The bearer token reaches Prometheus as its docs say
# (authorization: credentials_file).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PROMETHEUS=$(command -v prometheus || true)
if [ -z "$PROMETHEUS" ]; then
	echo "$TEST_NAME: Debian's prometheus is missing (./build.sh deps installs it)" >&2
	exit 1
fi

# A free loopback port for Prometheus's own web server (its API).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# prom_query EXPR: the value of the first sample of an instant query ("" when none yet).
prom_query() {
	curl -s --max-time 5 "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
		python3 -c 'import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null || true
}

case_ "a histogram scraped by Prometheus: _count and the median's bucket"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/token"
cat >"$TMP/hist.lua" <<LUA
export.prometheus(probe("call:$LIB:ltfix_sleep_us", { agg = "hist" }),
                  { name = "fixture_sleep", help = "ltfix_sleep_us durations" })
LUA
tool_serve prom --metrics 127.0.0.1:0 --metrics-token-file "$TMP/token" "$TMP/hist.lua"
wait_for "$TMP/prom.err" "metrics at http://127.0.0.1:[0-9]+/metrics"
TARGET=$(sed -nE 's|.*metrics at http://(127.0.0.1:[0-9]+)/metrics.*|\1|p' "$TMP/prom.err")
if [ -z "$TARGET" ]; then
	fail "no metrics URL on stderr: $(cat "$TMP/prom.err")"
	finish
fi
assert_contains "$(cat "$TMP/prom.err")" "Bearer $(cat "$TMP/token"))" "the token line names the file's token"

PROM_PORT=$(free_port)
mkdir "$TMP/tsdb"
cat >"$TMP/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: ltrace
    authorization:
      credentials_file: $TMP/token
    static_configs:
      - targets: ['$TARGET']
YML
# Under timeout: bounded even if this shell is killed where its EXIT trap cannot run (the
# trap kills it and removes $TMP, its data directory included, on every other exit).
timeout -k 5 170 "$PROMETHEUS" --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn \
	>"$TMP/prometheus.log" 2>&1 &
PROM_PID=$!

# 20 calls of ltfix_sleep_us(3000): 3.0-3.3 ms each, inside the log2 bucket [2^21, 2^22) ns.
serve_cmd "sleep 20 3000"
count=""
for ((i = 0; i < 600; i++)); do	# 60 s at most: Prometheus starts, then scrapes every second
	count=$(prom_query 'fixture_sleep_seconds_count{job="ltrace"}')
	[ "$count" == "20" ] && break
	sleep 0.1
done
assert_eq 20 "$count" "fixture_sleep_seconds_count in Prometheus"
if [ "$count" != "20" ]; then	# why: the target's last scrape error, Prometheus's log
	curl -s "http://127.0.0.1:$PROM_PORT/api/v1/targets" | head -c 2000
	tail -n 20 "$TMP/prometheus.log"
fi
# The sleeps are at least 3 ms, longer on a loaded machine: the median lies in the bucket
# where the scraped cumulative counts pass 10 of 20 (Prometheus's reading of our le
# buckets), and that bucket is [2^21, 2^22) ns when the machine keeps up.
median=$(prom_query 'histogram_quantile(0.5, fixture_sleep_seconds_bucket{job="ltrace"})')
buckets=$(curl -s --max-time 5 "http://127.0.0.1:$PROM_PORT/api/v1/query" \
	--data-urlencode 'query=fixture_sleep_seconds_bucket{job="ltrace"}')
check=$(python3 -c '
import json, sys
v = float(sys.argv[1] or "nan")
rows = sorted((float(r["metric"]["le"]), float(r["value"][1]))
              for r in json.loads(sys.argv[2])["data"]["result"])
lo = 0.0
for le, n in rows:
	if n >= 10:
		print(int(lo <= v <= le and v >= 2**21 / 1e9), lo, le)
		break
	lo = le
else:
	print(0, "no bucket holds the median")' "$median" "$buckets")
assert_eq 1 "${check%% *}" "histogram_quantile(0.5) = '$median' s lies in the median's bucket (${check#* }) and above the 3 ms sleep's 2.097 ms"
up=$(prom_query 'up{job="ltrace"}')
assert_eq 1 "$up" "Prometheus sees the target up (the token was accepted)"
cut=$(prom_query 'ltrace_exporter_series_cut_total{job="ltrace"}')
assert_eq 0 "$cut" "no series cut"

kill "$PROM_PID" 2>/dev/null || true
wait_pid "$PROM_PID"
serve_cmd quit
tool_wait
assert_rc 0 "the session ends with its target"
finish
