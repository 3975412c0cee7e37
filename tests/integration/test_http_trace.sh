#!/usr/bin/env bash
# Requests as spans of one trace (lua/http.lua's delivery, src/proto/http_link.c,
# src/proto/traceparent.c) with real servers on loopback: python3's threaded front service
# (tests/http_trace/services.py) calls the back service (python's http.server) with urllib
# on the thread serving each request, once propagating the traceparent curl sent and once
# with none. Both processes are traced in one session with --otlp to the tests' receiver
# (otlp_receiver.py): an exact number of spans; the front's server span in curl's trace
# with curl's span as parent; its client span its child; the back's server span the
# client's child (the connection's two ends), times nested; a request without a header in
# a trace of its own shared by the three; an invalid traceparent ignored and counted.
#
# Linking the two processes needs each connection's ends, which the tool reads from /proc
# when it first handles the socket's records (up to tens of milliseconds later on a loaded
# machine): the back service sleeps 200 ms per request so its connections outlive that.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || { echo "test_http_trace: nginx missing (./build.sh deps)" >&2; exit 1; }
source "$(dirname "$0")/otlp_lib.sh"

PY=/usr/bin/python3
FIX="$SRC_DIR/tests/http_trace"
BASE=$((24000 + ($$ % 4000) * 2))
FRONT=$BASE BACK=$((BASE + 1))
TRACE=4bf92f3577b34da6a3ce929d0e0e4736
PARENT=00f067aa0ba902b7

"$PY" "$FIX/services.py" back "$BACK" 200 "$TMP/back.ready" &
BACK_PID=$!
"$PY" "$FIX/services.py" front "$FRONT" "$BACK" "$TMP/front.ready" &
FRONT_PID=$!
wait_file "$TMP/back.ready"
wait_file "$TMP/front.ready"
receiver_start rcv
URL=http://127.0.0.1:$RPORT

cat >"$TMP/trace.lua" <<'LUAEOF'
for _, pid in ipairs(arg) do trace_pid(tonumber(pid)) end
on("begin", function() print("ready") io.stdout:flush() end)	-- every probe attached
probe("http:request", function(r)
	print(("req %s %s %s trace=%s span=%s parent=%s traceparent=%s parent_span_id=%s tracestate=%s ends=%s:%s,%s:%s")
		:format(r.role, r.path, r.status, r.trace_id, r.span_id, r.parent, r.traceparent,
			r.parent_span_id, r.tracestate, r.laddr, r.lport, r.raddr, r.rport))
	io.stdout:flush()
end)
on("end", function()
	local st = require("http").stats()
	print(("invalid=%d ambiguous=%d"):format(st.traceparent_invalid, st.ambiguous))
end)
LUAEOF

case_ "traceparent propagated, none, and an invalid one: three traces of three spans"
bg trace --otlp "$URL" "$TMP/trace.lua" "$FRONT_PID" "$BACK_PID"
wait_for "$OUT" "^ready"
curl -s -o /dev/null -H "traceparent: 00-$TRACE-$PARENT-01" -H "tracestate: congo=t61rcWkgMzE" \
	"http://127.0.0.1:$FRONT/with"
curl -s -o /dev/null "http://127.0.0.1:$FRONT/without"
curl -s -o /dev/null -H "traceparent: 00-$TRACE-0000000000000000-01" "http://127.0.0.1:$FRONT/with"
bg_until "req server /without 200" "req server /with 200 .* traceparent=nil"
OUT="$TMP/trace.out"
assert_eq 9 "$(grep -c '^req ' "$OUT" || true)" "nine requests: three per curl"
assert_eq "invalid=3 ambiguous=0" "$(grep '^invalid=' "$OUT")" \
	"the invalid header counted at each hop that carried it (front, its client, back)"
assert_contains "$(cat "$TMP/trace.err")" "http: 3 invalid traceparent headers ignored" \
	"said once at the end"
assert_match "$(grep '^req server /with 200 trace=4bf9' "$OUT")" \
	"trace=$TRACE span=[0-9a-f]{16} parent=$PARENT traceparent=00-$TRACE-$PARENT-01 parent_span_id=$PARENT tracestate=congo=t61rcWkgMzE " \
	"r.trace_id, parent, traceparent, parent_span_id, tracestate from the header"
