#!/usr/bin/env bash
# --otlp URL against the OTLP/HTTP JSON receiver of the tests (otlp_receiver.py, which checks
# every field against OTLP's JSON mapping): one span per paired call (exact counts), parent
# and child from nested calls on a thread, durations of known sleeps, resource attributes,
# the Lua API (export.span{}, export.otlp{}, the probe option span), a -E one-liner, a
# script, the ltrace front end (plain and -c), --metrics's OTLP counters, bad input.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/otlp_lib.sh"

receiver_start main
URL=http://127.0.0.1:$RPORT

case_ "-E: one span per paired call, parent/child from nesting, one trace per outer call"
lt --otlp "$URL" -E "probe('call:$LIB:ltfix_recurse')" -- "$RUN" -n 3 recurse 2
assert_rc 0 "the session"
facts main
assert_eq 9 "$(fact spans)" "spans: 3 calls of ltfix_recurse(2), each 3 deep"
assert_eq 3 "$(fact roots)" "roots: the outer calls"
assert_eq 3 "$(fact traces)" "a trace per outer call"
assert_eq "3 3 3" "$(fact trace_sizes)" "three spans in each trace"
assert_eq 3 "$(fact depth_max)" "recurse(2) -> recurse(1) -> recurse(0)"
assert_eq 0 "$(fact orphans)" "every parent was sent"
assert_eq 1 "$(fact nested_ok)" "children inside their parents, same trace and thread"
assert_eq "2 2 2" "$(fact returns)" "the roots are the outer calls (ltrace.return 2)"
assert_eq ltfix_run "$(fact services)" "service.name: the target's comm"
pid=$(sed -nE 's/^thread 0 tid ([0-9]+) .*/\1/p' "$OUT")
assert_eq "$pid" "$(fact pids)" "process.pid: the target's"
assert_contains "$(cat "$ERR")" "otlp: 9 spans, 9 sent to $URL/v1/traces in" "the summary line"
assert_contains "$(cat "$ERR")" "0 dropped (0 queue full, 0 undeliverable), 0 retries" \
	"nothing dropped or retried"
no_violations main

case_ "threads: parents on their own thread; durations of known sleeps"
receiver_clear main
lt --otlp "$URL" -E "probe('call:$LIB:ltfix_recurse'); probe('call:$LIB:ltfix_sleep_us')" \
	-- "$RUN" -t 3 -n 2 recurse 1
assert_rc 0 "the session"
facts main ltfix_recurse
assert_eq 12 "$(fact spans)" "3 threads x 2 calls x 2 deep"
assert_eq 6 "$(fact roots)" "one root per outer call"
assert_eq 1 "$(fact nested_ok)" "each child on its parent's thread"
lt --otlp "$URL" -E "probe('call:$LIB:ltfix_sleep_us')" -- "$RUN" -n 4 sleep 30000
facts main ltfix_sleep_us
assert_eq 4 "$(fact spans)" "4 sleeps"
for d in $(fact durations_us); do
	assert_between 30000 2000000 "$d" "a 30 ms sleep's span, in us (generous margin)"
done
no_violations main

case_ "a script: export.otlp{service, traceparent}, export.span{}, span = false"
receiver_clear main
TP=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01
cat >"$TMP/spans.lua" <<LUA
local st = export.otlp{ service = "checkout", traceparent = "$TP" }
print("enabled=" .. tostring(st.enabled))
probe("call:$LIB:ltfix_add", { span = false }, function(e) end)
probe("call:$LIB:ltfix_recurse", function(e)
  if e.ret == 1 then
    local tp = export.span{ name = "lua-span", start = e.ts, duration = e.duration,
                            kind = "server", status = "error", message = "boom",
                            attrs = { n = 7, f = 1.5, ok = true, s = "x" } }
    export.span{ name = "lua-child", start = e.ts, duration = 1000, parent = tp }
    print("tp=" .. tp)
  end
end)
LUA
lt --otlp "$URL" "$TMP/spans.lua" -- "$RUN" -n 2 recurse 1
assert_rc 0 "the session"
assert_eq true "$(val enabled)" "export.otlp() says --otlp is on"
facts main ltfix_recurse
assert_eq 4 "$(fact spans)" "2 calls of recurse(1), 2 deep"
assert_eq 0 "$(fact roots)" "the outer calls are children of the script's traceparent"
assert_eq b7ad6b7169203331 "$(fact root_parents)" "their parent: the traceparent's span"
assert_eq 0af7651916cd43dd8448eb211c80319c "$(fact trace_ids)" "their trace: the traceparent's"
assert_eq checkout "$(fact services)" "service.name from export.otlp{}"
facts main ltfix_add
assert_eq 0 "$(fact spans)" "span = false: no span"
facts main lua-span
assert_eq 2 "$(fact spans)" "one export.span per outer call"
assert_eq 0af7651916cd43dd8448eb211c80319c "$(fact trace_ids)" "export.span in the session's trace"
python3 - "$TMP/main.spans" <<'PY' >"$TMP/lua.facts"
import json, sys
spans = [json.loads(l) for l in open(sys.argv[1])]
s = next(x for x in spans if x["name"] == "lua-span")
c = [x for x in spans if x["name"] == "lua-child" and x["parentSpanId"] == s["spanId"]]
print("kind=%d" % s["kind"])
print("status=%d %s" % (s["status"], s["message"]))
print("attrs=%s" % json.dumps(s["attrs"], sort_keys=True))
print("children=%d" % len(c))
print("child_trace=%d" % (c[0]["traceId"] == s["traceId"]))
PY
assert_eq 2 "$(val kind "$TMP/lua.facts")" "kind = server: SpanKind 2"
assert_eq "2 boom" "$(val status "$TMP/lua.facts")" "status error with its message"
assert_eq '{"f": 1.5, "n": "7", "ok": true, "s": "x"}' "$(val attrs "$TMP/lua.facts")" \
	"attributes by type (int64 as a string)"
