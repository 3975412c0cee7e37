/* One module's symbols, read once: its PT_LOAD segments (file offset -> vaddr), build-id,
 * function symbols from .symtab and .dynsym, and for stripped files the .symtab of a
 * separate debug file (by build-id or .gnu_debuglink) or of its MiniDebugInfo
 * (.gnu_debugdata, an xz-compressed ELF holding the local function symbols). */
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include "elf_file.h"
#include "symbolize_int.h"

/* An image in memory (a module handed over as bytes, MiniDebugInfo) or a file. */
static int elf_in_open(struct elf_file *in, const char *path, const void *image, size_t len)
{
	return image ? elf_file_open_image(in, image, len) : elf_file_open(in, path, 0, NULL, 0);
}

static int read_build_id(const struct elf_file *ef, unsigned char *id, size_t *len)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_file_next(ef, scn, SHT_NOTE, &sh))) {
		Elf_Data *d;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!(d = elf_getdata(scn, NULL)))
			continue;
		while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)d->d_buf + name_off, "GNU", 4) &&
			    nh.n_descsz <= SYM_BUILD_ID_MAX) {
				memcpy(id, (char *)d->d_buf + desc_off, nh.n_descsz);
				*len = nh.n_descsz;
				return 0;
			}
		}
	}
	return -ENODATA;
}

int sym_file_build_id(const char *path, unsigned char *id, size_t *len)
{
	struct elf_file in;
	int rc = elf_in_open(&in, path, NULL, 0);

	if (rc)
		return rc;
	rc = read_build_id(&in, id, len);
	elf_file_close(&in);
	return rc;
}

static void read_loads(struct sym_module *m, const struct elf_file *ef)
{
	size_t n;

	m->is_exec = ef->eh.e_type == ET_EXEC;
	if (elf_getphdrnum(ef->elf, &n))
		return;
	for (size_t i = 0; i < n && m->nload < SYM_MAX_LOADS; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(ef->elf, i, &ph) && ph.p_type == PT_LOAD)
			m->load[m->nload++] = (struct sym_load){ ph.p_offset, ph.p_vaddr,
								 ph.p_filesz };
	}
}

uint64_t sym_module_vaddr(const struct sym_module *m, uint64_t off)
{
	for (int i = 0; i < m->nload; i++)
		if (off >= m->load[i].offset && off < m->load[i].offset + m->load[i].filesz)
			return off - m->load[i].offset + m->load[i].vaddr;
	/* Not in a segment's file bytes (bss, or segments unknown): page-aligned guess. */
	return m->nload ? off - (m->load[0].offset & ~4095ULL) + (m->load[0].vaddr & ~4095ULL) :
			  off;
}

/* Function symbols of one table; returns how many were added. */
static size_t add_symbols(struct sym_table *t, const struct elf_file *ef, const char *section)
{
	GElf_Shdr sh;
	Elf_Scn *scn = elf_file_section(ef, section, &sh);
	Elf_Data *d;
	size_t n = 0;

	if (!scn || !sh.sh_entsize || !(d = elf_getdata(scn, NULL)))
		return 0;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Sym sym;
		const char *name;
		int type;

		if (!gelf_getsym(d, i, &sym))
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF ||
		    !sym.st_value)
			continue;
		name = elf_strptr(ef->elf, sh.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		if (!sym_table_add(t, sym.st_value, sym.st_size, name, GELF_ST_BIND(sym.st_info)))
			n++;
	}
	return n;
}

static char *debuglink_name(const struct elf_file *ef)
{
	GElf_Shdr sh;
	Elf_Scn *scn = elf_file_section(ef, ".gnu_debuglink", &sh);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;

	if (!d || !d->d_size || !memchr(d->d_buf, 0, d->d_size))
		return NULL;
	return strdup(d->d_buf);
}

static size_t add_debug_file(struct sym_module *m, const char *link)
{
	struct elf_file in;
	size_t n;

	m->debug_path = sym_find_debug_file(m->path, m->build_id, m->build_id_len, link);
	if (!m->debug_path || elf_in_open(&in, m->debug_path, NULL, 0))
		return 0;
	n = add_symbols(&m->syms, &in, ".symtab");
	elf_file_close(&in);
	return n;
}

static size_t add_minidebuginfo(struct sym_module *m, const struct elf_file *ef)
{
	GElf_Shdr sh;
	Elf_Scn *scn = elf_file_section(ef, ".gnu_debugdata", &sh);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	struct elf_file in;
	size_t len, n = 0;
	void *img;

	if (!d || !(img = sym_minidebug_decompress(d->d_buf, d->d_size, &len)))
		return 0;
	if (!elf_in_open(&in, NULL, img, len)) {
		n = add_symbols(&m->syms, &in, ".symtab");
		elf_file_close(&in);
	}
	free(img);
	return n;
}

int sym_module_load(struct sym_module *m)
{
	struct elf_file in;
	size_t own;
	char *link;
	int rc;

	if (m->loaded)
		return 0;
	m->loaded = true;
	if ((rc = elf_in_open(&in, m->path, m->image, m->image_len)))
		return rc;
	read_loads(m, &in);
	if (!m->build_id_len)
		read_build_id(&in, m->build_id, &m->build_id_len);
	own = add_symbols(&m->syms, &in, ".symtab");
	add_symbols(&m->syms, &in, ".dynsym");
	link = debuglink_name(&in);
	/* Stripped: local functions live in a debug file or the MiniDebugInfo. */
	if (!own && !m->image && !add_debug_file(m, link))
		add_minidebuginfo(m, &in);
	free(link);
	elf_file_close(&in);
	sym_table_finish(&m->syms);
	return 0;
}

void sym_module_free(struct sym_module *m)
{
	if (!m)
		return;
	sym_table_free(&m->syms);
	sym_lines_free(m->lines);
	free(m->debug_path);
	free(m->path);
	free(m);
}
