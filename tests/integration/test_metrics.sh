#!/usr/bin/env bash
# --metrics read with curl: the bearer token (401 without), metric names by the naming
# rule and by export.prometheus{}, label values escaped, the series cap and its counters,
# a -E one-liner, and bad input (one line on stderr, non-zero exit, nothing left behind).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# metrics_url NAME: URL and TOKEN from the line the tool NAME printed on stderr.
metrics_url() {
	wait_for "$TMP/$1.err" "metrics at http://[^ ]+/metrics \(Authorization: Bearer [0-9a-f]+\)"
	URL=$(sed -nE 's|.*metrics at (http://[^ ]+/metrics) .*|\1|p' "$TMP/$1.err")
	TOKEN=$(sed -nE 's|.*Authorization: Bearer ([0-9a-f]+)\).*|\1|p' "$TMP/$1.err")
}
scrape() {	# scrape [CURL ARGS]: the page in $TMP/page, the HTTP status in $CODE
	CODE=$(curl -s --max-time 10 -o "$TMP/page" -w '%{http_code}' "$@")
}
# scrape_until ERE: scrapes $URL with $TOKEN until a line matches (10 s at most): the
# callbacks run on the loop, so a scrape may come before the last record is read.
scrape_until() {
	for ((i = 0; i < 200; i++)); do
		scrape -H "Authorization: Bearer $TOKEN" "$URL"
		grep -qE "$1" "$TMP/page" && return
		sleep 0.05
	done
}

case_ "the token: 401 without it or with another, 200 and text 0.0.4 with it"
cat >"$TMP/names.lua" <<LUA
local adds = probe("call:$LIB:ltfix_add", { agg = "count", by = "arg1" })
export.prometheus(adds, { name = "fixture_adds", help = "ltfix_add calls by first argument",
                          key = "first", labels = { note = 'q"b\\\\s\nn', bad = "\xff" } })
probe("call:$LIB:ltfix_sleep_us", { agg = "hist" })
probe("$LIB:ltfix_add", { agg = "count", by = "comm" })
export.prometheus(probe("$LIB:ltfix_add", { agg = "count", name = "hidden" }), { hide = true })
LUA
tool_serve names --metrics 127.0.0.1:0 "$TMP/names.lua"
metrics_url names
scrape "$URL"
assert_eq 401 "$CODE" "no Authorization header"
scrape -H "Authorization: Bearer ${TOKEN}0" "$URL"
assert_eq 401 "$CODE" "another token"
scrape -H "Authorization: Bearer $TOKEN" "${URL%/metrics}/other"
assert_eq 404 "$CODE" "a path other than /metrics"
type=$(curl -s -o /dev/null -w '%{content_type}' -H "Authorization: Bearer $TOKEN" "$URL")
assert_eq "text/plain; version=0.0.4; charset=utf-8" "$type" "Content-Type"
assert_file_contains "/proc/$TOOL_PID/maps" "libmicrohttpd.so" "--metrics loaded libmicrohttpd"

case_ "names, labels from keys and from the script, escaping"
serve_cmd "add 3 1 2"
serve_cmd "add 2 7 2"
serve_cmd "sleep 2 100"
scrape -H "Authorization: Bearer $TOKEN" "$URL"
assert_eq 200 "$CODE" "with the token"
page=$(cat "$TMP/page")
assert_contains "$page" "# HELP fixture_adds_total ltfix_add calls by first argument" "HELP"
assert_contains "$page" "# TYPE fixture_adds_total counter" "TYPE"
assert_contains "$page" "fixture_adds_total{probe=\"call:$LIB:ltfix_add\",first=\"1\",bad=\"$(printf '\xef\xbf\xbd')\",note=\"q\\\"b\\\\s\\nn\"} 3" \
	"the count of key 1, its labels escaped (invalid UTF-8 as U+FFFD)"
assert_match "$page" "fixture_adds_total\{[^}]*first=\"7\"[^}]*\} 2" "the count of key 7"
assert_contains "$page" "# TYPE ltrace_call_libltfix_ltfix_sleep_us_seconds histogram" \
	"a duration histogram: the default name, in seconds"
assert_contains "$page" "ltrace_call_libltfix_ltfix_sleep_us_seconds_count{probe=\"call:$LIB:ltfix_sleep_us\"} 2" \
	"its _count"
assert_contains "$page" "ltrace_call_libltfix_ltfix_sleep_us_seconds_bucket{probe=\"call:$LIB:ltfix_sleep_us\",le=\"+Inf\"} 2" \
	"its +Inf bucket"
assert_contains "$page" "ltrace_libltfix_ltfix_add_total{probe=\"$LIB:ltfix_add\",comm=\"ltfix_serve\"} 5" \
	"a count keyed by comm"
