/* Header blocks decoded by nghttp2's inflater (http2_hpack.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <nghttp2/nghttp2.h>
#include "http2_hpack.h"

void *h2_hpack_new(void)
{
	nghttp2_hd_inflater *inf = NULL;

	return nghttp2_hd_inflate_new(&inf) ? NULL : inf;
}

void h2_hpack_free(void *inflater)
{
	if (inflater)
		nghttp2_hd_inflate_del(inflater);
}

void h2_hpack_table_size(void *inflater, uint32_t size)
{
	if (inflater)
		nghttp2_hd_inflate_change_table_size(inflater, size);
}

static void copy(char *dst, size_t size, const uint8_t *v, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, v, n);
	dst[n] = 0;
}

static int is(const nghttp2_nv *nv, const char *name)
{
	return nv->namelen == strlen(name) && !memcmp(nv->name, name, nv->namelen);
}

static void field(struct h2_msg *m, const nghttp2_nv *nv, const char *const *interest)
{
	char num[16];

	if (is(nv, ":method")) {
		copy(m->m.method, sizeof(m->m.method), nv->value, nv->valuelen);
		m->m.is_request = 1;
	} else if (is(nv, ":path")) {
		copy(m->m.path, sizeof(m->m.path), nv->value, nv->valuelen);
	} else if (is(nv, ":authority")) {
		copy(m->m.host, sizeof(m->m.host), nv->value, nv->valuelen);
	} else if (is(nv, ":status")) {
		copy(num, sizeof(num), nv->value, nv->valuelen);
		m->m.status = atoi(num);
	} else if (is(nv, "content-type")) {
		copy(m->content_type, sizeof(m->content_type), nv->value, nv->valuelen);
	} else if (is(nv, "grpc-status")) {
		copy(num, sizeof(num), nv->value, nv->valuelen);
		m->grpc_status = atoi(num);
	} else if (is(nv, "grpc-message")) {
		copy(m->grpc_message, sizeof(m->grpc_message), nv->value, nv->valuelen);
	} else if (nv->namelen && nv->name[0] != ':') {
		http1_msg_header(&m->m, interest, (const char *)nv->name, nv->namelen,
				 (const char *)nv->value, nv->valuelen);
	}
}

int h2_hpack_decode(void *inflater, const uint8_t *block, size_t n, struct h2_msg *m,
		    const char *const *interest)
{
	for (;;) {
		nghttp2_nv nv;
		int flags = 0;
		ssize_t used = nghttp2_hd_inflate_hd2(inflater, &nv, &flags, block, n, 1);

		if (used < 0)
			return -1;
		block += used;
		n -= (size_t)used;
		if (flags & NGHTTP2_HD_INFLATE_EMIT)
			field(m, &nv, interest);
		if (flags & NGHTTP2_HD_INFLATE_FINAL) {
			nghttp2_hd_inflate_end_headers(inflater);
			return 0;
		}
		if (!used && !(flags & NGHTTP2_HD_INFLATE_EMIT))
			return -1;	/* no progress: a truncated block */
	}
}

void h2_hpack_decode_partial(const uint8_t *block, size_t n, struct h2_msg *m,
			     const char *const *interest)
{
	void *scratch = h2_hpack_new();

	if (!scratch)
		return;
	/* the peer may have been allowed a larger table: a size update in this block must
	 * not stop it */
	h2_hpack_table_size(scratch, 1u << 20);
	h2_hpack_decode(scratch, block, n, m, interest);
	h2_hpack_free(scratch);
}
