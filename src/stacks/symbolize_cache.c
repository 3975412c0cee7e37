/* Answers already given, by (process, its maps generation, address, flags): real stacks
 * repeat the same few thousand return addresses, and a hit costs one hashed slot instead
 * of the mapping, symbol and line searches. Two ways per set: a new answer goes first and
 * pushes out the older of the two (direct-mapped lost a fifth of a 2,000-address working
 * set to collisions); allocated on the first answer. Only answers from file-backed modules
 * are stored (JIT maps change under us; a miss may be mapped after the next re-read). */
#include <stdlib.h>
#include "symbolize_int.h"

#define CACHE_SETS 2048		/* power of two; 2 x 72 bytes each (288 KiB) */

struct sym_cache_slot {
	const void *owner;
	uint64_t addr;
	unsigned gen;
	unsigned flags;
	struct sym_info si;
};

struct sym_cache {
	struct sym_cache_slot set[CACHE_SETS][2];	/* [0]: the newer */
	size_t hits, misses;
};

static struct sym_cache_slot *set_of(struct sym_cache *c, const void *owner, uint64_t addr,
				     unsigned flags)
{
	uint64_t h = (addr ^ (uintptr_t)owner ^ flags) * 0x9e3779b97f4a7c15ULL;

	return c->set[h >> (64 - 11)];
}

_Static_assert(CACHE_SETS == 1 << 11, "set_of takes the top 11 bits of the hash");

static bool slot_is(const struct sym_cache_slot *s, const void *owner, unsigned gen,
		    uint64_t addr, unsigned flags)
{
	return s->owner == owner && s->addr == addr && s->gen == gen && s->flags == flags;
}

bool sym_cache_get(struct sym_cache *c, const void *owner, unsigned gen, uint64_t addr,
		   unsigned flags, struct sym_info *out)
{
	struct sym_cache_slot *set;

	if (!c)
		return false;
	set = set_of(c, owner, addr, flags);
	for (int way = 0; way < 2; way++)
		if (slot_is(&set[way], owner, gen, addr, flags)) {
			c->hits++;
			*out = set[way].si;
			return true;
		}
	c->misses++;
	return false;
}

void sym_cache_put(struct sym_cache **cp, const void *owner, unsigned gen, uint64_t addr,
		   unsigned flags, const struct sym_info *si)
{
	struct sym_cache_slot *set;

	if (!*cp && !(*cp = calloc(1, sizeof(**cp))))
		return;		/* no cache: every question is answered afresh */
	set = set_of(*cp, owner, addr, flags);
	set[1] = set[0];
	set[0] = (struct sym_cache_slot){ owner, addr, gen, flags, *si };
}

void sym_cache_stats(const struct sym_cache *c, size_t *hits, size_t *misses)
{
	*hits = c ? c->hits : 0;
	*misses = c ? c->misses : 0;
}

void sym_cache_free(struct sym_cache *c)
{
	free(c);
}
