/* Values, the session's first and last lines, and the line writer (json_enc.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include "json_enc.h"
#include "session.h"

/* Strict UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF) and no NUL: what a
 * JSON string can carry and every decoder accepts. */
static bool utf8_text(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = s[i];
		size_t n;
		uint32_t cp;

		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return false;
		if (len - i <= n)	/* cut short */
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += n + 1;
	}
	return true;
}

struct json_object *json_enc_bytes(const void *bytes, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *b = bytes;
	struct json_object *o;
	char *hex;

	if (utf8_text(b, len))
		return json_object_new_string_len((const char *)b, (int)len);
	if (!(hex = malloc(2 * len + 1)))
		return NULL;
	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = digits[b[i] >> 4];
		hex[2 * i + 1] = digits[b[i] & 15];
	}
	o = json_object_new_object();
	json_object_object_add(o, "hex", json_object_new_string_len(hex, (int)(2 * len)));
	free(hex);
	return o;
}

static struct json_object *string_array(char *const *v)
{
	struct json_object *a = json_object_new_array();

	for (; v && *v; v++)
		json_object_array_add(a, json_enc_bytes(*v, strlen(*v)));
	return a;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t json_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

struct json_object *json_enc_session(const char *version, const char *script, char *const *argv,
				     int target_pid, char *const *command)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string("session"));
	json_object_object_add(o, "schema", json_object_new_string(JSON_SCHEMA));
	json_object_object_add(o, "schema_version", json_object_new_int(JSON_SCHEMA_VERSION));
	json_object_object_add(o, "version", version ? json_object_new_string(version) : NULL);
	json_object_object_add(o, "script", script ? json_enc_bytes(script, strlen(script)) : NULL);
	json_object_object_add(o, "argv", string_array(argv));
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	json_object_object_add(o, "target_pid", target_pid > 0 ? json_object_new_int(target_pid) : NULL);
	json_object_object_add(o, "command", command ? string_array(command) : NULL);
	/* Events carry the kernel's CLOCK_MONOTONIC (ts_ns): the pair converts them to wall time. */
	json_object_object_add(o, "monotonic_ns", json_object_new_int64(clock_ns(CLOCK_MONOTONIC)));
	json_object_object_add(o, "realtime_ns", json_object_new_int64(clock_ns(CLOCK_REALTIME)));
	return o;
}

struct json_object *json_enc_end(struct session *s, int exit_status)
{
	struct json_object *o = json_object_new_object(), *drops = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string("end"));
	json_object_object_add(o, "ts_ns", json_object_new_int64(json_now_ns()));
	json_object_object_add(o, "exit_status", json_object_new_int(exit_status));
	json_object_object_add(o, "events", json_object_new_uint64(s->events));
	json_object_object_add(o, "lost_detached", json_object_new_uint64(s->lost_lua));
	for (int i = 0; i < LT_CNT_MAX; i++)
		json_object_object_add(drops, session_counter_name(i),
				       json_object_new_uint64(session_counter(s, i)));
	json_object_object_add(o, "drops", drops);
	return o;
}

/* o's one-line text (json-c's plain form: no newline inside), owned by o; NULL: ENOMEM. */
static const char *line_of(struct json_object *o, size_t *len)
{
	return o ? json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE, len) : NULL;
}

int json_enc_write(FILE *f, struct json_object *o)
{
	size_t len;
	const char *text = line_of(o, &len);
	int rc = 0;

	if (!o)
		return -ENOMEM;
	if (!text || fwrite(text, 1, len, f) != len || putc('\n', f) == EOF)
		rc = -EIO;
	json_object_put(o);
	return rc;
}

long json_enc_line(struct json_object *o, char *buf, size_t size)
{
	size_t len;
	const char *text = line_of(o, &len);

	if (text && len < size)
		memcpy(buf, text, len + 1);
	json_object_put(o);
	return text ? (long)len : -ENOMEM;
}
