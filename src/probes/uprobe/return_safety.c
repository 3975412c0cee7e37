/* Where a return probe would harm the traced program. A return probe (uretprobe:, call:,
 * the ltrace front end's returns and -c) takes the word at the top of the stack at the
 * function's first instruction for its return address and replaces it with the kernel's
 * trampoline. That is wrong for:
 *  - functions that return twice (setjmp, sigsetjmp, vfork, getcontext, swapcontext ...):
 *    they save the return address for a second return, which then lands in the trampoline
 *    with no return pending: SIGILL, a thread spinning on the uretprobe syscall, SIGSEGV;
 *  - entry points (e_entry of a program or of ld.so, i.e. _start): the kernel starts them
 *    with argc at the top of the stack, and the probe overwrites it;
 *  - code entered by a jump with data at the top of the stack: ld.so's lazy-binding
 *    resolvers (_dl_runtime_resolve*, _dl_runtime_profile*: link map and relocation
 *    index), __restore_rt (a signal frame), __start_context (makecontext's uc_link);
 *  - any site past a function's first instruction (FUNC+OFF, an address inside a function),
 *    as the kernel refuses kretprobes there: the function may have pushed by then.
 * Functions that never return (exit, __libc_start_main) are harmless: no return, no harm.
 * A function is judged at its address: a symbol there in any of these families, in the
 * object's tables or its debug file, condemns every alias (_setjmp and __GI__setjmp are
 * one function), so whatever name a binary calls is covered. Answers are kept per file. */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf_plt.h"
#include "elf_symbols.h"
#include "libpath_needed.h"
#include "return_safety.h"

static const char WHY_TWICE[] = "it returns twice, and its second return would land in the "
	"return probe's trampoline (SIGILL, a hang or a crash); use uprobe:";
static const char WHY_ENTRY[] = "it is an entry point: the kernel starts it with argc, not a "
	"return address, at the top of the stack; use uprobe:";
static const char WHY_JUMP[] = "it is entered by a jump, with no return address at the top "
	"of its stack; use uprobe:";
static const char WHY_INSIDE[] = "a return probe must be on a function's first "
	"instruction, where the top of the stack is its return address";

/* GCC's returns_twice names (special_function_p: after leading underscores) and
 * swapcontext, which saves a context a later setcontext resumes. */
static const char *const twice_names[] = { "setjmp", "setjmp_syscall", "secure_setjmp",
					   "qsetjmp", "sigsetjmp", "savectx", "vfork",
					   "libc_vfork", "getcontext", "swapcontext" };
/* Code not entered by a call: (fnmatch glob, why). */
static const struct {
	const char *glob, *why;
} jumped_to[] = {
	{ "_start", WHY_ENTRY }, { "_dl_start_user", WHY_ENTRY },
	{ "_dl_runtime_resolve*", WHY_JUMP }, { "_dl_runtime_profile*", WHY_JUMP },
	{ "__restore_rt", WHY_JUMP }, { "__start_context", WHY_JUMP },
};

struct bad_range {
	uint64_t lo, hi;	/* vaddrs in the file's own address space */
	uint64_t off;		/* file offset of lo (UINT64_MAX: none), what sites are */
	const char *why;
};

struct bad_name {
	char *name;
	const char *why;
};

/* What one file holds that return probes must avoid. */
struct obj_facts {
	char *path;
	struct bad_range *ranges;
	size_t nranges;
	struct bad_name *names;	/* every symbol in a bad range, sorted */
	size_t nnames;
	char **deps;		/* the DT_NEEDED libraries, resolved (return_unsafe_import) */
	size_t ndeps;
	bool deps_known;
	struct obj_facts *next;
};

static struct obj_facts *facts_cache;
static pthread_mutex_t facts_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *family_of(const char *name)
{
	const char *bare = name + strspn(name, "_");
	size_t len = strcspn(bare, "@");	/* versioned .symtab names: "vfork@GLIBC_2.2.5" */

	for (size_t i = 0; i < sizeof(twice_names) / sizeof(twice_names[0]); i++)
		if (strlen(twice_names[i]) == len && !strncmp(bare, twice_names[i], len))
			return WHY_TWICE;
	for (size_t i = 0; i < sizeof(jumped_to) / sizeof(jumped_to[0]); i++)
		if (!fnmatch(jumped_to[i].glob, name, 0))
			return jumped_to[i].why;
	return NULL;
}

static int add_range(struct obj_facts *f, uint64_t lo, uint64_t size, const char *why)
{
	struct bad_range *v = realloc(f->ranges, (f->nranges + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	f->ranges = v;
	v[f->nranges++] = (struct bad_range){ lo, lo + (size ? size : 1), UINT64_MAX, why };
	return 0;
}

static const struct bad_range *range_at(const struct obj_facts *f, uint64_t vaddr)
{
	for (size_t i = 0; i < f->nranges; i++)
		if (vaddr >= f->ranges[i].lo && vaddr < f->ranges[i].hi)
			return &f->ranges[i];
	return NULL;
}

/* Pass 1: the ranges of the families' functions. */
static int ranges_cb(const char *name, uint64_t addr, uint64_t size, void *ctx)
{
	const char *why = family_of(name);

	return why ? add_range(ctx, addr, size, why) : 0;
}

/* Pass 2: every name at one of those addresses (the aliases). */
static int names_cb(const char *name, uint64_t addr, uint64_t size, void *ctx)
{
	struct obj_facts *f = ctx;
	const struct bad_range *r = range_at(f, addr);
	struct bad_name *v;

	(void)size;
	if (!r)
		return 0;
	if (!(v = realloc(f->names, (f->nnames + 1) * sizeof(*v))))
		return -ENOMEM;
	f->names = v;
	v[f->nnames].why = r->why;
	if (!(v[f->nnames].name = strndup(name, strcspn(name, "@"))))
		return -ENOMEM;
	f->nnames++;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct bad_name *)a)->name, ((const struct bad_name *)b)->name);
}

