/* One tracing run, phase by phase: target, session, script, begin, release, loop,
 * end. main() only picks the mode; this owns the order of things. */
#ifndef LT_RUN_H
#define LT_RUN_H

struct cli;

/* Returns the process exit status. */
int run_session(const struct cli *c);
int run_lua_test(const struct cli *c);
int run_list(const struct cli *c);

#endif
