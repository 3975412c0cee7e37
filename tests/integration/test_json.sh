#!/usr/bin/env bash
# --json (docs/json.md, issue 15 item 2): every field the doc lists is on real output (the
# doc's tables are read, json_schema.py), exact counts of a fixture's calls in events and
# aggregates, lines readable while the session runs (flushed per batch), bytes that are not
# UTF-8 as hex, -E and --json=FILE, json.encode, and bad input.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

JROWS="$(dirname "$0")/json_rows.py"
SCHEMA="$(dirname "$0")/json_schema.py"

# Every probe kind that runs here and every aggregate kind, in the kernel and in Lua.
cat >"$TMP/all.lua" <<LUA
probe("$LIB:ltfix_add", function(e) end)                      -- rec entry
probe("uretprobe:$LIB:ltfix_add", function(e) end)            -- rec return
probe("call:$LIB:ltfix_add", function(e) end)                 -- rec call
probe("syscall:openat", function(e) end)                      -- one fails: errno
probe("tracepoint:syscalls:sys_enter_openat", function(e) end)
probe("rawtracepoint:sched_process_exec", { fields = { tgid = "p.tgid", path = "bprm.filename" } },
      function(e) end)                                        -- named paths
probe("call:$LIB:ltfix_add", { agg = "hist" })
probe("call:$LIB:ltfix_add", { agg = "stats", by = "func", name = "add_stats" })
probe("call:$LIB:ltfix_add", { agg = "sum", of = "arg1", by = "pid" })
probe("$LIB:ltfix_add", { agg = "count", by = "arg2" })
local l = lhist(0, 10, 2, "lin")
for _, v in ipairs({ -1, 1, 5, 50 }) do l:add(v) end
local a = agg.avg("mean")
a:add(4)
on("end", function() export.json({ note = "from the script", list = { 1, 2 } }) end)
LUA

case_ "every field docs/json.md lists, on real output"
lt --json "$TMP/all.lua" -- sh -c "read x </nonexistent-$$ 2>/dev/null; exec $RUN -n 5 add 1 2"
assert_rc 0
assert_eq 0 "$("$JROWS" "$OUT" >/dev/null; echo $?)" "every line is JSON"
cp "$OUT" "$TMP/all.json"
check=$("$SCHEMA" "$SRC_DIR/docs/json.md" "$TMP/all.json" 2>&1 || true)
assert_match "$check" "^checked [0-9]+ fields$" "the documented fields"
assert_eq 0 "$(grep -c '^fixture\|^thread\|^total' "$TMP/all.json" || true)" "the command's output is not in the JSON"

case_ "exact counts: 5 calls of ltfix_add"
assert_eq 5 "$("$JROWS" "$TMP/all.json" type=event rec=call func=ltfix_add | wc -l)" "5 call events"
assert_eq 5 "$("$JROWS" "$TMP/all.json" type=event rec=entry func=ltfix_add | wc -l)" "5 entry events"
assert_eq 5 "$("$JROWS" "$TMP/all.json" type=event rec=return func=ltfix_add -- ret | grep -cx 3)" "5 returns of 1 + 2"
assert_eq "$(printf '1\t2')" "$("$JROWS" "$TMP/all.json" type=event rec=entry func=ltfix_add -- args | head -1 | python3 -c 'import json, sys; a = json.load(sys.stdin); print("%d\t%d" % (a[0], a[1]))')" "the arguments"
rows() { "$JROWS" "$TMP/all.json" type=agg "$@" -- rows; }
assert_match "$(rows agg=hist probe="call:$LIB:ltfix_add")" '"count":5,"key":null,' "the hist's count"
assert_match "$(rows agg=hist probe="call:$LIB:ltfix_add")" '^\[\{"buckets":\[\{"count":[0-9],"hi":[0-9]+,"lo":[0-9]+\}' "its buckets"
assert_eq ns "$("$JROWS" "$TMP/all.json" type=agg agg=hist probe="call:$LIB:ltfix_add" -- unit)" "durations in ns"
assert_match "$(rows name=add_stats)" '^\[\{"count":5,"key":"ltfix_add","max":[0-9]+,"min":[0-9]+,"sum":[0-9]+\}\]$' "stats by func"
assert_match "$(rows agg=sum)" '^\[\{"count":5,"key":"[0-9]+","sum":5\}\]$' "sum of arg1 by pid"
assert_eq '[{"count":5,"key":"2"}]' "$(rows agg=count by=arg2)" "count by arg2"
assert_eq '[{"buckets":[{"count":1,"hi":0},{"count":1,"hi":2,"lo":0},{"count":1,"hi":6,"lo":4},{"count":1,"lo":10}],"count":4,"key":null,"max":50,"min":-1,"sum":55}]' \
	"$(rows name=lin agg=lhist)" "a Lua lhist: its buckets' bounds"
