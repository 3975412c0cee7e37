#!/usr/bin/env bash
# Stacks at the probes that are not uprobes: tracepoint:, rawtracepoint:, syscall: (kernel
# frames named through /proc/kallsyms, user frames by frame pointers and by DWARF from the
# task's own user registers), usdt: (user frames), in-kernel aggregates keyed by stack ids
# of these probes (printed keys name the frames, counts equal the events), kprobe:/kcall:
# up to the attach call, and the option combinations a kind cannot honour.
#
# The stk_chain fixture's "sys" mode makes the getppid system call from stk_c itself (inline
# syscall instruction): the user stack is main -> stk_a -> stk_b -> stk_c, nothing between.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SRC="$SRC_DIR/tests/fixtures/stacks/stk_chain.c"
line_of() { grep -n "$1" "$SRC" | cut -d: -f1; }
USER_CHAIN="stk_c,stk_b,stk_a,main"
USER_LINES="stk_chain.c:$(line_of STK_LINE_SYS),stk_chain.c:$(line_of STK_LINE_B_CALL)"
USER_LINES+=",stk_chain.c:$(line_of STK_LINE_A_CALL),stk_chain.c:$(line_of STK_LINE_MAIN_CALL)"
USDTFIX="$FIXTURE_DIR/usdtfix"
# The tracepoint dispatch and the BPF program: never the first frame of a kernel stack.
PROBE_FRAMES='^(_*bpf_|__traceiter_|perf_trace_|perf_syscall_|perf_call_bpf|trace_call_bpf)'

head_of() { echo "$2" | cut -d, -f1-"$1"; }

# The kernel names the assertions expect must be kernel functions (/proc/kallsyms).
for f in do_syscall_64 __x64_sys_execve; do
	if ! grep -q " [tT] $f\$" /proc/kallsyms; then
		echo "test_stacks_kernel: $f is not in /proc/kallsyms" >&2
		exit 1
	fi
done

# events.lua SPEC OPTS-LUA: per event, its kernel and user frames (names, innermost first).
cat >"$TMP/events.lua" <<'LUA'
local spec, opts = arg[1], load("return " .. arg[2])()
local n = 0
local function names(s)
  if not s then return "nil" end
  local t = {}
  for i, f in ipairs(s:frames()) do t[i] = f.sym or "?" end
  return table.concat(t, ",")
end
local function lines(s)
  local t = {}
  for i, f in ipairs(s and s:frames() or {}) do
    t[i] = f.file and (f.file:match("[^/]+$") .. ":" .. f.line) or "-"
  end
  return table.concat(t, ",")
end
probe(spec, opts, function(e)
  n = n + 1
  print("kstack=" .. names(e.kstack))
  print("ustack=" .. names(e.ustack))
  print("ulines=" .. lines(e.ustack))
  print("comm=" .. e.comm)
end)
on("end", function() print("events=" .. n) end)
LUA

# every KEY EXPECTED WHAT: each value of KEY (one per event) is EXPECTED.
every() {
	local v ok=1
	for v in $(vals "$1"); do [ "$v" == "$2" ] || ok=; done
	[ -n "$(vals "$1")" ] || ok=
	if [ -n "$ok" ]; then pass; else fail "$3: every $1 should be '$2', got: $(vals "$1")"; fi
}

# each_head N KEY EXPECTED WHAT: the first N frames of each value of KEY are EXPECTED.
each_head() {
	local v ok=1
	for v in $(vals "$2"); do [ "$(head_of "$1" "$v")" == "$3" ] || ok=; done
	[ -n "$(vals "$2")" ] || ok=
	if [ -n "$ok" ]; then pass; else fail "$4: first $1 of every $2 should be '$3', got: $(vals "$2")"; fi
}

case_ "tracepoint, stack = kernel: the syscall entry path, from the function that fired it"
lt "$TMP/events.lua" tracepoint:syscalls:sys_enter_getppid "{ stack = 'kernel' }" \
	-- "$FIXTURE_DIR/stk_fp" sys 3
