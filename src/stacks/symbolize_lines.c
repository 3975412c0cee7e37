/* Source file and line of an address, from DWARF line tables (libdw): the module's debug
 * file when it has one, else the module itself. Opened on the first question per module;
 * a module without DWARF answers -ENODATA from then on at no cost.
 *
 * libdw's own path (dwarf_addrdie + dwarf_getsrc_die) builds a DIE, finds the CU in a
 * search tree and walks 48-byte line records on every question: about 1.4 us per address
 * on libc. Here the CU ranges are copied once into a sorted array and each CU's rows, on
 * the CU's first question, into 16-byte entries (address, line, file index) searched
 * directly, so an answer touches no libdw memory. Same answer as dwarf_getsrc_die: the last
 * row at or below the address, none when that row ends a sequence. */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "safe_file.h"
#include "symbolize_int.h"

#define ROW_END UINT32_MAX	/* file index of a row that ends a sequence */

struct line_row {
	uint64_t addr;
	uint32_t line;
	uint32_t file;		/* index in the CU's files, or ROW_END */
};

struct line_cu {
	Dwarf_Off die_off;
	bool tried;
	struct line_row *rows;	/* libdw's order: sorted by address */
	size_t n;
	const char **files;	/* names, owned by libdw */
	size_t nfiles;
};

struct line_range {
	uint64_t start, end;
	size_t cu;
};

struct sym_lines {
	int fd;
	Dwarf *dw;
	struct line_range *ranges;	/* sorted by start */
	size_t nranges;
	struct line_cu *cus;		/* sorted by die_off */
	size_t ncus;
};

static int cmp_off(const void *a, const void *b)
{
	Dwarf_Off x = *(const Dwarf_Off *)a, y = *(const Dwarf_Off *)b;

	return x < y ? -1 : x > y;
}

