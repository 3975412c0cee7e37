/* The shipped tools (scripts/NAME.lua) by name: `ltrace-ebpf --tool NAME`, the installed
 * `ltrace-ebpf-NAME` links, `ltrace-ebpf --tools`. */
#ifndef LT_TOOLS_H
#define LT_TOOLS_H

#include <stddef.h>

/* The script of tool `name` in path: 0, or -ENOENT / -EINVAL (not a tool name). Looked
 * up in the source tree's scripts/ when the binary runs from its build directory, then
 * beside the binary (BINDIR/../share/ltrace-ebpf/scripts: any install prefix), then in
 * the data directory compiled in. */
int tool_find(const char *name, char *path, size_t len);
/* Prints every tool with a one-line summary, sorted by name; 0, or 1 when none is found. */
int tool_list(void);

#endif
