# The syscall benchmark's floor loader (bench/syscalls.sh): empty programs on the syscall
# tracepoints, raw tracepoints and BTF tracepoints.
bench_loader(sysfloor)
