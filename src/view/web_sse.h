/* GET /api/events: the live events as Server-Sent Events. Each client reads the ring
 * (web_events.h) at its own pace from the HTTP thread; with nothing to send it is
 * suspended (no busy wait) and a ticker resumes it when events arrive or a keep-alive is
 * due. A client that falls a whole ring behind (it stopped reading) is dropped and
 * counted; one that never reads again (its socket full, so no read is asked of us) is
 * closed by the connection timeout, and counted the same when the ring overtook it. */
#ifndef LT_WEB_SSE_H
#define LT_WEB_SSE_H

#include <stdint.h>
#include <microhttpd.h>

#define WEB_SSE_MAX 32		/* streams at once; more get 503 */

struct web_events;
struct web_sse;

struct web_sse_counts {
	uint64_t open;		/* streams now */
	uint64_t served;	/* streams started */
	uint64_t refused;	/* over WEB_SSE_MAX */
	uint64_t dropped_slow;	/* fell a whole ring behind */
	uint64_t skipped;	/* events those clients missed */
};

struct web_sse *wsse_new(struct web_events *ev);
/* Ends every stream; before MHD_stop_daemon (suspended streams are resumed to end). */
void wsse_shutdown(struct web_sse *s);
/* After MHD_stop_daemon. */
void wsse_free(struct web_sse *s);
/* Queues the stream (or a 503 when WEB_SSE_MAX are open). */
enum MHD_Result wsse_serve(struct web_sse *s, struct MHD_Connection *c);
void wsse_counts(struct web_sse *s, struct web_sse_counts *out);

#endif
