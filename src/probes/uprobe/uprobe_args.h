/* Hooks of the uprobe provider for a probe's arguments (src/probes/uprobe/uprobe_args.c). */
#ifndef LT_UPROBE_ARGS_H
#define LT_UPROBE_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct probe;
struct lt_rec;
struct probe_value;

void uprobe_init(struct probe *p);
int uprobe_stack_arg(const struct probe *p, bool out, char *err, size_t errlen);
int uprobe_field(struct probe *p, const struct lt_rec *rec, const uint8_t *data,
		 const char *key, struct probe_value *out);

#endif
