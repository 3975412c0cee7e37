/* The profile and offcpu kinds' options as C setters, for their Lua table
 * (src/lua/kinds/l_kind_profile.c): mode, max_duration, cgroup. */
#ifndef LT_PROFILE_OPTS_H
#define LT_PROFILE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct probe;

/* The profile provider's kinds (struct spec_kind.variant): profile: and offcpu:. */
enum profile_variant { PROFILE_CPU, PROFILE_OFFCPU };

/* offcpu: 1 off-CPU intervals, 0 CPU samples, -1 the kind's own (offcpu: or profile:);
 * max_ns: longer off-CPU intervals are left out (0: no bound). 0, or -errno with a
 * one-line message in err. */
int profile_set_mode(struct probe *p, int offcpu, uint64_t max_ns, char *err, size_t errlen);
bool profile_is_offcpu(struct probe *p);
/* The id of a cgroup v2 directory (a path under /sys/fs/cgroup, or relative to it when
 * it starts with '/' elsewhere); 0, or -errno with a one-line message in err. */
int profile_cgroup_id(const char *path, uint64_t *id, char *err, size_t errlen);

#endif
