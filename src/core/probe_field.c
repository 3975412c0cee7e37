/* Named fields in option strings, resolved through the probe's provider. The rewrite works
 * on text so the predicate parser (fetch.c) stays the one place that encodes predicates. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fetch.h"
#include "probe.h"
#include "probe_field.h"

int probe_field_src(struct probe *p, const char *name, char *err, size_t errlen)
{
	int src;

	if (p->provider->field_src)
		return p->provider->field_src(p, name, err, errlen);
	if ((src = src_parse(name)) < 0)
		snprintf(err, errlen, "'%s' is not arg1..arg6, ret, duration or caller", name);
	return src;
}

static void src_name(int src, char *buf, size_t len)
{
	static const char *const named[] = { [LT_SRC_RET] = "ret", [LT_SRC_DURATION] = "duration",
					     [LT_SRC_CALLER] = "caller" };

	if (src < LT_MAX_ARGS)
		snprintf(buf, len, "arg%d", src + 1);
	else
		snprintf(buf, len, "%s", src <= LT_SRC_CALLER ? named[src] : "?");
}

const char *probe_field_pred(struct probe *p, const char *text, char *buf, size_t len, char *err,
			     size_t errlen)
{
	const char *lhs = text + strspn(text, " \t");
	size_t n = strspn(lhs, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	char name[64], canon[16];
	int src;

	if (!p->provider->field_src || !n)
		return text;	/* the predicate parser says what is wrong, if anything */
	if (n >= sizeof(name)) {
		snprintf(err, errlen, "bad filter '%s': field name too long", text);
		return NULL;
	}
	snprintf(name, sizeof(name), "%.*s", (int)n, lhs);
	if ((src = p->provider->field_src(p, name, err, errlen)) < 0)
		return NULL;
	src_name(src, canon, sizeof(canon));
	snprintf(buf, len, "%s%s", canon, lhs + n);
	return buf;
}

int probe_field_by(struct probe *p, const char *name, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		int by;
	} keys[] = {
		{ "none", LT_BY_NONE }, { "probe", LT_BY_PROBE }, { "func", LT_BY_SITE },
		{ "syscall", LT_BY_SITE }, { "tracepoint", LT_BY_SITE }, { "pid", LT_BY_PID },
		{ "tid", LT_BY_TID }, { "comm", LT_BY_COMM },
	};
	int src;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(name, keys[i].name))
			return keys[i].by;
	src = probe_field_src(p, name, err, errlen);
	if (src >= 0 && src < LT_MAX_ARGS)
		return LT_BY_ARG1 + src;
	if (src == LT_SRC_RET)
		return LT_BY_RET;
	if (src >= 0)
		snprintf(err, errlen, "cannot aggregate by '%s' (func, pid, tid, comm, arg1..arg6, "
			 "ret or a field)", name);
	return -EINVAL;
}
