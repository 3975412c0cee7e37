#!/usr/bin/env bash
# Exact call counts from several threads: a Lua callback, in-kernel agg="count", per-tid and
# per-comm keys, the entry/return/call kinds, and the probe's own statistics.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

THREADS=4
CALLS=2500
TOTAL=$((THREADS * CALLS))

# The fixture's own account: "thread K tid TID calls N last R".
fixture_tids() {
	awk '/^thread [1-9]/ { print $4 }' "$OUT" | sort -n | tr '\n' ' ' | sed 's/ $//'
}

case_ "Lua callback counts every call from $THREADS threads"
cat >"$TMP/cb.lua" <<LUA
local n, per_tid, ntids = 0, {}, 0
local bad = 0
probe("$LIB:ltfix_add", function(e)
  n = n + 1
  if e.args[1] ~= 1 or e.args[2] ~= 2 or e.type ~= "entry" or e.func ~= "ltfix_add" then
    bad = bad + 1
  end
  if not per_tid[e.tid] then per_tid[e.tid] = 0; ntids = ntids + 1 end
  per_tid[e.tid] = per_tid[e.tid] + 1
end)
on("end", function()
  print("n=" .. n)
  print("bad=" .. bad)
  print("ntids=" .. ntids)
  local keys = {}
  for tid in pairs(per_tid) do keys[#keys + 1] = tid end
  table.sort(keys)
  for _, tid in ipairs(keys) do print("tid=" .. tid .. ":" .. per_tid[tid]) end
  print("events=" .. counters().events)
end)
LUA
lt "$TMP/cb.lua" -- "$RUN" -t $THREADS -n $CALLS add 1 2
assert_rc 0
assert_file_contains "$OUT" "total $TOTAL" "fixture made $TOTAL calls"
assert_eq $TOTAL "$(val n)" "calls seen by the callback"
assert_eq 0 "$(val bad)" "events with wrong args/type/func"
assert_eq $THREADS "$(val ntids)" "distinct tids"
assert_eq "$(fixture_tids)" "$(vals tid | sed 's/:[0-9]*//g')" "tids seen = the fixture's worker tids"
for v in $(vals tid); do
	assert_eq $CALLS "${v#*:}" "calls of tid ${v%%:*}"
done
assert_eq $TOTAL "$(val events)" "counters().events"
assert_eq "" "$(cat "$ERR")" "stderr"

case_ "in-kernel agg=count equals the call count, read and printed"
cat >"$TMP/agg.lua" <<LUA
p = probe("$LIB:ltfix_add", { agg = "count", name = "adds" })
on("end", function()
  local total, entries = 0, p:read()
  for _, e in ipairs(entries) do total = total + e.count end
  print("entries=" .. #entries)
  print("total=" .. total)
  local s = p:stats()
  print("hits=" .. s.hits)
  print("emitted=" .. s.emitted)
  print("dropped=" .. s.dropped)
  print("filtered=" .. s.filtered)
  print("events=" .. counters().events)
end)
LUA
lt "$TMP/agg.lua" -- "$RUN" -t $THREADS -n $CALLS add 1 2
assert_rc 0
assert_eq 1 "$(val entries)" "aggregate entries (no key)"
assert_eq $TOTAL "$(val total)" "in-kernel count"
assert_eq $TOTAL "$(val hits)" "stats().hits"
assert_eq 0 "$(val emitted)" "stats().emitted (no per-event traffic)"
assert_eq 0 "$(val dropped)" "stats().dropped"
assert_eq 0 "$(val filtered)" "stats().filtered"
assert_eq 0 "$(val events)" "events delivered to Lua"
assert_eq 1 "$(count_lines "^@adds: $TOTAL\$")" "aggregate printed at the end as '@adds: $TOTAL'"

case_ "a probe without callback counts in kernel and prints at exit"
lt -E "probe('$LIB:ltfix_add')" -- "$RUN" -t $THREADS -n $CALLS add 1 2
assert_rc 0
assert_eq 1 "$(count_lines "^@$LIB:ltfix_add: $TOTAL\$")" "default agg line"

case_ "by=tid gives one key per thread, $CALLS each"
cat >"$TMP/bytid.lua" <<LUA
p = probe("$LIB:ltfix_add", { agg = "count", by = "tid", print = false })
on("end", function()
  local entries = p:read()
  table.sort(entries, function(a, b) return a.key < b.key end)
  print("keys=" .. #entries)
  for _, e in ipairs(entries) do print("tid=" .. e.key .. ":" .. e.count) end
end)
LUA
lt "$TMP/bytid.lua" -- "$RUN" -t $THREADS -n $CALLS -M 7 add 1 2
assert_rc 0
assert_eq $((THREADS + 1)) "$(val keys)" "keys (4 workers + main)"
assert_eq "$(awk '/^thread [0-9]/ { print $4 }' "$OUT" | sort -n | tr '\n' ' ' | sed 's/ $//')" \
	"$(vals tid | sed 's/:[0-9]*//g')" "keys = the fixture's tids"
main_tid=$(awk '/^thread 0 / { print $4 }' "$OUT")
for v in $(vals tid); do
	if [ "${v%%:*}" == "$main_tid" ]; then
		assert_eq 7 "${v#*:}" "calls of the main thread"
	else
		assert_eq $CALLS "${v#*:}" "calls of worker tid ${v%%:*}"
	fi
done
assert_eq 0 "$(count_lines '^@')" "print=false: nothing printed"

case_ "by=comm keys on thread names"
cat >"$TMP/bycomm.lua" <<LUA
p = probe("$LIB:ltfix_add", { by = "comm", print = false })
on("end", function()
  local entries = p:read()
  table.sort(entries, function(a, b) return a.key < b.key end)
  for _, e in ipairs(entries) do print("comm=" .. e.key .. ":" .. e.count) end
end)
LUA
lt "$TMP/bycomm.lua" -- "$RUN" -t 3 -n 100 -M 5 add 1 2
assert_rc 0
assert_eq "ltfix_run:5 ltfix_w1:100 ltfix_w2:100 ltfix_w3:100" "$(vals comm)" "per-comm counts"

case_ "entry, return and paired call probes each see every call"
cat >"$TMP/kinds.lua" <<LUA
local n = { entry = 0, ret = 0, call = 0, rets_ok = 0 }
probe("uprobe:$LIB:ltfix_add", function(e) n.entry = n.entry + 1 end)
probe("uretprobe:$LIB:ltfix_add", function(e)
  n.ret = n.ret + 1
  if e.ret == 3 and e.type == "return" then n.rets_ok = n.rets_ok + 1 end
end)
probe("call:$LIB:ltfix_add", function(e) n.call = n.call + 1 end)
on("end", function()
  for _, k in ipairs({ "entry", "ret", "call", "rets_ok" }) do print(k .. "=" .. n[k]) end
end)
LUA
lt "$TMP/kinds.lua" -- "$RUN" -t $THREADS -n $CALLS add 1 2
assert_rc 0
assert_eq $TOTAL "$(val entry)" "uprobe events"
assert_eq $TOTAL "$(val ret)" "uretprobe events"
assert_eq $TOTAL "$(val rets_ok)" "uretprobe events with ret == 3"
assert_eq $TOTAL "$(val call)" "call events"

# Aggregate-only, streaming and capturing probes load different builds of the template;
# the maps only some of them use are created by the first that needs them, in any order.
for order in "agg first" "records first"; do
	case_ "$order: aggregate-only, streaming and capturing probes in one session"
	agg="c = probe('$LIB:ltfix_add', { print = false })
h = probe('call:$LIB:ltfix_add', { agg = 'hist', of = 'arg1', print = false })"
	rec="probe('call:$LIB:ltfix_add', function(e) n = n + 1 end)
probe('$LIB:ltfix_greet', { args = { 'str' } }, function(e) if e.args[1] == 'hello' then m = m + 1 end end)"
	[[ $order == "agg first" ]] && body="$agg"$'\n'"$rec" || body="$rec"$'\n'"$agg"
	cat >"$TMP/mixed.lua" <<LUA
n, m = 0, 0
$body
on("end", function()
  print("count=" .. c:read()[1].count)
  print("hist=" .. h:read()[1].count)
  print("records=" .. n)
  print("greets=" .. m)
end)
LUA
	lt -f "$TMP/mixed.lua" -- sh -c "'$RUN' -n 7 add 1 2; '$RUN' greet hello"
	assert_rc 0
	assert_eq 7 "$(val count)" "in-kernel count"
	assert_eq 7 "$(val hist)" "in-kernel histogram"
	assert_eq 7 "$(val records)" "paired-call records"
	assert_eq 1 "$(val greets)" "captured strings"
done

finish
