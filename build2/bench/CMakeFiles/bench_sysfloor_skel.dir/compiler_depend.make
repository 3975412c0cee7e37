# Empty custom commands generated dependencies file for bench_sysfloor_skel.
# This may be replaced when dependencies are built.