assert_match "$(grep '^req server /without' "$OUT")" \
	"trace=[0-9a-f]{32} span=[0-9a-f]{16} parent=nil traceparent=nil" "no header: a new trace, a root"
OUT="$TMP/out"
facts rcv
assert_eq 9 "$(fact spans)" "nine spans sent"
python3 "$FIX/span_facts.py" "$TMP/rcv.spans" "$TRACE" "$PARENT" >"$TMP/facts"
assert_eq 9 "$(fact spans)" "nine spans"
assert_eq 3 "$(fact traces)" "three traces"
assert_eq 1 "$(fact header_trace_is_traffics)" "curl's trace id is a trace's"
assert_eq 3 "$(fact hdr_size)" "curl's trace: front server, its client, back server"
assert_eq "$PARENT" "$(fact hdr_parent)" "the front server span's parent: curl's span (the header's)"
assert_eq 1 "$(fact hdr_linked)" "client.parent = front server, back.parent = client"
assert_eq congo=t61rcWkgMzE "$(fact hdr_tracestate)" "the header's tracestate goes with its trace"
assert_eq "" "$(fact without_tracestate)" "none without"
assert_eq 1 "$(fact hdr_nested)" "times nested"
assert_eq "GET /with 200 2 3 $BACK python3" "$(fact hdr_attrs)" \
	"http.request.method, url.path, status, SERVER and CLIENT, server.port, service.name"
assert_eq 3 "$(fact without_size)" "no header: one new trace for the three"
assert_eq "" "$(fact without_parent)" "no header: the front server span is a root"
assert_eq 1 "$(fact without_linked)" "no header: linked by thread and by connection"
assert_eq 1 "$(fact without_nested)" "no header: times nested"
assert_eq 3 "$(fact with_size)" "invalid header: ignored, a new trace of three"
assert_eq "" "$(fact with_parent)" "invalid header: no parent from it"
assert_eq 1 "$(fact with_linked)" "invalid header: still linked"
no_violations rcv

case_ "nginx proxying to the back service (one thread, an event loop): linked by trace id or when alone"
NGX=$((BASE + 2))
source "$(dirname "$0")/nginx_static.sh"
nginx_static "$TMP" "$NGX" \
	"location / { rewrite ^ /work break; proxy_pass http://127.0.0.1:$BACK; proxy_http_version 1.1; }"
receiver_clear rcv
bg ngx --otlp "$URL" "$TMP/trace.lua" "$NGX_PID" "$BACK_PID"
wait_for "$OUT" "^ready"
curl -s -o /dev/null -H "traceparent: 00-$TRACE-$PARENT-01" "http://127.0.0.1:$NGX/with"
curl -s -o /dev/null "http://127.0.0.1:$NGX/without"
bg_until "req server /without 200"
kill "$NGX_PID" 2>/dev/null || true
wait "$NGX_PID" 2>/dev/null || true
python3 "$FIX/span_facts.py" "$TMP/rcv.spans" "$TRACE" "$PARENT" >"$TMP/facts"
assert_eq 6 "$(fact spans)" "six spans: nginx's server and client, the back's, twice"
assert_eq "$PARENT" "$(fact hdr_parent)" "nginx's server span: curl's trace and span"
assert_eq 1 "$(fact hdr_linked)" "header: nginx's client request (same trace id) and the back's"
assert_eq 1 "$(fact without_linked)" "no header, one request in flight: linked by the thread"
assert_eq 1 "$(fact hdr_nested)" "times nested"
assert_eq "invalid=0 ambiguous=0" "$(grep '^invalid=' "$TMP/ngx.out")" "nothing ambiguous"

case_ "httpsnoop --otlp -p FRONT: its lines, and a span per request, linked"
receiver_clear rcv
bg snoop --otlp "$URL" "$SRC_DIR/scripts/httpsnoop.lua" -p "$FRONT_PID"
wait_for "$OUT" "^PID"
curl -s -o /dev/null -H "traceparent: 00-$TRACE-$PARENT-01" "http://127.0.0.1:$FRONT/with"
bg_until " server +GET +/with "
assert_eq 2 "$(grep -c ' GET ' "$TMP/snoop.out" || true)" "two lines: the front's server and client requests"
facts rcv
assert_eq 2 "$(fact spans)" "two spans"
assert_eq 1 "$(fact traces)" "one trace"
assert_eq "$TRACE" "$(fact trace_ids)" "curl's"
assert_eq "$PARENT" "$(fact root_parents)" "the server span's parent: curl's span"
assert_eq 2 "$(fact depth_max)" "the client span under the server span"