assert_eq 1 "$(val children "$TMP/lua.facts")" "parent = the traceparent export.span returned"
assert_eq 1 "$(val child_trace "$TMP/lua.facts")" "the child in its parent's trace"
no_violations main

case_ "without --otlp the API runs and sends nothing"
lt -E "print('enabled=' .. tostring(export.otlp().enabled)); print('tp=' .. export.span{ name = 'x' })"
assert_rc 0 "the session"
assert_eq false "$(val enabled)" "export.otlp() says --otlp is off"
assert_match "$(val tp)" '^00-[0-9a-f]{32}-[0-9a-f]{16}-01$' "export.span still returns a traceparent"

case_ "the ltrace front end: traced calls and -c's counted calls become spans"
receiver_clear main
lt --otlp "$URL" "$RUN" -n 4 add 1 2
assert_rc 0 "ltrace mode"
assert_contains "$(cat "$OUT" "$ERR")" "ltfix_add(1, 2" "the calls are still printed"
facts main ltfix_add
assert_eq 4 "$(fact spans)" "one span per ltfix_add call"
receiver_clear main
lt --otlp "$URL" -c "$RUN" -n 5 add 1 2
assert_rc 0 "ltrace -c"
facts main ltfix_add
assert_eq 5 "$(fact spans)" "-c: one span per ltfix_add call"
no_violations main

case_ "--metrics shows the sender's counters"
receiver_clear main
MPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '%s\n' 0123456789abcdef0123 >"$TMP/token"
lt --otlp "$URL" --metrics "127.0.0.1:$MPORT" --metrics-token-file "$TMP/token" -E "
probe('call:$LIB:ltfix_add')
on('end', function()
  os.execute('sleep 0.5; curl -s -H \"Authorization: Bearer 0123456789abcdef0123\" http://127.0.0.1:$MPORT/metrics > $TMP/page')
end)" -- "$RUN" -n 3 add 1 2
assert_rc 0 "the session"
assert_file_contains "$TMP/page" "# TYPE ltrace_exporter_otlp_spans_sent_total counter" "its TYPE"
assert_file_contains "$TMP/page" "ltrace_exporter_otlp_spans_dropped_queue_full_total 0" \
	"the queue-full drop counter"
assert_file_contains "$TMP/page" "ltrace_exporter_otlp_retries_total 0" "the retry counter"

case_ "bad input: one line on stderr, non-zero exit, nothing started"
for bad in nonsense ftp://127.0.0.1:4318 http:// "http://[::1"; do
	lt --otlp "$bad" -E "probe('call:$LIB:ltfix_add')" -- "$RUN" -n 1 add 1 2
	assert_eq 1 "$RC" "--otlp '$bad': exit status"
	assert_eq 1 "$(wc -l <"$ERR")" "--otlp '$bad': one line"
	assert_contains "$(cat "$ERR")" "--otlp '$bad': expected an http:// or https:// URL" "the message"
	assert_not_contains "$(cat "$OUT")" "total" "the command did not run"
done
lt -E "probe('call:$LIB:ltfix_add')" --otlp
assert_ne 0 "$RC" "--otlp without a URL"
assert_contains "$(cat "$ERR")" "requires an argument" "said so"
lt --otlp "$URL" -l 'libc:mall*'
assert_ne 0 "$RC" "--otlp with -l"
assert_contains "$(cat "$ERR")" "--otlp serves a tracing session" "said so"
lt --otlp "$URL" -E "probe('uprobe:$LIB:ltfix_add', { span = true })" -- "$RUN" -n 1 add 1 2
assert_ne 0 "$RC" "span = true on an uprobe"
assert_contains "$(cat "$ERR")" "option 'span': spans are made of paired calls" "said so"
lt --otlp "$URL" -E "export.span{ name = 'x', parent = '00-00000000000000000000000000000000-b7ad6b7169203331-01' }"
assert_ne 0 "$RC" "an all-zero trace id"
assert_contains "$(cat "$ERR")" "is not a W3C traceparent" "said so"
lt --otlp "$URL" -E "export.span{ duration = 5 }"
assert_ne 0 "$RC" "a span without a name"
assert_contains "$(cat "$ERR")" "'name' (a string) is needed" "said so"
lt --otlp "$URL" -E "export.span{ name = 'x', attrs = { t = {} } }"
assert_ne 0 "$RC" "a table attribute"
assert_contains "$(cat "$ERR")" "attribute 't' must be a string, number or boolean" "said so"
no_violations main

receiver_stop main
finish
