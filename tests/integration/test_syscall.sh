#!/usr/bin/env bash
# syscall: probes on real processes: N read() calls counted exactly with their named
# arguments, return values and durations; in-kernel latency histograms keyed by syscall,
# pid and comm with no per-event traffic; openat's path read as a string with errno names;
# lists, globs and several probes at once, aggregate-only (lean) and record (plain) builds
# together; errors that name the syscall or argument.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

KOPEN="$FIXTURE_DIR/lt_kopen"
KREAD="$FIXTURE_DIR/lt_kread"
N=100

case_ "syscall:read: N calls on fd 42, named args, ret, duration, pid"
lt -E '
io.stdout:setvbuf("line")  -- the fixture writes to the same file
probe("syscall:read", { where = "fd == 42" }, function(e)
  printf("rd=%d %d %d %s %s %s\n", e.fd, e.count, e.ret, e.syscall, e.func, tostring(e.errno))
  printf("dur=%d\n", e.duration)
  printf("pid=%d\n", e.pid)
end)' -- "$KREAD" "$N"
assert_rc 0
assert_eq "$N" "$(val reads)" "reads the fixture made"
assert_eq "$N" "$(count_lines '^rd=42 7 7 read read nil$')" "read events (fd count ret name)"
assert_eq "$N" "$(count_lines '^rd=')" "no other read events"
assert_eq 0 "$(vals dur | tr ' ' '\n' | grep -cvE '^[1-9][0-9]*$' || true)" "every duration > 0"
assert_eq "$(val fixture_pid)" "$(vals pid | tr ' ' '\n' | sort -u)" "pid of every event"

case_ "in-kernel latency histogram: total N, keyed by syscall, no per-event records"
cat >"$TMP/hist.lua" <<'LUA'
local by = arg[1]
h = probe("syscall:read", { agg = "hist", by = by, where = "fd == 42", print = false })
on("end", function()
  local total, keys = 0, {}
  for _, e in ipairs(h:read()) do
    local n = 0
    for _, c in pairs(e.buckets) do n = n + c end
    assert(n == e.count, "buckets add up to the count")
    assert(e.min > 0, "durations are > 0")
    total = total + e.count
    keys[#keys + 1] = tostring(e.key)
  end
  print("total=" .. total)
  print("keys=" .. table.concat(keys, ","))
  print("events=" .. counters().events)
  print("emitted=" .. h:stats().emitted)
  print("unit=" .. tostring(h:info().unit))
end)
LUA
lt "$TMP/hist.lua" syscall -- "$KREAD" "$N"
assert_rc 0
assert_eq "$N" "$(val total)" "histogram total"
assert_eq "read" "$(val keys)" "keyed by syscall name"
assert_eq 0 "$(val events)" "records handed to Lua"
assert_eq 0 "$(val emitted)" "records sent by the kernel"
assert_eq ns "$(val unit)" "durations in ns"
lt "$TMP/hist.lua" pid -- "$KREAD" "$N"
assert_eq "$N" "$(val total)" "histogram total by pid"
assert_eq "$(val fixture_pid)" "$(val keys)" "keyed by pid"
lt "$TMP/hist.lua" comm -- "$KREAD" "$N"
assert_eq "$N" "$(val total)" "histogram total by comm"
assert_eq "$(val fixture_comm)" "$(val keys)" "keyed by comm"

case_ "syscall:* histogram by syscall: the printed aggregate has read with N calls"
lt -E 'probe("syscall:*", { agg = "count", by = "syscall", where = "arg1 == 42" })' \
	-- "$KREAD" "$N"
assert_rc 0
assert_match "$(cat "$OUT")" "@syscall:\*\[read\]: $N" "count of read among all syscalls"

case_ "syscall:openat: path read as a string, flags, mode, ret and errno names"
touch "$TMP/lt-kopen-exists"
lt -E '
io.stdout:setvbuf("line")  -- the fixture writes to the same file
probe("syscall:openat", function(e)
  if (e.filename or ""):find("lt%-kopen") then
    printf("ev=%s %d %d %d %d %s\n", e.filename, e.flags, e.mode, e.dfd, e.ret >= 0 and 0 or e.ret,
           tostring(e.errno))
  end
end)' -- "$KOPEN" "$TMP/lt-kopen-exists" /nonexistent/lt-kopen-missing "w:$TMP/lt-kopen-new"
assert_rc 0
assert_eq "$TMP/lt-kopen-exists 524288 0 -100 0 nil
/nonexistent/lt-kopen-missing 524288 0 -100 -2 ENOENT
$TMP/lt-kopen-new 524865 384 -100 0 nil" "$(grep '^ev=' "$OUT" | cut -d= -f2-)" "openat events"
assert_eq "524288 524288 524865" "$(grep '^open=' "$OUT" | awk '{ print $2 }' | tr '\n' ' ' |
	sed 's/ $//')" "the fixture's own flags"

