/* Stacks as text (stack_text.h). */
#include <stdio.h>
#include <string.h>
#include "stack.h"
#include "stack_text.h"
#include "symbolize.h"

void stack_frames_of_key(struct stack_ctx *c, const struct lt_agg_key *k, int by, int depth,
			 struct stack_frames *out)
{
	uint64_t u[STACK_MAX_FRAMES];
	uint32_t uid = k->key >> 32, kid = (uint32_t)k->key;
	int nu = 0, nk = 0;

	if (!depth)
		depth = LT_STACK_DEPTH;
	if (by != LT_BY_KSTACK)
		nu = stack_trim_user(c, k->stk.pid, u,
				     stack_from_id(c, uid, k->stk.caller, u, STACK_MAX_FRAMES > depth ?
						   depth : STACK_MAX_FRAMES));
	if (by != LT_BY_USTACK)	/* depth counts after the probe's own frames */
		nk = stack_trim_bpf(c, out->ips, stack_from_id(c, kid, 0, out->ips, STACK_MAX_FRAMES));
	if (nk > depth)
		nk = depth;
	out->pid = k->stk.pid;
	out->nk = nk > 0 ? nk : 0;
	out->nu = nu > 0 ? nu : 0;
	memcpy(out->ips + out->nk, u, out->nu * sizeof(*u));
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

bool stack_frame_info(struct stack_ctx *c, int pid, const uint64_t *ips, int nk, int i,
		      unsigned flags, struct sym_info *si)
{
	bool kernel = i < nk;
	int within = kernel ? i : i - nk;

	if (within > 0)
		flags |= SYM_RETADDR;
	if (kernel)
		symbolize_kernel(c->sy, ips[i], flags, si);
	else
		symbolize_user(c->sy, pid, ips[i], flags, si);
	return kernel;
}

const char *stack_frame_name(const struct sym_info *si, uint64_t addr, bool offsets, char *buf,
			     size_t len)
{
	if (si->name && !offsets)
		return si->name;
	if (si->name)
		snprintf(buf, len, "%s+%llu", si->name, (unsigned long long)si->offset);
	else if (si->module)
		snprintf(buf, len, "%s+0x%llx", base_name(si->module),
			 (unsigned long long)si->module_off);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	return buf;
}

void stack_write(FILE *f, struct stack_ctx *c, int pid, const uint64_t *ips, int nk, int nu,
		 bool folded)
{
	char buf[512];

	for (int k = 0; k < nk + nu; k++) {
		int i = folded ? nk + nu - 1 - k : k;
		struct sym_info si;
		bool kernel = stack_frame_info(c, pid, ips, nk, i, 0, &si);

		if (folded && k)
			fputc(';', f);
		if (!folded)
			fputs("\n        ", f);
		fputs(stack_frame_name(&si, ips[i], !folded, buf, sizeof(buf)), f);
		if (folded && kernel)
			fputs("_[k]", f);
	}
	if (!folded)
		fputc('\n', f);
}
