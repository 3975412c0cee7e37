/* How full the session's ring buffer is, readable from any thread (a scrape): the kernel's
 * consumer and producer positions, mapped read-only from the ring's map. libbpf 1.3 reads
 * the same two pages for ring__avail_data_size; Debian 12's libbpf 1.1 has no call for it. */
#ifndef LT_RING_LEVEL_H
#define LT_RING_LEVEL_H

#include <stdint.h>

struct ring_level {
	const uint64_t *cons, *prod;	/* NULL: not mapped (no ring, or mmap refused) */
	uint64_t size;			/* the ring's bytes */
};

/* Maps the positions of ring buffer map fd of size bytes; 0 or -errno (rl stays unmapped). */
int ring_level_open(struct ring_level *rl, int fd, uint64_t size);
/* Bytes written and not yet consumed (0 when unmapped). */
uint64_t ring_level_used(const struct ring_level *rl);
void ring_level_close(struct ring_level *rl);

#endif
