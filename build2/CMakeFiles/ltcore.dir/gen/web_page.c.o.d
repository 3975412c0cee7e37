CMakeFiles/ltcore.dir/gen/web_page.c.o: \
 /work/wt/thru/build2/gen/web_page.c /usr/include/stdc-predef.h \
 /usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h \
 /work/wt/thru/src/view/web_page.h
