/* Inside the symbolizer: symbol tables, modules (one per file, shared by build-id), process
 * maps, and the parts that fill them. Only src/stacks/symbolize*.c include this. */
#ifndef LT_SYMBOLIZE_INT_H
#define LT_SYMBOLIZE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "symbolize.h"

/* How many of the n elements of v (stride bytes apart, sorted by the uint64_t at key_off)
 * have a key <= x; the last of them is at the count - 1. The one binary search behind every
 * sorted table here (maps, symbols, line rows, kallsyms); inlined with constant strides.
 * Branchless (the step is a conditional move): on tables larger than the caches, random
 * addresses would mispredict every other branch, each one waiting for a cache miss. */
static inline size_t sym_count_le(const void *v, size_t n, size_t stride, size_t key_off,
				  uint64_t x)
{
	const char *base = (const char *)v + key_off;

	if (!n)
		return 0;
	while (n > 1) {		/* keys before base are <= x, from base + n on > x */
		size_t half = n / 2;

		/* Both places the next step may look at: the misses overlap this one's. */
		__builtin_prefetch(base + (n - half) / 2 * stride);
		__builtin_prefetch(base + (half + (n - half) / 2) * stride);
		base = *(const uint64_t *)(base + half * stride) <= x ? base + half * stride : base;
		n -= half;
	}
	return (size_t)(base - ((const char *)v + key_off)) / stride + (*(const uint64_t *)base <= x);
}

#define SYM_COUNT_LE(v, n, key, x) \
	sym_count_le((v), (n), sizeof(*(v)), offsetof(__typeof__(*(v)), key), (x))

struct sym_entry {
	uint64_t addr;
	uint64_t size;		/* 0: up to the next symbol */
	uint32_t name;		/* offset in the table's pool */
	uint8_t bind;		/* STB_* (preference among aliases) */
	uint8_t pad[3];
};

/* Sorted by address, one entry per address; names demangled on first use. */
struct sym_table {
	struct sym_entry *v;
	size_t n, cap;
	char *pool;
	size_t pool_len, pool_cap;
	char **demangled;	/* [n], NULL until first asked */
};

int sym_table_add(struct sym_table *t, uint64_t addr, uint64_t size, const char *name,
		  uint8_t bind);
/* Sorts and folds aliases; call once after the adds. */
void sym_table_finish(struct sym_table *t);
/* The entry covering addr, or NULL. */
const struct sym_entry *sym_table_find(const struct sym_table *t, uint64_t addr);
const char *sym_table_name(struct sym_table *t, const struct sym_entry *e, bool demangle);
void sym_table_free(struct sym_table *t);

struct sym_load {
	uint64_t offset, vaddr, filesz;
};

#define SYM_MAX_LOADS 16
#define SYM_BUILD_ID_MAX 64

struct sym_lines;

struct sym_module {
	char *path;
	dev_t dev;
	ino_t ino;
	unsigned char build_id[SYM_BUILD_ID_MAX];
	size_t build_id_len;
	bool loaded;		/* symbols read (or tried) */
	bool is_exec;		/* ET_EXEC: addresses are absolute */
	struct sym_load load[SYM_MAX_LOADS];
	int nload;
	struct sym_table syms;
	char *debug_path;	/* separate debug file, when one was found */
	struct sym_lines *lines;	/* DWARF lines, opened on first use */
	bool lines_tried;
	const void *image;	/* in-memory ELF (the vdso), instead of path */
	size_t image_len;
};

/* Reads build-id, segments and every symbol source of m (symbolize_elf.c). */
int sym_module_load(struct sym_module *m);
/* A file offset to the module's own vaddr, through its PT_LOAD segments. */
uint64_t sym_module_vaddr(const struct sym_module *m, uint64_t file_off);
void sym_module_free(struct sym_module *m);
/* The build-id of an ELF file (no symbols read): 0 or -errno. */
int sym_file_build_id(const char *path, unsigned char *id, size_t *len);

/* Debug files (symbolize_debug.c): by build-id under each root, then .gnu_debuglink. A
 * malloc'd path or NULL. */
struct Elf;
char *sym_find_debug_file(const char *path, const unsigned char *build_id, size_t id_len,
			  const char *debuglink);
/* MiniDebugInfo: the xz-compressed ELF in .gnu_debugdata, decompressed (malloc'd). */
void *sym_minidebug_decompress(const void *xz, size_t len, size_t *out_len);

/* DWARF lines (symbolize_lines.c). */
int sym_lines_lookup(struct sym_module *m, uint64_t vaddr, const char **file, int *line);
void sym_lines_free(struct sym_lines *l);

/* Kernel symbols (symbolize_kernel.c). */
struct sym_kernel;
struct sym_kernel *sym_kernel_load(void);
int sym_kernel_lookup(struct sym_kernel *k, uint64_t addr, unsigned flags, struct sym_info *out);
void sym_kernel_free(struct sym_kernel *k);

/* JIT maps (symbolize_jit.c): /tmp/perf-PID.map, re-read when it changes. */
struct sym_jit;
struct sym_jit *sym_jit_new(int pid);
int sym_jit_lookup(struct sym_jit *j, uint64_t addr, unsigned flags, struct sym_info *out);
void sym_jit_free(struct sym_jit *j);

/* Answers already given (symbolize_cache.c): owner and gen say which process and which
 * state of its maps the answer belongs to. get: true and *out filled on a hit. put
 * allocates the cache on first use. */
struct sym_cache;
bool sym_cache_get(struct sym_cache *c, const void *owner, unsigned gen, uint64_t addr,
		   unsigned flags, struct sym_info *out);
void sym_cache_put(struct sym_cache **cp, const void *owner, unsigned gen, uint64_t addr,
		   unsigned flags, const struct sym_info *si);
void sym_cache_stats(const struct sym_cache *c, size_t *hits, size_t *misses);
void sym_cache_free(struct sym_cache *c);

/* Demangles C++ and Rust names; NULL when name is not mangled (malloc'd otherwise). */
char *sym_demangle(const char *name);

#endif
