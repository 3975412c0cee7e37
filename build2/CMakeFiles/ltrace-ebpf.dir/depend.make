# Empty dependencies file for ltrace-ebpf.
# This may be replaced when dependencies are built.
