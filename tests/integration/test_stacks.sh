#!/usr/bin/env bash
# Stacks at probes: the stk_chain fixture's known chain (main -> stk_a -> stk_b -> stk_c ->
# probed function) comes back exactly, in order, with file:line where debug info exists, in
# every build (frame pointers or not, PIE or not, stripped + debug file by build-id or
# .gnu_debuglink, MiniDebugInfo), by frame pointers and by the DWARF fallback; through
# libc (qsort's callback, malloc inside fopen); aggregated in kernel by stack id and in Lua.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

export LTRACE_EBPF_DEBUG_DIRS="$FIXTURE_DIR/stkdebug"
SRC="$SRC_DIR/tests/fixtures/stacks/stk_chain.c"
line_of() { grep -n "$1" "$SRC" | cut -d: -f1; }
L_LEAF=$(line_of STK_LINE_LEAF)
L_C=$(line_of STK_LINE_C_CALL)
L_B=$(line_of STK_LINE_B_CALL)
L_A=$(line_of STK_LINE_A_CALL)
L_MAIN=$(line_of STK_LINE_MAIN_CALL)
CHAIN="stk_leaf,stk_c,stk_b,stk_a,main"
LINES="stk_chain.c:$L_LEAF,stk_chain.c:$L_C,stk_chain.c:$L_B,stk_chain.c:$L_A,stk_chain.c:$L_MAIN"

# first_stack.lua SPEC OPTS-LUA: prints the first event's frames: names, lines, modules.
cat >"$TMP/first.lua" <<'LUA'
local spec, opts = arg[1], load("return " .. arg[2])()
local done = false
probe(spec, opts, function(e)
  if done or not e.ustack then return end
  local want = arg[3]
  if want and not e.ustack:folded():find(want, 1, true) then return end
  done = true
  local names, lines, mods = {}, {}, {}
  for i, f in ipairs(e.ustack:frames()) do
    names[i] = f.sym or "?"
    lines[i] = f.file and (f.file:match("[^/]+$") .. ":" .. f.line) or "-"
    mods[i] = f.module and f.module:match("[^/]+$") or "-"
  end
  print("chain=" .. table.concat(names, ","))
  print("lines=" .. table.concat(lines, ","))
  print("mods=" .. table.concat(mods, ","))
  print("n=" .. #e.ustack)
end)
LUA

# head_of N LIST: the first N comma-separated items.
head_of() { echo "$2" | cut -d, -f1-"$1"; }

# site PROG: where to probe stk_leaf. Stripped builds have no symbol for it: their address
# comes from the unstripped build they were made from (same code, same addresses).
site() {
	local full
	case $1 in
	stk_stripped) full=stk_full_buildid ;;
	stk_debuglink) full=stk_full_debuglink ;;
	stk_minidebug) full=stk_full_minidebug ;;
	*) echo "$FIXTURE_DIR/$1:stk_leaf"; return ;;
	esac
	echo "$FIXTURE_DIR/$1:0x$(nm "$FIXTURE_DIR/$full" | awk '$3 == "stk_leaf" { print $1 }')"
}

check_chain() {	# PROG UNWIND WANT_LINES(yes/no)
	local prog=$1 unwind=$2 lines=$3
	case_ "$prog, unwind=$unwind: the chain in order"
	lt "$TMP/first.lua" "$(site "$prog")" "{ stack = 'user', unwind = '$unwind' }" \
		-- "$FIXTURE_DIR/$prog" leaf 3
	assert_rc 0
	assert_eq "$CHAIN" "$(head_of 5 "$(val chain)")" "innermost five frames"
	assert_eq "$prog,$prog,$prog,$prog,$prog" "$(head_of 5 "$(val mods)")" "their module"
	if [ "$lines" == yes ]; then
		assert_eq "$LINES" "$(head_of 5 "$(val lines)")" "file:line of each frame"
	else
		assert_eq "-,-,-,-,-" "$(head_of 5 "$(val lines)")" "no lines without DWARF"
	fi
}

check_chain stk_fp fp yes
check_chain stk_fp_nopie fp yes
check_chain stk_fp dwarf yes
check_chain stk_nofp dwarf yes
check_chain stk_nofp_nopie dwarf yes
check_chain stk_nofp auto yes
check_chain stk_stripped dwarf yes
check_chain stk_debuglink dwarf yes
check_chain stk_minidebug dwarf no

