#!/bin/bash
# Builds ltrace-ebpf and the benchmark programs, then runs a benchmark driver and prints
# its Markdown report (see docs/benchmarks.md). Needs root. Without --driver: run.py (the
# uprobe benchmarks); bench/syscalls.sh and bench/startup.sh name theirs. Other options go
# to the driver (--help); BUILD_DIR overrides the build directory (default: build/).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build}
driver=run
if [ "${1:-}" = --driver ]; then
	driver=$2
	shift 2
fi
cmake -S "$src" -B "$build" >/dev/null
cmake --build "$build" --target bench -j"$(nproc)" >/dev/null
exec /usr/bin/python3 "$src/bench/$driver.py" --build-dir "$build" "$@"
