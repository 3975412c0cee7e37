#!/usr/bin/env bash
# In-kernel filters: the target's pid only, comm, pid (a process), tid, where predicates,
# 1-in-N sampling.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case_ "only the target is traced; another process calling the same function is not"
"$RUN" -n -1 add 9 9 >"$TMP/noise.out" 2>&1 &
NOISE=$!
wait_for "$TMP/noise.out" "^looping pid $NOISE\$"
cat >"$TMP/pid.lua" <<LUA
local pids, n, other = {}, 0, 0
probe("$LIB:ltfix_add", function(e)
  n = n + 1
  if e.pid ~= target() or e.args[1] ~= 1 then other = other + 1 end
end)
p = probe("$LIB:ltfix_add", { by = "pid", print = false })
on("end", function()
  print("n=" .. n)
  print("other=" .. other)
  for _, e in ipairs(p:read()) do print("pid=" .. e.key .. ":" .. e.count) end
  print("target=" .. target())
end)
LUA
lt "$TMP/pid.lua" -- "$RUN" -n 1000 add 1 2
assert_rc 0
assert_eq 1000 "$(val n)" "target calls seen"
assert_eq 0 "$(val other)" "events from other processes"
assert_eq "$(val target):1000" "$(vals pid)" "in-kernel by=pid: one key, the target"
if kill -0 "$NOISE" 2>/dev/null; then pass; else fail "the noise process died"; fi

case_ "without a target every process is traced (control for the case above)"
lt -E "probe('$LIB:ltfix_add', function(e) print('pid=' .. e.pid .. ':' .. e.args[1]) exit(0) end)"
assert_rc 0
assert_ne "" "$(val pid)" "an event was seen"
assert_eq "$NOISE:9" "$(val pid)" "the event comes from the noise process"
kill "$NOISE"
wait_pid "$NOISE"

case_ "comm filter (thread names set by the fixture)"
cat >"$TMP/comm.lua" <<LUA
w2 = probe("$LIB:ltfix_add", { comm = "ltfix_w2", print = false })
main = probe("$LIB:ltfix_add", { comm = "ltfix_run", print = false })
none = probe("$LIB:ltfix_add", { comm = "nosuchcomm", print = false })
local seen = {}
probe("$LIB:ltfix_add", { comm = "ltfix_w3" }, function(e) seen[e.comm] = (seen[e.comm] or 0) + 1 end)
local function total(p) local n = 0 for _, e in ipairs(p:read()) do n = n + e.count end return n end
on("end", function()
  print("w2=" .. total(w2))
  print("main=" .. total(main))
  print("none=" .. total(none))
  for k, v in pairs(seen) do print("seen=" .. k .. ":" .. v) end
end)
LUA
lt "$TMP/comm.lua" -- "$RUN" -t 3 -n 200 -M 30 add 1 2
assert_rc 0
assert_eq 200 "$(val w2)" "calls of thread ltfix_w2"
assert_eq 30 "$(val main)" "calls of the main thread (comm ltfix_run)"
assert_eq 0 "$(val none)" "calls of a comm nobody has"
assert_eq "ltfix_w3:200" "$(vals seen)" "callback with comm filter sees only ltfix_w3"

case_ "tid filter"
cat >"$TMP/tid.lua" <<LUA
local n, wrong = 0, 0
probe("$LIB:ltfix_add", { tid = target() }, function(e)
  n = n + 1
  if e.tid ~= target() then wrong = wrong + 1 end
end)
on("end", function() print("n=" .. n) print("wrong=" .. wrong) end)
LUA
lt "$TMP/tid.lua" -- "$RUN" -t 3 -n 200 -M 30 add 1 2
assert_rc 0
assert_eq 30 "$(val n)" "calls of the main thread (tid == pid)"
assert_eq 0 "$(val wrong)" "events of other threads"

case_ "pid filter: every thread of the process"
cat >"$TMP/pid.lua" <<LUA
local n, other = 0, 0
local tids = {}
probe("$LIB:ltfix_add", { pid = target() }, function(e) n = n + 1 tids[e.tid] = true end)
probe("$LIB:ltfix_add", { pid = 1 }, function(e) other = other + 1 end)
on("end", function()
  local k = 0
  for _ in pairs(tids) do k = k + 1 end
  print("n=" .. n) print("threads=" .. k) print("other=" .. other)
end)
LUA
lt "$TMP/pid.lua" -- "$RUN" -t 3 -n 200 -M 30 add 1 2
assert_rc 0
assert_eq 630 "$(val n)" "calls of all 4 threads (3 x 200 + 30 on the main one)"
assert_eq 4 "$(val threads)" "threads seen"
assert_eq 0 "$(val other)" "calls under a pid filter of another process"

