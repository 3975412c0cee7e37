/* A batch of spans as an OTLP/HTTP JSON body: ExportTraceServiceRequest in the proto3 JSON
 * mapping as OTLP specifies it (lowerCamelCase keys, trace and span ids as hex, enums as
 * integers, 64-bit integers and times as decimal strings). */
#ifndef LT_OTLP_BODY_H
#define LT_OTLP_BODY_H

#include <stddef.h>
#include "otlp_span.h"

/* Spans grouped into one resourceSpans per (service.name, process.pid), each resource with
 * host.name = host; a malloc'd string (its length in *len), NULL on ENOMEM. */
char *otlp_body(struct otlp_span *const *spans, size_t n, const char *host, size_t *len);

#endif