assert_rc 0
assert_eq 3 "$(val events)" "one event per getppid call"
kstack=$(val kstack)
assert_match ",$kstack," ",do_syscall_64," "kernel frames name do_syscall_64"
assert_eq "$kstack" "$(vals kstack | tr ' ' '\n' | sort -u)" "the same stack each time"
assert_eq 0 "$(echo "$kstack" | cut -d, -f1 | grep -cE "$PROBE_FRAMES" || true)" \
	"first frame is the kernel's, not the probe's: $kstack"
every ustack nil "no user stack asked for"

case_ "tracepoint and raw tracepoint inside a syscall: sched_process_exec under execve"
for spec in tracepoint:sched:sched_process_exec rawtracepoint:sched_process_exec; do
	lt "$TMP/events.lua" $spec "{ stack = 'kernel' }" -- "$FIXTURE_DIR/stk_fp" sys 1
	assert_rc 0 "status for $spec"
	assert_eq 1 "$(val events)" "$spec: the fixture's exec"
	assert_eq stk_fp "$(val comm)" "$spec: the new program"
	assert_match ",$(val kstack)," ",__x64_sys_execve,(.*,)?do_syscall_64," \
		"$spec: __x64_sys_execve called from do_syscall_64"
	assert_eq 0 "$(val kstack | cut -d, -f1 | grep -cE "$PROBE_FRAMES" || true)" \
		"$spec: first frame is the kernel's: $(val kstack)"
done

case_ "syscall, stack = both, unwind = fp: the fixture's chain and the kernel entry path"
lt "$TMP/events.lua" syscall:getppid "{ stack = 'both', unwind = 'fp' }" \
	-- "$FIXTURE_DIR/stk_fp" sys 3
assert_rc 0
assert_eq 3 "$(val events)" "one record per call"
each_head 4 ustack "$USER_CHAIN" "user frames by frame pointers"
assert_match ",$(val kstack)," ",do_syscall_64," "kernel frames"
assert_eq 0 "$(val kstack | cut -d, -f1 | grep -cE "$PROBE_FRAMES" || true)" \
	"first kernel frame is the kernel's: $(val kstack)"

case_ "DWARF user stacks from kernel probes (the task's user registers), code without frame pointers"
for spec in tracepoint:syscalls:sys_enter_getppid syscall:getppid; do
	lt "$TMP/events.lua" $spec "{ stack = 'user', unwind = 'dwarf' }" \
		-- "$FIXTURE_DIR/stk_nofp" sys 2
	assert_rc 0 "status for $spec"
	assert_eq 2 "$(val events)" "$spec: events"
	each_head 4 ustack "$USER_CHAIN" "$spec: user frames"
	each_head 4 ulines "$USER_LINES" "$spec: file:line of each frame"
	every kstack nil "$spec: no kernel stack asked for"
done
lt "$TMP/events.lua" rawtracepoint:sys_enter "{ where = 'id == 110', stack = 'user', unwind = 'dwarf' }" \
	-- "$FIXTURE_DIR/stk_nofp" sys 2
assert_rc 0
assert_eq 2 "$(val events)" "rawtracepoint:sys_enter for getppid (110)"
each_head 4 ustack "$USER_CHAIN" "rawtracepoint: user frames"

case_ "frame pointers alone lose that chain (so DWARF above did the work)"
lt "$TMP/events.lua" syscall:getppid "{ stack = 'user', unwind = 'fp' }" \
	-- "$FIXTURE_DIR/stk_nofp" sys 1
assert_rc 0
assert_ne "$USER_CHAIN" "$(head_of 4 "$(val ustack)")" "fp walk of stk_nofp"

case_ "unwind = auto at a kernel probe: the C library lacks frame pointers, so DWARF"
lt "$TMP/events.lua" syscall:openat "{ stack = 'user' }" -- "$FIXTURE_DIR/stk_fp" fopen
assert_rc 0
assert_match "$(vals ustack)" "(^| )[^ ]*,_?_?fopen_internal,$USER_CHAIN(,| |$)" \
	"fopen's openat: through libc's frames to the chain"

