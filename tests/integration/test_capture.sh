#!/usr/bin/env bash
# What a probe captures: all six integer arguments, strings, struct fields through a pointer
# (int@OFF, str@OFF), an output buffer read at return (out:bytes:N/ret), return values, and
# the narrow integer types (i32 negatives, u32, u8, i8, i16).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case_ "six integer arguments and the return value of ltfix_sum6"
cat >"$TMP/sum6.lua" <<LUA
probe("call:$LIB:ltfix_sum6", function(c)
  for i = 1, 6 do print("arg" .. i .. "=" .. tostring(c.args[i])) end
  print("ret=" .. tostring(c.ret))
  print("type=" .. c.type)
  print("func=" .. c.func)
  print("pid=" .. c.pid)
  print("tid=" .. c.tid)
  print("comm=" .. c.comm)
  print("probe=" .. c.probe)
  print("args7=" .. tostring(c.args[7]))
end)
LUA
lt "$TMP/sum6.lua" -- "$RUN" sum6 1 -2 3 0x10000000000 -5 6
assert_rc 0
assert_eq "1 -2 3 1099511627776 -5 6" \
	"$(val arg1) $(val arg2) $(val arg3) $(val arg4) $(val arg5) $(val arg6)" "the six arguments"
assert_eq 1099511627779 "$(val ret)" "return value"
assert_file_contains "$OUT" "last 1099511627779" "the fixture computed the same"
assert_eq call "$(val type)" "event type"
assert_eq ltfix_sum6 "$(val func)" "event func"
assert_eq "$(val pid)" "$(val tid)" "single-threaded: tid == pid"
assert_eq "$(awk '/^thread 0/ { print $4 }' "$OUT")" "$(val tid)" "tid is the fixture's"
assert_eq ltfix_run "$(val comm)" "comm"
assert_eq "call:$LIB:ltfix_sum6" "$(val probe)" "probe spec"
assert_eq nil "$(val args7)" "args beyond 6"

case_ "stack arguments: args[7..9] of ltfix_sum9 read from the stack at entry"
lt -E "probe('call:$LIB:ltfix_sum9', { args = { [7] = 'int', [8] = 'i32', [9] = 'str' } },
  function(c)
    print('args=' .. #c.args)
    print('stack=' .. c.args[7] .. ' ' .. c.args[8] .. ' ' .. c.args[9])
    print('regs=' .. c.args[1] .. ' ' .. c.args[6])
    print('tbl=' .. c:table().args[9])
  end)
probe('uprobe:$LIB:ltfix_sum9', { args = { [8] = 'u32' } }, function(e) print('u32=' .. e.args[8]) end)" \
	-- "$RUN" sum9 1 2 3 4 5 6 0x7000000000 -8 stackstring
assert_rc 0
assert_eq 9 "$(val args)" "#args counts the typed stack arguments"
assert_eq "481036337152 -8 stackstring" "$(val stack)" "long, int and string from the stack"
assert_eq "1 6" "$(val regs)" "registers still"
assert_eq stackstring "$(val tbl)" "e:table() has them"
assert_eq 4294967288 "$(val u32)" "an entry probe reads them too"

case_ "stack arguments: e.reg7..e.reg12 are the slots' values, the pointer under a string"
lt -E "probe('call:$LIB:ltfix_sum9', { args = { [7] = 'int', [9] = 'str' } }, function(c)
    print('reg7=' .. c.reg7 .. ' reg8=' .. tostring(c.reg8) .. ' str=' .. c.args[9])
    print('ptr=' .. c.reg9)
  end)
probe('uprobe:$LIB:ltfix_sum9', { args = { [9] = 'int' } }, function(e) print('slot=' .. e.args[9]) end)" \
	-- "$RUN" sum9 1 2 3 4 5 6 77 -8 stackstring
assert_rc 0
assert_eq "77 reg8=nil str=stackstring" "$(val reg7)" "an int slot's value; a slot not read is nil"
assert_match "$(val ptr)" '^[1-9][0-9]+$' "the string's pointer"
assert_eq "$(val slot)" "$(val ptr)" "is what the slot holds"

case_ "an output in a stack slot (out:) is read at return"
PLUG="$FIXTURE_DIR/libltfx_plug.so"
lt -E "probe('call:$PLUG:ltfx_plug_fill7', { args = { [7] = 'out:str' } }, function(c)
    print('out=' .. c.args[7] .. ' ret=' .. c.ret)
  end)
probe('call:$PLUG:ltfx_plug_fill7', { args = { [7] = 'str' } }, function(c)
    print('atentry=' .. c.args[7])
  end)" -- "$FIXTURE_DIR/ltfx_stack"
