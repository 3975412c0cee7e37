#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root):
#   ./build.sh demo   install dependencies, build, trace the built-in demo
#   ./build.sh test   install dependencies, build, run the whole test suite (ctest), then
#                     the kernel matrix (Debian 12's 6.1 and 6.12 under qemu; MATRIX=0
#                     skips it; MATRIX_TESTS= its tests: see docs/kernels.md)
#   ./build.sh asan   build, run the integration tests with the tool under ASan/UBSan
#   ./build.sh kernels  install qemu and Debian 12's kernels, build, run the kernel matrix
#                     (tests/kernels/run.sh; KERNELS=, TESTS=: see docs/kernels.md)
#   ./build.sh install  build, then install under PREFIX (default /usr/local): the binary,
#                     the tools as ltrace-ebpf-NAME, docs, the man page
#   ./build.sh deps | build
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DEPS=(build-essential cmake pkg-config clang llvm libbpf-dev bpftool liblua5.4-dev
	    libreadline-dev libelf-dev libdw-dev zlib1g-dev systemtap-sdt-dev
	    libcapstone-dev liblzma-dev libiberty-dev xz-utils libmicrohttpd-dev
	    libcurl4-openssl-dev libjson-c-dev libncurses-dev libjwt-dev libnghttp2-dev)
# The tests also use: bpftool's link list, binutils' nm/readelf, python3 (pty for the
# REPL test), libc's debug symbols (IFUNC implementations by name), lua5.4, and Debian's
# python3.11 (/usr/bin/python3.11: its USDT probes, test_usdt.sh), and ltrace itself (the
# front end is compared with it call by call), Debian's prometheus (it scrapes --metrics in
# test_metrics_prometheus.sh) and curl (test_metrics.sh); tmux drives the dashboard and REPL
# tests; nginx-light, openssl and curl serve and fetch the requests of test_http.sh,
# apache2-utils' ab loads bench/http.sh; python3-grpcio serves and calls gRPC and
# nghttp2-server's nghttpd serves h2c (test_grpc.sh), python3-h2 an h2c upgrade
# (test_grpc.sh); chromium and python3-websocket drive the --http
# page headless (test_web_page.sh); strace watches the loop's epoll calls (test_stacks.sh).
TEST_DEPS=(binutils python3 libc6-dbg lua5.4 procps python3.11 ltrace git prometheus curl tmux
	   nginx-light openssl apache2-utils chromium python3-websocket python3-grpcio
	   nghttp2-server python3-h2 strace)
# Stacks (optional, tests skip without): chromium renders the SVG flame graph headless;
# the stack benchmarks compare with bpftrace and elfutils' eu-addr2line.
OPTIONAL_DEPS=(chromium bpftrace elfutils libbpf-tools bpfcc-tools)

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "build.sh: run as root (BPF needs it, and dependencies are installed with apt)" >&2
		exit 1
	fi
}

install_deps() {
	local missing=()
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "build.sh: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
}

mount_tracefs() {
	if [ ! -e /sys/kernel/tracing/events ]; then
		mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
	fi
}

build() {
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j"$(nproc)"
}

# The integration tests whose runs `./build.sh test` repeats under ASan/UBSan.
ASAN_QUICK='hostile_inputs|errors|repl|capture|stacks_outputs|metrics|web'

# asan_tests [CTEST ARGS]: the integration tests with the tool on the sanitized core
# (build/ltrace-ebpf-asan). Reports go to files, so that a report from a run whose exit
# status or stderr a test does not check still fails; leaks are reported too.
asan_tests() {
	local logs rc=0
	logs=$(mktemp -d /tmp/ltrace-ebpf-asan.XXXXXX)
	(cd build && LTRACE_EBPF_UNDER_TEST=$PWD/ltrace-ebpf-asan \
		ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1" \
		UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1" \
		ctest --output-on-failure -L integration "$@") || rc=$?
	if compgen -G "$logs/*" >/dev/null; then
		echo "build.sh: sanitizer reports in $logs:" >&2
		head -n 40 "$logs"/* >&2
		return 1
	fi
	rmdir "$logs"
	return $rc
}

# The kernel matrix's packages: qemu (TCG), a static busybox for the initramfs, Debian 12's
# stock kernel (the newest linux-image-6.1.0-N-amd64 the archive has) and its 6.12 kernel
# (the linux-image-6.12-amd64 meta-package pulls the newest linux-image-6.12.N+deb12-amd64).
kernel_deps() {
	local stock
	stock_kernel() {
		apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' |
			awk '{ print $1 }' | sort -V | tail -n 1
	}
	stock=$(stock_kernel)
	if [ -z "$stock" ]; then	# a fresh machine without package lists yet
		apt-get update -qq
		stock=$(stock_kernel)
	fi
	[ -n "$stock" ] || { echo "build.sh: no linux-image-6.1.0-*-amd64 in apt" >&2; exit 1; }
	install_deps qemu-system-x86 busybox-static "$stock" linux-image-6.12-amd64
}

case "${1:-}" in
deps)
	need_root
	install_deps "${BUILD_DEPS[@]}" "${TEST_DEPS[@]}" "${OPTIONAL_DEPS[@]}"
	;;
build)
	need_root
	install_deps "${BUILD_DEPS[@]}"
	build
	;;
demo)
	need_root
	install_deps "${BUILD_DEPS[@]}"
	build
	mount_tracefs
	exec build/ltrace-ebpf examples/demo.lua -- build/examples/demo
	;;
test)
	need_root
	install_deps "${BUILD_DEPS[@]}" "${TEST_DEPS[@]}"
	build
	mount_tracefs
	rc=0
	(cd build && ctest --output-on-failure) || rc=$?
	# The whole suite under ASan takes 6-10 minutes (./build.sh asan); this subset, about
	# one, covers the hostile inputs, errors, the REPL, captures, stack outputs and --metrics.
	asan_tests -R "$ASAN_QUICK" || rc=$?
	if [ "${MATRIX:-1}" != 0 ]; then
		kernel_deps
		# run.sh's default tests on 6.1 and 6.12: about 26 minutes on CI's runner (docs/kernels.md);
		# a failure not listed in tests/kernels/expected-failures.txt fails the run.
		STRICT=1 TESTS=${MATRIX_TESTS:-} tests/kernels/run.sh || rc=$?
	fi
	exit $rc
	;;
asan)
	need_root
	install_deps "${BUILD_DEPS[@]}" "${TEST_DEPS[@]}"
	build
	mount_tracefs
	asan_tests "${@:2}"
	;;
install)
	need_root
	install_deps "${BUILD_DEPS[@]}"
	build
	prefix=${PREFIX:-/usr/local}
	cmake --install build --prefix "$prefix"
	case ":$PATH:" in
	*":$prefix/bin:"*) ;;
	*) echo "build.sh: $prefix/bin is not in PATH: export PATH=\"$prefix/bin:\$PATH\"" >&2 ;;
	esac
	echo "build.sh: installed; try: ltrace-ebpf ls, ltrace-ebpf --tools, man ltrace-ebpf"
	;;
kernels)
	need_root
	install_deps "${BUILD_DEPS[@]}" "${TEST_DEPS[@]}"
	kernel_deps
	build
	exec tests/kernels/run.sh
	;;
*)
	echo "usage: ./build.sh demo | test | install | asan | kernels | build | deps" >&2
	exit 2
	;;
esac
