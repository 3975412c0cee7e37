#!/usr/bin/env bash
# usdt:BIN:PROVIDER:NAME on a fixture with known probes (arguments asserted exactly, one
# probe behind a semaphore that is set only while attached), under -- CMD, -p PID and
# system-wide; and Python function calls counted exactly through python:function__return.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

USDTFIX="$FIXTURE_DIR/usdtfix"
PY=/usr/bin/python3.11

# usdt_serve_start NAME: usdtfix serve fed through a fifo on fd 7 (serve_cmd drives it).
usdt_serve_start() {
	local name=$1
	rm -f "$TMP/$name.in" "$TMP/$name.out"
	mkfifo "$TMP/$name.in"
	"$USDTFIX" serve <"$TMP/$name.in" >"$TMP/$name.out" 2>&1 &
	SERVE_PID=$!
	SERVE_NAME=$name
	SERVE_ACKS=0
	exec 7>"$TMP/$name.in"
	wait_for "$TMP/$name.out" "^pid $SERVE_PID\$"
}

usdt_serve_stop() {
	exec 7>&-
	wait_pid "$SERVE_PID"
}

case_ "-l lists the fixture's notes as probe specs"
lt -l "usdt:$USDTFIX:*"
assert_rc 0
assert_eq "usdt:$USDTFIX:ltfix:tick usdt:$USDTFIX:ltfix:args6 usdt:$USDTFIX:ltfix:sema" \
	"$(tr '\n' ' ' <"$OUT" | sed 's/ $//')" "listed probes"
lt -l "usdt:$USDTFIX:ltfix:s*"
assert_eq "usdt:$USDTFIX:ltfix:sema" "$(cat "$OUT")" "provider and name glob"

case_ "arguments decoded from the notes, typed by args (-- CMD, probes attached before exec)"
cat >"$TMP/args.lua" <<LUA
probe("usdt:$USDTFIX:ltfix:tick", { args = { "int", "int", "str" } }, function(e)
  print("tick=" .. e.args[1] .. "," .. e.args[2] .. "," .. e.args[3] .. "," .. e.func)
end)
probe("usdt:$USDTFIX:args6", { args = { "i8", "u16", "i32", "int", "str", "u8" } }, function(e)
  local a = e.args
  print("args6=" .. table.concat({ a[1], a[2], a[3], a[4], a[5], a[6] }, ","))
  print("raw1=" .. e:table().args[1])
end)
LUA
lt "$TMP/args.lua" -- "$USDTFIX" run tick 3 args
assert_rc 0
assert_eq "1,-1000,tick-str,ltfix:tick 2,-2000,tick-str,ltfix:tick 3,-3000,tick-str,ltfix:tick" \
	"$(vals tick)" "ltfix:tick(i, -1000 * i, \"tick-str\")"
assert_eq "-5,65535,-100000,1099511627776,six,200" "$(val args6)" \
	"ltfix:args6: i8, u16, i32, i64, string, u8 (usdt:BIN:NAME, any provider)"
assert_eq "-5" "$(val raw1)" "a signed byte arrives sign-extended from its spec (-1@)"

case_ "in-kernel aggregation over USDT arguments"
lt -E "probe('usdt:$USDTFIX:ltfix:tick', { agg = 'sum', of = 'arg1', name = 'sum' })
probe('usdt:$USDTFIX:ltfix:tick', { agg = 'count', by = 'arg2', name = 'by2' })" \
	-- "$USDTFIX" run tick 4
assert_rc 0
assert_eq "@sum: 10" "$(grep '^@sum' "$OUT")" "sum of 1..4"
assert_eq 4 "$(count_lines '^@by2\[-[1-4]000\]: 1$')" "one key per value of arg2"

