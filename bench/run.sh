#!/bin/bash
# Builds ltrace-ebpf and the benchmark programs, then runs every benchmark configuration
# and prints a Markdown report (see docs/benchmarks.md). Needs root. Options go to
# bench/run.py (--help); BUILD_DIR overrides the build directory (default: build/).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build}
cmake -S "$src" -B "$build" >/dev/null
cmake --build "$build" --target bench -j"$(nproc)" >/dev/null
exec /usr/bin/python3 "$src/bench/run.py" --build-dir "$build" "$@"
