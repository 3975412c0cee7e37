#!/usr/bin/env bash
# -v's kernel feature report (src/probes/kernel/kfeature_report.c): one line per feature,
# once, at the start of a session, with what this kernel has and the path the tool takes.
# The answers are asserted per kernel: the kernel matrix runs this test on Debian 12's 6.1
# and 6.12 (tests/kernels/), ctest on this machine's 6.18; on another kernel only what its
# version decides. The LTRACE_EBPF_NO_* variables and LTRACE_EBPF_KFEATURES show each
# fallback's line on any kernel; the tests of each kind run the fallback paths themselves.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

REL=$(uname -r)
# at_least X.Y: the running kernel is X.Y or newer
at_least() { [ "$(printf '%s\n' "$1" "${REL%%-*}" | sort -V | head -n 1)" == "$1" ]; }
# line FEATURE: the answer -v gave for FEATURE (the line's text after "FEATURE: ")
line() { sed -n "s|^ltrace-ebpf: $1: ||p" "$ERR"; }

FEATURES=("kernel" "ring buffer" "task storage" "bpf_loop"
	"attach cookies at uprobes, kprobes, tracepoints" "sleepable uprobes" "raw tracepoints"
	"uprobe_multi" "kprobes" "kprobe_multi" "fentry/fexit")

case_ "-v: one line per feature, once, before the script runs"
lt -v -E 'print("script ran")'
assert_rc 0
for f in "${FEATURES[@]}"; do
	assert_eq 1 "$(grep -c "^ltrace-ebpf: $f: " "$ERR" || true)" "one '$f' line"
done
k=$(line kernel)
assert_eq "$REL" "${k%, detected in *}" "the kernel's release"
assert_match "${k#"$REL"}" "^, detected in [0-9.]+ ms$" "the detection's time"
assert_eq "script ran" "$(cat "$OUT")" "the script still runs"
lt -E 'print("script ran")'
assert_rc 0
assert_eq 0 "$(grep -c '^ltrace-ebpf: ' "$ERR" || true)" "without -v: no report"

case_ "-v: what every kernel of the matrix has (6.1 and newer)"
lt -v -E 'exit(0)'
for f in "ring buffer" "task storage" "bpf_loop" "attach cookies at uprobes, kprobes, tracepoints"; do
	assert_eq yes "$(line "$f")" "$f"
done
assert_eq "yes: captures may fault pages in" "$(line "sleepable uprobes")" "sleepable uprobes (6.0+)"

case_ "-v: the answers this kernel's version decides ($REL)"
lt -v -E 'exit(0)'
if at_least 6.10; then
	assert_eq "attach cookies: one program serves every probe" "$(line "raw tracepoints")" "6.10+"
else
	assert_match "$(line "raw tracepoints")" "^no attach cookies .*: a program instance per probe" "before 6.10"
fi
if at_least 6.6; then
	assert_eq "yes: one link per file and program" "$(line uprobe_multi)" "6.6+"
else
	assert_match "$(line uprobe_multi)" "^no .*: a perf-event link per site$" "before 6.6"
fi

case_ "-v: kernel functions, per kernel of the matrix ($REL)"
lt -v -E 'exit(0)'
kp=$(line kprobes) km=$(line kprobe_multi) fe=$(line fentry/fexit)
case $REL in
6.1.0-*)	# Debian 12: kprobes, fentry, no fprobe (no /proc/config.gz to say why)
	assert_eq yes "$kp" "kprobes"
	assert_eq "refused (EOPNOTSUPP): a kprobe per function" "$km" "kprobe_multi"
	assert_eq "yes: one kernel function through fentry/fexit" "$fe" "fentry" ;;
6.12.*)		# Debian 12 backports: all three
	assert_eq yes "$kp" "kprobes"
	assert_eq "yes: one link per glob" "$km" "kprobe_multi"
	assert_eq "yes: one kernel function through fentry/fexit" "$fe" "fentry" ;;
6.18.*-fc-*)	# this project's machine: no kprobes, fentry refused
	assert_eq "no (built without CONFIG_KPROBES)" "$kp" "kprobes"
	assert_eq "no (built without CONFIG_FPROBE): kernel function globs refused" "$km" "kprobe_multi"
	assert_eq "refused (EPERM): kernel functions refused" "$fe" "fentry" ;;
*)
	assert_match "$kp" "^(yes|no)" "kprobes: yes or no on $REL" ;;
esac

case_ "-v: each fallback's line, taken on request"
LTRACE_EBPF_NO_SLEEPABLE=1 LTRACE_EBPF_NO_RAWTP_COOKIES=1 LTRACE_EBPF_NO_UPROBE_MULTI=1 \
	LTRACE_EBPF_KFEATURES=kprobe lt -v -E 'exit(0)'
assert_rc 0
assert_eq "off (LTRACE_EBPF_NO_SLEEPABLE): captures read resident pages only" \
	"$(line "sleepable uprobes")" "sleepable"
assert_eq "no attach cookies (before Linux 6.10, or LTRACE_EBPF_NO_RAWTP_COOKIES): a program instance per probe, its id fixed before load" \
	"$(line "raw tracepoints")" "raw tracepoint cookies"
assert_eq "no (before Linux 6.6, or LTRACE_EBPF_NO_UPROBE_MULTI): a perf-event link per site" \
	"$(line uprobe_multi)" "uprobe_multi"
assert_eq yes "$(line kprobes)" "kprobes forced on"
assert_eq "no (LTRACE_EBPF_KFEATURES): a kprobe per function" "$(line kprobe_multi)" "kprobe_multi"
assert_eq "no (LTRACE_EBPF_KFEATURES): kprobes instead" "$(line fentry/fexit)" "fentry"

finish
