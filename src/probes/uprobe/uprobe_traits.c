/* What the uprobe kind tells the kind-neutral layers about its probes, as hooks of its
 * provider: which pair entry and return (call:), which may read arguments 7.. from the
 * stack, where their stacks start, and the raw registers as event fields (e.reg1..e.reg12,
 * e.reg_ret). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "probe.h"
#include "uprobe_template.h"
#include "uprobe_traits.h"

void uprobe_init(struct probe *p)
{
	if (p->spec.kind->variant == TMPL_CALL)
		p->cfg.flags |= LT_CFG_CALL;
}

/* Stack arguments are read at entry; out: ones at return, from the slot the entry's stack
 * pointer still names, so only a call: probe has both. */
int uprobe_stack_arg(const struct probe *p, bool out, char *err, size_t errlen)
{
	if (p->spec.kind->variant == TMPL_RETURN) {
		snprintf(err, errlen, "stack arguments are read at entry (use call: or uprobe:)");
		return -EINVAL;
	}
	if (out && p->spec.kind->variant != TMPL_CALL) {
		snprintf(err, errlen, "out: captures need a call: probe");
		return -EINVAL;
	}
	return 0;
}

/* In user mode; at a function's entry (not FUNC+OFFSET nor an address) the stack starts in
 * the probed library. */
void uprobe_stack_origin(const struct probe *p, struct stack_origin *o)
{
	o->user_mode = true;
	o->entry = p->spec.kind->variant == TMPL_ENTRY && !p->spec.has_offset && !p->spec.is_addr;
	o->lib = o->entry && p->spec.lib[0] ? p->spec.lib : NULL;
}

/* e.reg1..e.reg6, e.reg_ret: the registers themselves, also where args/ret are read as
 * strings or buffers (so a NULL pointer can be told from memory that could not be read).
 * e.reg7..e.reg12: the stack slots the probe reads (args 7..12), likewise: the pointer
 * under a string (nil when the slot is not read). */
int uprobe_field(struct probe *p, const struct lt_rec *rec, const uint8_t *data,
		 const char *key, struct probe_value *out)
{
	char *end;
	long i;
	uint64_t word;

	*out = (struct probe_value){ .kind = PV_NIL };
	if (!strcmp(key, "reg_ret")) {
		if (rec->type != LT_REC_ENTRY)
			*out = probe_value_int((int64_t)rec->ret);
		return 1;
	}
	if (strncmp(key, "reg", 3) || key[3] < '1' || key[3] > '9')
		return 0;
	i = strtol(key + 3, &end, 10);
	if (*end || i > LT_MAX_CALL_ARGS)
		return 0;
	if (rec->type == LT_REC_RETURN)
		;
	else if (i <= LT_MAX_ARGS)
		*out = probe_value_int((int64_t)rec->args[i - 1]);
	else if (!capture_word(&p->cfg, p->args[i - 1].capture, data, rec->data_len, &word))
		*out = probe_value_int((int64_t)word);
	return 1;
}