case_ "the semaphore is set only while a probe is attached (-p PID)"
cat >"$TMP/sema.lua" <<LUA
local n = 0
probe("usdt:$USDTFIX:ltfix:sema", { args = { "int" } }, function(e)
  print("sema=" .. e.args[1] .. " pid=" .. e.pid)
  n = n + 1
  if n == 3 then exit() end
end)
on("begin", function() io.open(arg[1] .. "/ready", "w"):close() end)
LUA
usdt_serve_start srv
serve_cmd "sema 3"
assert_eq "sema enabled=0 of 3" "$(grep '^sema' "$TMP/srv.out" | tail -1)" "before the attach"
"$LTRACE_EBPF" -p "$SERVE_PID" "$TMP/sema.lua" "$TMP" >"$OUT" 2>"$ERR" &
TOOL=$!
LAST_CMD="ltrace-ebpf -p $SERVE_PID sema.lua"
wait_file "$TMP/ready"
# Kernels without uprobe_multi (before 6.6: tests/kernels) take libbpf's link per location.
if grep -q " bpf_uprobe_multi_link_attach$" /proc/kallsyms; then
	HAS_MULTI=1
	assert_eq "uprobe_multi=1" "$(link_types "$TOOL")" \
		"the semaphore is counted through a uprobe_multi link's ref_ctr_offset"
else
	HAS_MULTI=0
	assert_eq "perf=1" "$(link_types "$TOOL")" "no uprobe_multi here: one classic link"
fi
serve_cmd "sema 3"
assert_eq "sema enabled=3 of 3" "$(grep '^sema' "$TMP/srv.out" | tail -1)" "while attached"
wait_pid "$TOOL"
RC=$WAIT_RC
assert_rc 0 "the tool exits after three events"
assert_eq "sema=1 pid=$SERVE_PID sema=2 pid=$SERVE_PID sema=3 pid=$SERVE_PID" \
	"$(grep '^sema=' "$OUT" | tr '\n' ' ' | sed 's/ $//')" "the guarded probe's events"
serve_cmd "sema 3"
assert_eq "sema enabled=0 of 3" "$(grep '^sema' "$TMP/srv.out" | tail -1)" "after the detach"
usdt_serve_stop

case_ "system-wide: a process started after the attach is seen"
rm -f "$TMP/ready"
cat >"$TMP/wide.lua" <<LUA
local n = 0
probe("usdt:$USDTFIX:ltfix:tick", { args = { "int" }, comm = "usdtfix" }, function(e)
  print("tick=" .. e.args[1])
  n = n + 1
  if n == 2 then exit() end
end)
on("begin", function() io.open(arg[1] .. "/ready", "w"):close() end)
LUA
"$LTRACE_EBPF" "$TMP/wide.lua" "$TMP" >"$OUT" 2>"$ERR" &
TOOL=$!
LAST_CMD="ltrace-ebpf wide.lua"
wait_file "$TMP/ready"
"$USDTFIX" run tick 2
wait_pid "$TOOL"
RC=$WAIT_RC
assert_rc 0
assert_eq "1 2" "$(vals tick)" "events of the process started later"

case_ "errors name the probe and what the binary has"
lt -E "probe('usdt:$USDTFIX:ltfix:tock')"
assert_rc 1
assert_contains "$(cat "$ERR")" "no USDT probe ltfix:tock in $USDTFIX (it has ltfix:tick, ltfix:args6, ltfix:sema" "unknown probe"
lt -E "probe('usdt:/bin/true:x:y')"
assert_contains "$(cat "$ERR")" "has no USDT probes" "binary without notes"
lt -E "probe('usdt:/nonexistent/bin:x:y')"
assert_contains "$(cat "$ERR")" "binary '/nonexistent/bin' not found" "missing binary"
lt -E "probe('usdt:$USDTFIX:ltfix:tick', { ret = 'int' })"
assert_contains "$(cat "$ERR")" "option 'ret': a USDT probe has no return value" "ret refused"

# Python: python:function__entry fires for each call only while the python:line probe's
# semaphore is set too (docs/probes-kernel.md); function__return fires for each call and
# each generator resume, so it is the one that counts calls, and the cheaper one.
if [ ! -x "$PY" ]; then
	case_ "python3.11 USDT"
	fail "$PY is missing (apt-get install python3.11)"
	finish
fi
cat >"$TMP/calls.py" <<'PY'
def f():
    pass
for i in range(1000):
    f()
