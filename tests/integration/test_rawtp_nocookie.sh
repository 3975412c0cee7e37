#!/usr/bin/env bash
# The raw tracepoint programs' path for kernels without attach cookies there (before 6.10:
# Debian 12's 6.1), taken here with LTRACE_EBPF_NO_RAWTP_COOKIES=1: each syscall: and
# rawtracepoint: probe loads its own program instance with its id fixed before load
# (the *_nocookie builds). Several probes on the same hook must each see only their own
# calls, the lean and plain syscall builds together, raw tracepoints beside syscalls.
# The kernel matrix runs the other tests on 6.1, where this path is the only one.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

export LTRACE_EBPF_NO_RAWTP_COOKIES=1
KREAD="$FIXTURE_DIR/lt_kread"
N=50

case_ "-v names the path taken"
lt -v -E 'probe("syscall:getppid")' -- /bin/true
assert_rc 0
assert_contains "$(cat "$ERR")" "raw tracepoints: no attach cookies (before Linux 6.10, or LTRACE_EBPF_NO_RAWTP_COOKIES): a program instance per probe" \
	"the fallback"
# =0: libbpf's feature probe decides; raw tracepoint cookies came with Linux 6.10.
detected="attach cookies: one program serves every probe"
if [ "$(printf '%s\n' 6.10 "$(uname -r | cut -d- -f1)" | sort -V | head -n 1)" != 6.10 ]; then
	detected="no attach cookies"
fi
LTRACE_EBPF_NO_RAWTP_COOKIES=0 lt -v -E 'probe("syscall:getppid")' -- /bin/true
assert_rc 0
assert_contains "$(cat "$ERR")" "raw tracepoints: $detected" "=0: detection on $(uname -r)"

case_ "three syscall probes on read, each its own instance: lean aggregate, plain records"
cat >"$TMP/three.lua" <<'LUA'
io.stdout:setvbuf("line")
local h = probe("syscall:read", { agg = "count", where = "fd == 42", print = false })
local big = 0
probe("syscall:read", { where = { "fd == 42", "count == 7" } }, function(e) big = big + 1 end)
local none = 0
probe("syscall:read", { where = "fd == 43" }, function(e) none = none + 1 end)
on("end", function()
  local n = 0
  for _, e in ipairs(h:read()) do n = n + e.count end
  print("agg=" .. n)
  print("records=" .. big)
  print("other=" .. none)
end)
LUA
lt "$TMP/three.lua" -- "$KREAD" "$N"
assert_rc 0
assert_eq "$N" "$(val reads)" "the fixture's reads"
assert_eq "$N" "$(val agg)" "the lean probe counted each read once"
assert_eq "$N" "$(val records)" "the plain probe recorded each read once"
assert_eq 0 "$(val other)" "the third probe's filter kept its own (none)"

case_ "a raw tracepoint beside a syscall probe"
lt -E '
io.stdout:setvbuf("line")
probe("rawtracepoint:sched_process_exit", { fields = { tgid = "p.tgid" } }, function(e)
  print("exit=" .. e.tgid)
end)
probe("syscall:read", { where = "fd == 42" }, function(e) print("rd=" .. e.ret) end)' \
	-- "$KREAD" 3
assert_rc 0
assert_eq "$(val fixture_pid)" "$(vals exit | tr ' ' '\n' | sort -u)" "the fixture's exit"
assert_eq "7 7 7" "$(vals rd)" "its three reads"

finish
