/* Source file and line of an address, from DWARF line tables (libdw): the module's debug
 * file when it has one, else the module itself. Opened on the first question per module;
 * a module without DWARF answers -ENODATA from then on at no cost. */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "symbolize_int.h"

struct sym_lines {
	int fd;
	Dwarf *dw;
};

static struct sym_lines *lines_open(const char *path)
{
	struct sym_lines *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (l->fd < 0 || !(l->dw = dwarf_begin(l->fd, DWARF_C_READ))) {
		if (l->fd >= 0)
			close(l->fd);
		free(l);
		return NULL;
	}
	return l;
}

void sym_lines_free(struct sym_lines *l)
{
	if (!l)
		return;
	dwarf_end(l->dw);
	close(l->fd);
	free(l);
}

int sym_lines_lookup(struct sym_module *m, uint64_t vaddr, const char **file, int *line)
{
	Dwarf_Die cu;
	Dwarf_Line *ln;
	int lineno = 0;

	if (!m->lines_tried) {
		m->lines_tried = true;
		if (m->debug_path)
			m->lines = lines_open(m->debug_path);
		if (!m->lines && m->path && !m->image)
			m->lines = lines_open(m->path);
	}
	if (!m->lines || !dwarf_addrdie(m->lines->dw, vaddr, &cu) ||
	    !(ln = dwarf_getsrc_die(&cu, vaddr)))
		return -ENODATA;
	*file = dwarf_linesrc(ln, NULL, NULL);
	if (!*file || dwarf_lineno(ln, &lineno))
		return -ENODATA;
	*line = lineno;
	return 0;
}
