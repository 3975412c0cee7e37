/* One span on its way to an OTLP receiver: made on the event loop's thread (from a paired
 * call or export.span), then owned by the sender's queue. Flat and self-contained so the
 * loop pays a malloc or two and no JSON: the sender thread encodes it (otlp_body.c). */
#ifndef LT_OTLP_SPAN_H
#define LT_OTLP_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum otlp_attr_type { OTLP_STR, OTLP_INT, OTLP_DOUBLE, OTLP_BOOL };

struct otlp_attr {
	char *key;
	enum otlp_attr_type type;
	union {
		char *s;
		int64_t i;
		double d;
		bool b;
	};
};

/* SpanKind and StatusCode of opentelemetry/proto/trace/v1/trace.proto: the JSON mapping
 * writes them as integers. */
enum { OTLP_KIND_INTERNAL = 1, OTLP_KIND_SERVER, OTLP_KIND_CLIENT, OTLP_KIND_PRODUCER,
       OTLP_KIND_CONSUMER };
enum { OTLP_STATUS_UNSET = 0, OTLP_STATUS_OK = 1, OTLP_STATUS_ERROR = 2 };

struct otlp_span {
	uint8_t trace_id[16];
	uint8_t span_id[8];
	uint8_t parent_id[8];
	bool has_parent;
	int kind;
	int status;
	char *status_msg;	/* NULL: none */
	char *trace_state;	/* W3C tracestate carried with the trace; NULL: none */
	char *name;
	uint64_t start_ns, end_ns;	/* unix nanoseconds */
	uint32_t pid;		/* the resource's process.pid */
	char *service;		/* the resource's service.name */
	struct otlp_attr *attrs;
	size_t nattrs, cap;
};

/* A zeroed span with name, kind INTERNAL; NULL on ENOMEM. */
struct otlp_span *otlp_span_new(const char *name);
/* Adds an attribute (key and string copied); 0 or -ENOMEM. */
int otlp_span_str(struct otlp_span *sp, const char *key, const char *v, size_t len);
int otlp_span_int(struct otlp_span *sp, const char *key, int64_t v);
int otlp_span_double(struct otlp_span *sp, const char *key, double v);
int otlp_span_bool(struct otlp_span *sp, const char *key, bool v);
/* Replaces the resource's service.name (copied); 0 or -ENOMEM. */
int otlp_span_service(struct otlp_span *sp, const char *service);
void otlp_span_free(struct otlp_span *sp);

#endif
