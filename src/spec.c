/* Probe-specifier parsing. Spellings follow bpftrace where one exists: KIND:LIB:FUNC for
 * user probes (LIB may itself contain ':' only as part of a path, so FUNC is what follows
 * the last ':'), a bare LIB:FUNC meaning uprobe, and FUNC+OFFSET or a 0x address. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "spec.h"

static const struct {
	const char *name;
	enum spec_kind kind;
} kinds[] = {
	{ "uprobe", SPEC_UPROBE },	{ "u", SPEC_UPROBE },
	{ "uretprobe", SPEC_URETPROBE },	{ "ur", SPEC_URETPROBE },
	{ "call", SPEC_CALL },		{ "usdt", SPEC_USDT },
	{ "tracepoint", SPEC_TRACEPOINT }, { "t", SPEC_TRACEPOINT },
	{ "syscall", SPEC_SYSCALL },	{ "kprobe", SPEC_KPROBE },
	{ "k", SPEC_KPROBE },		{ "kretprobe", SPEC_KRETPROBE },
	{ "kr", SPEC_KRETPROBE },	{ "kcall", SPEC_KCALL },
	{ "profile", SPEC_PROFILE },	{ "begin", SPEC_BEGIN },
	{ "BEGIN", SPEC_BEGIN },	{ "end", SPEC_END },
	{ "END", SPEC_END },		{ "interval", SPEC_INTERVAL },
	{ "i", SPEC_INTERVAL },
};

const char *spec_kind_name(enum spec_kind kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == kind && strlen(kinds[i].name) > 2)
			return kinds[i].name;
	return "?";
}

bool spec_is_user(enum spec_kind kind)
{
	return kind == SPEC_UPROBE || kind == SPEC_URETPROBE || kind == SPEC_CALL;
}

bool spec_is_glob(const char *func)
{
	return strpbrk(func, "*?[") != NULL;
}

static int find_kind(const char *name, size_t len, enum spec_kind *kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strlen(kinds[i].name) == len && !strncmp(kinds[i].name, name, len)) {
			*kind = kinds[i].kind;
			return 0;
		}
	}
	return -ENOENT;
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
	if (end == text || errno || v < 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].suffix)) {
			*ns = (uint64_t)(v * units[i].mult + 0.5);
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
		out->offset = strtoull(text, &end, 16);
		if (*end) {
			snprintf(err, errlen, "bad address '%s'", text);
			return -EINVAL;
		}
		out->is_addr = true;
		snprintf(out->func, sizeof(out->func), "%s", text);
		return 0;
	}
	if (plus) {
		errno = 0;
		out->offset = strtoull(plus + 1, &end, 0);
		if (plus[1] == 0 || *end || errno) {
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

/* usdt:BIN:PROVIDER:NAME, or usdt:BIN:NAME (any provider). */
static int parse_usdt(const char *rest, struct spec *out, char *err, size_t errlen)
{
	const char *last = strrchr(rest, ':'), *prev;

	if (!last || last == rest || !last[1]) {
		snprintf(err, errlen, "expected usdt:BIN:PROVIDER:NAME");
		return -EINVAL;
	}
	snprintf(out->func, sizeof(out->func), "%s", last + 1);
	for (prev = last - 1; prev > rest && *prev != ':'; prev--)
		;
	if (*prev == ':' && prev != rest) {
		snprintf(out->provider, sizeof(out->provider), "%.*s", (int)(last - prev - 1),
			 prev + 1);
		last = prev;
	}
	snprintf(out->lib, sizeof(out->lib), "%.*s", (int)(last - rest), rest);
	return 0;
}

/* CAT:NAME for tracepoints, NAME for syscalls and kernel functions. */
static int parse_named(const char *rest, struct spec *out, bool want_category, char *err,
		       size_t errlen)
{
	const char *colon = strchr(rest, ':');

	if (want_category) {
		if (!colon || colon == rest || !colon[1] || strchr(colon + 1, ':')) {
			snprintf(err, errlen, "expected tracepoint:CATEGORY:NAME");
			return -EINVAL;
		}
		snprintf(out->lib, sizeof(out->lib), "%.*s", (int)(colon - rest), rest);
		snprintf(out->func, sizeof(out->func), "%s", colon + 1);
		return 0;
	}
	if (!*rest || colon) {
		snprintf(err, errlen, "expected one name after the kind");
		return -EINVAL;
	}
	return parse_func(rest, out, err, errlen);
}

static int parse_period(const char *rest, struct spec *out, bool hz, char *err, size_t errlen)
{
	uint64_t n;
	char *end;

	if (hz) {
		if (strncmp(rest, "hz:", 3) || !(n = strtoull(rest + 3, &end, 10)) || *end) {
			snprintf(err, errlen, "expected profile:hz:N");
			return -EINVAL;
		}
		out->interval_ns = 1000000000ULL / n;
		return 0;
	}
	if (spec_parse_duration(rest, &out->interval_ns) || !out->interval_ns) {
		snprintf(err, errlen, "bad interval '%s' (e.g. 500ms, 1s)", rest);
		return -EINVAL;
	}
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
	if (find_kind(text, colon ? (size_t)(colon - text) : strlen(text), &out->kind)) {
		if (n_colons != 1) {
			snprintf(err, errlen, "unknown probe kind in '%s'", text);
			return -EINVAL;
		}
		out->kind = SPEC_UPROBE;	/* LIB:FUNC */
		return parse_user(text, out, err, errlen);
	}
	switch (out->kind) {
	case SPEC_BEGIN:
	case SPEC_END:
		if (colon) {
			snprintf(err, errlen, "'%s' takes no arguments", spec_kind_name(out->kind));
			return -EINVAL;
		}
		return 0;
	case SPEC_INTERVAL:
		return parse_period(rest, out, false, err, errlen);
	case SPEC_PROFILE:
		return parse_period(rest, out, true, err, errlen);
	case SPEC_USDT:
		return parse_usdt(rest, out, err, errlen);
	case SPEC_TRACEPOINT:
		return parse_named(rest, out, true, err, errlen);
	case SPEC_SYSCALL:
	case SPEC_KPROBE:
	case SPEC_KRETPROBE:
	case SPEC_KCALL:
		return parse_named(rest, out, false, err, errlen);
	default:
		return parse_user(rest, out, err, errlen);
	}
}
