#!/bin/bash
# The detach benchmark: SIGINT to exit with every probe gone, for N uprobe sites, ltrace-ebpf
# next to bpftrace (docs/benchmarks.md). Root. Options: bench/detach.py --help.
exec "$(dirname "$0")/run.sh" --driver detach "$@"