assert_eq '[{"count":1,"key":null,"max":4,"min":4,"sum":4}]' "$(rows name=mean agg=avg)" "a Lua avg"
assert_eq "$(printf '[1,2]\tfrom the script')" "$("$JROWS" "$TMP/all.json" type=record -- list note)" "export.json's record"
assert_eq "$RUN" "$("$JROWS" "$TMP/all.json" type=event kind=rawtracepoint -- fields.tgid fields.path | awk -F'\t' -v p="$RUN" '$2 == p { print $2 }' | head -1)" \
	"a raw tracepoint's named paths: the exec of the fixture"
assert_eq ENOENT "$("$JROWS" "$TMP/all.json" type=event kind=syscall -- errno fields.filename | grep nonexistent-$$ | cut -f1)" "the failed openat"
assert_eq "agg_full data_full hold_failed inflight_full offcpu_lost pids_full read_fault returns_unwound ringbuf_full stack_lost str_truncated unmatched_return" \
	"$("$JROWS" "$TMP/all.json" type=end -- drops | python3 -c 'import json, sys; print(" ".join(sorted(json.load(sys.stdin))))')" "the drop counters by name"

case_ "live: a line is readable while the session runs (--json=FILE)"
cat >"$TMP/live.lua" <<LUA
probe("call:$LIB:ltfix_add", function(e) end)
LUA
tool_serve live --json="$TMP/live.json" "$TMP/live.lua"
serve_cmd "add 1 5 6"	# one call of ltfix_add(5, 6)
wait_for "$TMP/live.json" '"args":\[5,6'
assert_alive "$TOOL_PID"
assert_eq 1 "$("$JROWS" "$TMP/live.json" type=event func=ltfix_add | wc -l)" "the call, before the end"
assert_eq 0 "$("$JROWS" "$TMP/live.json" type=end | wc -l)" "no end line yet"
serve_cmd "add 3 7 8"
wait_for "$TMP/live.json" '"args":\[7,8'
assert_alive "$TOOL_PID"
assert_eq 4 "$("$JROWS" "$TMP/live.json" type=event func=ltfix_add | wc -l)" "1 + 3 calls"
serve_cmd quit
tool_wait
assert_rc 0
assert_eq end "$("$JROWS" "$TMP/live.json" -- type | tail -1)" "then the end line"

case_ "-E and bytes that are not UTF-8"
lt --json -E 'export.json({ s = "a\xffb", t = "ok \"q\" \n" }) print(json.encode({ 1, "x\0y", { k = false } }))'
assert_rc 0
assert_eq '{"hex":"61ff62"}' "$("$JROWS" "$OUT" type=record -- s)" "invalid UTF-8 as hex"
assert_contains "$(cat "$OUT")" '"t":"ok \"q\" \n"' "quotes and newlines escaped"
assert_eq '[1,{"hex":"780079"},{"k":false}]' "$(cat "$ERR")" "json.encode; print goes to stderr with --json on stdout"
lt -E 'print(export.json({ a = 1 }))'
assert_eq false "$(cat "$OUT")" "export.json without --json: false, nothing written"

case_ "bad input: one line, exit 2 (a bad option) or 1, nothing started"
lt --json= -E 'print(1)'
assert_rc 2
assert_eq "ltrace-ebpf: --json=: expected a file name after '='" "$(cat "$ERR")" "--json="
lt --json --json -E 'print(1)'
assert_rc 2
assert_eq "ltrace-ebpf: --json given twice" "$(cat "$ERR")" "twice"
lt --json="$TMP/no/such/dir/x.json" -E 'print(1)'
assert_rc 1
assert_match "$(cat "$ERR")" "^ltrace-ebpf: --json: $TMP/no/such/dir/x.json: No such file or directory$" "a file that cannot be created"
lt --json -l 'libc:strlen'
assert_rc 2
assert_contains "$(cat "$ERR")" "--json writes a tracing session" "with -l"
assert_eq 1 "$(wc -l <"$ERR")" "one line"
lt --jsonx -E 'print(1)'
assert_rc 2
assert_contains "$(cat "$ERR")" "unknown option '--jsonx'" "a misspelt option"

finish
