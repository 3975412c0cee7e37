CMakeFiles/ltcore.dir/gen/embedded_lua.c.o: \
 /work/wt/thru/build2/gen/embedded_lua.c /usr/include/stdc-predef.h \
 /work/wt/thru/src/lua/embedded_lua.h \
 /usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h
