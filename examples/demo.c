/* The demo workload: a "service" answering requests through libdemo's cache. Mostly
 * hits, some misses and evictions, so a trace shows both fast and slow calls. */
#include <stdio.h>
#include <stdlib.h>

long demo_lookup(const char *key);
int demo_evict(const char *key);

int main(int argc, char **argv)
{
	static const char *const users[] = { "alice", "bob", "carol", "dave", "erin",
					      "frank", "grace", "heidi" };
	int requests = argc > 1 ? atoi(argv[1]) : 200;
	long total = 0;

	for (int i = 0; i < requests; i++) {
		const char *user = users[(i * 7 + i / 3) % 8];

		total += demo_lookup(user);
		if (i % 25 == 24)
			demo_evict(users[i % 8]);
	}
	printf("demo: %d requests served, checksum %ld\n", requests, total);
	return 0;
}
