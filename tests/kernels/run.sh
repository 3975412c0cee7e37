#!/usr/bin/env bash
# run.sh: the kernel matrix. Boots each selected kernel under qemu and runs the selected
# integration tests inside it against this checkout's build (see docs/kernels.md).
#   KERNELS="6.1 6.12"   kernels: a prefix of an installed /boot/vmlinuz-VERSION (the newest
#                        match is used) or a full VERSION
#   TESTS="syscall rawtp" integration tests, with or without the test_ prefix
#   BUILD_DIR=build      the build to test; LT_TIMEOUT_SCALE=10 multiplies the tests' own
#                        deadlines (TCG is about ten times slower); TEST_TIMEOUT=900 s a test
# Installs nothing: `./build.sh kernels` installs qemu, busybox and the kernels, then runs it.
# Exits 1 when a kernel's run broke (no boot, crash, deadline), 0 otherwise, failed tests
# included (they are reported); STRICT=1 makes a failed test fail the run too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

KERNELS=${KERNELS:-6.1 6.12}
# The kernel-dependent paths: kernel probes, syscalls, tracepoints, raw tracepoints,
# uprobes (captures, counts), USDT, stacks, the tools (and their JSON), the ltrace front
# end's -c/-S, HTTP requests (socket syscalls, OpenSSL uprobes) and the dashboard.
TESTS=${TESTS:-kfeature_report kprobe kprobe_live syscall tracepoint rawtp rawtp_nocookie capture counts usdt stacks stacks_kernel \
tools_a tools_b ltrace_flags http dashboard json_tools}
BUILD_DIR=$(cd "${BUILD_DIR:-$src/build}" && pwd)
LT_TIMEOUT_SCALE=${LT_TIMEOUT_SCALE:-10}
TEST_TIMEOUT=${TEST_TIMEOUT:-900}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-300}

command -v qemu-system-x86_64 >/dev/null ||
	{ echo "run.sh: qemu-system-x86_64 missing (./build.sh kernels installs it)" >&2; exit 1; }
[ -x "$BUILD_DIR/ltrace-ebpf" ] ||
	{ echo "run.sh: no $BUILD_DIR/ltrace-ebpf (build first)" >&2; exit 1; }

# kernel_version SELECTOR: the newest installed kernel whose version is SELECTOR or starts
# with SELECTOR followed by '.' or '-' (so "6.1" is not "6.12").
kernel_version() {
	local v
	v=$(find /boot -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' | sed 's/^vmlinuz-//' |
		awk -v k="$1" '$0 == k || index($0, k ".") == 1 || index($0, k "-") == 1' |
		sort -V | tail -n 1)
	[ -n "$v" ] || { echo "run.sh: no installed kernel matches '$1' in /boot" >&2; return 1; }
	echo "$v"
}

tests=
for t in $TESTS; do
	t=test_${t#test_}
	[ -e "$src/tests/integration/$t.sh" ] ||
		{ echo "run.sh: no test tests/integration/$t.sh" >&2; exit 1; }
	tests="$tests $t"
done

versions=()
for k in $KERNELS; do
	versions+=("$(kernel_version "$k")")
done

root=$BUILD_DIR/kernels
rc=0
for v in "${versions[@]}"; do
	work=$root/$v
	rm -rf "$work"
	mkdir -p "$work"
	cat >"$work/config" <<-CONF
	TESTS="$tests"
	TEST_TIMEOUT=$TEST_TIMEOUT
	BOOT_TIMEOUT=$BOOT_TIMEOUT
	LT_TIMEOUT_SCALE=$LT_TIMEOUT_SCALE
	LTRACE_EBPF=$BUILD_DIR/ltrace-ebpf
	LTRACE_EBPF_ASAN=$BUILD_DIR/ltrace-ebpf-asan
	FIXTURE_DIR=$BUILD_DIR/tests/fixtures
	SRC_DIR=$src
	CONF
	echo "run.sh: $v:$tests"
	"$here/boot.sh" "$v" "$work" || rc=1
	# STRICT: a failure not in expected-failures.txt, or one listed there that passed.
	# (The verdicts go through a variable: grep -q closing the pipe early would make
	# pipefail report verdict.sh's SIGPIPE, not the match.)
	if [ "${STRICT:-0}" == 1 ] && [ -e "$work/started" ]; then
		verdicts=$("$here/verdict.sh" "$work" "$v")
		grep -qvE '^[^ ]+ (pass|expected)$' <<<"$verdicts" && rc=1
	fi
done
"$here/report.sh" "$root" "${versions[@]}" | tee "$root/report.md"
exit $rc
