# Empty compiler generated dependencies file for bench_fix.
# This may be replaced when dependencies are built.