case_ "stack_depth counts the kernel's frames, not the probe's"
lt "$TMP/events.lua" syscall:getppid "{ stack = 'kernel', stack_depth = 1 }" \
	-- "$FIXTURE_DIR/stk_fp" sys 1
assert_rc 0
one=$(val kstack)
lt "$TMP/events.lua" syscall:getppid "{ stack = 'kernel' }" -- "$FIXTURE_DIR/stk_fp" sys 1
assert_rc 0
whole=$(val kstack)
assert_eq "$(echo "$whole" | cut -d, -f1)" "$one" "one frame: the first of the whole stack"
lt -E "probe('syscall:getppid', { by = 'kstack', stack_depth = 2, name = 'k2' })" \
	-- "$FIXTURE_DIR/stk_fp" sys 2
assert_rc 0
assert_eq "$(echo "$whole" | cut -d, -f1-2)" \
	"$(sed -n '/^@k2\[$/,/^\]/p' "$OUT" | sed -n 's/^ *\([a-zA-Z_0-9.]*\)+[0-9]*$/\1/p' | paste -sd,)" \
	"in-kernel key: the first two frames of the whole stack"

case_ "usdt: the user stack at the probe site (registers in the context, like a uprobe)"
for unwind in fp dwarf; do
	lt "$TMP/events.lua" "usdt:$USDTFIX:ltfix:tick" "{ stack = 'user', unwind = '$unwind' }" \
		-- "$USDTFIX" run tick 3
	assert_rc 0 "status, unwind = $unwind"
	assert_eq 3 "$(val events)" "unwind = $unwind: events"
	each_head 3 ustack "tick,command,main" "unwind = $unwind: frames"
	every kstack nil "unwind = $unwind: no kernel stack"
done

