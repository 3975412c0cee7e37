# Empty compiler generated dependencies file for bench_workload.
# This may be replaced when dependencies are built.
