#!/usr/bin/env bash
# -f: children (and their children) of the target are traced with their own pids; without
# -f they are not.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

cat >"$TMP/fork.lua" <<LUA
local per_pid = {}
probe("call:$LIB:ltfix_add", function(c)
  local k = c.pid .. "/" .. c.args[1] .. "/" .. tostring(c.tid == c.pid)
  per_pid[k] = (per_pid[k] or 0) + 1
end)
p = probe("$LIB:ltfix_add", { by = "pid", print = false })
on("end", function()
  for k, v in pairs(per_pid) do print("cb=" .. k .. ":" .. v) end
  for _, e in ipairs(p:read()) do print("agg=" .. e.key .. ":" .. e.count) end
end)
LUA
sorted() { tr ' ' '\n' <<<"$1" | sort | tr '\n' ' ' | sed 's/ $//'; }

case_ "-f: the child's and grandchild's calls are seen with their own pids"
lt -f "$TMP/fork.lua" -- "$FORK" -n 5 -g 3
assert_rc 0
parent=$(awk '/^parent / { print $2 }' "$OUT")
child=$(awk '/^child / { print $2 }' "$OUT")
grandchild=$(awk '/^grandchild / { print $2 }' "$OUT")
assert_match "$parent $child $grandchild" '^[0-9]+ [0-9]+ [0-9]+$' "the fixture printed its pids"
assert_eq "$(sorted "$parent/1/true:2 $child/2/true:5 $grandchild/3/true:3")" "$(sorted "$(vals cb)")" \
	"callback events: pid/arg1/(tid == pid):count"
assert_eq "$(sorted "$parent:2 $child:5 $grandchild:3")" "$(sorted "$(vals agg)")" "in-kernel counts by pid"

case_ "without -f only the target itself is traced"
lt "$TMP/fork.lua" -- "$FORK" -n 5 -g 3
assert_rc 0
parent=$(awk '/^parent / { print $2 }' "$OUT")
assert_eq "$parent/1/true:2" "$(vals cb)" "callback events"
assert_eq "$parent:2" "$(vals agg)" "in-kernel counts"

case_ "-f through a shell: children that exec are traced"
lt -f "$TMP/fork.lua" -- sh -c "'$RUN' -n 4 add 7 0; '$RUN' -n 6 add 8 0"
assert_rc 0
assert_eq "4 6" "$(vals cb | tr ' ' '\n' | cut -d: -f2 | sort -n | tr '\n' ' ' | sed 's/ $//')" \
	"two processes with 4 and 6 calls"
assert_eq 2 "$(vals agg | wc -w)" "two pids in kernel"

case_ "-f exit status is the target's"
lt -f "$TMP/fork.lua" -- sh -c "'$FORK' -n 1; exit 3"
assert_rc 3

finish
