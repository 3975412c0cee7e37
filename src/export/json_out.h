/* --json[=FILE]: the session as NDJSON (docs/json.md) on stdout or in FILE. Every record
 * the session's sink gets is written as an event line before the sink it wraps (the Lua
 * callbacks) runs; the script adds its own lines (aggregates, records) through
 * json_out_write. Lines are flushed once per batch of records (each drain of the ring
 * buffer) and at once outside one, so `jq` reads them while the session runs. */
#ifndef LT_JSON_OUT_H
#define LT_JSON_OUT_H

#include <stdbool.h>

struct json_object;
struct json_out;
struct session;

/* path NULL or "-": stdout, kept for the JSON alone (fd 1 is made stderr for everything
 * else); else created as every output file is (safe_file.h). NULL after one line on
 * stderr. */
struct json_out *json_out_open(const char *path);
/* Taps s's records (session_add_tap): one event line each, flushed at the end of each
 * batch. */
void json_out_attach(struct json_out *jo, struct session *s);
/* The first line (json_enc_session), with our own argv as /proc/self/cmdline has it. */
void json_out_begin(struct json_out *jo, const char *script, int target_pid,
		    char *const *command);
/* Is the output stdout (what the script prints then goes to stderr)? */
bool json_out_is_stdout(const struct json_out *jo);
/* One line (takes o); 0 or -errno. */
int json_out_write(struct json_out *jo, struct json_object *o);
/* The last line ({"type":"end"}), flushed; the tap is removed. */
void json_out_end(struct json_out *jo, int exit_status);
/* Closes; NULL is fine. */
void json_out_close(struct json_out *jo);

#endif
