/* The filters a key sets, written to every attached probe's entry of the config map
 * (probe_write_cfg, as p:filter{} does): the kernel applies them at the next event, the
 * links stay as they are. The script's own values are kept and come back when the
 * dashboard's filter is cleared. The pid filter is the config's process filter (`pid`, the
 * tgid: every thread of the process), the tid filter its thread filter. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dash_int.h"
#include "probe.h"

static void keep_orig(struct dash *d, struct probe *p)
{
	struct dash_orig *o = &d->orig[p->id];

	if (o->known)
		return;
	o->known = true;
	o->pid = p->cfg.pid;
	o->tid = p->cfg.tid;
	o->sample = p->cfg.sample;
	o->min_duration = p->cfg.min_duration;
	memcpy(o->comm, p->cfg.comm, sizeof(o->comm));
}

void dash_filters_apply(struct dash *d)
{
	const struct dash_filters *f = &d->f;

	for (int i = 0; i < d->s->nprobes; i++) {
		struct probe *p = d->s->probes[i];
		struct dash_orig *o;
		int rc;

		if (!p || !p->attached)
			continue;
		keep_orig(d, p);
		o = &d->orig[p->id];
		p->cfg.pid = f->pid ?: o->pid;
		p->cfg.tid = f->tid ?: o->tid;
		p->cfg.sample = f->sample ?: o->sample;
		p->cfg.min_duration = f->min_duration ?: o->min_duration;
		memcpy(p->cfg.comm, f->comm[0] ? f->comm : o->comm, sizeof(p->cfg.comm));
		if ((rc = probe_write_cfg(p)))
			snprintf(d->status, sizeof(d->status),
				 "probe %u: cannot write its filters: %s", p->id, strerror(-rc));
	}
}

/* "250", "250ns", "10us", "1.5ms", "2s" -> ns. */
static bool parse_duration(const char *t, uint64_t *ns)
{
	static const struct {
		const char *unit;
		double mult;
	} units[] = {
		{ "", 1e3 }, { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	};
	char *end;
	double v = strtod(t, &end);

	if (end == t || v < 0)
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].unit)) {
			*ns = v * units[i].mult;
			return true;
		}
	return false;
}

static bool parse_u32(const char *t, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!*t || !isdigit((unsigned char)*t))
		return false;
	errno = 0;
	v = strtoul(t, &end, 10);
	if (*end || errno || v > max)
		return false;
	*out = v;
	return true;
}

bool dash_filter_set(struct dash *d, int key, const char *text)
{
	struct dash_filters f = d->f;
	bool ok = true;

	switch (key) {
	case 'p': ok = !*text ? (f.pid = 0, true) : parse_u32(text, DASH_PID_MAX, &f.pid); break;
	case 't': ok = !*text ? (f.tid = 0, true) : parse_u32(text, DASH_PID_MAX, &f.tid); break;
	case 'c':
		if (strlen(text) >= sizeof(f.comm))
			ok = false;
		else
			snprintf(f.comm, sizeof(f.comm), "%s", text);
		break;
	case 'm':
		ok = !*text ? (f.min_duration = 0, true) : parse_duration(text, &f.min_duration);
		break;
	case 'n':
		ok = !*text ? (f.sample = 0, true) : parse_u32(text, UINT32_MAX, &f.sample);
		break;
	default: ok = false;
	}
	if (!ok) {
		snprintf(d->status, sizeof(d->status), "'%s' is not a %s", text,
			 key == 'p' ? "pid" :
			 key == 't' ? "tid" :
			 key == 'c' ? "comm (15 characters at most)" :
			 key == 'm' ? "duration (250us, 1.5ms, 2s; a number: us)" :
				      "number");
		return false;
	}
	d->f = f;
	d->status[0] = '\0';
	dash_filters_apply(d);
	return true;
}

void dash_probe_toggle(struct dash *d, int id)
{
	struct probe *p = id >= 0 && id < d->s->nprobes ? d->s->probes[id] : NULL;

	if (!p || !p->attached)
		return;
	probe_set_enabled(p, !(p->cfg.flags & LT_CFG_ENABLED));
}

void dash_filters_text(const struct dash *d, char *buf, size_t len)
{
	const struct dash_filters *f = &d->f;
	int n = 0, off = 0;

	buf[0] = '\0';
	if (f->pid)
		n = snprintf(buf, len, " pid=%u", f->pid);
	if (f->tid && n >= 0 && (size_t)(off += n) < len)
		n = snprintf(buf + off, len - off, " tid=%u", f->tid);
	if (f->comm[0] && n >= 0 && (size_t)(off += n) < len)
		n = snprintf(buf + off, len - off, " comm=%s", f->comm);
	if (f->min_duration && n >= 0 && (size_t)(off += n) < len)
		n = snprintf(buf + off, len - off, " min=%.3fus", f->min_duration / 1e3);
	if (f->sample > 1 && n >= 0 && (size_t)(off += n) < len)
		n = snprintf(buf + off, len - off, " sample=1/%u", f->sample);
	for (int i = 0; i < d->s->nprobes && n >= 0 && (size_t)(off += n) < len; i++) {
		struct probe *p = d->s->probes[i];

		n = p && p->attached && !(p->cfg.flags & LT_CFG_ENABLED) ?
			    snprintf(buf + off, len - off, " off:#%d", i) :
			    0;
	}
	if (!buf[0])
		snprintf(buf, len, " none");
}
