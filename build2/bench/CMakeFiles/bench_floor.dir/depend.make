# Empty dependencies file for bench_floor.
# This may be replaced when dependencies are built.
