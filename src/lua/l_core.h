/* The C core module, require("ltrace.core"): probes, timers, counters, exit. The DSL in
 * lua/prelude.lua wraps it into the globals scripts use. */
#ifndef LT_L_CORE_H
#define LT_L_CORE_H

struct lua_State;
struct probe;

int luaopen_ltrace_core(struct lua_State *L);
/* probe userdata (src/lua/l_probe.c) */
void l_probe_open(struct lua_State *L);
int l_probe_new(struct lua_State *L);
/* The probe of the handle at idx (an error when it is not one, or released). */
struct probe *l_probe_check(struct lua_State *L, int idx);
/* Option key of table t as a duration in ns (a number of ns or "1ms"); 0 when absent. */
unsigned long long l_probe_opt_duration(struct lua_State *L, int t, const char *key);
/* timer userdata (src/lua/l_timer.c) */
void l_timer_open(struct lua_State *L);
int l_timer_new(struct lua_State *L);
/* in-kernel aggregates of a probe as entries for agg.from_kernel (src/lua/l_agg.c) */
int l_agg_read(struct lua_State *L, struct probe *p);
/* core.export_prometheus (src/lua/l_export.c) */
int l_export_prometheus(struct lua_State *L);
/* core.create, core.read_file (src/lua/l_file.c) */
int l_file_create(struct lua_State *L);
int l_file_read(struct lua_State *L);

#endif
