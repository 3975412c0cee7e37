#!/usr/bin/env bash
# Steering a live probe from a timer: p:filter{} (where, comm, sample), p:disable() and
# p:enable() change what is counted, in kernel, without reattaching (same BPF links).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case_ "filters changed from an every() timer"
cat >"$TMP/live.lua" <<LUA
$CONTROL_LUA
-- Keyed by arg2: the test passes the phase number as the second argument.
p = probe("$LIB:ltfix_add", { where = "arg1 == 1", by = "arg2", print = false })
on("end", function()
  local entries = p:read()
  table.sort(entries, function(a, b) return a.key < b.key end)
  for _, e in ipairs(entries) do print("phase=" .. e.key .. ":" .. e.count) end
  print("attached=" .. tostring(p:info().attached))
end)
LUA
# The server is pinned to one CPU so sampling (per CPU) is exact.
tool_serve live "$TMP/live.lua" "$TMP" -- taskset -c 0 "$SERVE"
links_start=$(links_held_by "$TOOL_PID" | tr '\n' ' ')
assert_ne "" "$links_start" "the tool holds BPF links"
phase() {	# phase N: 5 calls with arg1 = 1, 2, 3 each, arg2 = N
	local a
	for a in 1 2 3; do serve_cmd "add 5 $a $1"; done
}
phase 0	# where arg1 == 1: 5
control 'p:filter{ where = "arg1 == 2" }'
phase 1	# 5
control 'p:filter{ where = { "arg1 >= 2", "arg1 <= 3" } }'
phase 2	# 10
control 'p:filter{ where = {} }'
phase 3	# no predicate: 15
control 'p:disable()'
phase 4	# 0
control 'p:enable() p:filter{ comm = "nosuchcomm" }'
phase 5	# 0
control 'p:filter{ comm = "ltfix_serve" }'
phase 6	# 15
control 'p:filter{ comm = "", sample = 5 }'
for a in 1 2 3; do serve_cmd "add 10 $a 7"; done	# 30 calls, 1 in 5: 6
control 'p:filter{ sample = 1, tid = 1 }'
phase 8	# no thread has tid 1: 0
control 'p:filter{ tid = 0 }'
phase 9	# 15
links_end=$(links_held_by "$TOOL_PID" | tr '\n' ' ')
serve_cmd quit
tool_wait
assert_rc 0
assert_eq "0:5 1:5 2:10 3:15 6:15 7:6 9:15" "$(vals phase)" "counts per phase"
assert_eq "$links_start" "$links_end" "BPF links held by the tool before and after (no reattach)"
assert_eq true "$(val attached)" "still attached"
assert_eq "" "$(cat "$ERR")" "stderr"

case_ "p:filter rejects unknown keys and keeps running"
cat >"$TMP/bad.lua" <<LUA
p = probe("$LIB:ltfix_add", { print = false })
local ok, err = pcall(p.filter, p, { wehre = "arg1 > 1" })
print("ok=" .. tostring(ok))
print("err=" .. tostring(err))
ok, err = pcall(p.filter, p, { where = "arg1 >> 1" })
print("ok2=" .. tostring(ok))
print("err2=" .. tostring(err))
LUA
lt "$TMP/bad.lua" -- "$RUN" add 1 2
assert_rc 0
assert_eq false "$(val ok)" "filter{wehre=} fails"
assert_contains "$(val err)" "wehre" "error names the key"
assert_eq false "$(val ok2)" "filter{where='arg1 >> 1'} fails"
assert_contains "$(val err2)" "arg1 >> 1" "error names the predicate"

finish
