/* The REPL's input when stdin is not a terminal (a pipe, a file, /dev/null): plain lines,
 * no readline. */
#ifndef LT_REPL_LINES_H
#define LT_REPL_LINES_H

#include <stdbool.h>

struct loop;

/* The longest line accepted from a non-terminal stdin. */
#define REPL_LINE_MAX (1 << 20)

/* line gets each line (malloc'd, without its newline, the callee frees it) and returns
 * whether to go on (false once the session ends: the lines after an exit() do not run);
 * end then gets 0 at end of input, 1 after a line longer than REPL_LINE_MAX (reported). */
typedef bool (*repl_line_cb)(char *line);
typedef void (*repl_end_cb)(int status);

int repl_lines_start(struct loop *l, int fd, repl_line_cb line, repl_end_cb end);
void repl_lines_stop(void);

#endif
