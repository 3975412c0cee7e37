/* Parent and child from the nesting of paired calls on a thread. A call's record comes at
 * its return, so children come before their parent: each thread keeps the calls that
 * returned and have no parent yet; a call that started before them (on the same thread,
 * and returned after them) is their parent. A call is taken for a root, and its tree
 * (one trace) sent, once it has waited `hold` without an enclosing call returning, when
 * the thread holds too many, or at the end. */
#ifndef LT_OTLP_NEST_H
#define LT_OTLP_NEST_H

#include <stdbool.h>
#include <stdint.h>
#include "otlp_span.h"

struct otlp_nest;
typedef void (*otlp_emit_fn)(void *ctx, struct otlp_span *sp);

#define OTLP_NEST_HOLD_MS 1000	/* a returned call waits this long for its parent */
#define OTLP_NEST_MAX_SPANS 4096	/* spans a thread may hold back; the oldest tree goes */

struct otlp_nest *otlp_nest_new(otlp_emit_fn emit, void *ctx);
/* sp (span id and times set) returned on thread tid; the nest owns it from now on. */
void otlp_nest_add(struct otlp_nest *n, uint32_t tid, struct otlp_span *sp);
/* The roots from now on belong to this trace, children of this span (a traceparent);
 * NULL ids: new traces again. */
void otlp_nest_set_parent(struct otlp_nest *n, const uint8_t *trace_id, const uint8_t *span_id);
/* Sends the trees whose root ended more than hold_ms before now_unix_ns (all: 0). */
void otlp_nest_age(struct otlp_nest *n, uint64_t now_unix_ns, uint64_t hold_ms);
/* Sends everything held (as roots) and frees. */
void otlp_nest_free(struct otlp_nest *n);

#endif
