#!/usr/bin/env bash
# Hostile inputs (issue 11, items 9-14): each case is a file, a rate or a command line
# that crashed the tool, hung it or made it trust another user's file. Each ends with
# the expected exit status and, where the input is refused, one line naming the reason;
# the attacker is a real non-root user (nobody) planting files in world-writable places.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ASAN_TOOL=${LTRACE_EBPF_ASAN:-}
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
chmod 711 "$TMP"	# nobody reaches $TMP/sticky, nothing else
mkdir -m 1777 "$TMP/sticky"
mkfifo "$TMP/fifo" "$TMP/fifo.lua"
truncate -s 17M "$TMP/big.lua"

# expect RC MESSAGE ARGS...: one run of the tool; MESSAGE ("" for none) is its only
# stderr line.
expect() {
	local rc=$1 msg=$2
	shift 2
	lt -t 60 "$@"
	assert_rc "$rc"
	if [ -n "$msg" ]; then
		assert_contains "$(cat "$ERR")" "$msg" "the message"
		assert_eq 1 "$(grep -c . "$ERR")" "one line on stderr"
	fi
}

# ---- 13: files that are not regular or too big, rates past the kernel's ----------------
case_ "files and rates the tool refuses (table)"
while IFS='|' read -r rc msg args; do
	[ -z "$rc" ] && continue
	eval "set -- $args"
	echo "  case: $args"
	expect "$rc" "$msg" "$@"
done <<TABLE
1|$TMP/fifo.lua: not a regular file|$TMP/fifo.lua
1|larger than the 16 MiB limit|$TMP/big.lua
1|not an ELF file|-E 'probe("uprobe:$TMP/fifo:f")'
1|not an ELF file|-E 'probe("call:$TMP/fifo:*")'
1|not an ELF file|-E 'probe("usdt:$TMP/fifo:p:n")'
1|expected profile:hz:N (1 to 100000)|-E 'probe("profile:hz:999999999")'
1|expected profile:hz:N (1 to 100000)|-E 'probe("profile:hz:100001")'
0|-F $TMP/fifo: $TMP/fifo: not a regular file|-F $TMP/fifo -o /dev/null /bin/true
TABLE

case_ "-F /dev/zero is refused, not read without bound"
# Within 2 GiB of address space, so that a tool that reads it anyway fails fast without
# taking the machine's memory (not under ASan, which reserves terabytes of shadow).
limit=(prlimit --as=$((2 << 30)))
grep -qa __asan_init "$LTRACE_EBPF" && limit=()
LAST_CMD="ltrace-ebpf -F /dev/zero /bin/true"
RC=0
timeout -k 5 20 "${limit[@]}" "$LTRACE_EBPF" -F /dev/zero -o /dev/null /bin/true \
	>"$OUT" 2>"$ERR" || RC=$?
assert_rc 0
assert_eq "ltrace-ebpf: -F /dev/zero: /dev/zero: not a regular file" "$(cat "$ERR")" "the warning"

# ---- 11: many arguments -----------------------------------------------------------------
case_ "200, 10,000 and 100,000 arguments: output identical to untraced"
printf 'print(select("#", ...), (select(select("#", ...), ...)))\n' >"$TMP/nargs.lua"
for n in 200 10000 100000; do
	untraced=$(/bin/echo $(seq "$n") | md5sum)
	lt -t 60 -o /dev/null /bin/echo $(seq "$n")
	assert_rc 0
	assert_eq "$untraced" "$(md5sum <"$OUT")" "ltrace mode, $n arguments: echo's output"
	lt -t 60 -E 'probe("call:libc:malloc", { agg = "count" })' -- /bin/echo $(seq "$n")
	assert_rc 0
	assert_eq "$untraced" "$(grep -v '^@\|^$' "$OUT" | md5sum)" "script mode, $n arguments"
	lt -t 60 "$TMP/nargs.lua" $(seq "$n")
	assert_rc 0
	assert_eq "$n	$n" "$(cat "$OUT")" "a script's $n arguments"
done

# ---- 12: the REPL fed bytes that are not a terminal's ------------------------------------
repl() {	# FILE: the REPL on a pipe carrying FILE
	LAST_CMD="ltrace-ebpf < pipe of $1"
	RC=0
	cat "$1" | timeout -k 5 20 "$LTRACE_EBPF" >"$OUT" 2>"$ERR" || RC=$?
}
case_ "REPL: binary input on a pipe ends at EOF with status 0"
printf '\x13\x1b\x8a\xc5Qtb\xb3' >"$TMP/crash.bin"
repl "$TMP/crash.bin"
assert_rc 0
bad=0
for i in $(seq 300); do
	head -c $((RANDOM % 200 + 1)) /dev/urandom >"$TMP/fuzz.bin"
	repl "$TMP/fuzz.bin"
	if [ "$RC" -ne 0 ]; then
		bad=$((bad + 1))
		cp "$TMP/fuzz.bin" "$TMP/fuzz.$i.bin"
	fi
done
assert_eq 0 "$bad" "random inputs that did not end with status 0 (kept as $TMP/fuzz.*.bin)"
printf 'print("from a file")\n' >"$TMP/lines.lua"
LAST_CMD="ltrace-ebpf < $TMP/lines.lua"
RC=0
timeout -k 5 20 "$LTRACE_EBPF" <"$TMP/lines.lua" >"$OUT" 2>&1 || RC=$?
assert_rc 0
assert_eq "from a file" "$(cat "$OUT")" "the REPL read a regular file"

