/* Syscall events' fields: arguments by name (paths and names as strings, the rest as
 * integers of their C type), the syscall's name and number, the errno name of a failed
 * call, and every argument at once as e.fields. */
#include <string.h>
#include "probe.h"
#include "syscall_probe.h"

static void count_phases(const struct probe *p, int upto, int *entry, int *exit)
{
	*entry = *exit = 0;
	for (int k = 0; k < upto; k++)
		*(p->cfg.fetch[k].at_return ? exit : entry) += 1;
}

/* The record's data holds, in order: the probe's entry captures, this syscall's strings
 * read at entry (exec), the probe's exit captures, its strings read at exit. */
static int user_index(const struct probe *p, const struct sys_site *ss, int j)
{
	int e_before, x_before, e_all, x_all;

	count_phases(p, j, &e_before, &x_before);
	count_phases(p, p->cfg.nfetch, &e_all, &x_all);
	if (!p->cfg.fetch[j].at_return)
		return e_before;
	return e_all + (ss->str_at_entry ? ss->nstr : 0) + x_before;
}

static int str_index(const struct probe *p, const struct sys_site *ss, int k)
{
	int e_all, x_all;

	count_phases(p, p->cfg.nfetch, &e_all, &x_all);
	return ss->str_at_entry ? e_all + k : e_all + x_all + k;
}

static struct probe_value arg_value(const struct probe *p, const struct sys_site *ss,
				    const struct lt_rec *rec, const uint8_t *data, int a)
{
	enum value_type vt = a < ss->nargs ? ktype_value_type(&ss->args[a].type) : VT_INT;

	if (p->args[a].capture >= 0)
		return probe_value_capture(data, rec->data_len,
					   user_index(p, ss, p->args[a].capture), p->args[a].type);
	for (int k = 0; k < ss->nstr; k++)
		if (ss->str_args[k] == a)
			return probe_value_capture(data, rec->data_len, str_index(p, ss, k), VT_STR);
	return probe_value_int(value_extend(vt, rec->args[a]));
}

static struct probe_value errno_value(int64_t ret)
{
	const char *name = ret < 0 && ret >= -4095 ? strerrorname_np(-ret) : NULL;

	if (!name)
		return (struct probe_value){ .kind = PV_NIL };
	return probe_value_str(name, strlen(name));
}

static const struct sys_site *site_of(struct probe *p, const struct lt_rec *rec)
{
	const struct sys_state *st = p->kind_data;

	if (!st || rec->type != LT_REC_SYSCALL || rec->site >= st->n)
		return NULL;
	return &st->sites[rec->site];
}

int syscall_field(struct probe *p, const struct lt_rec *rec, const uint8_t *data,
		  const char *key, struct probe_value *out)
{
	const struct sys_site *ss = site_of(p, rec);

	if (!ss)
		return 0;
	if (!strcmp(key, "syscall")) {
		*out = probe_value_str(p->sites[rec->site].name, strlen(p->sites[rec->site].name));
	} else if (!strcmp(key, "nr")) {
		*out = probe_value_int(ss->nr);
	} else if (!strcmp(key, "errno")) {
		*out = errno_value((int64_t)rec->ret);
	} else if (!strcmp(key, "fields")) {
		*out = (struct probe_value){ .kind = PV_FIELDS, .n = ss->nargs > 0 ? ss->nargs : 0 };
	} else {
		for (int a = 0; a < ss->nargs; a++) {
			if (!strcmp(key, ss->args[a].name)) {
				*out = arg_value(p, ss, rec, data, a);
				return 1;
			}
		}
		return 0;
	}
	return 1;
}

int syscall_field_at(struct probe *p, const struct lt_rec *rec, const uint8_t *data, size_t i,
		     const char **name, struct probe_value *out)
{
	const struct sys_site *ss = site_of(p, rec);

	if (!ss || (int)i >= ss->nargs)
		return 0;
	*name = ss->args[i].name;
	*out = arg_value(p, ss, rec, data, i);
	return 1;
}
