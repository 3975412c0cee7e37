#!/usr/bin/env bash
# A traced program behaves exactly as untraced (issue 11's corpus): ten real programs run
# untraced, then under ltrace mode's -c, its per-call output, -f, and a `call:libc:malloc`
# script; their stdout, their stderr and their exit status must be identical every time.
# The tool's own notices (lines starting "ltrace-ebpf:") are the only lines allowed on top
# of the program's stderr; the traces go to files (-o), which must not be empty.
source "$(dirname "$0")/lib.sh"

/usr/bin/python3.11 -c pass 2>/dev/null || { echo "SKIP: needs /usr/bin/python3.11"; exit 0; }
for p in sqlite3 curl git tar gzip sort; do
	command -v "$p" >/dev/null || { echo "SKIP: needs $p"; exit 0; }
done

D="$TMP/data"
mkdir -p "$D"
seq 1 2000 | sort -R --random-source=<(yes) >"$D/nums"
printf 'b 2\na 3\nc 1\n' >"$D/pairs"
tar -cf "$D/a.tar" -C "$D" nums pairs
git init -q "$D/repo"
git -C "$D/repo" -c user.name=t -c user.email=t@t commit -q --allow-empty -m first
git -C "$D/repo" -c user.name=t -c user.email=t@t commit -q --allow-empty -m second

MALLOC_LUA='local n = 0
probe("call:libc:malloc", function(c) n = n + 1 end)
on("end", function() local f = io.open(arg[1], "w"); f:write("calls=", n, "\n"); f:close() end)'

# run WHERE CMD...: the command's stdout, stderr and status into $TMP/WHERE.{out,err,rc}
run() {
	local where=$1 rc=0
	shift
	timeout 120 "$@" >"$TMP/$where.out" 2>"$TMP/$where.err" </dev/null || rc=$?
	echo "$rc" >"$TMP/$where.rc"
}

same_as_untraced() {	# NAME MODE
	local name=$1 mode=$2
	assert_eq "$(cat "$TMP/$name.plain.rc")" "$(cat "$TMP/$name.$mode.rc")" \
		"$name under $mode: exit status"
	assert_eq "$(md5sum <"$TMP/$name.plain.out")" "$(md5sum <"$TMP/$name.$mode.out")" \
		"$name under $mode: stdout ($(head -c 200 "$TMP/$name.$mode.out" | tr -d '\0' | tr '\n' '|'))"
	assert_eq "$(cat "$TMP/$name.plain.err")" \
		"$(grep -v '^ltrace-ebpf: ' "$TMP/$name.$mode.err" || true)" "$name under $mode: stderr"
}

# check NAME CMD...: the five runs of one program, compared.
check() {
	local name=$1 mode
	shift
	case_ "$name: untraced, -c, per-call, -f and a malloc script give the same run"
	run "$name.plain" "$@"
	run "$name.count" "$LTRACE_EBPF" -c -o "$TMP/$name.count.trace" "$@"
	run "$name.calls" "$LTRACE_EBPF" -o "$TMP/$name.calls.trace" "$@"
	run "$name.follow" "$LTRACE_EBPF" -f -o "$TMP/$name.follow.trace" "$@"
	run "$name.script" "$LTRACE_EBPF" -E "$MALLOC_LUA" "$TMP/$name.malloc" -- "$@"
	for mode in count calls follow script; do
		same_as_untraced "$name" "$mode"
	done
	assert_match "$(cat "$TMP/$name.count.trace")" "total" "$name: the -c table was written"
	assert_match "$(head -c 4096 "$TMP/$name.calls.trace")" "\\(" "$name: calls were traced"
	assert_match "$(cat "$TMP/$name.malloc" 2>/dev/null)" "^calls=[0-9]" "$name: the script ran to its end"
}

check ls ls -l "$D/nums" "$D/pairs" "$D/missing"
check gzip gzip -9c "$D/nums"
check sqlite3 sqlite3 :memory: "create table t(a); insert into t values(1),(2);
select sum(a) from t; select nosuch;"
check python3 /usr/bin/python3.11 -c "import json, sys
print(json.dumps({'a': [1, 2]})); sys.stderr.write('warn\\n'); sys.exit(3)"
check curl curl -sS "file://$D/pairs" "file://$D/missing"
check git git -C "$D/repo" log --format=%s
check sh sh -c 'f() { return 3; }; f; echo $?; x=$(echo sub); echo $x; ls "$0"; exit 7' "$D/missing"
check bash bash -c 'f() { return 3; }; f; echo $?; x=$(echo sub); echo $x; (exit 4); echo $?
ls "$0"; exit 7' "$D/missing"
check tar tar -tvf "$D/a.tar"
check sort sort -k2 -n "$D/pairs" "$D/missing"

finish
