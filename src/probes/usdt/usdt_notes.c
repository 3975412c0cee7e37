/* Reads .note.stapsdt: each note is three addresses (probe, .stapsdt.base, semaphore) in
 * the file's word size, then "provider\0name\0args\0". The probe's address moves with the
 * .stapsdt.base section when a tool (prelink) relocated the file after the notes were
 * written; a uprobe wants file offsets, found through the PT_LOAD segment holding each
 * address (the probe in an executable one). */
#include <errno.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "elf_file.h"
#include "usdt_notes.h"

#define STAPSDT_TYPE 3

static uint64_t read_word(const char *p, int wide)
{
	uint64_t v64 = 0;
	uint32_t v32 = 0;

	if (wide) {
		memcpy(&v64, p, 8);
		return v64;
	}
	memcpy(&v32, p, 4);
	return v32;
}

/* One note's descriptor; -EINVAL when malformed (then skipped). */
static int parse_desc(const char *desc, size_t len, int wide, struct usdt_note *n)
{
	size_t w = wide ? 8 : 4, off = 3 * w;
	const char *strs[3];

	if (len < off)
		return -EINVAL;
	n->loc = read_word(desc, wide);
	n->base = read_word(desc + w, wide);
	n->sema = read_word(desc + 2 * w, wide);
	for (int i = 0; i < 3; i++) {
		const char *end = off < len ? memchr(desc + off, 0, len - off) : NULL;

		if (!end)
			return -EINVAL;
		strs[i] = desc + off;
		off = end - desc + 1;
	}
	n->provider = strdup(strs[0]);
	n->name = strdup(strs[1]);
	n->args = strdup(strs[2]);
	return n->provider && n->name && n->args ? 0 : -ENOMEM;
}

static void note_free(struct usdt_note *n)
{
	free(n->provider);
	free(n->name);
	free(n->args);
}

static int add_note(struct usdt_note_list *out, const char *desc, size_t len, int wide)
{
	struct usdt_note n = {}, *v;
	int rc = parse_desc(desc, len, wide, &n);

	if (rc) {
		note_free(&n);
		return rc == -EINVAL ? 0 : rc;
	}
	v = realloc(out->v, (out->n + 1) * sizeof(*v));
	if (!v) {
		note_free(&n);
		return -ENOMEM;
	}
	out->v = v;
	v[out->n++] = n;
	return 0;
}

static int read_section(Elf_Scn *scn, int wide, struct usdt_note_list *out)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off = 0, name_off, desc_off, next;
	GElf_Nhdr nh;
	int rc = 0;

	while (data && !rc && (next = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		const char *base = data->d_buf;

		if (nh.n_type == STAPSDT_TYPE && nh.n_namesz == sizeof("stapsdt") &&
		    !memcmp(base + name_off, "stapsdt", sizeof("stapsdt")))
			rc = add_note(out, base + desc_off, nh.n_descsz, wide);
		off = next;
	}
	return rc;
}

/* The file offset of `addr` in a PT_LOAD segment (an executable one when `exec`), 0 when
 * none holds it. */
static uint64_t file_offset(Elf *elf, uint64_t addr, bool exec)
{
	size_t n;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_LOAD &&
		    (!exec || (ph.p_flags & PF_X)) && addr >= ph.p_vaddr &&
		    addr < ph.p_vaddr + ph.p_memsz)
			return addr - ph.p_vaddr + ph.p_offset;
	return 0;
}

static void locate(Elf *elf, uint64_t stapsdt_base, struct usdt_note_list *out)
{
	for (size_t i = 0; i < out->n; i++) {
		struct usdt_note *n = &out->v[i];
		uint64_t loc = n->loc;

		if (stapsdt_base && n->base)
			loc += stapsdt_base - n->base;
		n->loc_off = file_offset(elf, loc, true);
		n->sema_off = n->sema ? file_offset(elf, n->sema, false) : 0;
	}
}

static int read_elf(const struct elf_file *ef, struct usdt_note_list *out)
{
	Elf *elf = ef->elf;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shstrndx;
	uint64_t stapsdt_base = 0;
	int wide = elf_file_wide(ef), rc = 0;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return -ENOEXEC;
	while (!rc && (scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		if (sh.sh_type == SHT_NOTE && !strcmp(name, ".note.stapsdt"))
			rc = read_section(scn, wide, out);
		else if (!strcmp(name, ".stapsdt.base"))
			stapsdt_base = sh.sh_addr;
	}
	if (!rc)
		locate(elf, stapsdt_base, out);
	return rc;
}

int usdt_notes_read(const char *path, struct usdt_note_list *out)
{
	struct elf_file ef;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = elf_file_open(&ef, path, 0, NULL, 0)))
		return rc;
	rc = read_elf(&ef, out);
	elf_file_close(&ef);
	if (rc)
		usdt_notes_free(out);
	return rc;
}

void usdt_notes_free(struct usdt_note_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		note_free(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

int usdt_note_nargs(const struct usdt_note *note)
{
	int n = 0;

	for (const char *p = note->args; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		n++;
		while (*p && *p != ' ')
			p++;
	}
	return n;
}
