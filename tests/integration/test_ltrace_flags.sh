#!/usr/bin/env bash
# Every ltrace flag ltrace-ebpf supports, one case each, plus the mode selection (an
# ltrace command line vs ltrace-ebpf's own) and the errors: bad flags, names that match
# nothing, a missing program. Checked on ltrace-ebpf's own output (test_ltrace_compare.sh
# holds it against real ltrace).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$SRC_DIR/tests/fixtures/ltrace/ltrace_test_lib.sh"

C=(-F /etc/ltrace.conf -F "$SRC_DIR/tests/fixtures/ltrace/ltfx.conf")
REC="$LTFX/ltfx_recurse"
BASIC="$LTFX/ltfx_basic"

case_ "mode: a command makes an ltrace command line; stderr by default; the command's status"
lt "$REC"
assert_rc 6
assert_contains "$(cat "$ERR")" "abs(3)                                           = 3" "trace on stderr"
assert_contains "$(cat "$ERR")" "+++ exited (status 6) +++" "exit line"

case_ "mode: argv[0] named ltrace, and --ltrace"
ln -sf "$LTRACE_EBPF" "$TMP/ltrace"
LAST_CMD="ltrace -e abs $REC"
"$TMP/ltrace" -e abs "$REC" >"$OUT" 2>"$ERR" || RC=$?
assert_contains "$(cat "$ERR")" "ltfx_recurse->abs(1)" "run as 'ltrace'"
lt --ltrace -e abs "$REC"
assert_contains "$(cat "$ERR")" "ltfx_recurse->abs(2)" "--ltrace"
"$TMP/ltrace" --help >"$OUT" 2>&1 || true
assert_contains "$(cat "$OUT")" "Usage: ltrace [option ...] [command [arg ...]]" "ltrace --help"

case_ "mode: scripts, -E, -l listing and the REPL keep ltrace-ebpf's own syntax"
echo 'print("script ran " .. #arg)' >"$TMP/s.lua"
lt "$TMP/s.lua" a b
assert_contains "$(cat "$OUT")" "script ran 2" "script.lua with args"
lt -E 'print("oneliner")'
assert_contains "$(cat "$OUT")" "oneliner" "-E"
lt -l 'libc:strlen'
assert_contains "$(cat "$OUT")" "strlen" "-l lists"
lt -E 'print(target())' -- "$REC"
assert_rc 6
echo 'print("from stdin repl")' | timeout 20 "$LTRACE_EBPF" >"$OUT" 2>&1 || true
assert_contains "$(cat "$OUT")" "from stdin repl" "REPL"

case_ "-o FILE, -s, -a"
le "${C[@]}" -s 4 -a 20 -e strlen "$BASIC"
assert_file_contains "$TMP/le.out" 'ltfx_basic->strlen("hell"...) = 11' "-s 4 -a 20"

case_ "-A: array elements"
cat >"$TMP/arr.conf" <<'CONF'
int pipe(array(int, 2)*);
CONF
le -F "$TMP/arr.conf" -A 1 -e pipe "$LTFX/ltfx_threads"
assert_match "$(head -1 "$TMP/le.out")" '^ltfx_threads->pipe\(\[ -?[0-9]+\.\.\. \]\)' "-A 1"

case_ "-n: indentation by nesting"
le "${C[@]}" -n 3 -x ltfx_depth "$REC"
assert_file_contains "$TMP/le.out" "   abs(3)" "depth 2 indents 3"
assert_file_contains "$TMP/le.out" "         ltfx_depth(0)" "depth 4 indents 9"

case_ "-T: time spent"
le "${C[@]}" -T -e abs "$REC"
assert_match "$(head -1 "$TMP/le.out")" '= 3 <0\.[0-9]{6}>$' "-T"

case_ "-t, -tt, -ttt, -r: timestamps"
le -t -e abs "$REC"
assert_match "$(head -1 "$TMP/le.out")" '^[0-9]{2}:[0-9]{2}:[0-9]{2} ltfx' "-t"
le -tt -e abs "$REC"
assert_match "$(head -1 "$TMP/le.out")" '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} ltfx' "-tt"
le -ttt -e abs "$REC"
assert_match "$(head -1 "$TMP/le.out")" '^[0-9]{10}\.[0-9]{6} ltfx' "-ttt"
le -r -e abs "$REC"
assert_match "$(head -1 "$TMP/le.out")" '^  0\.000000 ltfx' "-r first line"
assert_match "$(sed -n 2p "$TMP/le.out")" '^  0\.[0-9]{6} ltfx' "-r later lines"