case_ "frame pointers alone lose the chain of -fomit-frame-pointer code (why DWARF exists)"
lt "$TMP/first.lua" "$FIXTURE_DIR/stk_nofp:stk_leaf" "{ stack = 'user', unwind = 'fp' }" \
	-- "$FIXTURE_DIR/stk_nofp" leaf 1
assert_rc 0
assert_ne "$CHAIN" "$(head_of 5 "$(val chain)")" "fp walk of stk_nofp"

case_ "a callback called from inside libc (qsort) unwinds through libc to main (DWARF)"
lt "$TMP/first.lua" "$FIXTURE_DIR/stk_fp:stk_cmp" "{ stack = 'user', unwind = 'dwarf' }" \
	-- "$FIXTURE_DIR/stk_fp" qsort
assert_rc 0
chain=$(val chain)
assert_eq stk_cmp "$(head_of 1 "$chain")" "innermost frame"
assert_match "$chain" "^stk_cmp,(msort_with_tmp[^,]*,)+qsort_r,stk_c,stk_b,stk_a,main," \
	"stk_cmp, libc's msort_with_tmp and qsort_r, then the fixture's chain"
assert_match "$(val mods)" "^stk_fp,libc\\.so\\.6,.*,libc\\.so\\.6,stk_fp,stk_fp,stk_fp,stk_fp," \
	"modules: fixture, libc ..., fixture"

case_ "a probe inside libc (malloc called by fopen) unwinds back to main (auto picks DWARF)"
lt "$TMP/first.lua" "libc:malloc" "{ stack = 'user' }" stk_c -- "$FIXTURE_DIR/stk_fp" fopen
assert_rc 0
assert_match "$(val chain)" "^malloc,_?_?fopen_internal,stk_c,stk_b,stk_a,main(,|$)" \
	"malloc, __fopen_internal, then the chain"

case_ "C++ and Rust names are demangled"
lt "$TMP/first.lua" "$FIXTURE_DIR/stk_fp:stk_leaf" "{ stack = 'user' }" -- "$FIXTURE_DIR/stk_fp" cxx
assert_eq "stk_leaf,stk::inner::func(int),stk_c,stk_b" "$(head_of 4 "$(val chain)")" "C++ frame"
lt "$TMP/first.lua" "$FIXTURE_DIR/stk_fp:stk_leaf" "{ stack = 'user' }" -- "$FIXTURE_DIR/stk_fp" rust
assert_eq "stk_leaf,stk::rust::func,stk_c,stk_b" "$(head_of 4 "$(val chain)")" "Rust frame"

case_ "stack_depth bounds the frames"
lt "$TMP/first.lua" "$FIXTURE_DIR/stk_fp:stk_leaf" "{ stack = 'user', stack_depth = 2 }" \
	-- "$FIXTURE_DIR/stk_fp" leaf 1
assert_eq 2 "$(val n)" "frames"
assert_eq "stk_leaf,stk_c" "$(val chain)" "the two innermost"

case_ "in-kernel aggregation by user stack id: counts per stack, read after the process exited"
cat >"$TMP/byustack.lua" <<LUA
p = probe("$FIXTURE_DIR/stk_fp:stk_leaf", { by = "ustack", print = false })
on("end", function()
  local total, chains = 0, {}
  for _, e in ipairs(p:read()) do
    total = total + e.count
    local names = {}
    for i = 1, 5 do names[i] = e.key[i].sym end
    chains[table.concat(names, ",")] = true
  end
  print("total=" .. total)
  for c in pairs(chains) do print("chain=" .. c) end
  print("stack_lost=" .. counters().stack_lost)
  print("maps_lost=" .. counters().maps_lost)
end)
LUA
lt "$TMP/byustack.lua" -- "$FIXTURE_DIR/stk_fp" leaf 50
assert_rc 0
assert_eq 50 "$(val total)" "calls counted over all stack keys"
assert_eq "$CHAIN" "$(vals chain)" "every key is the chain"
assert_eq 0 "$(val stack_lost)" "stacks lost"
assert_eq 0 "$(val maps_lost)" "maps records lost (a counter scripts see)"

