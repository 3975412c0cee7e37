#!/bin/bash
# The syscall benchmark: what a per-syscall latency histogram adds to each read(), for
# ltrace-ebpf, bpftrace, libbpf-tools and BCC, against empty programs (docs/benchmarks.md).
# Root. Options: bench/syscalls.py --help.
exec "$(dirname "$0")/run.sh" --driver syscalls "$@"
