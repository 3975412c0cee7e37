/* Spans for --otlp from Lua's side (src/lua/l_span.c): paired calls' records become spans
 * (probe option `span`), export.span{} makes one, export.otlp{} sets the service name and
 * a traceparent. Without --otlp the calls are checked and do nothing. */
#ifndef LT_L_SPAN_H
#define LT_L_SPAN_H

#include <stdbool.h>

struct lua_State;
struct probe;
struct lt_rec;
struct otlp;

/* Spans go to o from now on (NULL: --otlp is off); before the script runs. */
void l_span_attach(struct lua_State *L, struct otlp *o);
/* Sends what is held (calls waiting for a parent) to the sender; after the session's
 * last records. */
void l_span_detach(void);
/* The probe option `span` of option table t (0: none): sets p->span and makes the probe
 * emit records when it has to; raises on misuse. */
void l_span_option(struct lua_State *L, int t, struct probe *p);
/* A paired call's record of a probe with p->span: one span. */
void l_span_call(const struct probe *p, const struct lt_rec *rec);
/* core.otlp_span(opts) -> traceparent; core.otlp_config(opts) -> stats table */
int l_span_new(struct lua_State *L);
int l_span_config(struct lua_State *L);

#endif