case_ "probe option span = false: no spans under --otlp"
receiver_clear rcv
bg nospan --otlp "$URL" -E "trace_pid($FRONT_PID); trace_pid($BACK_PID); probe('http:request', { span = false }, function(r) print('req', r.role, r.path) io.stdout:flush() end)"
wait_attached "$BG_PID"
curl -s -o /dev/null "http://127.0.0.1:$FRONT/without"
bg_until "req.server./without"
assert_eq 3 "$(grep -c '^req' "$TMP/nospan.out" || true)" "the requests are seen"
assert_eq "" "$(cat "$TMP/rcv.spans")" "no spans"

case_ "export.span{trace=, id=}: bad ids are an error on the script's line"
lt -E 'export.span{ name = "x", trace = "4BF92F3577B34DA6A3CE929D0E0E4736" }'
assert_ne 0 "$RC" "uppercase trace id refused"
assert_contains "$(cat "$ERR")" "'trace' must be 32 lowercase hex digits" "says why"
lt -E 'export.span{ name = "x", id = "0000000000000000" }'
assert_contains "$(cat "$ERR")" "'id' must be 16 lowercase hex digits, not all zero" "all-zero id refused"
case_ "a short connection read after it closed: still linked (the client's own end from the kernel)"
# The first request's callback holds the tool until curl's second, short connection is over
# and curl gone: /proc no longer has the connection when its records are read, so its own
# end comes from the TCP state changes (src/proto/tcp_ends.h) or not at all.
cat >"$TMP/held.lua" <<'LUAEOF'
local dir = arg[1]
trace_pid(tonumber(arg[2]))
local held = false
probe("http:request", function(r)
	if not held then
		held = true
		while not io.open(dir .. "/go") do end
	end
	print(("req %s %s span=%s parent=%s ends=%s:%s,%s:%s"):format(r.role, r.path, r.span_id,
		r.parent, r.laddr, r.lport, r.raddr, r.rport))
	io.stdout:flush()
end)
LUAEOF
bg held -f "$TMP/held.lua" "$TMP" "$BACK_PID" -- sh -c \
	"curl -s -o /dev/null http://127.0.0.1:$BACK/first; curl -s -o /dev/null http://127.0.0.1:$BACK/short; touch $TMP/short.done"
wait_file "$TMP/short.done"
touch "$TMP/go"
bg_wait
HELD="$TMP/held.out"
assert_eq 1 "$(grep -c '^req client /short ' "$HELD" || true)" "curl's short request, once"
assert_eq 1 "$(grep -c '^req server /short ' "$HELD" || true)" "the back's, once"
assert_match "$(grep '^req client /short ' "$HELD")" "ends=127.0.0.1:[0-9]+,127.0.0.1:$BACK\$" \
	"the client's own end, though curl and its connection were gone"
CSPAN=$(sed -nE 's/^req client \/short span=([0-9a-f]+) .*/\1/p' "$HELD")
assert_match "$(grep '^req server /short ' "$HELD")" "parent=$CSPAN " "the back's request: the client's child"

lt -E "export.span{ name = 'x', trace = '$TRACE', parent = '00-0af7651916cd43dd8448eb211c80319c-$PARENT-01' }"
assert_contains "$(cat "$ERR")" "'trace' is not the trace of 'parent'" "a trace other than the parent's"
lt -E "print(export.span{ name = 'x', trace = '$TRACE', id = '$PARENT' })"
assert_rc 0 "good ids"
assert_eq "00-$TRACE-$PARENT-01" "$(cat "$OUT")" "the span's traceparent: those ids"

kill "$FRONT_PID" "$BACK_PID" 2>/dev/null || true
wait "$FRONT_PID" "$BACK_PID" 2>/dev/null || true
receiver_stop rcv
finish
