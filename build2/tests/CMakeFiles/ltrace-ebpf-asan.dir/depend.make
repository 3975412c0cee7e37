# Empty dependencies file for ltrace-ebpf-asan.
# This may be replaced when dependencies are built.
