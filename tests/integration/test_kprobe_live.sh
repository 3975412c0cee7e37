#!/usr/bin/env bash
# kprobe:/kretprobe:/kcall: attached for real, where the kernel has kprobes (6.1 and 6.12 in
# the kernel matrix, tests/kernels; this project's own kernel has none and only checks that
# the refusals apply: test_kprobe.sh). Each mechanism the kernel offers in turn (fentry/fexit
# for one function, kprobes, a kprobe_multi link for a glob; LTRACE_EBPF_KFEATURES narrows
# detection to one): arguments by BTF name, the caller's path, return values, durations,
# kernel stacks, globs, `-l` over available_filter_functions, and scripts/kopensnoop.lua.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
JROWS="$(dirname "$0")/json_rows.py"

if [ ! -e /sys/bus/event_source/devices/kprobe/type ]; then
	echo "test_kprobe_live: this kernel has no kprobes: nothing to attach (test_kprobe.sh checks the refusal)"
	finish
fi

KOPEN="$FIXTURE_DIR/lt_kopen"
KREAD="$FIXTURE_DIR/lt_kread"
N=20
MISSING=/nonexistent-kprobe-live
# The fixture opens a file that exists and one that does not: fd >= 3, then -ENOENT.
HOSTNAME_FILE=/etc/hostname

cat >"$TMP/kcall.lua" <<'LUA'
io.stdout:setvbuf("line")  -- the fixture writes to the same file
probe("kcall:do_sys_openat2", { where = "dfd == -100", fetch = { filename = "user:str" } },
  function(c)
    if c.filename:match("^/") then
      printf("kopen=%s %d %d %s\n", c.filename, c.dfd, c.ret, c.func)
      printf("dur=%d\n", c.duration)
      printf("pid=%d\n", c.pid)
    end
  end)
LUA

# kcall_case MECH FEATURES: the paired call through MECH (its -v line says so).
kcall_case() {
	LTRACE_EBPF_KFEATURES=$2 lt -v "$TMP/kcall.lua" -- "$KOPEN" "$HOSTNAME_FILE" "$MISSING"
	assert_rc 0 "$1: status"
	assert_contains "$(cat "$ERR")" "kcall:do_sys_openat2: 1 function through $1" "$1: the mechanism"
	assert_match "$(grep "^kopen=$HOSTNAME_FILE " "$OUT")" "^kopen=$HOSTNAME_FILE -100 [3-9] do_sys_openat2$" \
		"$1: the path from user memory, dfd by its BTF name, the fd returned"
	assert_eq "kopen=$MISSING -100 -2 do_sys_openat2" "$(grep "^kopen=$MISSING " "$OUT")" \
		"$1: -ENOENT returned"
	assert_eq 0 "$(vals dur | tr ' ' '\n' | grep -cvE '^[1-9][0-9]*$' || true)" "$1: durations > 0"
	assert_eq "$(val fixture_pid)" "$(vals pid | tr ' ' '\n' | sort -u)" "$1: only the fixture's opens"
}

case_ "kcall: one function, through fentry/fexit where the kernel allows it"
kcall_case fentry/fexit fentry
kcall_case kprobes kprobe

case_ "kprobe: and kretprobe: separately, both mechanisms"
for feat in fentry kprobe; do
	LTRACE_EBPF_KFEATURES=$feat lt -E '
io.stdout:setvbuf("line")
probe("kprobe:do_sys_openat2", { where = "dfd == -100", fetch = { filename = "user:str" } },
  function(e) if e.filename:match("^/nonexistent") then print("entry=" .. e.filename) end end)
probe("kretprobe:do_sys_openat2", { where = "ret == -2" },
  function(e) print("ret=" .. e.ret) end)' -- "$KOPEN" "$MISSING"
	assert_rc 0 "$feat: status"
	assert_eq "$MISSING" "$(val entry)" "$feat: the entry with its argument"
	assert_eq 1 "$(count_lines '^ret=-2$')" "$feat: the return with its value"
done

