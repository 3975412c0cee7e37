#!/usr/bin/env bash
# In-kernel aggregation: hist bucket totals and placement, sum/min/max/stats, keys (by=argN,
# ret), of=ret and duration, signed histograms, printing at exit, p:clear(), and agreement
# with the same values aggregated in Lua.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Lua that prints a probe's kernel entries as "e=KEY:count:sum:min:max" and hist buckets
# as "b=KEY:SLOT:N", sorted (TAG_e= and TAG_b= with a tag).
DUMP='
function dump(p, tag)
  tag = tag and tag .. "_" or ""
  local entries = p:read()
  table.sort(entries, function(a, b) return tostring(a.key) < tostring(b.key) end)
  for _, e in ipairs(entries) do
    local k = tostring(e.key)
    print(("%se=%s:%d:%d:%d:%d"):format(tag, k, e.count, e.sum, e.min, e.max))
    if e.buckets then
      local slots = {}
      for s in pairs(e.buckets) do slots[#slots + 1] = s end
      table.sort(slots)
      for _, s in ipairs(slots) do print(("%sb=%s:%d:%d"):format(tag, k, s, e.buckets[s])) end
    end
  end
end
'

case_ "hist of arg1: buckets sum to the call count, values land in log2 slots"
cat >"$TMP/hist.lua" <<LUA
$DUMP
h = probe("$LIB:ltfix_add", { agg = "hist", of = "arg1", name = "a1" })
on("end", function() dump(h) end)
LUA
lt "$TMP/hist.lua" -- "$RUN" -n 100 add i 2
assert_rc 0
assert_eq "nil:100:4950:0:99" "$(vals e)" "count, sum, min, max"
# slot 0 holds 0, slot i holds [2^(i-1), 2^i): 0 | 1 | 2-3 | 4-7 | 8-15 | 16-31 | 32-63 | 64-99
assert_eq "nil:0:1 nil:1:1 nil:2:2 nil:3:4 nil:4:8 nil:5:16 nil:6:32 nil:7:36" "$(vals b)" "buckets"
total=0
for b in $(vals b); do total=$((total + ${b##*:})); done
assert_eq 100 "$total" "sum of buckets"
# Printed at the end, like bpftrace.
assert_eq 1 "$(count_lines '^@a1:$')" "histogram heading"
assert_eq 1 "$(count_lines '^\[0\] +1 \|@+ *\|$')" "bucket [0]"
assert_eq 1 "$(count_lines '^\[2, 4\) +2 \|')" "bucket [2, 4)"
assert_eq 1 "$(count_lines '^\[64, 128\) +36 \|@{52}\|$')" "largest bucket, full bar"

case_ "hist placement of single known values"
cat >"$TMP/place.lua" <<LUA
$DUMP
h = probe("$LIB:ltfix_sum6", { agg = "hist", of = "arg1", by = "arg1", print = false })
on("end", function() dump(h) end)
LUA
lt -f "$TMP/place.lua" -- sh -c "for v in 1 2 3 4 1000 1023 1024 4294967296; do '$RUN' sum6 \$v; done"
assert_rc 0
assert_eq "1:1:1 1000:10:1 1023:10:1 1024:11:1 2:2:1 3:2:1 4:3:1 4294967296:33:1" "$(vals b)" \
	"value:slot:count"

case_ "signed hist puts negative values in their own bucket"
cat >"$TMP/signed.lua" <<LUA
$DUMP
h = probe("$LIB:ltfix_sum6", { agg = "hist", of = "arg1", signed = true, print = false })
on("end", function() dump(h) end)
LUA
lt "$TMP/signed.lua" -- "$RUN" -n 5 sum6 -3
assert_rc 0
assert_eq "nil:-1:5" "$(vals b)" "negative bucket (slot -1)"

case_ "hist of durations"
cat >"$TMP/dur.lua" <<LUA
$DUMP
h = probe("call:$LIB:ltfix_sleep_us", { agg = "hist", name = "lat" })
on("end", function() dump(h) end)
LUA
lt "$TMP/dur.lua" -- "$RUN" -n 3 sleep 20000
assert_rc 0
total=0
for b in $(vals b); do
	slot=$(cut -d: -f2 <<<"$b")
	# 20 ms is in [2^24, 2^25) ns = slot 25; allow a slower machine up to 2^28 ns.
	assert_between 25 28 "$slot" "slot of a 20 ms call"
	total=$((total + ${b##*:}))
done
assert_eq 3 "$total" "sum of buckets"
assert_match "$(vals e)" '^nil:3:[0-9]+:[0-9]+:[0-9]+$' "one unkeyed entry of 3"
assert_eq 1 "$(count_lines '^@lat:$')" "printed with its name"
assert_eq 1 "$(count_lines '^\[[0-9.]+ms, [0-9.]+ms\) +3 \|@{52}\|$')" "printed with duration labels"

case_ "sum, min, max, stats of arg1; by=arg1; of=ret"
cat >"$TMP/kinds.lua" <<LUA
$DUMP
s = probe("$LIB:ltfix_add", { agg = "sum", of = "arg1", name = "sum" })
mn = probe("$LIB:ltfix_add", { agg = "min", of = "arg1", name = "min" })
mx = probe("$LIB:ltfix_add", { agg = "max", of = "arg1", name = "max" })
st = probe("$LIB:ltfix_add", { agg = "stats", of = "arg1", name = "stats" })
by = probe("$LIB:ltfix_add", { agg = "count", by = "arg1", name = "by" })
r = probe("uretprobe:$LIB:ltfix_add", { agg = "sum", of = "ret", name = "rets" })
rk = probe("call:$LIB:ltfix_add", { by = "ret", name = "byret", print = false })
on("end", function()
  for _, p in ipairs({ s, mn, mx, st, r }) do dump(p, "kinds") end
  dump(by, "by")
  dump(rk, "byret")
end)
LUA
lt "$TMP/kinds.lua" -- "$RUN" -n 12 add i%4 10
assert_rc 0
# arg1 = 0 1 2 3 0 1 2 3 0 1 2 3: sum 18, min 0, max 3; ret = arg1 + 10: sum 138
assert_eq "nil:12:18:0:3 nil:12:18:0:3 nil:12:18:0:3 nil:12:18:0:3 nil:12:138:10:13" \
	"$(vals kinds_e)" "sum/min/max/stats of arg1 and sum of ret (count:sum:min:max)"
assert_eq "0:3 1:3 2:3 3:3" "$(vals by_e | sed -E 's/([0-9]+:[0-9]+):[0-9:]+/\1/g')" "count by arg1"
assert_eq "10:3 11:3 12:3 13:3" "$(vals byret_e | sed -E 's/([0-9]+:[0-9]+):[0-9:]+/\1/g')" \
	"count by ret (call: probe, default of = duration)"
assert_eq 1 "$(count_lines '^@sum: 18$')" "printed sum"
assert_eq 1 "$(count_lines '^@min: 0$')" "printed min"
assert_eq 1 "$(count_lines '^@max: 3$')" "printed max"
assert_eq 1 "$(count_lines '^@stats: count 12, average 1, total 18$')" "printed stats"
assert_eq 1 "$(count_lines '^@rets: 138$')" "printed sum of ret"
assert_eq "@by[0]: 3 @by[1]: 3 @by[2]: 3 @by[3]: 3" "$(grep '^@by\[' "$OUT" | sort | tr '\n' ' ' | sed 's/ $//')" \
	"printed counts by arg1"
assert_eq 0 "$(count_lines '^@byret')" "print=false"

case_ "aggregates of an i32 argument use its 32-bit signed value"
cat >"$TMP/typed.lua" <<LUA
$DUMP
s = probe("$LIB:ltfix_add", { args = { "i32" }, agg = "sum", of = "arg1", name = "sum32" })
m = probe("$LIB:ltfix_add", { args = { "i32" }, agg = "min", of = "arg1", name = "min32" })
b = probe("$LIB:ltfix_add", { args = { "i32" }, by = "arg1", name = "by32" })
h = probe("$LIB:ltfix_add", { args = { "i32" }, agg = "hist", of = "arg1", signed = true, print = false })
on("end", function() dump(h, "h") end)
LUA
lt "$TMP/typed.lua" -- "$RUN" -n 10 add -5 i
assert_rc 0
assert_eq 1 "$(count_lines '^@sum32: -50$')" "sum of ten -5"
assert_eq 1 "$(count_lines '^@min32: -5$')" "min"
assert_eq 1 "$(count_lines '^@by32\[-5\]: 10$')" "key -5"
assert_eq "nil:-1:10" "$(vals h_b)" "negative hist bucket"

case_ "more keyless histograms than array elements: the rest are keyed in the hash, same results"
cat >"$TMP/many.lua" <<LUA
local hs = {}
for i = 1, 66 do hs[i] = probe("$LIB:ltfix_add", { agg = "hist", of = "arg1", print = false }) end
on("end", function()
  local seen = {}
  for _, h in ipairs(hs) do
    local e = h:read()[1]
    seen[#seen + 1] = ("%d/%d/%d/%d"):format(e.count, e.sum, e.buckets[0], e.buckets[3])
  end
  print("seen=" .. table.concat(seen, ","))
end)
LUA
lt "$TMP/many.lua" -- "$RUN" -n 6 add i 0
assert_rc 0
assert_eq "$(printf '6/15/1/2,%.0s' $(seq 66) | sed 's/,$//')" "$(val seen)" \
	"count/sum/bucket 0/bucket [4, 8) of every histogram"

case_ "aggregates that never fired print nothing"
lt -E "probe('$LIB:ltfix_noop', {name='never'}) probe('$LIB:ltfix_noop', {name='neverh', agg='hist', of='arg1'})" \
	-- "$RUN" add 1 2
assert_rc 0
assert_eq "thread 0 tid $(awk '/^thread 0/ { print $4 }' "$OUT") calls 1 last 3
total 1" "$(cat "$OUT")" "only the fixture's output (no heading, no blank line)"

case_ "in-kernel hist equals the same values aggregated in Lua"
cat >"$TMP/same.lua" <<LUA
local lua_h = hist("lua")
k = probe("$LIB:ltfix_add", { agg = "hist", of = "arg1", name = "kernel", print = false })
probe("$LIB:ltfix_add", function(e) lua_h:add(e.args[1]) end)
on("end", function()
  local kh = k:agg()
  print("lua_count=" .. lua_h:count())
  print("kernel_count=" .. kh:count())
  print("same_text=" .. tostring(tostring(kh):gsub("kernel", "lua") == tostring(lua_h)))
  print("p50=" .. lua_h:percentile(50) .. ":" .. kh:percentile(50))
end)
LUA
lt "$TMP/same.lua" -- "$RUN" -t 2 -n 3000 add i 0
assert_rc 0
assert_eq 6000 "$(val lua_count)" "Lua histogram samples"
assert_eq 6000 "$(val kernel_count)" "kernel histogram samples"
assert_eq true "$(val same_text)" "both print the same histogram"
p50=$(val p50)
assert_eq "${p50%%:*}" "${p50#*:}" "same median estimate"

case_ "p:clear() zeroes the aggregate; p:print() prints now and not again at exit"
cat >"$TMP/clear.lua" <<LUA
$CONTROL_LUA
p = probe("$LIB:ltfix_add", { name = "adds" })
q = probe("$LIB:ltfix_add", { name = "printed_once" })
h = probe("$LIB:ltfix_add", { agg = "hist", of = "arg1", print = false })
on("end", function()
  for _, e in ipairs(h:read()) do
    for slot, n in pairs(e.buckets) do print(("hist=%d:%d:%d:%d"):format(e.count, e.min, slot, n)) end
  end
end)
LUA
tool_serve clear "$TMP/clear.lua" "$TMP"
serve_cmd "add 7 1 1"
control 'local n = 0 for _, e in ipairs(p:read()) do n = n + e.count end assert(n == 7, "before clear: " .. n) assert(h:read()[1].count == 7) p:clear() h:clear() q:print()'
serve_cmd "add 3 5 1"
serve_cmd quit
tool_wait
assert_rc 0
assert_eq 1 "$(count_lines '^@adds: 3$')" "after clear, only the 3 later calls"
assert_eq "3:5:3:3" "$(vals hist)" "histogram after clear: count:min:slot:n of the 3 later calls"
assert_eq 1 "$(count_lines '^@printed_once: 7$')" "p:print() during the session"
assert_eq 1 "$(count_lines '^@printed_once')" "not printed again at exit"

case_ "Lua aggregates print at exit like in-kernel ones, once (issue 12 item 14)"
cat >"$TMP/luaagg.lua" <<LUA
local calls, shown, quiet = counter("calls"), counter("shown"), counter{ name = "quiet", print = false }
local lat = hist("lat")
probe("call:$LIB:ltfix_add", function(e)
  calls:add(e.comm); shown:add(e.comm); quiet:add(e.comm)
  lat[e.comm]:add(e.duration)
  lat.get:add(1)   -- a key named like a method
end)
on("end", function() print(shown) end)
LUA
lt "$TMP/luaagg.lua" -- "$RUN" -n 3 add 1 2
assert_rc 0
assert_eq 1 "$(count_lines '^@calls\[ltfix_run\]: 3$')" "a Lua counter printed at exit"
assert_eq 1 "$(count_lines '^@shown\[ltfix_run\]: 3$')" "printed by the script: not again"
assert_eq 0 "$(count_lines '^@quiet')" "print = false"
assert_eq 1 "$(count_lines '^@lat\[ltfix_run\]:$')" "a Lua histogram printed at exit"
assert_eq 1 "$(count_lines '^@lat\[get\]:$')" "its key named get"

finish
