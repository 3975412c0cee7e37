#!/usr/bin/env bash
# Drop accounting under a deliberate flood: big string captures and a slow callback fill
# the 4 MiB ring buffer. Drops are counted (counters(), p:stats()), reported on stderr at
# exit, and every record that was not dropped reaches the callback.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

THREADS=2
CALLS=50000
TOTAL=$((THREADS * CALLS))
BIG=$(head -c 1000 /dev/zero | tr '\0' 'x')

case_ "flooding the ring buffer: ringbuf_full > 0, hits = delivered + dropped"
cat >"$TMP/flood.lua" <<LUA
local n, bad = 0, 0
p = probe("$LIB:ltfix_greet", { args = { "str:1024" } }, function(e)
  n = n + 1
  if #e.args[1] ~= 1000 then bad = bad + 1 end
  local x = 0
  for i = 1, 20000 do x = x + i end   -- a slow consumer
end)
on("end", function()
  local c, s = counters(), p:stats()
  print("n=" .. n)
  print("bad=" .. bad)
  print("ringbuf_full=" .. c.ringbuf_full)
  print("events=" .. c.events)
  print("hits=" .. s.hits)
  print("emitted=" .. s.emitted)
  print("dropped=" .. s.dropped)
  print("filtered=" .. s.filtered)
end)
LUA
lt -t 120 "$TMP/flood.lua" -- "$RUN" -t $THREADS -n $CALLS greet "$BIG"
assert_rc 0
assert_file_contains "$OUT" "total $TOTAL" "the fixture finished its calls"
rb=$(val ringbuf_full)
assert_between 1 $TOTAL "$rb" "counters().ringbuf_full"
assert_eq "$rb" "$(val dropped)" "p:stats().dropped = ringbuf_full (one probe)"
assert_eq $TOTAL "$(val hits)" "p:stats().hits"
assert_eq 0 "$(val filtered)" "p:stats().filtered"
assert_eq $TOTAL "$(( $(val emitted) + $(val dropped) ))" "emitted + dropped = hits"
assert_eq "$(val emitted)" "$(val n)" "every emitted record reached the callback"
assert_eq "$(val n)" "$(val events)" "counters().events"
assert_eq 0 "$(val bad)" "records with a damaged string"
assert_contains "$(cat "$ERR")" "ltrace-ebpf: drops and truncations: ringbuf_full=$rb" \
	"drops reported on stderr at exit"

case_ "lossless = true: the same flood waits for the callbacks instead of losing records"
cat >"$TMP/lossless.lua" <<LUA
local n, bad, held = 0, 0, 0   -- the 4 MiB ring is half full after ~1,900 records
p = probe("$LIB:ltfix_greet", { args = { "str:1024" }, lossless = true }, function(e)
  n = n + 1
  if #e.args[1] ~= 1000 then bad = bad + 1 end
  if e.held then held = held + 1 end
  if n == 1 then   -- stall 1-2 s so that the ring surely passes half full, however the
    local t0 = os.time()   -- machine's load shares the CPU between the fixture and us
    while os.time() < t0 + 2 do end
  end
  local x = 0
  for i = 1, 2000 do x = x + i end   -- a slow consumer
end)
on("end", function()
  local c = counters()
  print("n=" .. n)
  print("bad=" .. bad)
  print("rb=" .. c.ringbuf_full)
  print("held=" .. held)
  print("hold_failed=" .. c.hold_failed)
end)
LUA
lt -t 120 "$TMP/lossless.lua" -- "$RUN" -t $THREADS -n 4000 greet "$BIG"
assert_rc 0
assert_file_contains "$OUT" "total $((THREADS * 4000))" "the fixture finished its calls"
assert_eq "$((THREADS * 4000)) 0 0 0" "$(val n) $(val bad) $(val rb) $(val hold_failed)" \
	"every record reached the callback (n, bad, ringbuf_full, hold_failed)"
assert_between 1 $((THREADS * 4000)) "$(val held)" "records made while the ring was half full held their thread"
lt -E "probe('$LIB:ltfix_greet', { lossless = true }, function() end)"
assert_contains "$(cat "$ERR")" "option 'lossless': needs a target (-p PID or -- CMD)" \
	"no stopping strangers: a target is needed"
lt -E "probe('$LIB:ltfix_greet', { lossless = true })" -- "$RUN" greet x
assert_contains "$(cat "$ERR")" "option 'lossless': records go to a callback" "a callback is needed"

case_ "no drops reported when nothing was dropped"
lt -E "probe('$LIB:ltfix_greet', {args={'str'}}, function(e) end)" -- "$RUN" -n 100 greet hi
assert_rc 0
assert_eq "" "$(cat "$ERR")" "stderr"

case_ "in-kernel aggregation does not use the ring buffer: no drops at any rate"
lt -t 120 -E "p = probe('$LIB:ltfix_greet', {name='greets'})
       on('end', function() print('rb=' .. counters().ringbuf_full) end)" \
	-- "$RUN" -t $THREADS -n $CALLS greet "$BIG"
assert_rc 0
assert_eq 0 "$(val rb)" "ringbuf_full"
assert_eq 1 "$(count_lines "^@greets: $TOTAL\$")" "exact count"
assert_eq "" "$(cat "$ERR")" "stderr"

finish