case_ "where predicates on arguments and return values"
cat >"$TMP/where.lua" <<LUA
local specs = {
  { "gt5", "uprobe", "arg1 > 5" },
  { "ge7", "uprobe", "arg1 >= 7" },
  { "le1", "uprobe", "arg1 <= 1" },
  { "lt3", "uprobe", "arg1 < 3" },
  { "ne0", "uprobe", "arg1 != 0" },
  { "eq4", "uprobe", "arg1 == 4" },
  { "and4", "uprobe", "arg1 & 4" },
  { "arg2", "uprobe", "arg2 == 3" },
  { "hex", "uprobe", "arg1 == 0x8" },
  { "ret12", "call", "ret == 12" },
  { "retge10", "uretprobe", "ret >= 10" },
  { "range", "uprobe", { "arg1 >= 2", "arg1 < 4" } },
  { "mixed", "call", { "arg1 > 2", "ret < 9", "arg2 == 3", "arg1 != 4" } },
}
local probes = {}
for _, s in ipairs(specs) do
  probes[#probes + 1] = { s[1], probe(s[2] .. ":$LIB:ltfix_add", { where = s[3], print = false }) }
end
local args = {}
probe("$LIB:ltfix_add", { where = "arg1 > 6" }, function(e) args[#args + 1] = e.args[1] end)
on("end", function()
  for _, p in ipairs(probes) do
    local n = 0
    for _, e in ipairs(p[2]:read()) do n = n + e.count end
    print(p[1] .. "=" .. n)
  end
  print("args=" .. table.concat(args, ","))
end)
LUA
lt "$TMP/where.lua" -- "$RUN" -n 10 add i 3
assert_rc 0
assert_eq "4 3 2 3 9 1 4 10 1 1 3 2 2" \
	"$(for k in gt5 ge7 le1 lt3 ne0 eq4 and4 arg2 hex ret12 retge10 range mixed; do val $k; done | tr '\n' ' ' | sed 's/ $//')" \
	"counts for gt5 ge7 le1 lt3 ne0 eq4 and4 arg2 hex ret12 retge10 range mixed"
assert_eq "7,8,9" "$(val args)" "callback with where sees only matching calls"

case_ "where with negative constants on 64-bit arguments"
lt -E "probe('$LIB:ltfix_sum6', {where='arg1 < -3', name='lt'})
       probe('$LIB:ltfix_sum6', {where='arg2 == -1', name='eq'})" -- "$RUN" -n 10 sum6 i -1
assert_rc 0
assert_eq 0 "$(count_lines '^@lt: ')" "no arg1 (0..9) is < -3"
assert_eq 1 "$(count_lines '^@eq: 10$')" "arg2 == -1 on every call"
lt -E "probe('$LIB:ltfix_sum6', {where='arg1 < -3', name='lt'})" -- "$RUN" -n 10 sum6 -5
assert_eq 1 "$(count_lines '^@lt: 10$')" "arg1 = -5 is < -3"

case_ "where on an i32 argument and an i32 return compares the 32-bit value"
cat >"$TMP/where32.lua" <<LUA
a = probe("$LIB:ltfix_add", { args = { "i32" }, where = "arg1 < -3", print = false })
b = probe("$LIB:ltfix_add", { args = { "i32" }, where = "arg1 == -5", print = false })
c = probe("call:$LIB:ltfix_add", { ret = "i32", where = "ret < 0", print = false })
d = probe("uretprobe:$LIB:ltfix_add", { ret = "i32", where = "ret == -1", print = false })
local function total(p) local n = 0 for _, e in ipairs(p:read()) do n = n + e.count end return n end
on("end", function()
  print("lt=" .. total(a)) print("eq=" .. total(b)) print("retlt=" .. total(c)) print("reteq=" .. total(d))
end)
LUA
lt "$TMP/where32.lua" -- "$RUN" -n 10 add -5 i
assert_rc 0
assert_eq 10 "$(val lt)" "i32 arg1 (-5) < -3"
assert_eq 10 "$(val eq)" "i32 arg1 == -5"
assert_eq 5 "$(val retlt)" "i32 ret (-5..4) < 0"
assert_eq 1 "$(val reteq)" "i32 ret == -1"

case_ "sample=10 on 1000 calls from one thread keeps exactly 100"
cat >"$TMP/sample.lua" <<LUA
local n, spaced = 0, true
local last
p = probe("$LIB:ltfix_add", { sample = 10 }, function(e)
  n = n + 1
  if last and e.args[1] - last ~= 10 then spaced = false end
  last = e.args[1]
end)
q = probe("$LIB:ltfix_add", { sample = 10, print = false })
r = probe("call:$LIB:ltfix_add", { sample = 4, print = false })
local function total(p) local n = 0 for _, e in ipairs(p:read()) do n = n + e.count end return n end
on("end", function()
  local s = p:stats()
  print("n=" .. n)
  print("spaced=" .. tostring(spaced))
  print("hits=" .. s.hits)
  print("filtered=" .. s.filtered)
  print("emitted=" .. s.emitted)
  print("agg=" .. total(q))
  print("call4=" .. total(r))
end)
LUA
# Pinned to one CPU: sampling counts per CPU, so a thread that migrates could be kept once
# more on each CPU it visits.
lt "$TMP/sample.lua" -- taskset -c 0 "$RUN" -n 1000 add i 2
assert_rc 0
assert_eq 100 "$(val n)" "events kept by the callback probe"
assert_eq true "$(val spaced)" "kept calls are evenly spaced (every 10th)"
assert_eq 1000 "$(val hits)" "stats().hits"
assert_eq 900 "$(val filtered)" "stats().filtered"
assert_eq 100 "$(val emitted)" "stats().emitted"
assert_eq 100 "$(val agg)" "in-kernel count with sample=10"
assert_eq 250 "$(val call4)" "call: probe with sample=4"

finish
