/* One reader of /proc/PID/maps for the tool (the detach guard, the library search, the
 * symbolizer): an iterator over the mappings, a line at a time, each line bounded. */
#ifndef LT_PROC_MAPS_H
#define LT_PROC_MAPS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* A path the kernel prints is at most PATH_MAX; the fields before it and " (deleted)"
 * fit in the rest. A longer line is no line of the kernel's: it is skipped whole. */
#define PROC_MAPS_LINE_MAX (PATH_MAX + 128)

struct proc_map {
	uint64_t start, end, offset;
	char perms[5];		/* "r-xp" */
	unsigned dev_major, dev_minor;
	uint64_t inode;
	const char *path;	/* "" for an anonymous mapping, "[heap]", "/a file"; valid until
				 * the next call */
	bool deleted;		/* the file was unlinked: " (deleted)" taken off path */
};

struct proc_maps;

/* The maps of pid (getpid() for this process): 0 or -errno (-ENOENT: no such process). */
int proc_maps_open(struct proc_maps **it, int pid);
/* The same over a stream the caller opened (and closes after proc_maps_close). */
int proc_maps_from(struct proc_maps **it, FILE *f);
/* 1 with the next mapping in *m, 0 at the end, -errno when the read failed (-EIO, or a
 * process that went away meanwhile: -ESRCH). Lines that do not parse or are longer than
 * PROC_MAPS_LINE_MAX are skipped and counted. */
int proc_maps_next(struct proc_maps *it, struct proc_map *m);
/* How many lines next skipped so far. */
unsigned proc_maps_skipped(const struct proc_maps *it);
void proc_maps_close(struct proc_maps *it);

/* A file mapping of a file still linked: a path starting with '/', not deleted. */
static inline bool proc_map_is_file(const struct proc_map *m)
{
	return m->path[0] == '/' && !m->deleted;
}

#endif
