#!/usr/bin/env bash
# kprobe:/kretprobe:/kcall: on this project's test kernel (no CONFIG_KPROBES, no
# CONFIG_FPROBE, fentry refused with EPERM): a one-line refusal naming why and a tracepoint
# to use instead, exit 1, nothing attached. With LTRACE_EBPF_KFEATURES pretending the kernel
# has a mechanism, every step up to the attach call runs for real (kallsyms, BTF, template
# load where this kernel allows it) and the attach failure is reported the same way.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if [ -e /sys/bus/event_source/devices/kprobe/type ]; then
	echo "test_kprobe: this kernel has kprobes: the refusal cases do not apply here"
	finish
fi

WHY="this kernel has no kprobes (built without CONFIG_KPROBES) and refuses fentry/fexit programs (EPERM)"

# refused SPEC SUGGESTION: the probe is refused in one line naming why and the alternative.
refused() {
	lt -E "probe('$1')"
	assert_rc 1 "status for $1"
	assert_eq "ltrace-ebpf: -E:1: $1: $WHY; use a tracepoint instead, e.g. $2" "$(cat "$ERR")" \
		"refusal of $1"
	assert_eq "" "$(cat "$OUT")" "stdout for $1"
}

case_ "kprobe, kretprobe and kcall are refused with the reason and an alternative"
refused kprobe:do_sys_openat2 tracepoint:syscalls:sys_enter_openat2
refused kretprobe:do_sys_openat2 tracepoint:syscalls:sys_exit_openat2
refused kcall:do_sys_openat2 syscall:openat2
refused k:__x64_sys_getpid tracepoint:syscalls:sys_enter_getpid
refused kprobe:vfs_read tracepoint:syscalls:sys_enter_read

case_ "a glob is refused naming kprobe_multi too"
lt -E "probe('kprobe:vfs_rea*')"
assert_rc 1
assert_contains "$(cat "$ERR")" "has no kprobes (built without CONFIG_KPROBES), no kprobe_multi links (built without CONFIG_FPROBE) and refuses fentry/fexit programs (EPERM)" "glob refusal"
assert_eq 1 "$(wc -l <"$ERR")" "one line"

case_ "a script can catch the refusal and fall back to a tracepoint"
lt -E "local ok, err = pcall(probe, 'kcall:do_sys_openat2')
print('ok=' .. tostring(ok))
print('fallback=' .. (err:match('e%.g%. (%S+)$') or '?'))"
assert_rc 0
assert_eq false "$(val ok)" "probe() raised"
assert_eq syscall:openat2 "$(val fallback)" "the suggestion is machine-readable"

case_ "scripts/kopensnoop.lua: the same refusal, exit 1 (test_kprobe_live.sh runs it)"
lt "$SRC_DIR/scripts/kopensnoop.lua" -- /bin/true
assert_rc 1
assert_contains "$(cat "$ERR")" "kopensnoop.lua:" "refusal of kopensnoop: where"
assert_contains "$(cat "$ERR")" ": kcall:do_sys_openat2: $WHY; use a tracepoint instead, e.g. syscall:openat2" \
	"refusal of kopensnoop: why"
assert_eq 1 "$(wc -l <"$ERR")" "refusal of kopensnoop: one line"

case_ "symbols and prototypes: kallsyms and the kernel's BTF"
lt -l kprobe:do_sys_openat2
assert_rc 0
assert_eq "kprobe:do_sys_openat2(int dfd, const char *filename, struct open_how *how)" \
	"$(cat "$OUT")" "prototype from BTF"
lt -l 'kcall:vfs_rea*'
assert_contains "$(cat "$OUT")" "kcall:vfs_read" "glob over kallsyms"
lt -E "probe('kprobe:no_such_function_here')"
assert_rc 1
assert_contains "$(cat "$ERR")" "no kernel function 'no_such_function_here' in /proc/kallsyms" "unknown"
lt -E "probe('kprobe:no_such_fn*')"
assert_contains "$(cat "$ERR")" "no kernel function matches 'no_such_fn*'" "glob matching nothing"
lt -E "probe('kretprobe:do_sys_openat2+4')"
assert_contains "$(cat "$ERR")" "only kprobe: takes +OFFSET" "offset on a return probe"
lt -E "probe('kprobe:do_sys_openat2', { where = 'bogus == 1' })"
assert_contains "$(cat "$ERR")" "'bogus' is not an argument of do_sys_openat2 (arg1..arg6, ret, or its argument names from BTF)" "argument names from BTF"
lt -E "probe('kprobe:do_sys_openat2', { where = 'dfd == 3', fetch = { filename = 'user:str' } })"
assert_contains "$(cat "$ERR")" "$WHY" "BTF names accepted in where and fetch (then refused)"

case_ "pretending kprobes exist: the template loads, the attach call fails, nothing stays"
for spec in kprobe:do_sys_openat2 kcall:do_sys_openat2 'kretprobe:vfs_rea*'; do
	LTRACE_EBPF_KFEATURES=kprobe lt -E "probe('$spec', { args = { 'int', 'str' } })"
	assert_rc 1 "status for $spec"
	assert_match "$(cat "$ERR")" "^ltrace-ebpf: -E:1: .*: cannot attach a k(ret)?probe to [a-z_0-9]+: " \
		"$spec reaches the attach call"
done

case_ "pretending fentry works: the program load is what the kernel refuses"
LTRACE_EBPF_KFEATURES=fentry lt -E "probe('kcall:do_sys_openat2')"
assert_rc 1
assert_eq "ltrace-ebpf: -E:1: kcall:do_sys_openat2: cannot load the fentry program for do_sys_openat2: Operation not permitted" \
	"$(cat "$ERR")" "fentry load refused"

case_ "pretending kprobe_multi works: the link is what the kernel refuses"
LTRACE_EBPF_KFEATURES=kprobe_multi lt -E "probe('kcall:vfs_rea*')"
assert_rc 1
assert_match "$(cat "$ERR")" "cannot attach a kprobe_multi link to [0-9]+ functions: Operation not supported" \
	"multi link refused"

finish
