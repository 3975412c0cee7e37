#!/usr/bin/env bash
# Libraries loaded with dlopen after start: the core's `hold` option and the libwatch module
# (the dynamic linker's _dl_debug_state breakpoint holds the process while a callback
# probes what was mapped), then ltrace mode on ltfx_dlopen (which dlopens libltfx_plug.so
# and calls it through a dlsym pointer): -e '*', -e @lib, -e NAME and -x cover the library
# from the dlopen on, constructors included, as real ltrace prints them.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$SRC_DIR/tests/fixtures/ltrace/ltrace_test_lib.sh"

DLOPEN="$LTFX/ltfx_dlopen"
PLUG="$LTFX/libltfx_plug.so"
LDSO=$(readelf -lW "$DLOPEN" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')

case_ "hold + libwatch: the library dlopen maps is reported while the process is stopped"
cat >"$TMP/watch.lua" <<LUA
local libwatch = require("libwatch")
libwatch.watch({ ldso = "$LDSO" }, function(e, paths)
  for _, path in ipairs(paths) do
    if path:match("libltfx_plug") then
      -- The record may be read before the thread, on its way back to user space, takes
      -- its SIGSTOP: poll (bounded) until it has (t: held as the guardian's tracee).
      local state
      for _ = 1, 200000 do
        local f = assert(io.open("/proc/" .. e.pid .. "/stat"))
        state = f:read("a"):match("^%d+ %b() (%a)")
        f:close()
        if state == "T" or state == "t" then break end
      end
      print("new=" .. path)
      print("state=" .. state)
    end
  end
end)
LUA
lt "$TMP/watch.lua" -- "$DLOPEN"
assert_rc 0
assert_eq "$(realpath "$PLUG")" "$(val new)" "the library, once"
assert_match "$(val state)" '^[Tt]$' "the process stops while the callback runs"
assert_contains "$(cat "$OUT")" "again=8" "and runs on afterwards"

case_ "hold: misuse is an error naming the option"
lt -E "probe('uprobe:$LDSO:_dl_debug_state', { hold = true })" -- "$DLOPEN"
assert_ne 0 "$RC" "hold without a callback"
assert_contains "$(cat "$ERR")" "option 'hold': the process waits for the callback" "message"
lt -E "probe('uprobe:$LDSO:_dl_debug_state', { hold = 1 }, function() end)" -- "$DLOPEN"
assert_ne 0 "$RC" "hold must be a boolean"
assert_contains "$(cat "$ERR")" "hold" "message names it"

case_ "ltrace mode: the dlopened library's PLT calls (-e @lib), its own function included"
le $LTFX_CONF -D 1 -e @libltfx_plug.so "$DLOPEN"
assert_rc 0
assert_contains "$(cat "$ERR")" "_dl_debug_state (libraries loaded later)" "the watch (-D)"
assert_file_contains "$TMP/le.out" 'libltfx_plug.so->strlen("21")' "first call after dlopen"
assert_file_contains "$TMP/le.out" 'libltfx_plug.so->ltfx_plug_twice(4)' "through its own PLT"
assert_file_lacks "$TMP/le.out" "SIGSTOP" "the core's stops are not the program's signals"

case_ "ltrace mode: -x in the library from its constructors on; -e '*'"
le $LTFX_CONF -L -x @libltfx_plug.so "$DLOPEN"
assert_file_contains "$TMP/le.out" '_init@libltfx_plug.so(' "the constructor, run right after the map"
assert_file_contains "$TMP/le.out" 'ltfx_plug_work@libltfx_plug.so("21" <unfinished ...>' "-x"
assert_file_contains "$TMP/le.out" '<... ltfx_plug_work resumed> ) ' "resumed without @lib, as ltrace"
le $LTFX_CONF -e '*' "$DLOPEN"
assert_file_contains "$TMP/le.out" 'libltfx_plug.so->atoi("4")' "-e '*' covers it"
assert_file_contains "$TMP/le.out" 'ltfx_dlopen->dlclose(' "and the program's calls"

case_ "-p PID: a library the running process loads after the tracer attached"
"$DLOPEN" libltfx_plug.so "$TMP/go" >"$TMP/late.out" &
LATE=$!
LAST_CMD="ltrace-ebpf -p $LATE -e @libltfx_plug.so"
"$LTRACE_EBPF" $LTFX_CONF -o "$TMP/p.out" -p "$LATE" -e @libltfx_plug.so 2>"$TMP/p.err" &
TRACER=$!
for ((i = 0; i < 500; i++)); do	# the dynamic linker's probe is the first link
	[ "$(links_held_by $TRACER | wc -l)" -ge 1 ] && break
	sleep 0.02
done
touch "$TMP/go"
wait_pid "$LATE"
wait_pid "$TRACER"
assert_file_contains "$TMP/p.out" 'libltfx_plug.so->strlen("21")' "its first call"
assert_file_contains "$TMP/p.out" 'libltfx_plug.so->ltfx_plug_twice(4)' "and its last"
assert_file_contains "$TMP/late.out" "again=8" "the process ran on"

if have_ltrace; then
	case_ "the same lines as ltrace"
	for filter in "-e @libltfx_plug.so" "-e ltfx_plug*" "-x ltfx_*" "-L -x @libltfx_plug.so" \
		      "-f -e @libltfx_plug.so -e dlopen"; do
		read -ra words <<<"$filter"
		set -f
		both $LTFX_CONF "${words[@]}" "$DLOPEN"
		set +f
		same_calls "$filter"
	done
	case_ "-c: the same counts"
	both $LTFX_CONF -c -e @libltfx_plug.so "$DLOPEN"
	same_counts "-c -e @libltfx_plug.so"
fi

case_ "the default selection (the program's PLT) needs no watch: no stop at all"
le $LTFX_CONF -D 1 "$DLOPEN"
assert_file_contains "$TMP/le.out" 'dlsym(' "the program's calls"
assert_not_contains "$(cat "$ERR")" "_dl_debug_state" "no probe on the dynamic linker"

finish