# ---- 10: output files in a world-writable sticky directory -------------------------------
case_ "-o and script outputs do not follow another user's symlink"
echo "root's file" >"$TMP/victim"
as_nobody ln -s "$TMP/victim" "$TMP/sticky/out"
expect 1 "a symlink in a directory other users can change (not followed)" -o "$TMP/sticky/out" /bin/true
expect 1 "a symlink in a directory other users can change (not followed)" \
	-E "require('folded').write('$TMP/sticky/out', {}) exit(0)"
assert_eq "root's file" "$(cat "$TMP/victim")" "the file the link points to"
rm "$TMP/sticky/out"
as_nobody sh -c "echo nobody\\'s > '$TMP/sticky/out'"
expect 1 "owned by another user" -o "$TMP/sticky/out" /bin/true
assert_eq "nobody's" "$(cat "$TMP/sticky/out")" "another user's file is left as it was"
rm "$TMP/sticky/out"
# A hard link to root's file (what fs.protected_hardlinks=0 would let nobody make).
ln "$TMP/victim" "$TMP/sticky/out"
expect 1 "a file with other hard links in a directory other users can change" \
	-o "$TMP/sticky/out" /bin/true
assert_eq "root's file" "$(cat "$TMP/victim")" "the hard-linked file"
rm "$TMP/sticky/out"
# nobody's own directory, not world-writable: nobody's link there is not followed either.
mkdir "$TMP/nobodys"
chown 65534:65534 "$TMP/nobodys"
as_nobody ln -s "$TMP/victim" "$TMP/nobodys/out"
expect 1 "a symlink in a directory other users can change (not followed)" \
	-o "$TMP/nobodys/out" /bin/true
assert_eq "root's file" "$(cat "$TMP/victim")" "the file nobody's link points to"
ln -s "$TMP/victim" "$TMP/sticky/out"	# root's own link: followed
expect 0 "" -o "$TMP/sticky/out" /bin/true
assert_contains "$(cat "$TMP/victim")" "exited (status 0)" "root's own link was followed"

# ---- 9 and 14: JIT perf maps --------------------------------------------------------------
case_ "JIT perf maps: only the process owner's, never blocking"
python3.11 "$(dirname "$0")/jit_spin.py" >"$TMP/jit.addr" &
JIT=$!
wait_for "$TMP/jit.addr" "^[0-9a-f]+$"
MAP=/tmp/perf-$JIT.map
PROFILE='probe("profile:hz:199", { stack = "user" }) every("500ms", function() exit(0) end)'
echo "$(cat "$TMP/jit.addr") 10 jitted_spin" >"$MAP"	# root's: read
expect 0 "" -p "$JIT" -E "$PROFILE"
assert_contains "$(cat "$OUT")" "jitted_spin" "a root-owned map names the JIT code"
rm -f "$MAP"
as_nobody sh -c "echo '0 ffffffffffffffff attacker_text' > '$MAP'"
expect 0 "" -p "$JIT" -E "$PROFILE"
assert_not_contains "$(cat "$OUT")" "attacker_text" "nobody's map for a root process"
rm -f "$MAP"
as_nobody mkfifo "$MAP"
expect 0 "" -p "$JIT" -E "$PROFILE"
assert_contains "$(cat "$OUT")" "@profile" "the profile printed past a planted FIFO"
rm -f "$MAP"
# asan_lt ARGS...: lt with the tool on the sanitized core: no UBSan/ASan report.
asan_lt() {
	LAST_CMD="ltrace-ebpf-asan $*"
	RC=0
	timeout -k 5 60 "$ASAN_TOOL" "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
	assert_rc 0
	assert_not_contains "$(cat "$ERR")" "runtime error" "UBSan"
	assert_not_contains "$(cat "$ERR")" "AddressSanitizer" "ASan"
}
# 14: a map with no symbols (an empty table, sorted) under UBSan.
if [ -x "$ASAN_TOOL" ]; then
	: >"$MAP"
	asan_lt -p "$JIT" -E "$PROFILE"
	rm -f "$MAP"
fi
kill "$JIT"
wait "$JIT" 2>/dev/null || true

case_ "a debug file with no symbols (UBSan)"
if [ -x "$ASAN_TOOL" ]; then
	# The fixture's .gnu_debuglink renamed to a copy of its debug file with no symbols.
	strip --strip-all -o "$TMP/nosym.debug" "$FIXTURE_DIR/stk_debuglink.debug"
	objcopy --remove-section .gnu_debuglink "$FIXTURE_DIR/stk_debuglink" "$TMP/stk.tmp"
	(cd "$TMP" && objcopy --add-gnu-debuglink=nosym.debug stk.tmp stk_nosym)
	chmod +x "$TMP/stk_nosym"
	asan_lt -E "probe('tracepoint:syscalls:sys_enter_getppid', { by = 'ustack', name = 'u' })" \
		-- "$TMP/stk_nosym" sys 3
	assert_contains "$(cat "$OUT")" "@u[" "the stacks printed"
else
	echo "  (no ltrace-ebpf-asan: the UBSan cases are skipped)"
fi

finish