case_ "a glob: one kprobe_multi link, else a kprobe per function; N reads of 7 bytes"
cat >"$TMP/glob.lua" <<'LUA'
io.stdout:setvbuf("line")
local n = {}
probe("kcall:vfs_rea*", { where = "arg3 == 7" }, function(c)
  if c.ret == 7 then n[c.func] = (n[c.func] or 0) + 1 end
end)
on("end", function() for f, k in pairs(n) do print("calls_" .. f .. "=" .. k) end end)
LUA
# What the kernel detects first (kprobe_multi needs CONFIG_FPROBE: 6.12 has it, 6.1 not),
# then kprobes forced.
detected="detected:kprobes"
if grep -qx CONFIG_FPROBE=y "/boot/config-$(uname -r)" 2>/dev/null ||
	zgrep -qx CONFIG_FPROBE=y /proc/config.gz 2>/dev/null; then
	detected="detected:a kprobe_multi link"
fi
for feat in "$detected" "kprobe:kprobes"; do
	if [ "${feat%%:*}" == detected ]; then
		lt -v "$TMP/glob.lua" -- "$KREAD" "$N"
	else
		LTRACE_EBPF_KFEATURES=${feat%%:*} lt -v "$TMP/glob.lua" -- "$KREAD" "$N"
	fi
	assert_rc 0 "${feat%%:*}: status"
	assert_match "$(cat "$ERR")" "kcall:vfs_rea\\*: [0-9]+ functions through ${feat#*:}" \
		"${feat%%:*}: the mechanism"
	assert_eq "$N" "$(val calls_vfs_read)" "${feat%%:*}: every read, paired"
done

case_ "kernel stacks at a kprobe: the system call's path"
LTRACE_EBPF_KFEATURES=kprobe lt -E '
io.stdout:setvbuf("line")
probe("kprobe:do_sys_openat2", { where = "dfd == -100", fetch = { filename = "user:str" },
                                 stack = "kernel" }, function(e)
  if not e.filename:match("^/nonexistent") then return end
  local t = {}
  for i, f in ipairs(e.kstack:frames()) do t[i] = f.sym or "?" end
  print("kstack=" .. table.concat(t, ","))
end)' -- "$KOPEN" "$MISSING"
assert_rc 0
assert_match ",$(val kstack)," ",do_syscall_64," "the kernel frames name do_syscall_64"
assert_match "$(val kstack)" "^do_sys_openat2," "the probed function first"

case_ "-l over the kernel's functions, and a prototype from BTF"
lt -l 'kprobe:tcp_*'
assert_rc 0
assert_contains "$(cat "$OUT")" "kprobe:tcp_v4_connect" "tcp_v4_connect listed"
assert_eq 0 "$(grep -cv '^kprobe:tcp_' "$OUT" || true)" "only tcp_ functions"
lt -l kcall:do_sys_openat2
assert_match "$(cat "$OUT")" "^kcall:do_sys_openat2\\(int dfd, const char \\*filename, struct open_how \\*how\\)$" \
	"prototype"

case_ "scripts/kopensnoop.lua: opens by process, with latency"
lt "$SRC_DIR/scripts/kopensnoop.lua" -s -- "$KOPEN" "$HOSTNAME_FILE" "$MISSING"
assert_rc 0
pid=$(val fixture_pid)
assert_eq 1 "$(awk -v p="$pid" -v f="$HOSTNAME_FILE" '$1 == p && $2 == "lt_kopen" && $3 >= 3 && $4 == 0 && $5 > 0 && $6 == f' "$OUT" | wc -l)" \
	"the open that worked"
assert_eq 1 "$(awk -v p="$pid" -v f="$MISSING" '$1 == p && $3 == -1 && $4 == 2 && $5 > 0 && $6 == f' "$OUT" | wc -l)" \
	"the open that failed"
# Event lines end with a path, the summary's with a number (MAX(us)).
opens=$(awk -v p="$pid" 'NF == 6 && $1 == p && $6 !~ /^[0-9.]+$/' "$OUT" | wc -l)
assert_eq 1 "$(awk -v p="$pid" -v n="$opens" 'NF == 6 && $1 == p && $3 == n && $4 == 1 && $6 ~ /^[0-9.]+$/' "$OUT" | wc -l)" \
	"the summary line: all its opens (the loader's too), one failed"
lt "$SRC_DIR/scripts/kopensnoop.lua" -x -j -- "$KOPEN" "$HOSTNAME_FILE" "$MISSING"
assert_rc 0
assert_eq "$(printf 'lt_kopen\t-1\t2\t%s' "$MISSING")" \
	"$("$JROWS" "$OUT" type=record tool=kopensnoop -- comm fd err path)" "-x -j: the failed open only"

finish
