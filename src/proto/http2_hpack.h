/* HTTP/2 header blocks into messages: nghttp2's HPACK inflater (RFC 7541) from Debian's
 * libnghttp2, and the fields the tracker keeps (pseudo-headers, content-type, gRPC's
 * status and message, the HTTP/1 parser's headers of interest). */
#ifndef LT_HTTP2_HPACK_H
#define LT_HTTP2_HPACK_H

#include "http2.h"

void *h2_hpack_new(void);	/* an inflater, NULL: out of memory */
void h2_hpack_free(void *inflater);
/* SETTINGS_HEADER_TABLE_SIZE announced by the side this inflater decodes for. */
void h2_hpack_table_size(void *inflater, uint32_t size);
/* Decodes a whole block into m. 0, or -1 when the inflater failed part way (m keeps what
 * came before; the inflater is then unusable). */
int h2_hpack_decode(void *inflater, const uint8_t *block, size_t n, struct h2_msg *m,
		    const char *const *interest);
/* What of a block can be read without the connection's table: a fresh inflater knows the
 * static table and what this block itself inserts (HPACK indexes the newest entry first,
 * so those indexes mean the same in the real table); it stops at the first older entry. */
void h2_hpack_decode_partial(const uint8_t *block, size_t n, struct h2_msg *m,
			     const char *const *interest);

#endif