assert_rc 0
assert_eq "sum=21 ret=6" "$(val out)" "what the function wrote, read at return"
assert_eq "untouched" "$(val atentry)" "the same slot read at entry"
lt -E "probe('uprobe:$PLUG:ltfx_plug_fill7', { args = { [7] = 'out:str' } })" -- "$FIXTURE_DIR/ltfx_stack"
assert_ne 0 "$RC" "out: needs a return"
assert_contains "$(cat "$ERR")" "option 'args[7]': out: captures need a call: probe" "message"

lt -E "probe('uretprobe:$LIB:ltfix_sum9', { args = { [7] = 'int' } })" -- "$RUN" sum9
assert_ne 0 "$RC" "a return probe cannot read stack arguments"
assert_contains "$(cat "$ERR")" "option 'args[7]': stack arguments are read at entry" "message"
lt -E "probe('call:$LIB:ltfix_sum9', { args = { [7] = 'int@8' } })" -- "$RUN" sum9
assert_contains "$(cat "$ERR")" "option 'args[7]': a stack argument takes a plain type" \
	"no offset on a stack argument"
lt -E "probe('call:$LIB:ltfix_sum9', { args = { 1,2,3,4,5,6,7,8,9,10,11,12,13 } })" -- "$RUN" sum9
assert_contains "$(cat "$ERR")" "option 'args': at most 12 arguments" "too many"
lt -E "probe('call:$LIB:ltfix_sum9', { args = { 42 } })" -- "$RUN" sum9
assert_contains "$(cat "$ERR")" "option 'args[1]' must be a type string" "not a type"

case_ "string argument (args={\"str\"}) and size_t return"
cat >"$TMP/greet.lua" <<LUA
probe("call:$LIB:ltfix_greet", { args = { "str" }, ret = "size_t" }, function(c)
  print("name=" .. c.args[1])
  print("ret=" .. c.ret)
end)
probe("uprobe:$LIB:ltfix_greet", { args = { "str:6" } }, function(e)
  print("short=" .. e.args[1])
end)
on("end", function() print("truncated=" .. counters().str_truncated) end)
LUA
lt "$TMP/greet.lua" -- "$RUN" greet "hello world"
assert_rc 0
assert_eq "hello world" "$(val name)" "captured string"
assert_eq 11 "$(val ret)" "strlen returned"
assert_eq "hello" "$(val short)" "str:6 keeps 5 characters and the NUL"
assert_eq 1 "$(val truncated)" "counters().str_truncated"
assert_contains "$(cat "$ERR")" "str_truncated=1" "truncation reported at exit"

case_ "default strsize is 64 bytes (63 characters), strsize= raises it"
long=$(printf 'x%.0s' $(seq 100))
lt -E "probe('$LIB:ltfix_greet', {args={'str'}}, function(e) print('len=' .. #e.args[1]) end)
       probe('$LIB:ltfix_greet', {args={'str'}, strsize=200}, function(e) print('full=' .. e.args[1]) end)" \
	-- "$RUN" greet "$long"
assert_rc 0
assert_eq 63 "$(val len)" "default capture length"
assert_eq "$long" "$(val full)" "strsize=200 captures all 100 characters"

case_ "a string that fits its buffer exactly is not counted as truncated"
lt -E "probe('$LIB:ltfix_greet', {args={'str:5'}}, function(e) print('s=' .. e.args[1]) end)
       on('end', function() print('truncated=' .. counters().str_truncated) end)" -- "$RUN" greet hell
assert_rc 0
assert_eq hell "$(val s)" "captured string"
assert_eq 0 "$(val truncated)" "str_truncated for 'hell' in str:5 (4 chars + NUL fit)"

case_ "struct fields through a pointer: int@0 and str@8 of struct pair"
cat >"$TMP/pair.lua" <<LUA
probe("call:$LIB:ltfix_pair", { args = { "int@0" } }, function(c)
  print("a=" .. c.args[1])
  print("ret=" .. c.ret)
end)
probe("$LIB:ltfix_pair", { args = { "str@8" } }, function(e)
  print("name=" .. e.args[1])
end)
LUA
lt "$TMP/pair.lua" -- "$RUN" pair -7 eleven
assert_rc 0
assert_eq -7 "$(val a)" "pair.a (int@0)"
assert_eq eleven "$(val name)" "pair.name (str@8)"
assert_eq -1 "$(val ret)" "ltfix_pair returned a + strlen(name)"

