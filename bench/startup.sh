#!/bin/bash
# The start-up benchmark: exec to probes attached and peak RSS of every tool in scripts/,
# next to libbpf-tools and bpftrace (docs/benchmarks.md). Root. Options: bench/startup.py
# --help.
exec "$(dirname "$0")/run.sh" --driver startup "$@"
