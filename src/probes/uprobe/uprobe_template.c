/* Opening and loading the uprobe template's objects (uprobe_template.h). */
#include <errno.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "parallel_load.h"
#include "uprobe.skel.h"
#include "uprobe_lean.skel.h"
#include "uprobe_multi.h"
#include "uprobe_sleep.skel.h"
#include "uprobe_template.h"

int tmpl_group_size(enum tmpl_group g)
{
	return g == TMPL_CALL ? 2 : 1;
}

struct bpf_program *tmpl_group_prog(struct uprobe_bpf *k, enum tmpl_group g, bool multi, int i)
{
	switch (g) {
	case TMPL_ENTRY:
		return i ? NULL : multi ? k->progs.lt_entry_multi : k->progs.lt_entry;
	case TMPL_RETURN:
		return i ? NULL : multi ? k->progs.lt_return_multi : k->progs.lt_return;
	default:
		if (i)
			return multi ? k->progs.lt_call_return_multi : k->progs.lt_call_return;
		return multi ? k->progs.lt_call_entry_multi : k->progs.lt_call_entry;
	}
}

/* The same template built with LT_SLEEPABLE=1 or LT_LEAN=1 has the same maps and
 * programs in the same order, so its object opens into a struct uprobe_bpf: one skeleton,
 * created here only, so that the plain build's bytes are in the binary once (each file
 * that creates a skeleton holds a copy). */
static struct uprobe_bpf *open_template(enum tmpl_variant v)
{
	struct uprobe_bpf *k = calloc(1, sizeof(*k));
	int rc;

	if (!k)
		return NULL;
	if ((rc = uprobe_bpf__create_skeleton(k)))
		goto fail;
	if (v == TMPL_SLEEPABLE)
		k->skeleton->data = (void *)uprobe_sleep_bpf__elf_bytes(&k->skeleton->data_sz);
	else if (v == TMPL_LEAN)
		k->skeleton->data = (void *)uprobe_lean_bpf__elf_bytes(&k->skeleton->data_sz);
	if ((rc = bpf_object__open_skeleton(k->skeleton, NULL)))
		goto fail;
	return k;
fail:
	uprobe_bpf__destroy(k);
	errno = -rc;
	return NULL;
}

/* Opens the template with only program `which` of the group loadable, and every map
 * shared with the owner: the paired-call maps for a call group only, the ring buffer and
 * stacks for every build but the lean one. */
static struct uprobe_bpf *open_variant(struct session *s, enum tmpl_group g, bool multi,
				       enum tmpl_variant v, int which)
{
	struct uprobe_bpf *k = open_template(v);
	struct bpf_program *prog, *keep;
	unsigned uses;
	int rc = 0;

	if (!k)
		return NULL;
	keep = tmpl_group_prog(k, g, multi, which);
	bpf_object__for_each_program(prog, k->obj) {
		bool wanted = prog == keep;

		bpf_program__set_autoload(prog, wanted);
		if (wanted && multi)
			bpf_program__set_expected_attach_type(
				prog, (enum bpf_attach_type)LT_BPF_TRACE_UPROBE_MULTI);
		if (wanted && v == TMPL_SLEEPABLE)
			bpf_program__set_flags(prog, bpf_program__flags(prog) | BPF_F_SLEEPABLE);
	}
	uses = (g == TMPL_CALL ? SESSION_MAPS_CALLS : 0) |
	       (v == TMPL_LEAN ? 0 : SESSION_MAPS_EVENTS | SESSION_MAPS_STACKS);
	if ((rc = session_share_maps_using(s, k->obj, uses))) {
		uprobe_bpf__destroy(k);
		errno = rc < 0 ? -rc : EINVAL;
		return NULL;
	}
	return k;
}

int tmpl_open_group(struct session *s, enum tmpl_group g, bool multi, enum tmpl_variant v,
		    struct uprobe_bpf *out[2])
{
	out[0] = out[1] = NULL;
	for (int i = 0; i < tmpl_group_size(g); i++) {
		if (!(out[i] = open_variant(s, g, multi, v, i))) {
			int rc = -errno;

			uprobe_bpf__destroy(out[0]);
			out[0] = NULL;
			return rc;
		}
	}
	return 0;
}

int tmpl_load_group(struct session *s, enum tmpl_group g, bool multi, enum tmpl_variant v,
		    struct uprobe_bpf *inst[2])
{
	struct bpf_object_skeleton *skels[2];
	int rc = tmpl_open_group(s, g, multi, v, inst);

	for (int i = 0; !rc && i < tmpl_group_size(g); i++)
		skels[i] = inst[i]->skeleton;
	if (!rc && (rc = load_parallel(skels, tmpl_group_size(g), NULL))) {
		for (int i = 0; i < 2; i++) {
			uprobe_bpf__destroy(inst[i]);
			inst[i] = NULL;
		}
	}
	return rc;
}
