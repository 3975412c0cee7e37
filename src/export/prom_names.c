/* The naming rule and the scripts' choices (prom_names.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agg_snapshot.h"
#include "prom_names.h"

/* export.prometheus{} calls of the session, newest last (a later call for the same probe
 * replaces an earlier one). Touched by the session's thread only. */
struct conf_entry {
	const void *owner;
	uint32_t id;
	char *text;
	struct prom_conf conf;
};
static struct conf_entry *confs;
static size_t nconfs;

static bool name_chars_ok(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

bool prom_metric_name_ok(const char *name)
{
	return name_chars_ok(name);
}

bool prom_label_name_ok(const char *name)
{
	return name_chars_ok(name) && strncmp(name, "__", 2) && strcmp(name, "probe") &&
	       strcmp(name, "le") && strcmp(name, "quantile");
}

bool prom_own_name(const char *name)
{
	static const char *const own[] = { "ltrace_session_", "ltrace_probe_", "ltrace_exporter_" };

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (!strncmp(name, own[i], strlen(own[i])))
			return true;
	return false;
}

void prom_conf_free(struct prom_conf *conf)
{
	free(conf->name);
	free(conf->help);
	free(conf->key_label);
	for (size_t i = 0; i < 2 * conf->nlabels; i++)
		free(conf->labels[i]);
	free(conf->labels);
	memset(conf, 0, sizeof(*conf));
}

static struct conf_entry *find(const void *owner, uint32_t id, const char *text)
{
	for (size_t i = nconfs; i-- > 0;)
		if (confs[i].owner == owner && confs[i].id == id && !strcmp(confs[i].text, text))
			return &confs[i];
	return NULL;
}

int prom_conf_set(const void *owner, uint32_t id, const char *text, struct prom_conf *conf)
{
	struct conf_entry *e = find(owner, id, text), *v;

	if (e) {
		prom_conf_free(&e->conf);
		e->conf = *conf;
		return 0;
	}
	if (!(v = realloc(confs, (nconfs + 1) * sizeof(*v))))
		return -ENOMEM;
	confs = v;
	e = &confs[nconfs];
	if (!(e->text = strdup(text)))
		return -ENOMEM;
	e->owner = owner;
	e->id = id;
	e->conf = *conf;
	nconfs++;
	return 0;
}

int prom_conf_resolve(const struct agg_desc *d, const struct prom_conf *conf,
		      const char *default_help, struct prom_conf *out)
{
	char stem[160], kb[16];
	const char *key = prom_key_label(d, conf, kb, sizeof(kb));

	memset(out, 0, sizeof(*out));
	prom_stem(d, conf, stem, sizeof(stem));
	out->name = strdup(stem);
	out->help = strdup(conf && conf->help ? conf->help : default_help);
	out->key_label = key ? strdup(key) : NULL;
	out->hidden = conf && conf->hidden;
	if (!out->name || !out->help || (key && !out->key_label))
		return -ENOMEM;
	if (!conf || !conf->nlabels)
		return 0;
	if (!(out->labels = calloc(2 * conf->nlabels, sizeof(*out->labels))))
		return -ENOMEM;
	for (; out->nlabels < conf->nlabels; out->nlabels++)
		if (!(out->labels[2 * out->nlabels] = strdup(conf->labels[2 * out->nlabels])) ||
		    !(out->labels[2 * out->nlabels + 1] = strdup(conf->labels[2 * out->nlabels + 1])))
			return out->nlabels++, -ENOMEM;
	return 0;
}

static prom_extra_fn extra_fn;
static void *extra_ctx;

void prom_set_extra(prom_extra_fn fn, void *ctx)
{
	extra_fn = fn;
	extra_ctx = ctx;
}

int prom_extra_take(struct prom_extra *out)
{
	memset(out, 0, sizeof(*out));
	return extra_fn ? extra_fn(extra_ctx, out) : 0;
}

void prom_extra_free(struct prom_extra *x)
{
	for (size_t i = 0; i < x->n; i++) {
		prom_conf_free(&x->conf[i]);
		agg_desc_free(&x->d[i]);
	}
	free(x->conf);
	free(x->d);
	agg_entries_free(x->e, x->ne);
	memset(x, 0, sizeof(*x));
}

void prom_conf_free_all(void)
{
	for (size_t i = 0; i < nconfs; i++) {
		free(confs[i].text);
		prom_conf_free(&confs[i].conf);
	}
	free(confs);
	confs = NULL;
	nconfs = 0;
}

const struct prom_conf *prom_conf_of(const struct agg_desc *d)
{
	struct conf_entry *e = find(d->owner, d->id, d->text);

	return e ? &e->conf : NULL;
}

bool prom_is_duration(const struct agg_desc *d)
{
	return d->agg_src == LT_SRC_DURATION && d->agg_kind != LT_AGG_COUNT;
}

static void drop_suffix(char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	if (n > k && !strcmp(s + n - k, suffix))
		s[n - k] = '\0';
}

/* The probe's name with a library path reduced to its file name up to ".so" (libc, not
 * _usr_lib_x86_64_linux_gnu_libc_so_6): "call:/x/libfoo.so.1:bar" -> "call_libfoo_bar". */
static size_t put_word_char(char *out, size_t n, size_t len, char c)
{
	if (n + 1 >= len)
		return n;
	if (isalnum((unsigned char)c))
		out[n++] = c;
	else if (out[n - 1] != '_')
		out[n++] = '_';
	return n;
}

static size_t name_words(const char *name, char *out, size_t n, size_t len)
{
	const char *c = name;

	while (*c) {
		const char *end = strchrnul(c, ':'), *slash = memrchr(c, '/', end - c);

		if (slash) {	/* a path: its file name, up to ".so" */
			const char *so = strstr(slash, ".so");

			c = slash + 1;
			if (so && so < end)
				end = so;
		}
		for (; c < end; c++)
			n = put_word_char(out, n, len, *c);
		c = strchrnul(c, ':');
		if (*c == ':')
			n = put_word_char(out, n, len, *c++);
	}
	return n;
}

void prom_stem(const struct agg_desc *d, const struct prom_conf *conf, char *out, size_t len)
{
	size_t n;

	if (conf && conf->name) {
		snprintf(out, len, "%s", conf->name);
	} else {
		n = name_words(d->name, out, (size_t)snprintf(out, len, "ltrace_"), len);
		while (n > 7 && out[n - 1] == '_')
			n--;
		out[n] = '\0';
	}
	drop_suffix(out, "_total");
	drop_suffix(out, "_seconds");
}

const char *prom_key_label(const struct agg_desc *d, const struct prom_conf *conf, char *buf,
			   size_t len)
{
	if (d->agg_by == LT_BY_NONE || d->agg_by == LT_BY_PROBE)
		return NULL;
	if (conf && conf->key_label)
		return conf->key_label;
	if (d->extern_values)
		return "key";	/* an aggregate kept in Lua: its keys are the script's */
	switch (d->agg_by) {
	case LT_BY_SITE:
		return !strcmp(d->kind, "syscall") || !strcmp(d->kind, "tracepoint") ? d->kind :
										      "function";
	case LT_BY_PID: return "pid";
	case LT_BY_TID: return "tid";
	case LT_BY_COMM: return "comm";
	case LT_BY_RET: return "ret";
	case LT_BY_USTACK: case LT_BY_KSTACK: case LT_BY_STACK: return "stack";
	default:
		snprintf(buf, len, "arg%d", d->agg_by - LT_BY_ARG1 + 1);
		return buf;
	}
}
