/* The /proc/PID/maps reader (proc_maps.h). The line format (proc(5)):
 *   start-end perms offset major:minor inode [padding path]
 * The path is the rest of the line as it stands: it may hold spaces, and an unlinked
 * file's ends in " (deleted)"; a newline in a name is printed escaped (\012). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "proc_maps.h"

struct proc_maps {
	FILE *f;
	bool own;		/* f opened here, closed here */
	unsigned skipped;
	char line[PROC_MAPS_LINE_MAX + 2];	/* the newline and the NUL */
};

static int maps_new(struct proc_maps **it, FILE *f, bool own)
{
	if (!(*it = calloc(1, sizeof(**it))))
		return -ENOMEM;
	(*it)->f = f;
	(*it)->own = own;
	return 0;
}

int proc_maps_open(struct proc_maps **it, int pid)
{
	char name[64];
	FILE *f;
	int rc;

	*it = NULL;
	snprintf(name, sizeof(name), "/proc/%d/maps", pid);
	if (!(f = fopen(name, "re")))
		return -errno;
	if ((rc = maps_new(it, f, true)))
		fclose(f);
	return rc;
}

int proc_maps_from(struct proc_maps **it, FILE *f)
{
	*it = NULL;
	return f ? maps_new(it, f, false) : -EINVAL;
}

/* The fields of one line (without its newline); false when it is not a maps line. */
static bool parse_line(char *line, struct proc_map *m)
{
	static const char deleted[] = " (deleted)";
	size_t len, dlen = sizeof(deleted) - 1;
	int path_at = 0;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 "%n", &m->start,
		   &m->end, m->perms, &m->offset, &m->dev_major, &m->dev_minor, &m->inode,
		   &path_at) < 7 || !path_at || strlen(m->perms) != 4 || m->end < m->start)
		return false;
	line += path_at;
	if (*line && *line != ' ')	/* the inode runs into something */
		return false;
	line += strspn(line, " ");
	len = strlen(line);
	m->deleted = len > dlen && line[0] == '/' && !strcmp(line + len - dlen, deleted);
	if (m->deleted)
		line[len - dlen] = '\0';
	m->path = line;
	return true;
}

/* Reads what is left of a line too long to hold; false at the end of the file. */
static bool skip_rest(struct proc_maps *it)
{
	int c;

	while ((c = getc(it->f)) != EOF)
		if (c == '\n')
			return true;
	return false;
}

int proc_maps_next(struct proc_maps *it, struct proc_map *m)
{
	char *nl;

	errno = 0;
	while (fgets(it->line, sizeof(it->line), it->f)) {
		nl = strchr(it->line, '\n');
		if (!nl && !feof(it->f)) {
			it->skipped++;
			if (!skip_rest(it))
				break;
			continue;
		}
		if (nl)
			*nl = '\0';
		if (strlen(it->line) <= PROC_MAPS_LINE_MAX && parse_line(it->line, m))
			return 1;
		it->skipped++;
	}
	/* A process that exits while its maps are read ends the file early, or with ESRCH. */
	if (ferror(it->f))
		return errno ? -errno : -EIO;
	return 0;
}

unsigned proc_maps_skipped(const struct proc_maps *it)
{
	return it->skipped;
}

void proc_maps_close(struct proc_maps *it)
{
	if (!it)
		return;
	if (it->own)
		fclose(it->f);
	free(it);
}
