/* Tab completion at the REPL's prompt (readline). */
#ifndef LT_REPL_COMPLETE_H
#define LT_REPL_COMPLETE_H

struct lua_State;

/* Installs the completer: probe kinds; after "KIND:" what that kind names (libraries and
 * their functions, tracepoint categories and events, syscalls); Lua globals and the
 * fields of global tables ("string.fo"). pid (0: none) is the -p target, whose mapped
 * libraries complete too. */
void repl_complete_init(struct lua_State *L, int pid);

#endif
