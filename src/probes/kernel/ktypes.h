/* C type names as format files spell them ("unsigned int", "pid_t", "const char *") turned
 * into a size, a signedness and a value type: by the spelling for the base types and the
 * syscall ABI's typedefs (pid_t, umode_t ...), through the kernel's BTF for other typedefs
 * (loaded on first need). */
#ifndef LT_KTYPES_H
#define LT_KTYPES_H

#include <stdbool.h>
#include "fetch.h"

struct btf;
struct session;

struct ktype {
	unsigned size;		/* 1, 2, 4 or 8 */
	bool is_signed;
	bool is_ptr;
};

/* A base type (int, unsigned long, u32, size_t, pid_t ...) by its spelling alone; false if
 * not. */
bool ktype_base(const char *text, struct ktype *out);
/* Always fills out: a type nothing knows is an unsigned 64-bit word. */
void ktype_resolve(const struct btf *btf, const char *text, struct ktype *out);
/* The same with the session's BTF, loaded only for a type its spelling does not give. */
void ktype_resolve_in(struct session *s, const char *text, struct ktype *out);
enum value_type ktype_value_type(const struct ktype *t);
/* The kernel's BTF, loaded once per session (NULL when the kernel has none). */
const struct btf *ktypes_btf(struct session *s);

#endif
