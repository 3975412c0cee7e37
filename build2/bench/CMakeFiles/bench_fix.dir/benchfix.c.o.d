bench/CMakeFiles/bench_fix.dir/benchfix.c.o: \
 /work/wt/thru/bench/benchfix.c /usr/include/stdc-predef.h
