#!/usr/bin/env bash
# Sites the kernel will not put a uprobe on (arch/x86/kernel/uprobes.c refuses some
# prefixes and opcodes, VEX-encoded ones looked up by their opcode byte): src/probes/uprobe/insn_kernel.c
# predicts them so a glob leaves them out instead of failing its whole uprobe_multi link,
# and a library nobody has mapped yet does not get silently unprobed functions.
# The prediction is checked against the kernel itself: a process that has the fixture
# library mapped makes the kernel examine every site at attach time, and with
# LTRACE_EBPF_INSN_CHECK=kernel (no prediction) the refusals must be the same.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

INSN="$FIXTURE_DIR/libinsnfix.so"
REFUSED="insnfix_no_csprefix insnfix_no_vmovd insnfix_no_vmovdqu insnfix_no_vpxor"
TAKEN="insnfix_ok_fsprefix insnfix_ok_mov insnfix_ok_pshufb insnfix_ok_push insnfix_ok_vpcmpeqb"
WHY="the kernel does not put uprobes on its instruction"

# left_out: the functions a glob's notes on stderr left out, sorted, on one line.
left_out() {
	sed -n "s/.*: left out \(insnfix_[a-z_]*\): $WHY.*/\1/p" "$ERR" | sort | tr '\n' ' ' |
		sed 's/ $//'
}

/usr/bin/python3.11 -c 'import ctypes, sys, time
ctypes.CDLL(sys.argv[1])
open(sys.argv[2], "w").close()
time.sleep(60)' "$INSN" "$TMP/mapped" &
HOLDER=$!
wait_file "$TMP/mapped"

for mode in predicted kernel; do
	[ "$mode" == kernel ] && export LTRACE_EBPF_INSN_CHECK=kernel
	case_ "$mode: a glob leaves the refused sites out and attaches the rest"
	lt -E "p = probe('$INSN:insnfix_*') local s = p:sites() table.sort(s)
print('sites=' .. table.concat(s, ' ')) exit(0)" -p "$HOLDER"
	assert_rc 0
	assert_eq "$REFUSED" "$(left_out)" "left out, each with the reason"
	assert_eq "$TAKEN" "$(val sites)" "attached"

	case_ "$mode: one refused function is an error naming it, one taken attaches"
	for f in $REFUSED; do
		lt -E "probe('$INSN:$f') exit(0)" -p "$HOLDER"
		assert_ne 0 "$RC" "$f refused"
		assert_contains "$(cat "$ERR")" "cannot probe $f in $INSN: $WHY" "$f: message"
	done
	for f in $TAKEN; do
		lt -E "probe('$INSN:$f') exit(0)" -p "$HOLDER"
		assert_rc 0 "$f attached"
	done
done
unset LTRACE_EBPF_INSN_CHECK

case_ "a library no process has mapped yet: refused up front, not silently unprobed"
lt -E "probe('$INSN:insnfix_no_vmovd')" -- true
assert_ne 0 "$RC" "refused before any process maps it"
assert_contains "$(cat "$ERR")" "$WHY" "message"

# The kernel takes a uprobe on syscall but gets its out-of-line step wrong: sh died with
# SIGSEGV (139) under uprobe:libc:getpid+5. The instruction after it is fine.
case_ "a syscall instruction is refused (the traced program crashed), the next one taken"
LIBC=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)
read -r fn_at fn_size < <(readelf -Ws "$LIBC" | awk '$8 ~ /^getpid@/ && !n++ { print $2, $3 }')
sc_at=$(objdump -d --no-show-raw-insn --start-address=$((0x$fn_at)) \
	--stop-address=$((0x$fn_at + fn_size)) "$LIBC" | awk '/\tsyscall/ { sub(":", "", $1); print $1 }')
sc=$((0x$sc_at - 0x$fn_at))
lt -E "probe('uprobe:libc:getpid+$sc', { agg = 'count' })" -- sh -c 'exit 7'
assert_ne 0 "$RC" "getpid+$sc refused"
assert_eq 1 "$(wc -l <"$ERR")" "one line"
assert_contains "$(cat "$ERR")" "its instruction is syscall" "says why"
lt -E "probe('uprobe:libc:getpid+$((sc + 2))', { agg = 'count' })" -- sh -c 'exit 7'
assert_rc 7 "the ret after it: taken, sh unharmed"

kill "$HOLDER"
wait "$HOLDER" 2>/dev/null || true
finish
