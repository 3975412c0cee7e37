/* Probe-specifier parsing by the form of a kind's spec (the kinds and their names are the
 * providers'). Spellings follow bpftrace where one exists: KIND:LIB:FUNC for user probes
 * (LIB may itself contain ':' only as part of a path, so FUNC is what follows the last
 * ':'), a bare LIB:FUNC meaning uprobe, and FUNC+OFFSET or a 0x address. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "provider.h"
#include "spec.h"

bool spec_is_user(const struct spec_kind *kind)
{
	return kind->form == SPEC_FORM_FUNC;
}

bool spec_is_glob(const char *func)
{
	return strpbrk(func, "*?[") != NULL;
}

int spec_parse_duration(const char *text, uint64_t *ns)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		      { "m", 60e9 }, { "h", 3600e9 }, { "", 1e9 } };
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || errno || !isfinite(v) || v < 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].suffix)) {
			double ns_d = v * units[i].mult + 0.5;

			if (ns_d >= 1.8e19)	/* beyond uint64_t */
				return -EINVAL;
			*ns = (uint64_t)ns_d;
			return 0;
		}
	}
	return -EINVAL;
}

/* FUNC, FUNC+OFF or 0xADDR. */
static int parse_func(const char *text, struct spec *out, char *err, size_t errlen)
{
	const char *plus = strrchr(text, '+');
	char *end;

	if (!*text) {
		snprintf(err, errlen, "missing function name");
		return -EINVAL;
	}
	if (!strncmp(text, "0x", 2)) {
		errno = 0;
		out->offset = strtoull(text, &end, 16);
		if (*end || end == text + 2 || errno) {
			snprintf(err, errlen, "bad address '%s'", text);
			return -EINVAL;
		}
		out->is_addr = true;
		snprintf(out->func, sizeof(out->func), "%s", text);
		return 0;
	}
	if (plus) {
		const char *num = plus + 1;
		int base = strncmp(num, "0x", 2) ? 10 : 16;	/* "+010" is ten, not octal */

		errno = 0;
		out->offset = strtoull(num, &end, base);
		if (!*num || *num == '-' || *num == '+' || *end || errno) {
			snprintf(err, errlen, "bad offset '%s'", plus + 1);
			return -EINVAL;
		}
		out->has_offset = true;
	}
	if ((size_t)(plus ? plus - text : (long)strlen(text)) >= sizeof(out->func)) {
		snprintf(err, errlen, "function name too long");
		return -EINVAL;
	}
	snprintf(out->func, sizeof(out->func), "%.*s", (int)(plus ? plus - text : (long)strlen(text)),
		 text);
	if (!out->func[0]) {
		snprintf(err, errlen, "missing function name before '%s'", plus);
		return -EINVAL;
	}
	if (out->has_offset && spec_is_glob(out->func)) {
		snprintf(err, errlen, "an offset cannot follow a glob ('%s')", text);
		return -EINVAL;
	}
	return 0;
}

static int parse_user(const char *rest, struct spec *out, char *err, size_t errlen)
{
	const char *colon = strrchr(rest, ':');

	if (!colon || colon == rest) {
		snprintf(err, errlen, "expected LIB:FUNC");
		return -EINVAL;
	}
	if ((size_t)(colon - rest) >= sizeof(out->lib)) {
		snprintf(err, errlen, "library path too long");
		return -EINVAL;
	}
	snprintf(out->lib, sizeof(out->lib), "%.*s", (int)(colon - rest), rest);
	return parse_func(colon + 1, out, err, errlen);
}

/* Copies n bytes of src into a field, refusing what does not fit. */
static int copy_part(char *dst, size_t size, const char *src, size_t n, const char *what,
		     char *err, size_t errlen)
{
	if (n >= size) {
		snprintf(err, errlen, "%s too long", what);
		return -EINVAL;
	}
	memcpy(dst, src, n);
	dst[n] = 0;
	return 0;
}

