#!/usr/bin/env bash
# --http under hostile requests: no token, a wrong token or cookie, JWTs (expired, badly
# signed, unsigned), oversized headers, bodies and query strings, path traversal, 200
# concurrent slow clients and an event stream that is never read. Each is refused or
# dropped and counted (/api/stats), the traced program and the session go on (their calls
# are still counted), nothing crashes; and the address rules (loopback unless
# --http-public; the token never optional).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3	# Debian's: the helper uses only its standard library
HOSTILE="$SRC_DIR/tests/web/hostile.py"

# code [CURL ARGS]: the HTTP status in $CODE, the body in $TMP/body
code() {
	CODE=$(curl -s --max-time 20 -o "$TMP/body" -w '%{http_code}' "$@" || true)
}
stat() {	# stat SECTION KEY: a counter from /api/stats
	curl -s --max-time 20 -H "$AUTH" "${BASE}api/stats" |
		"$PY" -c "import json, sys; print(json.load(sys.stdin)['$1']['$2'])"
}
hits() {	# hits ID: the probe's kernel hit count
	curl -s --max-time 20 -H "$AUTH" "${BASE}api/probes" |
		"$PY" -c "import json, sys; print([p for p in json.load(sys.stdin) if p['id'] == $1][0]['hits'])"
}