/* Both passes over the file's own tables and its debug file, where stripped libraries keep
 * their local aliases and ld.so its jump-entered code. */
static void walk(const char *path, const char *debug,
		 int (*fn)(const char *, uint64_t, uint64_t, void *), struct obj_facts *f)
{
	elf_each_func(path, fn, f, NULL, 0);
	if (debug[0])
		elf_each_func(debug, fn, f, NULL, 0);
}

static struct obj_facts *facts_build(const char *path)
{
	struct obj_facts *f = calloc(1, sizeof(*f));
	struct elf_exe_info info;
	char debug[PATH_MAX];

	if (!f || !(f->path = strdup(path))) {
		free(f);
		return NULL;
	}
	if (elf_debug_file(path, debug, sizeof(debug), NULL, 0))
		debug[0] = 0;
	if (!elf_exe_info(path, &info, NULL, 0) && info.entry)
		add_range(f, info.entry, 1, WHY_ENTRY);
	walk(path, debug, ranges_cb, f);
	walk(path, debug, names_cb, f);
	for (size_t i = 0; i < f->nranges; i++)	/* once here, not a file read per site */
		if (elf_vaddr_to_offset(path, f->ranges[i].lo, &f->ranges[i].off, NULL, 0))
			f->ranges[i].off = UINT64_MAX;
	if (f->nnames)
		qsort(f->names, f->nnames, sizeof(*f->names), cmp_name);
	return f;
}

/* The facts of path, built once (NULL: out of memory, then nothing is known). */
static struct obj_facts *facts_of(const char *path)
{
	struct obj_facts *f;

	for (f = facts_cache; f; f = f->next)
		if (!strcmp(f->path, path))
			return f;
	if ((f = facts_build(path))) {
		f->next = facts_cache;
		facts_cache = f;
	}
	return f;
}

static const char *name_why(const struct obj_facts *f, const char *name)
{
	struct bad_name key = { .name = (char *)name }, *hit;

	if (!f || !f->nnames)
		return NULL;
	hit = bsearch(&key, f->names, f->nnames, sizeof(*f->names), cmp_name);
	return hit ? hit->why : NULL;
}

static bool say(const char *why, char *out, size_t outlen)
{
	if (why)
		snprintf(out, outlen, "%s", why);
	return why != NULL;
}

bool return_unsafe_func(const char *path, const char *name, char *why, size_t whylen)
{
	const char *w = family_of(name);

	pthread_mutex_lock(&facts_lock);
	if (!w)
		w = name_why(facts_of(path), name);
	pthread_mutex_unlock(&facts_lock);
	return say(w, why, whylen);
}

bool return_unsafe_site(const char *path, uint64_t off, char *why, size_t whylen)
{
	const char *w = NULL;
	struct obj_facts *f;

	pthread_mutex_lock(&facts_lock);
	f = facts_of(path);
	for (size_t i = 0; f && !w && i < f->nranges; i++) {
		const struct bad_range *r = &f->ranges[i];

		if (r->off != UINT64_MAX && off >= r->off && off - r->off < r->hi - r->lo)
			w = r->why;
	}
	pthread_mutex_unlock(&facts_lock);
	return say(w, why, whylen);
}

bool return_unsafe_inside(const char *path, uint64_t off, char *why, size_t whylen)
{
	struct elf_func_list list = {};
	const char *w = NULL;

	if (elf_funcs_match(path, "*", &list, NULL, NULL, 0))
		return false;
	for (size_t i = 0; !w && i < list.n; i++)
		if (off > list.v[i].offset && off - list.v[i].offset < list.v[i].size)
			w = WHY_INSIDE;
	elf_func_list_free(&list);
	return say(w, why, whylen);
}

/* exe's DT_NEEDED libraries as the loader finds them (those it cannot find are skipped). */
static void deps_find(struct obj_facts *exe)
{
	struct elf_dyn_names dn;
	char lib[PATH_MAX];

	exe->deps_known = true;
	if (elf_dyn_names(exe->path, &dn, NULL, 0))
		return;
	exe->deps = calloc(dn.nneeded ? dn.nneeded : 1, sizeof(*exe->deps));
	for (size_t i = 0; exe->deps && i < dn.nneeded; i++)
		if (!libpath_resolve_for(dn.needed[i], exe->path, lib, sizeof(lib)) &&
		    (exe->deps[exe->ndeps] = strdup(lib)))
			exe->ndeps++;
	elf_dyn_names_free(&dn);
}

bool return_unsafe_import(const char *exe, const char *name, char *why, size_t whylen)
{
	const char *w = family_of(name);
	struct obj_facts *f;

	pthread_mutex_lock(&facts_lock);
	if (!w && (f = facts_of(exe))) {
		if (!f->deps_known)
			deps_find(f);
		for (size_t i = 0; !w && i < f->ndeps; i++)
			w = name_why(facts_of(f->deps[i]), name);
	}
	pthread_mutex_unlock(&facts_lock);
	return say(w, why, whylen);
}