PY
cat >"$TMP/pycalls.lua" <<LUA
local which, with_line = arg[1], arg[2] == "line"
local calls = {}
probe("usdt:$PY:python:" .. which, { args = { "str", "str", "int" } }, function(e)
  if e.args[1]:sub(-8) == "calls.py" then calls[e.args[2]] = (calls[e.args[2]] or 0) + 1 end
end)
if with_line then probe("usdt:$PY:python:line", { agg = "count", print = false }) end
on("end", function() print("f=" .. (calls.f or 0)) end)
LUA

# A classic perf-event uprobe link per location costs a grace period under the kernel's
# global event_mutex to release (0.9 s for these 8, docs/benchmarks.md); one uprobe_multi
# link costs one. LTRACE_EBPF_NO_UPROBE_MULTI takes the older kernels' path: libbpf's.
cat >"$TMP/pyall.lua" <<LUA
probe("usdt:$PY:python:*", { agg = "count", print = false })
on("begin", function() io.open(arg[1] .. "/ready", "w"):close() end)
LUA
for path in multi classic; do
	case_ "usdt:python3.11:python:* (-p PID): the links held, $path path"
	rm -f "$TMP/ready"
	"$PY" -c "import time; time.sleep(600)" &
	PYPID=$!
	envs=()
	[ "$path" = classic ] && envs=(LTRACE_EBPF_NO_UPROBE_MULTI=1)
	env "${envs[@]}" "$LTRACE_EBPF" -p "$PYPID" "$TMP/pyall.lua" "$TMP" >"$OUT" 2>"$ERR" &
	TOOL=$!
	LAST_CMD="ltrace-ebpf -p $PYPID pyall.lua ($path)"
	wait_file "$TMP/ready"
	sites=$(readelf -n "$PY" | grep -c "Provider: python")
	if [ "$path" = multi ] && [ "$HAS_MULTI" = 1 ]; then
		assert_eq "uprobe_multi=1" "$(link_types "$TOOL")" "one link for $sites locations"
	else
		assert_eq "perf=$sites" "$(link_types "$TOOL")" "a link per location"
	fi
	kill -INT "$TOOL"
	wait_pid "$TOOL"
	RC=$WAIT_RC
	assert_rc 130 "the exit status after SIGINT"
	kill "$PYPID"
	wait "$PYPID" 2>/dev/null || true
done

case_ "the older kernels' path still decodes arguments and counts semaphores"
LTRACE_EBPF_NO_UPROBE_MULTI=1 lt "$TMP/args.lua" -- "$USDTFIX" run tick 2 args
assert_rc 0
assert_eq "1,-1000,tick-str,ltfix:tick 2,-2000,tick-str,ltfix:tick" "$(vals tick)" \
	"ltfix:tick through libbpf's USDT links"
assert_eq "-5,65535,-100000,1099511627776,six,200" "$(val args6)" "ltfix:args6 likewise"
LTRACE_EBPF_NO_UPROBE_MULTI=1 lt "$TMP/pycalls.lua" function__entry line -- "$PY" "$TMP/calls.py"
assert_eq 1000 "$(val f)" "python:function__entry with python:line's semaphore set"

case_ "python:function__return counts every call of a Python function exactly"
lt "$TMP/pycalls.lua" function__return -- "$PY" "$TMP/calls.py"
assert_rc 0
assert_eq 1000 "$(val f)" "calls of f"
lt -E "probe('usdt:$PY:python:function__return', { agg = 'count', by = 'arg2', name = 'calls' })" \
	-- "$PY" "$TMP/calls.py"
assert_rc 0
assert_match "$(cat "$OUT")" "\]: 1000" "in-kernel count keyed by the function name's address"

case_ "python:function__entry counts calls only with the line semaphore set"
lt "$TMP/pycalls.lua" function__entry -- "$PY" "$TMP/calls.py"
assert_eq 0 "$(val f)" "entry alone (this python build)"
lt "$TMP/pycalls.lua" function__entry line -- "$PY" "$TMP/calls.py"
assert_eq 1000 "$(val f)" "entry with python:line attached"

finish