case_ "output buffer: out:bytes:64/ret reads at return, bounded by ret"
cat >"$TMP/fill.lua" <<LUA
probe("call:$LIB:ltfix_fill", { args = { "out:bytes:64/ret", "int" } }, function(c)
  print("out=" .. c.args[1])
  print("outlen=" .. #c.args[1])
  print("n=" .. c.args[2])
  print("ret=" .. c.ret)
end)
probe("$LIB:ltfix_fill", { args = { "bytes:8" } }, function(e)
  print("entry=" .. e.args[1])
end)
LUA
lt "$TMP/fill.lua" -- "$RUN" fill 30
assert_rc 0
assert_eq "abcdefghijklmnopqrstuvwxyzabcd" "$(val out)" "buffer written by the call"
assert_eq 30 "$(val outlen)" "length bounded by ret"
assert_eq 30 "$(val n)" "second argument"
assert_eq 30 "$(val ret)" "return value"
assert_eq "XXXXXXXX" "$(val entry)" "the same buffer read at entry (before the call wrote it)"
lt "$TMP/fill.lua" -- "$RUN" fill 100
assert_rc 0
assert_eq 64 "$(val outlen)" "length bounded by bytes:64 when ret is larger"
assert_eq "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl" "$(val out)" \
	"first 64 bytes"
lt -E "probe('call:$LIB:ltfix_fill', {args={'out:bytes:64/arg2'}}, function(c) print('out=' .. c.args[1]) end)" \
	-- "$RUN" fill 5
assert_eq abcde "$(val out)" "length bounded by arg2"

case_ "narrow integer types: i32 negatives, u32, u8, i16, i8"
cat >"$TMP/ints.lua" <<LUA
probe("call:$LIB:ltfix_add", { args = { "i32", "i32" }, ret = "i32" }, function(c)
  print("i32=" .. c.args[1] .. "," .. c.args[2] .. "," .. c.ret)
end)
probe("call:$LIB:ltfix_add", { args = { "u32", "u8" }, ret = "u32" }, function(c)
  print("u=" .. c.args[1] .. "," .. c.args[2] .. "," .. c.ret)
end)
probe("call:$LIB:ltfix_add", { args = { "i16", "i8" }, ret = "i8" }, function(c)
  print("small=" .. c.args[1] .. "," .. c.args[2] .. "," .. c.ret)
end)
LUA
lt "$TMP/ints.lua" -- "$RUN" add -5 300
assert_rc 0
assert_file_contains "$OUT" "last 295" "fixture result"
assert_eq "-5,300,295" "$(val i32)" "i32 args and ret"
assert_eq "4294967291,44,295" "$(val u)" "u32 of -5, u8 of 300, u32 ret"
assert_eq "-5,44,39" "$(val small)" "i16 of -5, i8 of 300 (0x2c), i8 of 295 (0x27)"
lt -E "probe('call:$LIB:ltfix_add', {args={'i32','i32'}, ret='i32'}, function(c) print('r=' .. c.args[1] .. ',' .. c.args[2] .. ',' .. c.ret) end)" \
	-- "$RUN" add -2147483648 -1
assert_eq "-2147483648,-1,2147483647" "$(val r)" "INT_MIN + -1 wraps (i32)"

case_ "return probes: uretprobe sees ret, entry probes have no ret"
cat >"$TMP/ret.lua" <<LUA
probe("uretprobe:$LIB:ltfix_greet", function(e)
  print("ret=" .. e.ret)
  print("retargs=" .. tostring(e.args[1]))
  print("rettype=" .. e.type)
end)
probe("uprobe:$LIB:ltfix_greet", function(e)
  print("entryret=" .. tostring(e.ret))
  print("entrytype=" .. e.type)
end)
LUA
lt "$TMP/ret.lua" -- "$RUN" greet abcdefg
assert_rc 0
assert_eq 7 "$(val ret)" "uretprobe ret"
assert_eq nil "$(val retargs)" "uretprobe args"
assert_eq return "$(val rettype)" "uretprobe type"
assert_eq nil "$(val entryret)" "uprobe ret"
assert_eq entry "$(val entrytype)" "uprobe type"

case_ "e:table() keeps an event; the view itself is only valid in its callback"
cat >"$TMP/table.lua" <<LUA
local kept, view
probe("call:$LIB:ltfix_greet", { args = { "str" } }, function(c)
  kept = c:table()
  view = c
end)
on("end", function()
  print("name=" .. kept.args[1])
  print("ret=" .. kept.ret)
  print("func=" .. kept.func)
  print("type=" .. kept.type)
  print("hasdur=" .. tostring(kept.duration > 0))
  local ok, err = pcall(function() return view.ret end)
  print("stale_ok=" .. tostring(ok))
  print("stale_err=" .. tostring(err))
end)
LUA
lt "$TMP/table.lua" -- "$RUN" greet kept
assert_rc 0
assert_eq "kept 4 ltfix_greet call true" "$(val name) $(val ret) $(val func) $(val type) $(val hasdur)" \
	"copied fields"
assert_eq false "$(val stale_ok)" "reading a view after its callback fails"
assert_contains "$(val stale_err)" "outside its callback" "stale view error message"

finish
