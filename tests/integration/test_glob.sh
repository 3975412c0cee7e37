#!/usr/bin/env bash
# Globs and listing: "LIB:ltfix_*" attaches every fixture function, by="func" counts per
# function, e.func names the matched function, -l and list() print exactly the matches;
# FUNC+OFFSET and 0xADDR specs; library short names.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FUNCS="ltfix_add ltfix_fill ltfix_greet ltfix_jump ltfix_jump_in ltfix_noop ltfix_pair ltfix_recurse ltfix_sleep_us ltfix_sum6 ltfix_sum9"
# One run of each function: add x3, greet x2, recurse(2) = 3 calls, noop x4, and one each of
# sum6, sum9, fill, pair, sleep.
WORKLOAD="'$RUN' -n 3 add 1 2; '$RUN' -n 2 greet x; '$RUN' recurse 2; '$RUN' -n 4 noop;
	'$RUN' sum6; '$RUN' sum9; '$RUN' fill 3; '$RUN' pair 1 a; '$RUN' sleep 0"
EXPECTED="ltfix_add:3 ltfix_fill:1 ltfix_greet:2 ltfix_noop:4 ltfix_pair:1 ltfix_recurse:3 ltfix_sleep_us:1 ltfix_sum6:1 ltfix_sum9:1"

case_ "LIB:ltfix_* attaches all fixture functions; by=func counts each"
cat >"$TMP/glob.lua" <<LUA
p = probe("$LIB:ltfix_*", { by = "func", name = "calls" })
local seen = {}
probe("call:$LIB:ltfix_*", function(c) seen[c.func] = (seen[c.func] or 0) + 1 end)
on("end", function()
  local entries = p:read()
  table.sort(entries, function(a, b) return a.key < b.key end)
  for _, e in ipairs(entries) do print("agg=" .. e.key .. ":" .. e.count) end
  local names = {}
  for f, n in pairs(seen) do names[#names + 1] = f .. ":" .. n end
  table.sort(names)
  print("cb=" .. table.concat(names, " "))
  local sites = p:sites()
  table.sort(sites)
  print("sites=" .. table.concat(sites, " "))
  print("nsites=" .. p:stats().sites)
end)
LUA
lt -f "$TMP/glob.lua" -- sh -c "$WORKLOAD"
assert_rc 0
assert_eq "$EXPECTED" "$(vals agg)" "in-kernel counts by function"
assert_eq "$EXPECTED" "$(val cb)" "call events by e.func"
assert_eq "$FUNCS" "$(val sites)" "p:sites()"
assert_eq 11 "$(val nsites)" "p:stats().sites"
for kv in $EXPECTED; do
	assert_eq 1 "$(count_lines "^@calls\\[${kv%%:*}\\]: ${kv#*:}\$")" "printed count of ${kv%%:*}"
done

case_ "narrower globs: ? and [...] and a prefix"
cat >"$TMP/narrow.lua" <<LUA
for _, g in ipairs({ "ltfix_s*", "ltfix_?ai?", "ltfix_[af]*", "*_add" }) do
  local s = probe("$LIB:" .. g, { print = false }):sites()
  table.sort(s)
  print("sites=" .. g .. "=" .. table.concat(s, ","))
end
LUA
lt "$TMP/narrow.lua" -- "$RUN" noop
assert_rc 0
assert_eq "ltfix_s*=ltfix_sleep_us,ltfix_sum6,ltfix_sum9 ltfix_?ai?=ltfix_pair ltfix_[af]*=ltfix_add,ltfix_fill *_add=ltfix_add" \
	"$(vals sites)" "matches"

case_ "-l lists exactly the fixture functions"
lt -l "$LIB:ltfix_*"
assert_rc 0
assert_eq "$(for f in $FUNCS; do echo "$LIB:$f"; done)" "$(sort "$OUT")" "-l output"
assert_eq "" "$(cat "$ERR")" "stderr"
lt -l "$LIB:ltfix_s*"
assert_eq "$LIB:ltfix_sleep_us $LIB:ltfix_sum6 $LIB:ltfix_sum9" "$(sort "$OUT" | tr '\n' ' ' | sed 's/ $//')" "-l narrower glob"
lt -l "$LIB:nomatch_*"
assert_ne 0 "$RC" "-l with no match: exit status"
assert_contains "$(cat "$ERR")" "nomatch_*" "-l with no match: message"
lt -E "print('ok=' .. tostring(list('$LIB:ltfix_[gn]*')))"
assert_rc 0
assert_eq "$LIB:ltfix_greet
$LIB:ltfix_noop
ok=true" "$(cat "$OUT")" "list() in a script"

case_ "FUNC+OFFSET and 0xADDR specs"
addr=$(nm -D --defined-only "$LIB" | awk '$3 == "ltfix_add" { print $1 }' | sed 's/^0*//')
cat >"$TMP/offset.lua" <<LUA
probe("$LIB:ltfix_add+4", function(e) print("off=" .. e.args[1] .. ":" .. e.func) end)
probe("$LIB:0x$addr", function(e) print("addr=" .. e.args[1]) end)
LUA
lt "$TMP/offset.lua" -- "$RUN" -n 2 add 5 2
assert_rc 0
assert_eq "5:ltfix_add 5:ltfix_add" "$(vals off)" "ltfix_add+4 (an instruction boundary in the prologue), args still in registers"
assert_eq "5 5" "$(vals addr)" "0x$addr (ltfix_add's address)"

case_ "library by short name: resolved through the target's DT_NEEDED and run path"
cat >"$TMP/short.lua" <<LUA
for _, lib in ipairs({ "libltfix", "ltfix", "libltfix.so" }) do
  local p = probe(lib .. ":ltfix_add", { print = false })
  print("path=" .. lib .. "=" .. p:info().path)
end
p = probe("ltfix_run:main", { print = false })
print("prog=" .. p:info().path)
LUA
lt "$TMP/short.lua" -- "$RUN" add 1 2
assert_rc 0
assert_eq "libltfix=$LIB ltfix=$LIB libltfix.so=$LIB" "$(vals path)" "resolved paths"
assert_eq "$RUN" "$(val prog)" "the target program by its name"

finish