case_ "-i: the return address of each call"
le -i "$REC"
addr=$(nm "$REC" | awk '$3 == "ltfx_depth" { print $1 }')
assert_match "$(head -1 "$TMP/le.out")" '^\[0x[0-9a-f]+\] abs\(3\)' "-i"
assert_file_contains "$TMP/le.out" "[0xffffffffffffffff] +++ exited (status 6) +++" "-i on exit"

case_ "-w: backtraces"
le -w 2 -e abs "$REC"
assert_file_contains "$TMP/le.out" "(ltfx_depth+0x" "the caller frame"
assert_file_contains "$TMP/le.out" "(main+0x" "the next frame"

case_ "-e: forms and the caller shown"
le "${C[@]}" -e 'malloc+free' "$BASIC"
assert_eq "ltfx_basic->malloc(24)" "$(head -1 "$TMP/le.out" | sed 's/ *=.*//')" "malloc+free"
assert_eq 3 "$(grep -c 'free(' "$TMP/le.out")" "three frees and no more"
le "${C[@]}" -e '-free' "$BASIC"
assert_file_lacks "$TMP/le.out" "free(" "-free removes free"
assert_file_contains "$TMP/le.out" "ltfx_basic->malloc(24" "and keeps the rest"
le "${C[@]}" -e '/s.*/' "$BASIC"
assert_file_contains "$TMP/le.out" "ltfx_basic->snprintf(" "regex"
assert_file_lacks "$TMP/le.out" "malloc(" "regex excludes"
le "${C[@]}" -e '/^s.*/' "$BASIC"
assert_file_lacks "$TMP/le.out" "snprintf(" "anchored like ltrace: ^^s.*$ matches nothing"
le "${C[@]}" -e 'abs@libc.so.6' -e strlen "$REC"
assert_file_lacks "$TMP/le.out" "abs(" "abs@libc: libc's PLT, not the program's"

case_ "-l: calls into a library, -L: none"
le -l 'libc.so*' "$REC"
assert_file_contains "$TMP/le.out" "ltfx_recurse->abs(1)" "-l libc.so*"
le -l 'libm.so*' "$REC"
assert_file_lacks "$TMP/le.out" "abs(" "-l libm: nothing from libc"
le -L "$REC"
assert_eq 1 "$(wc -l <"$TMP/le.out")" "-L: only the exit line"

case_ "-x: entry points of the program and of a library"
le "${C[@]}" -L -x ltfx_depth "$REC"
assert_file_contains "$TMP/le.out" "<... ltfx_depth resumed> )" "nested returns"
assert_eq 4 "$(grep -c 'ltfx_depth(' "$TMP/le.out")" "four entries"
le "${C[@]}" -L -x 'abs@libc.so.6' "$REC"
assert_file_contains "$TMP/le.out" "abs@libc.so.6(3) " "function@lib"

case_ "-x over all of libc: more functions than probe slots: one line, whole calls"
# ~2,600 functions, two probes each, 1024 slots: a line per refused probe (2,602 of them)
# and, return probes going first, returns with no entry ("<... f resumed>" alone) before.
rm -f "$TMP/le.out"
lt -t 120 -o "$TMP/le.out" -x '*@libc.so.6' "$REC"
# Where the kernel has no uprobe_multi links (6.1), each site is an fd of its own and the
# file descriptors run out before the slots: the same one line, naming that limit.
assert_eq 1 "$(grep -cE 'too many (probes|open files)' "$ERR" || true)" "one 'too many' line"
assert_match "$(cat "$ERR")" "[0-9]+ of [0-9]+ functions not traced: too many (probes \\(at most [0-9]+\\)|open files \\(one per probed site[^)]*\\)); the other [0-9]+ are" \
	"with the counts"
assert_match "$(cat "$TMP/le.out")" "@libc.so.6\\([^)]*\\) += " "the functions kept are traced"
# Every "<... f resumed>" closes an "f(... <unfinished ...>" of the same function.
orphans=$(awk '/<unfinished \.\.\.>$/ { n = $1; sub(/\(.*/, "", n); sub(/@.*/, "", n)
		sub(/.*->/, "", n); open[n]++ }
	/^<\.\.\. / { if (open[$2]-- <= 0) print }' "$TMP/le.out" | head -3)
