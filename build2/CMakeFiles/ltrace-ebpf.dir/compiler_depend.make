# Empty compiler generated dependencies file for ltrace-ebpf.
# This may be replaced when dependencies are built.
