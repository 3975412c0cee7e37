/* Probe-specifier parsing. Spellings follow bpftrace where one exists: KIND:LIB:FUNC for
 * user probes (LIB may itself contain ':' only as part of a path, so FUNC is what follows
 * the last ':'), a bare LIB:FUNC meaning uprobe, and FUNC+OFFSET or a 0x address. */
#include <errno.h>
#include <math.h>
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
	{ "rawtracepoint", SPEC_RAWTP },	{ "rt", SPEC_RAWTP },
	{ "tp_btf", SPEC_RAWTP },	{ "offcpu", SPEC_OFFCPU },
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
		snprintf(err, errlen, "expected usdt:BIN:PROVIDER:NAME");
		return -EINVAL;
	}
	for (p = name - 1; p > rest && *p != ':'; p--)
		;
	if (*p == ':') {	/* BIN:PROVIDER:NAME */
		if (p == rest) {
			snprintf(err, errlen, "expected usdt:BIN:PROVIDER:NAME (missing BIN)");
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
			snprintf(err, errlen, "expected tracepoint:CATEGORY:NAME");
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

static int parse_period(const char *rest, struct spec *out, bool hz, char *err, size_t errlen)
{
	uint64_t n;
	char *end;

	if (hz) {
		/* The kernel samples a cpu-clock at most every 10 us (its hrtimer floor and
		 * perf_event_max_sample_rate's default): more would only be refused later. */
		if (strncmp(rest, "hz:", 3) || rest[3] < '1' || rest[3] > '9' ||
		    !(n = strtoull(rest + 3, &end, 10)) || *end || n > SPEC_MAX_HZ) {
			snprintf(err, errlen, "expected profile:hz:N (1 to %d)", SPEC_MAX_HZ);
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
	case SPEC_OFFCPU:	/* its knobs are options: min_duration, max_duration, stack ... */
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
	case SPEC_RAWTP:
	case SPEC_KPROBE:
	case SPEC_KRETPROBE:
	case SPEC_KCALL:
		return parse_named(rest, out, false, err, errlen);
	default:
		return parse_user(rest, out, err, errlen);
	}
}
