/* Hooks of the uprobe provider telling other layers about its probes
 * (src/probes/uprobe/uprobe_traits.c). */
#ifndef LT_UPROBE_TRAITS_H
#define LT_UPROBE_TRAITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct probe;
struct lt_rec;
struct probe_value;
struct stack_origin;

void uprobe_init(struct probe *p);
int uprobe_stack_arg(const struct probe *p, bool out, char *err, size_t errlen);
void uprobe_stack_origin(const struct probe *p, struct stack_origin *o);
int uprobe_field(struct probe *p, const struct lt_rec *rec, const uint8_t *data,
		 const char *key, struct probe_value *out);

#endif