assert_not_contains "$page" "hidden" "hide = true leaves the aggregate out"
assert_contains "$page" "ltrace_probe_hits_total{probe=\"call:$LIB:ltfix_add\"} 5" "the probe's hits"
assert_contains "$page" 'ltrace_session_drops_total{reason="ringbuf_full"} 0' "drop counters"
serve_cmd quit
tool_wait
assert_rc 0 "the session ends with its target"

case_ "aggregates kept in Lua: copied by the loop at each scrape"
cat >"$TMP/lua.lua" <<LUA
local lat = hist("sleep_lat", { unit = "ns" })
local adds = counter()
export.prometheus(lat, { help = "sleeps seen by Lua" })
export.prometheus(adds, { name = "lua_adds", key = "a", labels = { src = "lua" } })
probe("call:$LIB:ltfix_sleep_us", function(c) lat:add(c.duration) end)
probe("call:$LIB:ltfix_add", { args = { "i32" } }, function(c) adds:add(c.args[1]) end)
LUA
tool_serve lua --metrics 127.0.0.1:0 "$TMP/lua.lua"
metrics_url lua
serve_cmd "sleep 3 3000"
serve_cmd "add 2 -7 2"
serve_cmd "add 1 1 2"
scrape_until '^lua_adds_total\{probe="lua:lua_adds",a="1",src="lua"\} 1$'
page=$(cat "$TMP/page")
assert_contains "$page" "# TYPE ltrace_sleep_lat_seconds histogram" "a Lua hist of ns: seconds"
assert_contains "$page" 'ltrace_sleep_lat_seconds_count{probe="lua:sleep_lat"} 3' "its count"
assert_contains "$page" 'ltrace_sleep_lat_seconds_bucket{probe="lua:sleep_lat",le="0.002097151"} 0' \
	"no 3 ms sleep below 2^21 ns"
assert_contains "$page" 'ltrace_sleep_lat_seconds_bucket{probe="lua:sleep_lat",le="+Inf"} 3' "+Inf"
assert_contains "$page" 'lua_adds_total{probe="lua:lua_adds",a="-7",src="lua"} 2' "a Lua counter by key"
assert_contains "$page" 'lua_adds_total{probe="lua:lua_adds",a="1",src="lua"} 1' "its other key"
serve_cmd quit
tool_wait
assert_rc 0 "the session ends with its target"

case_ "self-metrics: time threads were held, and the ring's fill level while the loop is busy"
cat >"$TMP/self.lua" <<LUA
-- 60 ms of callback per held call: each hold lasts at least that long.
probe("call:$LIB:ltfix_sleep_us", { hold = true }, function()
	local t = os.clock() + 0.06
	while os.clock() < t do end
end)
-- The first add's callback keeps the loop busy 3 s: the other records wait in the ring.
local first = true
probe("call:$LIB:ltfix_add", function()
	if first then first = false; local t = os.clock() + 3; while os.clock() < t do end end
end)
LUA
tool_serve self --metrics 127.0.0.1:0 "$TMP/self.lua"
metrics_url self
serve_cmd "sleep 3 100"
scrape_until '^ltrace_session_holds_total 3$'
page=$(cat "$TMP/page")
assert_contains "$page" "# TYPE ltrace_session_held_seconds_total counter" "held time: a counter"
assert_contains "$page" "ltrace_session_holds_total 3" "three holds, three resumes"
held=$(sed -nE 's/^ltrace_session_held_seconds_total ([0-9.]+)$/\1/p' "$TMP/page")
assert_eq 1 "$(python3 -c "import sys; print(int(0.18 <= float(sys.argv[1] or -1) < 30))" "$held")" \
	"held seconds '$held' >= 3 x 60 ms of callback"
serve_cmd "add 200 1 2"
used=0
for ((i = 0; i < 40; i++)); do	# while the first callback spins (3 s)
	scrape -H "Authorization: Bearer $TOKEN" "$URL"
	used=$(sed -nE 's/^ltrace_session_ring_used_bytes ([0-9]+)$/\1/p' "$TMP/page")
	[ "${used:-0}" -gt 0 ] && break
	sleep 0.05
done
size=$(sed -nE 's/^ltrace_session_ring_size_bytes ([0-9]+)$/\1/p' "$TMP/page")
assert_eq 1 "$(( ${used:-0} > 0 && ${used:-0} <= ${size:-0} ))" \
	"records waiting while the loop is busy: $used of the ring's $size bytes"
serve_cmd quit
tool_wait
assert_rc 0 "the session ends with its target"

case_ "stack-keyed aggregates: one series per folded stack, named by the loop's symbolizer"
tool_serve stk --metrics 127.0.0.1:0 \
	-E "probe('$LIB:ltfix_add', { agg = 'count', by = 'ustack' }); probe('call:$LIB:ltfix_sleep_us', { agg = 'hist', by = 'ustack' })"
