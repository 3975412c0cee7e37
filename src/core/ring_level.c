/* The ring's fill level from its position pages (ring_level.h): page 0 holds the
 * consumer's position, page 1 the producer's, both u64 at the start of the page. */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include "ring_level.h"

int ring_level_open(struct ring_level *rl, int fd, uint64_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	void *cons, *prod;

	*rl = (struct ring_level){ .size = size };
	cons = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	if (cons == MAP_FAILED)
		return -errno;
	prod = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, page);
	if (prod == MAP_FAILED) {
		int rc = -errno;

		munmap(cons, page);
		return rc;
	}
	rl->cons = cons;
	rl->prod = prod;
	return 0;
}

uint64_t ring_level_used(const struct ring_level *rl)
{
	uint64_t cons, prod;

	if (!rl || !rl->cons)
		return 0;
	/* Acquire, as the consumer reads them: the producer's position is read last so the
	 * difference is never negative. */
	cons = __atomic_load_n(rl->cons, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n(rl->prod, __ATOMIC_ACQUIRE);
	return prod - cons <= rl->size ? prod - cons : rl->size;
}

void ring_level_close(struct ring_level *rl)
{
	long page = sysconf(_SC_PAGESIZE);

	if (rl->cons)
		munmap((void *)rl->cons, page);
	if (rl->prod)
		munmap((void *)rl->prod, page);
	*rl = (struct ring_level){ 0 };
}