# agg.lua SPEC BY N-FRAMES: reads the in-kernel aggregate at the end: the total count, the
# distinct keys' first N frames (kernel frames marked k:), and stacks lost.
cat >"$TMP/agg.lua" <<'LUA'
local p = probe(arg[1], { by = arg[2], print = false })
on("end", function()
  local total, keys = 0, {}
  for _, e in ipairs(p:read()) do
    total = total + e.count
    local t = {}
    for i, f in ipairs(e.key:frames()) do
      t[i] = (f.kernel and "k:" or "") .. (f.sym or "?")
    end
    keys[#keys + 1] = table.concat(t, ",")
  end
  print("total=" .. total)
  print("nkeys=" .. #keys)
  for _, k in ipairs(keys) do print("key=" .. k) end
  print("stack_lost=" .. counters().stack_lost)
end)
LUA

case_ "in-kernel aggregate by user stack at a syscall: one key, the chain, every call counted"
lt "$TMP/agg.lua" syscall:getppid ustack -- "$FIXTURE_DIR/stk_fp" sys 7
assert_rc 0
assert_eq 7 "$(val total)" "calls counted"
assert_between 1 2 "$(val nkeys)" "stacks (main may call stk_a from two sites)"
each_head 4 key "$USER_CHAIN" "their frames"
assert_eq 0 "$(val stack_lost)" "stacks lost"

case_ "in-kernel aggregate by both stacks at a tracepoint: kernel frames, then the chain"
lt "$TMP/agg.lua" tracepoint:syscalls:sys_enter_getppid stack -- "$FIXTURE_DIR/stk_fp" sys 5
assert_rc 0
assert_eq 5 "$(val total)" "calls counted"
assert_between 1 2 "$(val nkeys)" "stacks (main may call stk_a from two sites)"
for key in $(vals key); do
	assert_match "$key" "^(k:[^,]+,)*k:do_syscall_64,(k:[^,]+,)*$USER_CHAIN(,|$)" \
		"kernel frames through do_syscall_64, then the user chain"
	assert_eq 0 "$(echo "${key#k:}" | cut -d, -f1 | grep -cE "$PROBE_FRAMES" || true)" \
		"first frame is the kernel's: $key"
done
assert_eq 0 "$(val stack_lost)" "stacks lost"

case_ "in-kernel aggregate by user stack at usdt"
lt "$TMP/agg.lua" "usdt:$USDTFIX:ltfix:tick" ustack -- "$USDTFIX" run tick 4
assert_rc 0
assert_eq 4 "$(val total)" "ticks counted"
assert_eq "tick,command,main" "$(head_of 3 "$(val key)")" "its frames"

case_ "by = kstack printed at exit: symbolized kernel frames, the count of calls"
lt -E "probe('syscall:getppid', { by = 'kstack', name = 'ppid' })" -- "$FIXTURE_DIR/stk_fp" sys 6
assert_rc 0
assert_eq 1 "$(count_lines '^@ppid\[$')" "one key (the kernel path is the same from both sites)"
assert_eq 1 "$(count_lines '^        do_syscall_64\+[0-9]+$')" "do_syscall_64+OFF in the key"
assert_eq 0 "$(grep -A1 '^@ppid\[$' "$OUT" | tail -1 | grep -cE "^ +(bpf_|__traceiter_|perf_)" || true)" \
	"first frame is the kernel's"
assert_eq 6 "$(awk '/^\]: [0-9]+$/ { n += $2 } END { print n }' "$OUT")" "count = calls"

case_ "by = ustack printed at exit: the fixture's chain"
lt -E "probe('tracepoint:syscalls:sys_enter_getppid', { by = 'ustack', name = 'u' })" \
	-- "$FIXTURE_DIR/stk_fp" sys 3
assert_rc 0
assert_between 1 2 "$(count_lines '^@u\[$')" "keys (main may call stk_a from two sites)"
assert_eq "$(count_lines '^@u\[$')" "$(grep -A4 '^@u\[$' "$OUT" | tr -s ' \n' ' ' |
	grep -oE '@u\[ stk_c\+[0-9]+ stk_b\+[0-9]+ stk_a\+[0-9]+ main\+[0-9]+ ' | wc -l)" \
	"each key's innermost frames: stk_c, stk_b, stk_a, main"
assert_eq 3 "$(awk '/^\]: [0-9]+$/ { n += $2 } END { print n }' "$OUT")" "count = calls"

case_ "stackcount at kernel probes: counted in kernel (-K) and unwound in Lua (--dwarf -B)"
lt "$SRC_DIR/scripts/stackcount.lua" -K tracepoint:syscalls:sys_enter_getppid \
	-- "$FIXTURE_DIR/stk_fp" sys 4
assert_rc 0
assert_eq 1 "$(count_lines '^        do_syscall_64\+[0-9]+$')" "one kernel stack through do_syscall_64"
assert_eq 0 "$(sed 's/^ *//' "$OUT" | grep -cE "$PROBE_FRAMES" || true)" "none of the probe's frames"
assert_eq 4 "$(awk '/^            [0-9]+$/ { n += $1 } END { print n }' "$OUT")" "count = calls"
lt "$SRC_DIR/scripts/stackcount.lua" -B --dwarf syscall:getppid -- "$FIXTURE_DIR/stk_nofp" sys 4
assert_rc 0
assert_between 1 2 "$(count_lines '^        do_syscall_64\+[0-9]+$')" \
	"stacks (main may call stk_a from two sites), kernel frames in each"
assert_eq "$(count_lines '^        do_syscall_64\+[0-9]+$')" \
	"$(tr -s ' \n' ' ' <"$OUT" | grep -oE 'do_syscall_64\+[0-9]+ ([a-zA-Z_0-9.]+\+[0-9]+ ){0,4}stk_c\+[0-9]+ stk_b\+[0-9]+ stk_a\+[0-9]+ main\+' | wc -l)" \
	"each: kernel frames, then stk_c, stk_b, stk_a, main (DWARF through -fomit-frame-pointer)"
assert_eq 4 "$(awk '/^            [0-9]+$/ { n += $1 } END { print n }' "$OUT")" "count = calls"

case_ "kprobe and kcall take every stack option up to the attach call"
if [ -e /sys/bus/event_source/devices/kprobe/type ]; then
	echo "    (this kernel has kprobes: skipped, test_kprobe.sh covers them)"
else
	for spec in kprobe:do_sys_openat2 kcall:do_sys_openat2 kretprobe:do_sys_openat2; do
		for args in "{ stack = 'both', unwind = 'dwarf', stack_depth = 8 }, print" \
			"{ by = 'stack' }" "{ by = 'kstack' }"; do
			LTRACE_EBPF_KFEATURES=kprobe lt -E "probe('$spec', $args)"
			assert_rc 1 "status for $spec $args"
			assert_match "$(cat "$ERR")" \
				"^ltrace-ebpf: -E:1: $spec: cannot attach a k(ret)?probe to do_sys_openat2: " \
				"$spec $args: the template loaded, the attach failed"
		done
	done
	LTRACE_EBPF_KFEATURES=kprobe_multi lt -E "probe('kcall:vfs_rea*', { stack = 'both', unwind = 'dwarf' }, print)"
	assert_rc 1
	assert_match "$(cat "$ERR")" "cannot attach a kprobe_multi link to [0-9]+ functions: " \
		"kprobe_multi programs with stacks loaded, the link refused"
fi

case_ "what a kind cannot honour is an error naming it"
refused() {	# CODE NEEDLE WHAT
	lt -E "$1"
	assert_rc 1 "status: $3"
	assert_contains "$(cat "$ERR")" "$2" "$3"
	assert_eq 1 "$(wc -l <"$ERR")" "$3: one line"
}
refused "probe('usdt:$USDTFIX:ltfix:tick', { stack = 'kernel' }, print)" \
	"option 'stack': usdt probes fire in user mode and have no kernel stack" "usdt kernel stack"
refused "probe('$FIXTURE_DIR/stk_fp:stk_leaf', { by = 'kstack' })" \
	"option 'by': uprobe probes fire in user mode and have no kernel stack" "uprobe by kstack"
refused "probe('call:$FIXTURE_DIR/stk_fp:stk_leaf', { stack = 'kernel' }, print)" \
	"option 'stack': call probes fire in user mode" "call: kernel stack"
refused "probe('syscall:getppid', { by = 'ustack', unwind = 'dwarf' })" \
	"in-kernel aggregation by user stack needs unwind = \"fp\"" "DWARF cannot key the kernel's"
refused "probe('BEGIN', { stack = 'user' }, print)" "BEGIN: takes no options (got 'stack')" \
	"BEGIN has no stack"
refused "probe('interval:1s', { by = 'kstack' }, print)" "interval:1s: takes no options" \
	"interval has no stack"
refused "probe('syscall:getppid', { by = 'kstack' }, print)" \
	"option 'by' is for an in-kernel aggregate: with a callback, add agg = \"count\"" \
	"a stack key with a callback and no aggregate"
refused "probe('syscall:getppid', { stack = 'both' })" \
	"option 'stack': stacks come with events (e.ustack, e.kstack): give the probe a callback" \
	"stacks without a callback"
refused "probe('syscall:getppid', { stack = 'kernel', unwind = 'dwarf' }, print)" \
	"option 'unwind': no user stack to unwind" "unwind without a user stack"
refused "probe('tracepoint:syscalls:sys_enter_getppid', { stack_depth = 4 }, print)" \
	"option 'stack_depth': the probe takes no stack" "stack_depth without a stack"
refused "probe('profile:hz:99', { mode = 'offcpu' }, print)" \
	"option 'mode': off-CPU intervals are aggregated in the kernel only" "off-CPU callback"

finish
