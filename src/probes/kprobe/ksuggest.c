/* Suggestions by name only: strip the usual syscall-implementation prefixes and look for
 * the tracefs event directories that would match. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "ksuggest.h"
#include "probe.h"

#define EVENTS "/sys/kernel/tracing/events"

static const char *stem_of(const char *func)
{
	static const char *const prefixes[] = { "__x64_sys_", "__ia32_sys_", "__se_sys_",
						"__do_sys_", "do_sys_", "ksys_", "__sys_", "sys_",
						"vfs_", "do_", "__" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(func, prefixes[i], strlen(prefixes[i])) && func[strlen(prefixes[i])])
			return func + strlen(prefixes[i]);
	return func;
}

static int exists(const char *cat, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), EVENTS "/%s/%s", cat, name);
	return !access(path, F_OK);
}

static int syscall_event(const char *stem, bool at_return, bool paired, char *buf, size_t len)
{
	char name[256];

	snprintf(name, sizeof(name), "sys_enter_%s", stem);
	if (!exists("syscalls", name))
		return 0;
	if (paired)
		snprintf(buf, len, "syscall:%s", stem);
	else
		snprintf(buf, len, "tracepoint:syscalls:sys_%s_%s", at_return ? "exit" : "enter",
			 stem);
	return 1;
}

/* events/CAT/NAME for NAME the function or its stem. */
static int named_event(const char *func, const char *stem, char *buf, size_t len)
{
	DIR *d = opendir(EVENTS);
	struct dirent *e;
	int found = 0;

	while (d && !found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (exists(e->d_name, func) || exists(e->d_name, stem)) {
			snprintf(buf, len, "tracepoint:%s:%s", e->d_name,
				 exists(e->d_name, func) ? func : stem);
			found = 1;
		}
	}
	if (d)
		closedir(d);
	return found;
}

int ksuggest_tracepoint(const char *func, bool at_return, bool paired, char *buf, size_t len)
{
	const char *stem = stem_of(func);

	if (!strpbrk(func, "*?[") && (syscall_event(stem, at_return, paired, buf, len) ||
				      named_event(func, stem, buf, len)))
		return 1;
	snprintf(buf, len, "tracepoint:CATEGORY:NAME (/sys/kernel/tracing/available_events) "
		 "or rawtracepoint:NAME (-l 'rawtracepoint:*')");
	return 0;
}
