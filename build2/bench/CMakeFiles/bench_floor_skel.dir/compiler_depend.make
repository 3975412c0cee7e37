# Empty custom commands generated dependencies file for bench_floor_skel.
# This may be replaced when dependencies are built.