assert_eq "" "$orphans" "no return without its entry"
assert_match "$(tail -1 "$TMP/le.out")" "^\\+\\+\\+ exited \\(status" "the exit line (its probe had a slot)"

case_ "-b: no signal lines; kills still show"
le -b "$LTFX/ltfx_signal" segv
assert_file_lacks "$TMP/le.out" "--- SIG" "no signal lines"
assert_file_contains "$TMP/le.out" "+++ killed by SIGSEGV +++" "the kill"

case_ "-C: demangling"
if [ -x "$LTFX/ltfx_cxx" ]; then
	le -C "$LTFX/ltfx_cxx"
	assert_file_contains "$TMP/le.out" "operator new[](unsigned long)(16)" "built-in prototype, demangled"
	le "$LTFX/ltfx_cxx"
	assert_file_contains "$TMP/le.out" "_Znam(16)" "mangled without -C"
fi

case_ "-F: a prototype file; floating point prints as a placeholder"
cat >"$TMP/p.conf" <<'CONF'
hex(int) abs(int);
CONF
le -F "$TMP/p.conf" -e abs "$REC"
assert_file_contains "$TMP/le.out" "abs(3) " "declared"
assert_file_contains "$TMP/le.out" "= 0x3" "hex() lens on the result"
le -e 'sqrt+pow+ldexp+abs' "$LTFX/ltfx_math"
assert_file_contains "$TMP/le.out" "sqrt(<double>)" "double argument"
assert_file_contains "$TMP/le.out" "= <double>" "double result"
assert_file_contains "$TMP/le.out" "ldexp(<double>, 5)" "the int after a double is right"
assert_file_contains "$TMP/le.out" "abs(-9)" "integers as usual"

case_ "-D: debug lines say what is probed"
le -D 1 -e abs "$REC"
assert_contains "$(cat "$ERR")" "probe uprobe:$REC:* (1 sites)" "probe lines"

case_ "-c: the summary table, and -S with it"
le -c "$BASIC"
assert_file_contains "$TMP/le.out" "% time     seconds  usecs/call     calls      function" "header"
assert_match "$(grep ' free$' "$TMP/le.out")" ' 3 free$' "three frees"
assert_match "$(tail -1 "$TMP/le.out")" '^100\.00 +[0-9]+\.[0-9]{6} +[0-9]+ total$' "total"
le -c -S "$BASIC"
assert_file_contains "$TMP/le.out" " SYS_write" "syscalls counted"
assert_file_lacks "$TMP/le.out" "SYS_execve" "not the exec of the held child"

case_ "-S: system calls among the library calls"
le -S -e abs "$REC"
assert_match "$(grep -m1 SYS_access "$TMP/le.out")" '^SYS_access\("/etc/ld.so.preload", 04\) +=' \
	"a syscall with a string"
assert_file_contains "$TMP/le.out" "ltfx_recurse->abs(3)" "library calls too"
assert_file_lacks "$TMP/le.out" "SYS_execve" "nothing before the exec"
le -S "$LTFX/ltfx_jump"
assert_rc 7
assert_eq "SYS_exit_group(7 <no return ...>" "$(tail -2 "$TMP/le.out" | head -1)" \
	"exit_group is shown open, as ltrace does"

case_ "functions that return twice (setjmp, getcontext, vfork) run to their end"
le "$LTFX/ltfx_jump"
assert_rc 7
assert_eq "jumps 3" "$(cat "$OUT")" "the program's own output"
assert_match "$(grep -c '^longjmp(' "$TMP/le.out")" '^2$' "both longjmps"
assert_file_contains "$TMP/le.out" "_setjmp(" "setjmp shown"
assert_file_contains "$TMP/le.out" "getcontext(" "getcontext shown"
assert_file_contains "$TMP/le.out" "+++ exited (status 7) +++" "normal exit"

case_ "-f: children, [pid N] prefixes on stderr, 'N ' in a -o file"
lt "${C[@]}" -f "$LTFX/ltfx_fork"
assert_rc 5
assert_match "$(grep -m1 'getpid' "$ERR")" '^\[pid [0-9]+\] getpid\(\)' "[pid N] on stderr"
le "${C[@]}" -f "$LTFX/ltfx_fork"
assert_match "$(grep -m1 'getpid' "$TMP/le.out")" '^[0-9]+ getpid\(\)' "N in a file"

