/* Libraries loaded on first use (dl_lib.h). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include "dl_lib.h"

enum { DL_NOT_TRIED, DL_LOADED, DL_FAILED };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int load(struct dl_lib *l, const char *flag)
{
	void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		fprintf(stderr, "ltrace-ebpf: %s: cannot load %s: %s\n",
			flag, l->soname, dlerror());
		return DL_FAILED;
	}
	for (int i = 0; i < DL_LIB_SYMS_MAX && l->syms[i].name; i++) {
		if (!(*l->syms[i].slot = dlsym(h, l->syms[i].name))) {
			fprintf(stderr, "ltrace-ebpf: %s: %s has no %s\n", flag, l->soname,
				l->syms[i].name);
			return DL_FAILED;
		}
	}
	return DL_LOADED;
}

bool dl_lib_load(struct dl_lib *l, const char *flag)
{
	int state = __atomic_load_n(&l->state, __ATOMIC_ACQUIRE);

	if (state != DL_NOT_TRIED)	/* every call after the first */
		return state == DL_LOADED;
	pthread_mutex_lock(&lock);
	if (l->state == DL_NOT_TRIED)
		__atomic_store_n(&l->state, load(l, flag), __ATOMIC_RELEASE);
	state = l->state;
	pthread_mutex_unlock(&lock);
	return state == DL_LOADED;
}