/* usdt:BIN:PROVIDER:NAME, or usdt:BIN:NAME (any provider). */
static int parse_usdt(const char *rest, struct spec *out, char *err, size_t errlen)
{
	const char *name = strrchr(rest, ':'), *bin_end = name, *p;

	if (!name || !name[1] || name == rest) {
		snprintf(err, errlen, "expected %s:BIN:PROVIDER:NAME", out->kind->name);
		return -EINVAL;
	}
	for (p = name - 1; p > rest && *p != ':'; p--)
		;
	if (*p == ':') {	/* BIN:PROVIDER:NAME */
		if (p == rest) {
			snprintf(err, errlen, "expected %s:BIN:PROVIDER:NAME (missing BIN)",
				 out->kind->name);
			return -EINVAL;
		}
		if (copy_part(out->provider, sizeof(out->provider), p + 1, name - p - 1, "provider",
			      err, errlen))
			return -EINVAL;
		bin_end = p;
	}
	if (copy_part(out->func, sizeof(out->func), name + 1, strlen(name + 1), "probe name", err,
		      errlen))
		return -EINVAL;
	return copy_part(out->lib, sizeof(out->lib), rest, bin_end - rest, "binary path", err,
			 errlen);
}

/* CAT:NAME for tracepoints, NAME for syscalls and kernel functions. */
static int parse_named(const char *rest, struct spec *out, bool want_category, char *err,
		       size_t errlen)
{
	const char *colon = strchr(rest, ':');

	if (want_category) {
		if (!colon || colon == rest || !colon[1] || strchr(colon + 1, ':')) {
			snprintf(err, errlen, "expected %s:CATEGORY:NAME", out->kind->name);
			return -EINVAL;
		}
		if (copy_part(out->lib, sizeof(out->lib), rest, colon - rest, "category", err,
			      errlen))
			return -EINVAL;
		return copy_part(out->func, sizeof(out->func), colon + 1, strlen(colon + 1),
				 "tracepoint name", err, errlen);
	}
	if (!*rest || colon) {
		snprintf(err, errlen, "expected one name after the kind");
		return -EINVAL;
	}
	return parse_func(rest, out, err, errlen);
}

/* hz:N. The kernel samples a cpu-clock at most every 10 us (its hrtimer floor and
 * perf_event_max_sample_rate's default): more would only be refused later. */
static int parse_hz(const char *rest, struct spec *out, char *err, size_t errlen)
{
	uint64_t n;
	char *end;

	if (strncmp(rest, "hz:", 3) || rest[3] < '1' || rest[3] > '9' ||
	    !(n = strtoull(rest + 3, &end, 10)) || *end || n > SPEC_MAX_HZ) {
		snprintf(err, errlen, "expected %s:hz:N (1 to %d)", out->kind->name, SPEC_MAX_HZ);
		return -EINVAL;
	}
	out->interval_ns = 1000000000ULL / n;
	return 0;
}

int spec_parse(const char *text, struct spec *out, char *err, size_t errlen)
{
	const char *colon = strchr(text, ':');
	const char *rest = colon ? colon + 1 : "";
	int n_colons = 0;

	memset(out, 0, sizeof(*out));
	for (const char *c = text; *c; c++)
		n_colons += *c == ':';
	out->kind = provider_kind_named(text, colon ? (size_t)(colon - text) : strlen(text));
	if (!out->kind) {
		if (n_colons != 1 || !(out->kind = provider_kind_bare())) {
			snprintf(err, errlen, "unknown probe kind in '%s'", text);
			return -EINVAL;
		}
		return parse_user(text, out, err, errlen);	/* LIB:FUNC */
	}
	switch (out->kind->form) {
	case SPEC_FORM_NONE:
		if (colon) {
			snprintf(err, errlen, "'%s' takes no arguments", out->kind->name);
			return -EINVAL;
		}
		return 0;
	case SPEC_FORM_HZ:
		return parse_hz(rest, out, err, errlen);
	case SPEC_FORM_USDT:
		return parse_usdt(rest, out, err, errlen);
	case SPEC_FORM_CATEGORY:
		return parse_named(rest, out, true, err, errlen);
	case SPEC_FORM_NAME:
		return parse_named(rest, out, false, err, errlen);
	case SPEC_FORM_FUNC:
		break;
	}
	return parse_user(rest, out, err, errlen);
}
