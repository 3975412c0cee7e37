/* Symbolization: addresses of traced processes and of the kernel to function, offset,
 * module and (when debug information exists) source file and line. One symbolizer per
 * session caches everything lazily: each process's /proc/PID/maps (kept after the process
 * exits), each module's symbol table once per build-id (its own .symtab/.dynsym, a separate
 * debug file found by build-id or .gnu_debuglink, MiniDebugInfo), DWARF line tables,
 * /proc/kallsyms and JIT maps (/tmp/perf-PID.map). C++ and Rust names are demangled.
 *
 * Strings in a struct sym_info stay valid until symbolizer_free. Not thread-safe. */
#ifndef LT_SYMBOLIZE_H
#define LT_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct symbolizer;
struct sym_module;

struct sym_info {
	const char *name;	/* demangled function; NULL when unknown */
	uint64_t offset;	/* address - function start */
	const char *module;	/* the mapped file, "[kernel]", "[vdso]", "[jit]"; NULL: unmapped */
	uint64_t module_off;	/* address in the module's own (link-time) address space */
	const char *file;	/* source file (SYM_LINES and DWARF line info present) */
	int line;
};

enum sym_flags {
	SYM_LINES = 1 << 0,	/* file:line too (DWARF: slower on first use per module) */
	SYM_RETADDR = 1 << 1,	/* a return address: attribute it to the call before it */
	SYM_NO_DEMANGLE = 1 << 2,
};

struct symbolizer *symbolizer_new(void);
void symbolizer_free(struct symbolizer *sy);
/* 0, or -ENOENT when nothing is known about the address (out->module NULL). */
int symbolize_user(struct symbolizer *sy, int pid, uint64_t addr, unsigned flags,
		   struct sym_info *out);
int symbolize_kernel(struct symbolizer *sy, uint64_t addr, unsigned flags, struct sym_info *out);
/* Repeated user addresses are answered from a cache of 4096 answers: how often it hit. */
void symbolizer_cache_stats(const struct symbolizer *sy, size_t *hits, size_t *misses);
/* Reads /proc/PID/maps now (a process whose stacks will be read after it exits). 0 or
 * -errno; a process already known keeps its maps when it is gone. */
int symbolizer_track(struct symbolizer *sy, int pid);
/* Starts following every process's executable mmaps, execs and forks (perf side-band
 * records), so processes that exit before their stacks are read keep their maps. 0 or
 * -errno (needs CAP_PERFMON). */
int symbolizer_watch(struct symbolizer *sy);
/* Side-band records the watcher lost (its ring was full), and exited processes whose maps
 * were let go (more than 8192 processes seen): frames of those processes may be unnamed. */
uint64_t symbolizer_watch_lost(const struct symbolizer *sy);
/* Applies what the watcher has recorded since the last question. Called when one of
 * symbolizer_watch_fds is readable (a ring half full), its rings do not fill however busy
 * the machine; otherwise they are read only when a stack is. */
void symbolizer_sync(struct symbolizer *sy);
int symbolizer_watch_fds(const struct symbolizer *sy, int *fds, int max);
/* Re-reads the maps of every tracked process that is still alive (new libraries). */
void symbolizer_refresh_all(struct symbolizer *sy);
/* The command name of pid as last seen; NULL when never seen. */
const char *symbolizer_comm(struct symbolizer *sy, int pid);

/* The module mapped at addr in pid, and addr's file-relative vaddr in it (DWARF unwinding
 * reports modules from these). NULL when addr is not in a file-backed mapping. */
struct sym_module *symbolizer_module_at(struct symbolizer *sy, int pid, uint64_t addr,
					uint64_t *map_start, uint64_t *map_pgoff);
const char *sym_module_path(const struct sym_module *m);
/* Is addr in an executable mapping of pid (a plausible return address)? */
bool symbolizer_is_mapped(struct symbolizer *sy, int pid, uint64_t addr);
/* Every file-backed executable mapping of pid, and in *gen a number that changes whenever
 * they do (fn may be NULL to read just that). 0 or -ESRCH when nothing is known. */
int symbolizer_maps(struct symbolizer *sy, int pid, unsigned *gen,
		    void (*fn)(void *ctx, const char *path, uint64_t start, uint64_t end,
			       uint64_t pgoff),
		    void *ctx);

/* Debug file search roots: "/usr/lib/debug" after any in $LTRACE_EBPF_DEBUG_DIRS
 * (colon-separated). */
size_t symbolize_debug_roots(const char **roots, size_t max);

#endif
