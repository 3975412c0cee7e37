/* libdemo: the library the built-in demo traces. A toy key-value cache whose lookups
 * take a few microseconds on a hit and a few hundred on a miss (a simulated backend), so
 * the traced calls show arguments, return values, and a two-humped latency histogram. */
#include <string.h>
#include <time.h>

#define SLOTS 64

static char keys[SLOTS][32];
static long values[SLOTS];

static void spin_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

static unsigned slot_of(const char *key)
{
	unsigned h = 5381;

	while (*key)
		h = h * 33 + (unsigned char)*key++;
	return h % SLOTS;
}

/* Returns the value for key, fetching it from the "backend" on a miss. */
long demo_lookup(const char *key)
{
	unsigned s = slot_of(key);

	if (strcmp(keys[s], key) == 0)
		return values[s];
	spin_us(200 + (long)(s % 7) * 50);	/* the backend round trip */
	strncpy(keys[s], key, sizeof(keys[s]) - 1);
	values[s] = (long)strlen(key) * 1000 + s;
	return values[s];
}

/* Drops key from the cache; returns 1 if it was there. */
int demo_evict(const char *key)
{
	unsigned s = slot_of(key);

	if (strcmp(keys[s], key) != 0)
		return 0;
	keys[s][0] = 0;
	return 1;
}