case_ "the same from non-sleepable programs (ids from a stack-trace map, not hashed)"
LTRACE_EBPF_NO_SLEEPABLE=1 lt "$TMP/byustack.lua" -- "$FIXTURE_DIR/stk_fp" leaf 30
assert_rc 0
assert_eq 30 "$(val total)" "calls counted over all stack keys"
assert_eq "$CHAIN" "$(vals chain)" "every key is the chain"

case_ "printed like bpftrace: @name[ frames ]: count"
lt -E "probe('$FIXTURE_DIR/stk_fp:stk_leaf', { by = 'ustack', name = 'leafs' })" \
	-- "$FIXTURE_DIR/stk_fp" leaf 7
assert_rc 0
assert_between 1 2 "$(count_lines '^@leafs\[$')" "keys opened (main may call from two sites)"
assert_eq "$(count_lines '^@leafs\[$')" "$(count_lines '^        stk_leaf\+0$')" \
	"innermost frame line per key"
assert_eq 7 "$(awk '/^\]: [0-9]+$/ { n += $2 } END { print n }' "$OUT")" "counts add up"

case_ "a uprobe has no kernel stack (user-mode registers): nil, not garbage"
cat >"$TMP/kstack.lua" <<LUA
probe("$FIXTURE_DIR/stk_fp:stk_leaf", { stack = "both" }, function(e)
  print("kstack=" .. tostring(e.kstack))
  print("user=" .. e.ustack[1].sym)
end)
LUA
lt "$TMP/kstack.lua" -- "$FIXTURE_DIR/stk_fp" leaf 1
assert_rc 0
assert_eq nil "$(val kstack)" "kernel stack of a uprobe"
assert_eq stk_leaf "$(val user)" "user stack beside it"

case_ "stacks as Lua aggregation keys"
cat >"$TMP/luaagg.lua" <<LUA
local c = counter()
probe("$FIXTURE_DIR/stk_nofp:stk_leaf", { stack = "user", unwind = "dwarf" }, function(e)
  c:add(e.ustack:folded())
end)
on("end", function()
  for _, it in ipairs(c:items()) do print("key=" .. it.key:gsub("^.*;main;", "main;") .. " " .. it.value) end
end)
LUA
lt "$TMP/luaagg.lua" -- "$FIXTURE_DIR/stk_nofp" leaf 20
assert_rc 0
assert_eq "main;stk_a;stk_b;stk_c;stk_leaf 20" "$(val key)" "one folded key, 20 calls"

case_ "misuse is an error naming the option"
lt -E "probe('$FIXTURE_DIR/stk_fp:stk_leaf', { stack = 'sideways' }, print)"
assert_rc 1
assert_contains "$(cat "$ERR")" "stack" "error names the option"
lt -E "probe('$FIXTURE_DIR/stk_fp:stk_leaf', { by = 'ustack', unwind = 'dwarf' })"
assert_rc 1
assert_contains "$(cat "$ERR")" "unwind" "dwarf cannot aggregate in kernel"

case_ "the symbolizer's side-band rings leave the event loop before they are closed"
# Each CPU's ring is watched by the loop; the stack context closed them at exit and the
# loop then removed fds already closed (EBADF, or another file's had the number come back).
LAST_CMD="strace -f -e epoll_ctl ltrace-ebpf -E 'probe(ltfix_add, {stack})' -- ltfix_run"
timeout -k 5 60 strace -f -qq -e trace=epoll_ctl -o "$TMP/epoll.st" "$LTRACE_EBPF" \
	-E "probe('uprobe:$LIB:ltfix_add', { stack = 'user' }, function(e) print(#e.ustack) end)" \
	-- "$RUN" add 1 2 >"$OUT" 2>"$ERR" || true
assert_ne "" "$(grep -xE '[0-9]+' "$OUT" || true)" "a stack was read (the symbolizer ran)"
assert_match "$(cat "$TMP/epoll.st")" 'EPOLL_CTL_ADD' "the loop watched fds"
assert_no_match "$(cat "$TMP/epoll.st")" 'EPOLL_CTL_DEL.*EBADF' "no fd removed from the loop after it was closed"

finish
