/* USDT probes on one uprobe_multi link per probe: what libbpf's USDT manager does for
 * usdt.bpf.h, without its one classic perf-event link per location (each of which costs a
 * grace period under the kernel's event_mutex to release). Each location's argument spec
 * goes into the program's __bpf_usdt_specs map under a spec id, the id is the location's
 * bpf cookie (usdt.bpf.h reads it with bpf_get_attach_cookie), and the spec carries the
 * probe's own cookie; semaphores go in as ref_ctr_offsets. */
#ifndef LT_USDT_MULTI_H
#define LT_USDT_MULTI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "usdt_notes.h"

/* The session's spec ids: slots of the __bpf_usdt_specs array map. */
struct usdt_spec_pool {
	int map_fd;
	uint32_t max;
	bool *used;
};

/* The ids one probe holds, returned to the pool when it is attached again or freed. */
struct usdt_spec_ids {
	uint32_t *v;
	size_t n;
};

/* 0 or -ENOMEM. */
int usdt_spec_pool_init(struct usdt_spec_pool *pool, int map_fd, uint32_t max);
void usdt_spec_pool_free(struct usdt_spec_pool *pool);
void usdt_spec_ids_release(struct usdt_spec_pool *pool, struct usdt_spec_ids *ids);

/* Attaches prog_fd at every note whose site[i] >= 0, the spec's cookie being
 * probe_id << 32 | site[i]; pid > 0 limits it to that process. The link fd, or -errno
 * with err set (an argument spec usdt.bpf.h cannot read, no spec id left, the kernel's
 * refusal). */
int usdt_multi_attach(int prog_fd, struct usdt_spec_pool *pool, struct usdt_spec_ids *ids,
		      const char *path, const struct usdt_note_list *notes, const int *site,
		      uint32_t probe_id, int pid, char *err, size_t errlen);

#endif