case_ "lists, globs and two probes at once see the same calls"
cat >"$TMP/two.lua" <<'LUA'
local n1, n2 = 0, 0
probe("syscall:read,write", { where = "arg1 == 42" }, function(e) n1 = n1 + 1 end)
h = probe("syscall:rea?", { agg = "count", where = "fd == 42", print = false })
on("end", function()
  print("list=" .. n1)
  print("glob=" .. h:read()[1].count)
  print("sites=" .. table.concat(h:sites(), ","))
end)
LUA
lt "$TMP/two.lua" -- "$KREAD" "$N"
assert_rc 0
assert_eq "$N" "$(val list)" "syscall:read,write events"
assert_eq "$N" "$(val glob)" "syscall:rea? count"
assert_eq "read" "$(val sites)" "syscall:rea? sites"

case_ "an aggregate-only probe (lean build) and one with records (plain build) share the calls"
cat >"$TMP/lean.lua" <<'LUA'
local all, fd42 = 0, 0
local function plain()
  probe("syscall:read", function(e)
    all = all + 1
    if e.fd == 42 then fd42 = fd42 + 1 end
  end)
end
if arg[1] == "plain-first" then plain() end
h = probe("syscall:read", { agg = "hist", print = false })
if arg[1] ~= "plain-first" then plain() end
on("end", function()
  print("lean=" .. h:read()[1].count)
  print("hits=" .. h:stats().hits)
  print("all=" .. all)
  print("fd42=" .. fd42)
end)
LUA
for order in lean-first plain-first; do
	lt "$TMP/lean.lua" "$order" -- "$KREAD" "$N"
	assert_rc 0
	assert_eq "$N" "$(val fd42)" "$order: reads of fd 42 (plain)"
	assert_eq "$(val all)" "$(val lean)" "$order: histogram total = the plain probe's reads"
	assert_eq "$(val lean)" "$(val hits)" "$order: hits of the lean probe"
done

case_ "listing: -l syscall:open*, -l -v shows argument types"
lt -l 'syscall:open*'
assert_rc 0
assert_contains "$(cat "$OUT")" "syscall:openat" "openat listed"
assert_not_contains "$(cat "$OUT")" "syscall:read" "only matches"
lt -l -v 'syscall:read'
assert_rc 0
assert_eq "syscall:read
    unsigned int fd
    char * buf
    size_t count
    long ret" "$(cat "$OUT")" "read's arguments"

case_ "errors name the syscall or argument, exit non-zero, leave nothing attached"
lt -E 'probe("syscall:nosuchcall")' -- true
assert_ne 0 "$RC" "exit status for an unknown syscall"
assert_contains "$(cat "$ERR")" "unknown syscall 'nosuchcall'" "message"
lt -E 'probe("syscall:nosuch*", function() end)' -- true
assert_ne 0 "$RC" "exit status for a glob matching nothing"
assert_contains "$(cat "$ERR")" "no syscall matches 'nosuch*'" "message"
lt -E 'probe("syscall:read", { where = "fdx == 3" }, function() end)' -- true
assert_ne 0 "$RC" "exit status for a bad argument name"
assert_contains "$(cat "$ERR")" "syscall read has no argument 'fdx' (arguments: fd buf count)" \
	"message"
lt -E 'probe("syscall:read,openat", { where = "fd == 3" }, function() end)' -- true
assert_ne 0 "$RC" "exit status for an argument some syscalls lack"
assert_contains "$(cat "$ERR")" "syscall openat has no argument 'fd'" "message"

finish