static int cmp_range(const void *a, const void *b)
{
	const struct line_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int range_add(struct sym_lines *l, size_t *cap, uint64_t start, uint64_t end,
		     Dwarf_Off off)
{
	if (l->nranges == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		struct line_range *v = realloc(l->ranges, c * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->ranges = v;
		*cap = c;
	}
	/* The CU's DIE offset for now; an index into cus once they are sorted. */
	l->ranges[l->nranges++] = (struct line_range){ start, end, off };
	return 0;
}

/* Address ranges of every CU: .debug_aranges, and for the CUs it leaves out (clang writes
 * none by default, so a program mixing gcc and clang objects has some) their DW_AT_ranges
 * or low_pc-high_pc. libdw's dwarf_addrdie knows only the first. */
static int ranges_read(struct sym_lines *l)
{
	Dwarf_Aranges *ar;
	size_t n = 0, cap = 0, hsize, covered;
	Dwarf_Off off = 0, next, *offs;

	if (!dwarf_getaranges(l->dw, &ar, &n))
		for (size_t i = 0; i < n; i++) {
			Dwarf_Addr a;
			Dwarf_Word len;
			Dwarf_Off die;

			if (!dwarf_getarangeinfo(dwarf_onearange(ar, i), &a, &len, &die) && len &&
			    range_add(l, &cap, a, a + len, die))
				return -ENOMEM;
		}
	if (!(offs = malloc((l->nranges + 1) * sizeof(*offs))))
		return -ENOMEM;
	for (size_t i = 0; i < l->nranges; i++)
		offs[i] = l->ranges[i].cu;
	covered = l->nranges;
	qsort(offs, covered, sizeof(*offs), cmp_off);
	for (; !dwarf_nextcu(l->dw, off, &next, &hsize, NULL, NULL, NULL); off = next) {
		Dwarf_Off die = off + hsize;
		Dwarf_Addr base, start, end;
		ptrdiff_t it = 0;
		Dwarf_Die cu;

		if (bsearch(&die, offs, covered, sizeof(*offs), cmp_off) ||
		    !dwarf_offdie(l->dw, die, &cu))
			continue;
		while ((it = dwarf_ranges(&cu, it, &base, &start, &end)) > 0)
			if (end > start && range_add(l, &cap, start, end, die)) {
				free(offs);
				return -ENOMEM;
			}
	}
	free(offs);
	return 0;
}

/* One line_cu per distinct CU, and each range pointing at its CU's index. */
static int cus_index(struct sym_lines *l)
{
	Dwarf_Off *offs = malloc((l->nranges + 1) * sizeof(*offs));

	if (!offs)
		return -ENOMEM;
	for (size_t i = 0; i < l->nranges; i++)
		offs[i] = l->ranges[i].cu;
	qsort(offs, l->nranges, sizeof(*offs), cmp_off);
	for (size_t i = 0; i < l->nranges; i++)
		if (!l->ncus || offs[l->ncus - 1] != offs[i])
			offs[l->ncus++] = offs[i];
	l->cus = calloc(l->ncus + 1, sizeof(*l->cus));
	for (size_t i = 0; l->cus && i < l->ncus; i++)
		l->cus[i].die_off = offs[i];
	for (size_t i = 0; l->cus && i < l->nranges; i++) {
		Dwarf_Off *at = bsearch(&l->ranges[i].cu, offs, l->ncus, sizeof(*offs), cmp_off);

		l->ranges[i].cu = at - offs;
	}
	free(offs);
	qsort(l->ranges, l->nranges, sizeof(*l->ranges), cmp_range);
	return l->cus ? 0 : -ENOMEM;
}

static struct sym_lines *lines_open(const char *path)
{
	struct sym_lines *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->fd = sf_open_elf(path);
	if (l->fd < 0 || !(l->dw = dwarf_begin(l->fd, DWARF_C_READ)) || ranges_read(l) ||
	    !l->nranges || cus_index(l)) {
		sym_lines_free(l);
		return NULL;
	}
	return l;
}

void sym_lines_free(struct sym_lines *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->ncus; i++) {
		free(l->cus[i].rows);
		free(l->cus[i].files);
	}
	free(l->cus);
	free(l->ranges);
	if (l->dw)
		dwarf_end(l->dw);
	if (l->fd >= 0)
		close(l->fd);
	free(l);
}

/* The index of name among the CU's files, added when new: rows of a CU name few files and
 * consecutive rows mostly the same one (checked first). */
static uint32_t file_index(struct line_cu *cu, const char *name, uint32_t last)
{
	const char **v;

	if (last < cu->nfiles && cu->files[last] == name)
		return last;
	for (size_t i = 0; i < cu->nfiles; i++)
		if (cu->files[i] == name)
			return i;
	if (!(v = realloc(cu->files, (cu->nfiles + 1) * sizeof(*v))))
		return ROW_END;
	cu->files = v;
	v[cu->nfiles] = name;
	return cu->nfiles++;
}

/* The CU's rows, read on its first question. */
static bool cu_load(struct sym_lines *l, struct line_cu *cu)
{
	Dwarf_Lines *lines;
	Dwarf_Die die;
	uint32_t file = 0;
	size_t n;

	if (cu->tried)
		return cu->rows != NULL;
	cu->tried = true;
	if (!dwarf_offdie(l->dw, cu->die_off, &die) || dwarf_getsrclines(&die, &lines, &n) ||
	    !n || !(cu->rows = malloc(n * sizeof(*cu->rows))))
		return false;
	for (size_t i = 0; i < n; i++) {
		Dwarf_Line *ln = dwarf_onesrcline(lines, i);
		struct line_row *r = &cu->rows[i];
		const char *name;
		bool end = true;
		int lineno = 0;

		dwarf_lineaddr(ln, &r->addr);
		dwarf_lineendsequence(ln, &end);
		dwarf_lineno(ln, &lineno);
		name = end ? NULL : dwarf_linesrc(ln, NULL, NULL);
		r->line = lineno;
		r->file = name ? (file = file_index(cu, name, file)) : ROW_END;
	}
	cu->n = n;
	return true;
}

/* The last row at or below x in the sorted rows, or NULL. */
static const struct line_row *row_find(const struct line_cu *cu, uint64_t x)
{
	size_t i = SYM_COUNT_LE(cu->rows, cu->n, addr, x);

	return i ? &cu->rows[i - 1] : NULL;
}

static const struct line_range *range_find(const struct sym_lines *l, uint64_t vaddr)
{
	size_t i = SYM_COUNT_LE(l->ranges, l->nranges, start, vaddr);

	return i && vaddr < l->ranges[i - 1].end ? &l->ranges[i - 1] : NULL;
}

int sym_lines_lookup(struct sym_module *m, uint64_t vaddr, const char **file, int *line)
{
	const struct line_range *r;
	const struct line_row *row;
	struct line_cu *cu;

	if (!m->lines_tried) {
		m->lines_tried = true;
		if (m->debug_path)
			m->lines = lines_open(m->debug_path);
		if (!m->lines && m->path && !m->image)
			m->lines = lines_open(m->path);
	}
	if (!m->lines || !(r = range_find(m->lines, vaddr)))
		return -ENODATA;
	cu = &m->lines->cus[r->cu];
	if (!cu_load(m->lines, cu) || !(row = row_find(cu, vaddr)) || row->file == ROW_END)
		return -ENODATA;
	*file = cu->files[row->file];
	*line = row->line;
	return 0;
}
