/* The JSON encoder (src/export/json_enc.h) from Lua: core.json_encode, and the --json
 * output (json_out.h) for the script's own lines (docs/json.md). */
#ifndef LT_L_JSON_H
#define LT_L_JSON_H

struct lua_State;
struct json_out;

/* Adds json_encode, json_start, json_active, json_emit, json_agg to the table on top
 * (ltrace.core). */
void l_json_open(struct lua_State *L);
/* Starts the session's JSON output jo (taken): every record becomes an event line, the
 * session line is written, the prelude's "json" phase runs (print of an aggregate becomes
 * its line; with jo on stdout, what the script prints goes to stderr). From --json
 * (src/app/run.c) or a tool's -j (core.json_start). */
void l_json_start(struct lua_State *L, struct json_out *jo, const char *script, int target_pid,
		  char *const *command);
/* The output started, or NULL. */
struct json_out *l_json_out(struct lua_State *L);

#endif
