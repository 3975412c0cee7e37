#!/usr/bin/env bash
# Paired calls: durations of a known sleep, recursion (every depth paired with its own
# return, durations nested), and min_duration dropping short calls in kernel.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case_ "ltfix_sleep_us(20000) lasts between 20 ms and 200 ms"
cat >"$TMP/sleep.lua" <<LUA
probe("call:$LIB:ltfix_sleep_us", function(c)
  print("dur=" .. c.duration)
  print("arg=" .. c.args[1])
  print("ret=" .. c.ret)
  print("ts=" .. c.ts)
end)
LUA
lt "$TMP/sleep.lua" -- "$RUN" -n 3 sleep 20000
assert_rc 0
assert_eq 3 "$(count_lines '^dur=')" "call records"
for d in $(vals dur); do
	assert_between 20000000 200000000 "$d" "duration (ns) of a 20 ms sleep"
done
assert_eq "20000 20000 20000" "$(vals arg)" "arguments"
assert_eq "20000 20000 20000" "$(vals ret)" "returns"
read -r ts1 ts2 ts3 <<<"$(vals ts)"
assert_between 20000000 1000000000 $((ts2 - ts1)) "ts is the entry time: consecutive calls >= 20 ms apart"
assert_between 20000000 1000000000 $((ts3 - ts2)) "ts of the third call"

case_ "recursion: ltfix_recurse(5) gives 6 paired calls, innermost first"
cat >"$TMP/recurse.lua" <<LUA
probe("call:$LIB:ltfix_recurse", function(c)
  print("rec=" .. c.args[1] .. ":" .. c.ret .. ":" .. c.duration .. ":" .. c.ts)
end)
LUA
lt "$TMP/recurse.lua" -- "$RUN" recurse 5
assert_rc 0
assert_eq 6 "$(count_lines '^rec=')" "call records"
order=""
prev_dur=0
prev_ts=0
for r in $(vals rec); do
	IFS=: read -r n ret dur ts <<<"$r"
	order+="$n "
	assert_eq "$n" "$ret" "depth $n returns $n (each return paired with its own entry)"
	if [ "$prev_ts" -ne 0 ]; then
		assert_between "$prev_dur" 10000000000 "$dur" "duration of depth $n >= its inner call's"
		assert_between 0 "$prev_ts" "$ts" "depth $n entered before its inner call"
	fi
	prev_dur=$dur
	prev_ts=$ts
done
assert_eq "0 1 2 3 4 5 " "$order" "returns arrive innermost first"

# 64 slots, as deep as the kernel itself nests return probes (MAX_URETPROBE_DEPTH): deeper
# calls get no return probe at all, so their entries are counted and nothing else.
case_ "recursion deeper than a thread's in-flight slots: the outer 64 calls pair, the rest are counted"
cat >"$TMP/deep.lua" <<LUA
local args = {}
probe("call:$LIB:ltfix_recurse", function(c)
  if c.ret ~= c.args[1] then args[#args + 1] = "bad" end
  args[#args + 1] = c.args[1]
end)
on("end", function()
  local c = counters()
  print("n=" .. #args)
  print("first=" .. args[1])
  print("last=" .. args[#args])
  print("full=" .. c.inflight_full)
end)
LUA
lt "$TMP/deep.lua" -- "$RUN" recurse 79
assert_rc 0
assert_eq 64 "$(val n)" "paired calls: one per slot"
assert_eq "16 79" "$(val first) $(val last)" "the outermost 64 (79 down to 16), innermost first"
assert_eq 16 "$(val full)" "the 16 innermost counted as inflight_full"

case_ "calls left by longjmp do not fill the thread's slots"
cat >"$TMP/jump.lua" <<LUA
local n, bad = 0, 0
probe("call:$LIB:ltfix_jump_in", function() bad = bad + 1 end)
probe("call:$LIB:ltfix_recurse", function(c)
  n = n + 1
  if c.ret ~= c.args[1] then bad = bad + 1 end
end)
on("end", function()
  local c = counters()
  print("res=" .. n .. " " .. bad .. " " .. c.inflight_full)
end)
LUA
# 200 rounds leave 5 never-returning calls each (1000, far more than the 64 slots).
lt "$TMP/jump.lua" -- "$RUN" -n 200 jump 4
assert_rc 0
assert_eq "400 0 0" "$(val res)" "every recurse call paired (n, bad, inflight_full)"

case_ "recursion with separate entry and return probes"
cat >"$TMP/recurse2.lua" <<LUA
local seq = {}
probe("uprobe:$LIB:ltfix_recurse", function(e) seq[#seq + 1] = "e" .. e.args[1] end)
probe("uretprobe:$LIB:ltfix_recurse", function(e) seq[#seq + 1] = "r" .. e.ret end)
on("end", function() print("seq=" .. table.concat(seq, ",")) end)
LUA
lt "$TMP/recurse2.lua" -- "$RUN" recurse 3
assert_rc 0
assert_eq "e3,e2,e1,e0,r0,r1,r2,r3" "$(val seq)" "entry/return order"

case_ "min_duration drops short calls in kernel"
cat >"$TMP/mindur.lua" <<LUA
local n, short = 0, 0
p = probe("call:$LIB:ltfix_sleep_us", { min_duration = "10ms" }, function(c)
  n = n + 1
  if c.duration < 10000000 then short = short + 1 end
  if c.args[1] ~= 20000 then short = short + 1000 end
end)
q = probe("call:$LIB:ltfix_sleep_us", { min_duration = 10000000, agg = "count", print = false })
on("end", function()
  local s = p:stats()
  print("n=" .. n)
  print("short=" .. short)
  print("hits=" .. s.hits)
  print("filtered=" .. s.filtered)
  local c = 0
  for _, e in ipairs(q:read()) do c = c + e.count end
  print("agg=" .. c)
end)
LUA
# 6 calls of 0 us, 4 of 20 ms, 3 of 1 us: three fixture runs under -f.
lt -f "$TMP/mindur.lua" -- sh -c "'$RUN' -n 6 sleep 0 && '$RUN' -n 4 sleep 20000 && '$RUN' -n 3 sleep 1"
assert_rc 0
assert_eq 4 "$(val n)" "calls kept (20 ms ones)"
assert_eq 0 "$(val short)" "kept calls shorter than min_duration or with the wrong argument"
assert_eq 4 "$(val agg)" "in-kernel count with min_duration (ns number)"
assert_eq 13 "$(val hits)" "stats().hits"
assert_eq 9 "$(val filtered)" "stats().filtered"

case_ "where on duration"
lt -E "probe('call:$LIB:ltfix_sleep_us', {where='duration >= 10000000', name='long'})" \
	-- "$RUN" -n 3 sleep 15000
assert_rc 0
assert_eq 1 "$(count_lines '^@long: 3$')" "3 calls over 10 ms"
lt -E "probe('call:$LIB:ltfix_sleep_us', {where='duration < 10000000', name='short'})" \
	-- "$RUN" -n 3 sleep 15000
assert_eq 0 "$(count_lines '^@short: [1-9]')" "no call under 10 ms"

finish
