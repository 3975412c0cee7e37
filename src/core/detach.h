/* Detaching many links at once, before the tool exits. A uprobe_multi link's release
 * waits for one RCU-tasks-trace grace period whatever its number of sites (~40-80 ms
 * here), so links are closed from several threads, their waits overlapping. */
#ifndef LT_DETACH_H
#define LT_DETACH_H

#include <stddef.h>
#include <stdint.h>

struct session;

/* Every probe is first switched off in the kernel (nothing is recorded, aggregated or held
 * any more, also by a call returning meanwhile), then every link of every probe is closed;
 * probes stay, detached. On return nothing of the session is left in any process: a
 * ptrace tool attaching next reads the program's own instructions, not our breakpoints:
 * a link another process holds a reference to is waited for (5 s at most, then a note). */
void detach_all(struct session *s);

/* For links closed elsewhere (a kind's own, outside its probes). The kernel id of the link
 * behind fd (0 if unknown), read before closing it. */
uint32_t detach_link_id(int fd);
/* Returns once no link of ids (zeroed as they go) exists any more, its uprobes removed
 * from every program, even if another process held a reference to it as we closed ours;
 * after 5 s a line on stderr says how many are still held. */
void detach_wait_released(uint32_t *ids, size_t n);
/* Returns once every probed site of the session's target that showed an int3 its file
 * does not have reads as the file again (2 s at most, then a line on stderr): the kernel
 * frees a link's id a moment before it takes the uprobes out (detach_sites.c). */
void detach_wait_sites(struct session *s);

#endif
