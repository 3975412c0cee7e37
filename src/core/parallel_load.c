/* Template objects loaded in threads: see parallel_load.h. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <bpf/libbpf.h>
#include "parallel_load.h"

struct load_job {
	struct bpf_object_skeleton *skel;
	int rc;
};

static void *load_one(void *arg)
{
	struct load_job *j = arg;

	j->rc = bpf_object__load_skeleton(j->skel);
	return NULL;
}

int load_parallel(struct bpf_object_skeleton *const skels[], int n, int rcs[])
{
	struct load_job jobs[LOAD_PARALLEL_MAX];
	pthread_t threads[LOAD_PARALLEL_MAX];
	bool started[LOAD_PARALLEL_MAX] = {};
	int rc = 0;

	if (n > LOAD_PARALLEL_MAX)
		return -E2BIG;
	for (int i = 0; i < n; i++) {
		jobs[i] = (struct load_job){ skels[i], 0 };
		/* When no thread starts, here in turn. */
		started[i] = i && !pthread_create(&threads[i], NULL, load_one, &jobs[i]);
	}
	for (int i = 0; i < n; i++)
		if (!started[i])
			load_one(&jobs[i]);
	for (int i = 0; i < n; i++) {
		if (started[i])
			pthread_join(threads[i], NULL);
		if (rcs)
			rcs[i] = jobs[i].rc;
		if (jobs[i].rc && !rc)
			rc = jobs[i].rc;
	}
	return rc;
}
