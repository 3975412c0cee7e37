// SPDX-License-Identifier: GPL-2.0
/*
 * See elf_file.h. The file goes through sf_open_read, never a plain open(): a FIFO named as
 * a library would block the tool, a device would be read without end. libelf wants
 * elf_version() once before anything else; pthread_once makes that so in whichever thread
 * comes first (programs verify in threads while symbols are read).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "safe_file.h"
#include "elf_file.h"

static pthread_once_t libelf_once = PTHREAD_ONCE_INIT;
static int libelf_ok;

static void libelf_init(void)
{
	libelf_ok = elf_version(EV_CURRENT) != EV_NONE;
}

static int libelf_ready(char *err, size_t errlen)
{
	pthread_once(&libelf_once, libelf_init);
	if (libelf_ok)
		return 0;
	snprintf(err, errlen, "libelf: %s", elf_errmsg(-1));
	return -ENOTSUP;
}

/* What the reader asked of the header. */
static int check_header(struct elf_file *ef, const char *path, unsigned flags, char *err,
			size_t errlen)
{
	if (!ef->elf || elf_kind(ef->elf) != ELF_K_ELF || !gelf_getehdr(ef->elf, &ef->eh)) {
		snprintf(err, errlen, "%s: not an ELF file", path);
		return -ENOEXEC;
	}
	/* Relocatable objects have section-relative st_value and no segments to probe. */
	if ((flags & EF_LOADABLE) && ef->eh.e_type != ET_EXEC && ef->eh.e_type != ET_DYN) {
		snprintf(err, errlen, "%s: not an ELF executable or shared object", path);
		return -ENOEXEC;
	}
	return 0;
}

int elf_file_open(struct elf_file *ef, const char *path, unsigned flags, char *err,
		  size_t errlen)
{
	int rc = libelf_ready(err, errlen);

	ef->fd = -1;
	ef->elf = NULL;
	if (rc)
		return rc;
	ef->fd = sf_open_read(path, SF_MAX_ELF, 0, 0);	/* a FIFO does not block */
	if (ef->fd < 0) {
		rc = ef->fd;
		snprintf(err, errlen, "%s: %s", path, sf_strerror(rc));
		ef->fd = -1;
		return sf_errno(rc);
	}
	ef->elf = elf_begin(ef->fd, flags & EF_NO_MMAP ? ELF_C_READ : ELF_C_READ_MMAP, NULL);
	rc = check_header(ef, path, flags, err, errlen);
	if (rc)
		elf_file_close(ef);
	return rc;
}

int elf_file_open_image(struct elf_file *ef, const void *image, size_t len)
{
	int rc = libelf_ready(NULL, 0);

	ef->fd = -1;
	ef->elf = NULL;
	if (rc)
		return rc;
	ef->elf = elf_memory((char *)image, len);	/* ELF_C_READ: never written */
	rc = check_header(ef, "", 0, NULL, 0);
	if (rc)
		elf_file_close(ef);
	return rc;
}

void elf_file_close(struct elf_file *ef)
{
	elf_end(ef->elf);	/* NULL is fine */
	if (ef->fd >= 0)
		close(ef->fd);
	ef->elf = NULL;
	ef->fd = -1;
}

int elf_file_wide(const struct elf_file *ef)
{
	return ef->eh.e_ident[EI_CLASS] == ELFCLASS64;
}

Elf_Scn *elf_file_section(const struct elf_file *ef, const char *name, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	const char *n;

	if (elf_getshdrstrndx(ef->elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(ef->elf, scn)))
		if (gelf_getshdr(scn, sh) && (n = elf_strptr(ef->elf, shstrndx, sh->sh_name)) &&
		    !strcmp(n, name))
			return scn;
	return NULL;
}

Elf_Scn *elf_file_next(const struct elf_file *ef, Elf_Scn *scn, uint32_t type, GElf_Shdr *sh)
{
	while ((scn = elf_nextscn(ef->elf, scn)))
		if (gelf_getshdr(scn, sh) && sh->sh_type == type)
			return scn;
	return NULL;
}