head -c 48 /dev/urandom >"$TMP/jwt.key"
cat >"$TMP/sec.lua" <<LUA
probe("call:$LIB:ltfix_add", function(c) end)
probe("$LIB:ltfix_add", { agg = "count" })
LUA
tool_serve sec --http 127.0.0.1:0 --http-jwt-key "$TMP/jwt.key" "$TMP/sec.lua"
wait_for "$TMP/sec.err" "^http://127\.0\.0\.1:[0-9]+/\?token=[0-9a-f]{48}$"
URL=$(grep -m1 '^http://' "$TMP/sec.err")
BASE=${URL%%\?*}
TOKEN=${URL##*token=}
PORT=$(echo "$BASE" | sed -E 's|http://127.0.0.1:([0-9]+)/|\1|')
AUTH="Authorization: Bearer $TOKEN"

case_ "no token, a wrong one, a wrong cookie: 401, counted by kind"
code "$BASE"
assert_eq 401 "$CODE" "the page without a token"
code "${BASE}api/stats"
assert_eq 401 "$CODE" "the API without a token"
last=${TOKEN: -1}
code -H "Authorization: Bearer ${TOKEN%?}$([ "$last" = 0 ] && echo 1 || echo 0)" "${BASE}api/stats"
assert_eq 401 "$CODE" "a token differing in its last character"
code -H "Authorization: Basic $TOKEN" "${BASE}api/stats"
assert_eq 401 "$CODE" "another scheme"
code -b "ltrace_token=nope" "${BASE}api/probes"
assert_eq 401 "$CODE" "a wrong cookie"
code "${BASE}api/stats?token=${TOKEN}x"
assert_eq 401 "$CODE" "a wrong ?token="
code -X POST -d '{"id":0,"enabled":false}' "${BASE}api/filter"
assert_eq 401 "$CODE" "a filter change without a token"
code -H "$AUTH" "${BASE}api/stats"
assert_eq 200 "$CODE" "with the token"
code -D "$TMP/headers" "${URL}"
assert_eq 303 "$CODE" "?token= answers with the cookie and a redirect"
assert_file_contains "$TMP/headers" "Set-Cookie: ltrace_token=$TOKEN; Path=/; HttpOnly; SameSite=Strict" "the cookie"
code -b "ltrace_token=$TOKEN" "${BASE}api/probes"
assert_eq 200 "$CODE" "the cookie is let in"
assert_eq 3 "$(stat http unauthorized_missing)" "missing: counted"
assert_eq 4 "$(stat http unauthorized_bad)" "bad: counted"

case_ "JWT (HS256, --http-jwt-key): valid in, expired / badly signed / unsigned out"
code -H "Authorization: Bearer $("$PY" "$HOSTILE" jwt "$TMP/jwt.key" 600)" "${BASE}api/stats"
assert_eq 200 "$CODE" "a valid JWT"
code -H "Authorization: Bearer $("$PY" "$HOSTILE" jwt "$TMP/jwt.key" -60)" "${BASE}api/stats"
assert_eq 401 "$CODE" "an expired JWT"
assert_contains "$(cat "$TMP/body")" "token expired" "said so"
head -c 48 /dev/urandom >"$TMP/other.key"
code -H "Authorization: Bearer $("$PY" "$HOSTILE" jwt "$TMP/other.key" 600)" "${BASE}api/stats"
assert_eq 401 "$CODE" "a JWT signed with another key"
code -H "Authorization: Bearer $("$PY" "$HOSTILE" jwt "$TMP/jwt.key" 600 none)" "${BASE}api/stats"
assert_eq 401 "$CODE" "an unsigned JWT (alg none)"
assert_eq 1 "$(stat http unauthorized_expired)" "expired: counted"
assert_eq 6 "$(stat http unauthorized_bad)" "bad signatures: counted"

case_ "oversized headers, bodies, query strings"
big=$(head -c 20000 /dev/zero | tr '\0' a)
before=$(stat http connections_without_request)
code -H "$AUTH" -H "X-Big: $big" "${BASE}api/stats"
assert_ne 200 "$CODE" "20 kB of headers (got $CODE)"
code -H "$AUTH" -X POST --data-binary "{\"id\":0,\"comm\":\"$big\"}" "${BASE}api/filter"
assert_eq 413 "$CODE" "a 20 kB body"
code -H "$AUTH" -H "Transfer-Encoding: chunked" -X POST --data-binary "{\"x\":\"$big\"}" \
	"${BASE}api/filter"
assert_eq 413 "$CODE" "a 20 kB chunked body (no Content-Length)"
code -H "$AUTH" "${BASE}api/stats?q=$(head -c 2000 /dev/zero | tr '\0' b)"
assert_eq 414 "$CODE" "a 2 kB query string"
assert_eq 3 "$(stat http too_big)" "413s and 414s: counted"
assert_ne "$before" "$(stat http connections_without_request)" \
	"the oversized headers: a connection closed without a request, counted"

case_ "path traversal: no route leads to a file"
for path in "../../../../etc/passwd" "%2e%2e/%2e%2e/etc/passwd" "api/../../etc/passwd" \
	"api/sessions/1/../../../etc/passwd" "api/sessions/..%2f..%2fetc%2fpasswd/export" \
	"index.html" "web/index.html" "//etc/passwd"; do
	code --path-as-is -H "$AUTH" "${BASE}$path"
	assert_eq 404 "$CODE" "/$path"
	assert_not_contains "$(cat "$TMP/body")" "root:" "/$path: no file content"
done
assert_eq 8 "$(stat http not_found)" "404s: counted"

case_ "200 concurrent slow clients: refused or timed out, counted; tracing goes on"
before=$(hits 1)
"$PY" "$HOSTILE" slow 127.0.0.1 "$PORT" 200 40 >"$TMP/slow.out" &
SLOW=$!
wait_for "$TMP/slow.out" "^connected"
serve_cmd "add 1000 1 2"	# the traced program is not held up while they hang on
wait_pid "$SLOW" 60
assert_contains "$(cat "$TMP/slow.out")" "closed 200 of 200" "every slow client was closed by the server"
assert_eq $((before + 1000)) "$(hits 1)" "the session counted every call meanwhile"
refused=$(stat http connections_refused)
assert_between 100 200 "$refused" "connections over the limit (64) refused at accept, counted"
nreq=$(stat http connections_without_request)
assert_between 64 300 "$nreq" "the others timed out without a request, counted"

case_ "an event stream that is never read is dropped and counted"
coproc STALL { "$PY" "$HOSTILE" stall 127.0.0.1 "$PORT" "$TOKEN"; }
read -r -t 20 state <&"${STALL[0]}" || state=none
assert_eq open "$state" "the stream opened"
dropped=0
# a whole ring (4096 events) past what its socket holds, then the connection timeout (10 s)
for ((i = 0; i < 120 && dropped == 0; i++)); do
	serve_cmd "add 20000 1 2"
	dropped=$(stat sse dropped_slow)
	sleep 0.25
done
assert_eq 1 "$dropped" "the stalled stream was dropped"
assert_ne 0 "$(stat sse skipped)" "the events it missed: counted"
exec {STALL[1]}>&-
read -r -t 20 state <&"${STALL[0]}" || state=none
assert_eq closed "$state" "the client sees its stream closed"
code -H "$AUTH" "${BASE}api/stats"
assert_eq 200 "$CODE" "the server still answers"

serve_cmd quit
tool_wait
assert_rc 0 "the session ends with its target, no crash"
assert_contains "$(cat "$TMP/sec.err")" "unauthorized" "the counts at exit"

case_ "Ctrl-C while serving: an orderly end (end handlers, status)"
cat >"$TMP/int.lua" <<LUA
probe("call:$LIB:ltfix_add", function(c) end)
on("end", function() print("end handlers ran") end)
LUA
tool_serve int --http 127.0.0.1:0 "$TMP/int.lua"
wait_for "$TMP/int.err" "^http://"
serve_cmd "add 3 1 2"
kill -INT "$TOOL_PID"
tool_wait
# 130, or the target's own status when the forwarded SIGINT ended it first
[[ "$RC" == 130 || "$RC" == 0 ]] && pass || fail "ended as on Ctrl-C: status $RC"
assert_file_contains "$TMP/int.out" "end handlers ran" "an orderly end, not the signal's default action"
kill "$SERVE_PID" 2>/dev/null || true
wait_pid "$SERVE_PID"

case_ "addresses: loopback unless --http-public; bad input: one line, non-zero exit"
lt -t 10 --http 0.0.0.0:0 -E 'print(1)'
assert_rc 1 "0.0.0.0 without --http-public"
assert_contains "$(cat "$ERR")" "not a loopback address: add --http-public" "said so"
lt -t 10 --http nonsense -E 'print(1)'
assert_rc 1 "no port"
assert_eq 1 "$(wc -l <"$ERR")" "one line"
echo short >"$TMP/short.token"
lt -t 10 --http 127.0.0.1:0 --http-token-file "$TMP/short.token" -E 'print(1)'
assert_rc 1 "a token under 16 characters"
echo short-key >"$TMP/short.key"
lt -t 10 --http 127.0.0.1:0 --http-jwt-key "$TMP/short.key" -E 'print(1)'
assert_rc 1 "a JWT key under 32 bytes"
lt -t 10 --http-public -E 'print(1)'
assert_rc 2 "--http-public without --http (a usage error)"
lt -t 10 --http-keep 0 --http 127.0.0.1:0 -E 'print(1)'
assert_rc 2 "--http-keep 0"
finish
