#!/usr/bin/env bash
# The `offcpu` probe kind: a fixture blocks in main -> blk_a -> blk_b -> blk_sleep (3 x 100 ms)
# and main -> blk_a -> blk_c -> blk_sleep (20 x 2 ms); the off-CPU stacks must name those
# chains with the number of waits and the time asleep within bounds, min_duration and
# max_duration must keep one chain each, the bare spec prints at exit, bad specs and
# options fail with a message. Waits are the switch-outs in the sleep's own path
# (do_nanosleep -> schedule): a preemption on the way back to user space has another
# kernel stack. Every sleep is either seen or counted lost (offcpu_lost: a switch back in
# that no sched_switch showed, as this VM's kernel does after its init's threads ran);
# one wait more is allowed (a sleep preempted inside its schedule() switches out twice).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BLOCK="$FIXTURE_DIR/stk_block"

cat >"$TMP/off.lua" <<'LUA'
-- arg[1]: the options as Lua ("{}" or "{ min_duration = '90ms' }")
local opts = load("return " .. arg[1])()
opts.print = false
p = probe("offcpu", opts)
on("end", function()
  local got = { long = { 0, 0 }, short = { 0, 0 } }
  for _, e in ipairs(p:read()) do
    local f = e.key:folded() .. ";"
    local which = f:find(";main;blk_a;blk_b;blk_sleep;", 1, true) and "long" or
                  f:find(";main;blk_a;blk_c;blk_sleep;", 1, true) and "short"
    local asleep = not f:find("_[k]", 1, true) or f:find("do_nanosleep_[k];schedule_[k];", 1, true)
    if which and asleep then
      got[which][1] = got[which][1] + e.count
      got[which][2] = got[which][2] + e.sum // 1000000
      if f:find("bpf_prog", 1, true) then print("bpf_frames=1") end
      print(which .. "_folded=" .. f)
    end
  end
  for _, k in ipairs({ "long", "short" }) do
    print(k .. "_waits=" .. got[k][1])
    print(k .. "_ms=" .. got[k][2])
  end
  print("lost=" .. counters().offcpu_lost)
end)
LUA

assert_waits() {	# EXPECTED SEEN WHAT: every wait seen or counted lost ($(val lost)), one more allowed
	local lost
	lost=$(val lost)
	if [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -le $(($1 + 1)) ] && [ $(($2 + lost)) -ge "$1" ]; then
		pass
	else
		fail "$3: expected $1 (or one more) seen, or fewer seen and the rest lost; got $2 seen, $lost lost"
	fi
}

case_ "offcpu: both chains named, with their waits and time asleep"
lt "$TMP/off.lua" "{}" -- "$BLOCK" 100 3 2 20
assert_rc 0
assert_waits 3 "$(val long_waits)" "waits in main;blk_a;blk_b;blk_sleep"
assert_waits 20 "$(val short_waits)" "waits in main;blk_a;blk_c;blk_sleep"
# a wait lost takes its time along; on a loaded machine each wake-up comes late
assert_between $((300 - 100 * $(val lost))) 1000 "$(val long_ms)" "ms asleep in blk_b's chain (3 x 100 ms)"
assert_between $((40 - 2 * $(val lost))) 1000 "$(val short_ms)" "ms asleep in blk_c's chain (20 x 2 ms)"
assert_match "$(val long_folded)" "blk_sleep;.*nanosleep_\\[k\\];.*schedule_\\[k\\]" \
	"user chain then the kernel's, switched out in schedule"
assert_eq "" "$(val bpf_frames)" "the BPF program's own frames are trimmed"

case_ "min_duration keeps the long waits only"
lt "$TMP/off.lua" "{ min_duration = '90ms' }" -- "$BLOCK" 100 3 2 20
assert_rc 0
assert_waits 3 "$(val long_waits)" "long waits"
assert_eq 0 "$(val short_waits)" "2 ms waits under a 90 ms minimum"

case_ "max_duration keeps the short waits only"
lt "$TMP/off.lua" "{ max_duration = '90ms' }" -- "$BLOCK" 100 3 2 20
assert_rc 0
assert_eq 0 "$(val long_waits)" "100 ms waits over a 90 ms maximum"
assert_waits 20 "$(val short_waits)" "short waits"

case_ "user stacks only: stack = 'user'"
lt "$TMP/off.lua" "{ stack = 'user' }" -- "$BLOCK" 100 3 2 20
assert_rc 0
assert_waits 3 "$(val long_waits)" "long waits"
assert_not_contains "$(val long_folded)" "_[k]" "no kernel frames"

case_ "comm filter: another command's waits are not counted, the fixture's are"
lt "$TMP/off.lua" "{ comm = 'no-such-comm' }" -- "$BLOCK" 20 3 2 2
assert_rc 0
assert_eq 0 "$(val long_waits)" "waits of another comm"
lt "$TMP/off.lua" "{ comm = 'stk_block' }" -- "$BLOCK" 20 3 2 2
assert_waits 3 "$(val long_waits)" "waits of the fixture's comm"

case_ "a busy machine: the stacks of a process that exited are still named"
# 600 execs before the fixture's own: the machine's mmap records (the symbolizer's side-band
# rings, 128 KiB a CPU) would fill long before the stacks are read at the end; drained as
# they fill, nothing is lost and the fixture's frames are named.
cat >"$TMP/churn.lua" <<'LUA'
p = probe("offcpu", { print = false })
on("end", function()
  local got = 0
  for _, e in ipairs(p:read()) do
    if (e.key:folded() .. ";"):find(";main;blk_a;blk_b;blk_sleep;", 1, true) then got = got + e.count end
  end
  print("long_waits=" .. got)
  print("maps_lost=" .. counters().maps_lost)
end)
LUA
lt "$TMP/churn.lua" -- sh -c 'for i in $(seq 600); do /bin/true; done; exec "$0" 100 3 2 2' "$BLOCK"
assert_rc 0
assert_eq 0 "$(val maps_lost)" "side-band records lost"
assert_between 1 4 "$(val long_waits)" "waits in main;blk_a;blk_b;blk_sleep, named"

case_ "bare spec: printed at exit like bpftrace, summed time"
lt -E 'probe("offcpu")' -- "$BLOCK" 100 3 2 2
assert_rc 0
assert_match "$(cat "$OUT")" "@offcpu\\[" "aggregate printed"
assert_contains "$(cat "$OUT")" "        blk_b+" "blk_b's frame"
# 3 x 100 ms asleep; on a loaded machine each wake-up comes late (late wake-ups add to the time asleep)
assert_match "$(cat "$OUT")" "\\]: [1-9][0-9]{2}ms" "100 to 999 ms in one stack (a wait lost takes 100 ms along)"

case_ "bad specs and options"
refused() {	# LUA MESSAGE WHAT: the one-liner fails with MESSAGE on stderr
	lt -E "$1" -- /bin/true
	assert_rc 1
	assert_contains "$(cat "$ERR")" "$2" "$3"
}
refused 'probe("offcpu:1ms")' "'offcpu' takes no arguments" "spec with an argument"
refused 'probe("offcpu", { min_duration = "10ms", max_duration = "1ms" })' \
	"max_duration is shorter than min_duration" "max below min"
refused 'probe("offcpu", { mode = "cpu" })' "option 'mode'" "mode on offcpu"
refused 'probe("profile:hz:99", { max_duration = "1ms" })' "only 'offcpu' probes" \
	"max_duration on a CPU profile"

finish
