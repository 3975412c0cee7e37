/* Answers already given, by (process, its maps generation, address, flags): real stacks
 * repeat the same few thousand return addresses, and a hit costs one hashed slot instead
 * of the mapping, symbol and line searches. Direct-mapped, so a colliding address just
 * replaces the slot; allocated on the first answer. Only answers from file-backed modules
 * are stored (JIT maps change under us; a miss may be mapped after the next re-read). */
#include <stdlib.h>
#include "symbolize_int.h"

#define CACHE_SLOTS 4096	/* power of two; 72 bytes each (288 KiB) */

struct sym_cache_slot {
	const void *owner;
	uint64_t addr;
	unsigned gen;
	unsigned flags;
	struct sym_info si;
};

struct sym_cache {
	struct sym_cache_slot slot[CACHE_SLOTS];
	size_t hits, misses;
};

static struct sym_cache_slot *slot_of(struct sym_cache *c, const void *owner, uint64_t addr,
				      unsigned flags)
{
	uint64_t h = (addr ^ (uintptr_t)owner ^ flags) * 0x9e3779b97f4a7c15ULL;

	return &c->slot[h >> (64 - 12)];
}

_Static_assert(CACHE_SLOTS == 1 << 12, "slot_of takes the top 12 bits of the hash");

bool sym_cache_get(struct sym_cache *c, const void *owner, unsigned gen, uint64_t addr,
		   unsigned flags, struct sym_info *out)
{
	struct sym_cache_slot *s;

	if (!c)
		return false;
	s = slot_of(c, owner, addr, flags);
	if (s->owner != owner || s->addr != addr || s->gen != gen || s->flags != flags) {
		c->misses++;
		return false;
	}
	c->hits++;
	*out = s->si;
	return true;
}

void sym_cache_put(struct sym_cache **cp, const void *owner, unsigned gen, uint64_t addr,
		   unsigned flags, const struct sym_info *si)
{
	struct sym_cache_slot *s;

	if (!*cp && !(*cp = calloc(1, sizeof(**cp))))
		return;		/* no cache: every question is answered afresh */
	s = slot_of(*cp, owner, addr, flags);
	*s = (struct sym_cache_slot){ owner, addr, gen, flags, *si };
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