metrics_url stk
serve_cmd "add 4 1 2"
serve_cmd "sleep 2 100"
scrape -H "Authorization: Bearer $TOKEN" "$URL"
assert_match "$(cat "$TMP/page")" \
	"ltrace_libltfix_ltfix_add_total\{probe=\"$LIB:ltfix_add\",stack=\"[^\"]*;call_do;ltfix_add\"\} 4" \
	"ltfix_add's four calls under one stack, root first, the probed function last"
assert_match "$(cat "$TMP/page")" \
	"ltrace_call_libltfix_ltfix_sleep_us_seconds_bucket\{probe=\"call:$LIB:ltfix_sleep_us\",stack=\"[^\"]*;main;call_do\",le=\"\+Inf\"\} 2" \
	"a stack-keyed histogram"
serve_cmd quit
tool_wait
assert_rc 0 "the session ends with its target"

case_ "the ltrace front end: -c's in-kernel counts served"
tool_serve lc --metrics 127.0.0.1:0 -c -- "$SERVE"
metrics_url lc
serve_cmd "add 3 1 2"
scrape -H "Authorization: Bearer $TOKEN" "$URL"
assert_match "$(cat "$TMP/page")" \
	"ltrace_call_ltfix_serve_seconds_count\{probe=\"call:[^\"]*ltfix_serve:\*\",function=\"ltfix_add\"\} 3" \
	"-c: ltfix_add's calls, by function"
serve_cmd quit
tool_wait
assert_rc 0 "ltrace -c ends with its target"

case_ "the series cap (-E one-liner): what is cut is counted"
tool_serve cap --metrics 127.0.0.1:0 --metrics-max-series 1 \
	-E "probe('call:$LIB:ltfix_add', { agg = 'count', by = 'arg1' })"
metrics_url cap
CAP_URL=$URL
serve_cmd "add 1 1 2"
serve_cmd "add 1 2 2"
serve_cmd "add 1 3 2"
scrape -H "Authorization: Bearer $TOKEN" "$URL"
scrape -H "Authorization: Bearer $TOKEN" "$URL"
page=$(cat "$TMP/page")
assert_eq 1 "$(grep -c '^ltrace_call_libltfix_ltfix_add_total{' "$TMP/page")" "one series kept"
assert_contains "$page" "ltrace_exporter_series_cut 2" "two cut from this scrape"
assert_contains "$page" "ltrace_exporter_series_cut_total 4" "four cut over two scrapes"

case_ "bad input: one line on stderr, a non-zero exit"
one_line_error() {	# WHAT REGEX
	assert_ne 0 "$RC" "$1: exit status"
	assert_eq 1 "$(wc -l <"$ERR")" "$1: one line on stderr"
	assert_match "$(cat "$ERR")" "$2" "$1: the message"
}
lt --metrics nonsense -E 'probe("libc:getpid")' -- "$RUN" -n 1 add 1 2
one_line_error "no port" "--metrics nonsense: expected HOST:PORT"
lt --metrics 10.1.2.3:9464 -E 'probe("libc:getpid")' -- "$RUN" -n 1 add 1 2
one_line_error "a non-loopback address" "not a loopback address: add --metrics-public"
addr=${CAP_URL#http://}
lt --metrics "${addr%/metrics}" -E 'probe("libc:getpid")' -- "$RUN" -n 1 add 1 2
assert_ne "" "$(pgrep -f -- "--metrics 127.0.0.1:0 --metrics-max-series 1" || true)" \
	"(the port is still taken by the running session)"
one_line_error "a port in use" "Address already in use"
lt --metrics 127.0.0.1:0 --metrics-token-file "$TMP/none" -E 'probe("libc:getpid")'
one_line_error "a token file that is not there" "--metrics-token-file .*none"
lt --metrics-public -E 'probe("libc:getpid")'
one_line_error "a --metrics option alone" "need --metrics"
printf 'export.prometheus(probe("call:%s:ltfix_add", { agg = "count" }), { name = "9x" })\n' \
	"$LIB" >"$TMP/badname.lua"
lt --metrics 127.0.0.1:0 "$TMP/badname.lua"
assert_ne 0 "$RC" "a bad metric name: exit status"
assert_match "$(cat "$ERR")" "badname.lua:1: export.prometheus: '9x' is not a metric name" \
	"a bad metric name: the script's line"
lt --metrics 127.0.0.1:0 -E 'export.prometheus(hist(), {})'
assert_match "$(cat "$ERR")" "export.prometheus: a Lua aggregate needs a name" "a Lua aggregate without a name"
lt --metrics 127.0.0.1:0 -E 'export.prometheus(lhist(0, 10, 1, "x"), {})'
assert_match "$(cat "$ERR")" "export.prometheus: a Lua lhist cannot be exported" "a Lua lhist"

serve_cmd quit
tool_wait
assert_rc 0 "the capped session ends with its target"
finish