case_ "-f across exec: the new program's calls from its first one, as ltrace prints them"
le -f sh -c "$LTFX/ltfx_recurse; exit 4"
assert_rc 4
child=$(awk '$2 == "---" && $3 == "Called" { print $1; exit }' "$TMP/le.out")
assert_match "$child" '^[0-9]+$' "a '--- Called exec() ---' line with the child's pid"
assert_eq "--- Called exec() ---
abs(3) = 3
abs(2) = 2
abs(1) = 1
+++ exited (status 6) +++" "$(awk -v p="$child" '$1 == p' "$TMP/le.out" |
	sed -n '/Called exec/,$p' | cut -d' ' -f2- | tr -s ' ')" "the child after its exec"
assert_file_lacks "$TMP/le.out" "SIGSTOP" "the hold at exec is not shown"
le -f -c sh -c "$LTFX/ltfx_recurse; $LTFX/ltfx_recurse"
assert_match "$(grep ' abs$' "$TMP/le.out")" ' 6 abs$' "-c counts the exec'd program's calls"

case_ "-p PID: a running process"
serve_start serve
LAST_CMD="ltrace-ebpf -p $SERVE_PID"
"$LTRACE_EBPF" -F "$SRC_DIR/tests/fixtures/ltrace/ltfx.conf" -o "$TMP/p.out" -p "$SERVE_PID" \
	-e ltfix_add 2>"$TMP/p.err" &
TRACER=$!
for ((i = 0; i < 500; i++)); do
	[ "$(links_held_by $TRACER | wc -l)" -ge 2 ] && break
	sleep 0.02
done
serve_cmd "add 2 1 2"
serve_stop 0
wait_pid "$TRACER"
assert_eq 2 "$(grep -c 'exe->ltfix_add(1, 2) *= 3' "$TMP/p.out")" "two calls"
assert_file_contains "$TMP/p.out" "+++ exited (status 0) +++" "the exit"

case_ "errors: bad flags, missing arguments, missing program, names matching nothing"
lt -Q "$REC"
assert_rc 1
assert_contains "$(cat "$ERR")" "invalid option -- 'Q'" "unknown flag"
lt --frobnicate "$REC"
assert_contains "$(cat "$ERR")" "unrecognized option '--frobnicate'" "unknown long flag"
lt -s
assert_contains "$(cat "$ERR")" "option requires an argument -- 's'" "flag without its value"
lt -c
assert_contains "$(cat "$ERR")" "too few arguments" "no command"
lt -s abc "$REC"
assert_contains "$(cat "$ERR")" "Invalid argument to -s: 'abc'" "bad number"
lt -u nobody "$REC"
assert_contains "$(cat "$ERR")" "-u nobody" "unsupported -u"
lt /nonexistent/prog
assert_rc 1
assert_contains "$(cat "$ERR")" "Can't execute \`/nonexistent/prog'" "missing program"
lt -e nosuchfunction "$REC"
assert_contains "$(cat "$ERR")" "-e nosuchfunction: no such function" "-e name matching nothing"
lt -x nosuchfunction "$REC"
assert_contains "$(cat "$ERR")" "-x nosuchfunction: no such function" "-x name matching nothing"
# ltrace's grammar reads '!!!@@@' as "everything, minus '!!' in a library named '@@'"
# (a leading '!' is '-', and a rule before it with no name is '*'): traced as ltrace does,
# the part that matches nothing said in one line (ltrace says nothing).
lt -e '!!!@@@' "$REC"
assert_contains "$(cat "$ERR")" "-e '!!!@@@': no traced object is named '@@'" "garbage -e said"
assert_eq 1 "$(grep -c '^ltrace-ebpf: ' "$ERR")" "in one line"
assert_match "$(cat "$ERR")" "ltfx_recurse->[a-z_]+\\(" "everything else traced, as ltrace"
if have_ltrace; then
	both -e '!!!@@@' "$REC"
	assert_file_contains "$TMP/lt.out" "ltfx_recurse->" "ltrace traces everything with it too"
fi
lt -e '!nosuchfunction' "$REC"
assert_contains "$(cat "$ERR")" "-e nosuchfunction: no such function" "a removed name matching nothing"
lt -r -t "$REC"
assert_contains "$(cat "$ERR")" "-r and -t can't be used together" "-r with -t"

finish
