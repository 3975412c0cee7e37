/* USDT probe points of an ELF file: the SystemTap notes (.note.stapsdt) that <sys/sdt.h>
 * leaves behind, read for listing and for naming what a usdt: spec matches. Attaching (and
 * decoding the argument specs: usdt_args.h) is the provider's job; this only reads. */
#ifndef LT_USDT_NOTES_H
#define LT_USDT_NOTES_H

#include <stddef.h>
#include <stdint.h>

struct usdt_note {
	char *provider;
	char *name;
	char *args;		/* argument spec, e.g. "-4@%esi 8@-24(%rbp)" */
	uint64_t loc;		/* address of the probe's nop */
	uint64_t sema;		/* address of its semaphore, 0 when it has none */
	uint64_t base;		/* .stapsdt.base's address when the note was written */
	uint64_t loc_off;	/* file offset of the nop (a uprobe's offset), 0 if unknown */
	uint64_t sema_off;	/* file offset of the semaphore (ref_ctr_offset), 0: none */
};

struct usdt_note_list {
	struct usdt_note *v;
	size_t n;
};

/* Every note of `path`, in file order. 0 (possibly none) or -errno: -ENOENT, -ENOEXEC (not
 * ELF), -ENOMEM. */
int usdt_notes_read(const char *path, struct usdt_note_list *out);
void usdt_notes_free(struct usdt_note_list *list);
/* Number of arguments in a note's spec (words separated by spaces). */
int usdt_note_nargs(const struct usdt_note *note);

#endif
