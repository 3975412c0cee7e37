# Empty compiler generated dependencies file for bench_sysfloor.
# This may be replaced when dependencies are built.
