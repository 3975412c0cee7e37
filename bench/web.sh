#!/bin/bash
# The --http benchmark (docs/benchmarks.md, "Web page"): the view's CPU while a traced
# workload makes records as fast as it can, and the memory of kept sessions. Root.
#
#   bench/web.sh [--runs N] [--calls N] [--keep N] [--session-calls N]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
cmake --build "$BUILD" -j2 --target ltrace-ebpf bench >/dev/null
exec /usr/bin/python3 bench/web.py --build-dir "$BUILD" "$@"
