// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the ELF opener (src/elf/elf_file.c) and of every libelf reader behind it,
 * on files that are not what they claim: a FIFO (refused without blocking: elf_plt.c used
 * a plain open(), which waited for a writer for ever), a directory, a text file, an ELF
 * header of the wrong type, machine or class, and /bin/true cut short at every few hundred
 * bytes or with random bytes overwritten. Each reader must return 0 or -errno, never crash
 * (the test runs under ASan/UBSan) nor hang (alarm).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_file.h"
#include "elf_frame_pointers.h"
#include "elf_plt.h"
#include "elf_symbols.h"
#include "libpath_needed.h"
#include "safe_file.h"
#include "symbolize_int.h"
#include "usdt_notes.h"
#include "unit.h"

#define SAMPLE "/bin/true"

static char dir[] = "/tmp/lt-elf-file.XXXXXX";
static unsigned char *sample;
static size_t sample_len;

static const char *at(const char *name)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void write_bytes(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "w");

	CHECK(f && fwrite(buf, 1, len, f) == len);
	if (f)
		fclose(f);
}

/* The sample with the header field at off (len bytes) replaced by val. */
static const char *patched(const char *name, size_t off, uint64_t val, size_t len)
{
	unsigned char *copy = malloc(sample_len);

	memcpy(copy, sample, sample_len);
	memcpy(copy + off, &val, len);	/* little-endian, as the sample */
	write_bytes(at(name), copy, sample_len);
	free(copy);
	return at(name);
}

/* Opens path with flags; checks the code and that err starts with the path and names why. */
static void check_open(const char *path, unsigned flags, int want, const char *why)
{
	struct elf_file ef;
	char err[256] = "";
	int rc = elf_file_open(&ef, path, flags, err, sizeof(err));

	CHECK_EQ_INT(rc, want);
	if (!rc) {
		CHECK(ef.elf != NULL && ef.fd >= 0);
		elf_file_close(&ef);
		return;
	}
	CHECK(ef.elf == NULL && ef.fd == -1);
	CHECK(!strncmp(err, path, strlen(path)));
	CHECK(strstr(err, why) != NULL);
	CHECK(!strchr(err, '\n'));
	if (!strstr(err, why))
		fprintf(stderr, "  message: %s\n", err);
}

static void test_refused(void)
{
	CHECK_EQ_INT(mkfifo(at("fifo"), 0600), 0);
	write_bytes(at("text"), "not an ELF file\n", 16);
	check_open(at("missing"), 0, -ENOENT, "No such file or directory");
	check_open(at("fifo"), 0, -ENOEXEC, "not a regular file");
	check_open(dir, 0, -EISDIR, "Is a directory");
	check_open(at("text"), 0, -ENOEXEC, "not an ELF file");
	write_bytes(at("short"), sample, 10);	/* the magic and part of e_ident */
	check_open(at("short"), 0, -ENOEXEC, "not an ELF file");
	check_open(patched("badclass", EI_CLASS, 7, 1), 0, -ENOEXEC, "not an ELF file");
	/* A relocatable object is ELF, not something a process maps. */
	check_open(patched("rel", offsetof(Elf64_Ehdr, e_type), ET_REL, 2), 0, 0, "");
	check_open(at("rel"), EF_LOADABLE, -ENOEXEC, "not an ELF executable or shared object");
	/* No message asked for: the code alone. */
	CHECK_EQ_INT(elf_file_open(&(struct elf_file){}, at("fifo"), 0, NULL, 0), -ENOEXEC);
}

/* What the readers say of the same files, through the opener. */
static void test_readers_refuse(void)
{
	struct plt_list pl;
	struct usdt_note_list nl;
	char err[256] = "";

	CHECK_EQ_INT(elf_plt_imports(at("fifo"), &pl, err, sizeof(err)), -ENOEXEC);
	CHECK(strstr(err, "not a regular file") != NULL);
	CHECK_EQ_INT(elf_plt_imports(dir, &pl, NULL, 0), -EISDIR);
	CHECK_EQ_INT(usdt_notes_read(at("fifo"), &nl), -ENOEXEC);
	CHECK_EQ_INT(elf_funcs_match(at("rel"), "*", &(struct elf_func_list){}, NULL, err,
				     sizeof(err)), -ENOEXEC);
	CHECK(strstr(err, "not an ELF executable or shared object") != NULL);
	/* The x86-64 decoder on another machine's file. */
	CHECK_EQ_INT(elf_plt_imports(patched("i386", offsetof(Elf64_Ehdr, e_machine), EM_386, 2),
				     &pl, err, sizeof(err)), -ENOTSUP);
	CHECK(strstr(err, "not an x86-64 file") != NULL);
	CHECK(elf_has_frame_pointers(at("fifo")));	/* unreadable: the cheap walk */
}

static void test_sample(void)
{
	struct elf_file ef, img;
	GElf_Shdr sh;
	Elf_Scn *scn;
	int ndyn = 0;

	CHECK_EQ_INT(elf_file_open(&ef, SAMPLE, EF_LOADABLE | EF_NO_MMAP, NULL, 0), 0);
	CHECK(elf_file_wide(&ef));
	CHECK(ef.eh.e_machine == EM_X86_64);
	scn = elf_file_section(&ef, ".text", &sh);
	CHECK(scn && sh.sh_type == SHT_PROGBITS && (sh.sh_flags & SHF_EXECINSTR));
	CHECK(elf_file_section(&ef, ".no.such.section", &sh) == NULL);
	for (scn = NULL; (scn = elf_file_next(&ef, scn, SHT_DYNAMIC, &sh));)
		ndyn++;
	CHECK_EQ_INT(ndyn, 1);
	elf_file_close(&ef);
	CHECK_EQ_INT(elf_file_open_image(&img, sample, sample_len), 0);
	CHECK(elf_file_section(&img, ".text", &sh) != NULL);
	elf_file_close(&img);
	CHECK_EQ_INT(elf_file_open_image(&img, "not an ELF image", 16), -ENOEXEC);
}

static int func_cb(const char *name, uint64_t addr, uint64_t size, void *ctx)
{
	(void)name, (void)addr, (void)size;
	++*(int *)ctx;
	return 0;
}

static void name_cb(const char *name, void *ctx)
{
	(void)name;
	++*(int *)ctx;
}

/* Every libelf reader over one damaged file: 0 or -errno, never more. */
static void read_all(const char *path, int *bad)
{
	struct elf_func_list fl;
	struct plt_list pl;
	struct elf_exe_info info;
	struct elf_dyn_names dn;
	struct usdt_note_list nl;
	unsigned char id[64];
	char out[4096], err[256];
	uint64_t off;
	size_t len;
	int n = 0, rc[10];

	rc[0] = elf_funcs_match(path, "*", &fl, NULL, err, sizeof(err));
	if (!rc[0])
		elf_func_list_free(&fl);
	rc[1] = elf_each_func(path, func_cb, &n, err, sizeof(err));
	rc[2] = elf_plt_imports(path, &pl, err, sizeof(err));
	if (!rc[2])
		elf_plt_list_free(&pl);
	rc[3] = elf_exe_info(path, &info, err, sizeof(err));
	rc[4] = elf_dyn_names(path, &dn, err, sizeof(err));
	if (!rc[4])
		elf_dyn_names_free(&dn);
	rc[5] = elf_func_names(path, name_cb, &n, err, sizeof(err));
	rc[6] = usdt_notes_read(path, &nl);
	if (!rc[6])
		usdt_notes_free(&nl);
	rc[7] = elf_vaddr_to_offset(path, 0x1000, &off, err, sizeof(err));
	rc[8] = sym_file_build_id(path, id, &len);
	rc[9] = elf_debug_file(path, out, sizeof(out), err, sizeof(err));
	elf_has_frame_pointers(path);
	libpath_resolve_for("libc", path, out, sizeof(out));
	for (int i = 0; i < 10; i++)
		if (rc[i] > 0 || rc[i] < -4095)
			++*bad;
}

static void test_damaged(void)
{
	unsigned char *copy = malloc(sample_len);
	int bad = 0, cuts = 0;

	for (size_t cut = 0; cut < sample_len; cut += 211, cuts++) {
		write_bytes(at("cut"), sample, cut);
		read_all(at("cut"), &bad);
	}
	srand(13);
	for (int i = 0; i < 300; i++) {
		memcpy(copy, sample, sample_len);
		/* The headers and tables the readers walk: the ELF header, program headers and
		 * the section header table at the end, then anywhere. */
		for (int j = 0; j < 8; j++) {
			size_t r = (size_t)rand();
			size_t where = j < 2 ? r % 0x400 :
				       j < 5 ? sample_len - 1 - r % 0x800 : r % sample_len;

			copy[where] = rand();
		}
		write_bytes(at("flip"), copy, sample_len);
		read_all(at("flip"), &bad);
	}
	free(copy);
	printf("%d cuts and 300 damaged copies of %s read\n", cuts, SAMPLE);
	CHECK_EQ_INT(bad, 0);
}

int main(void)
{
	char cmd[64];

	alarm(120);	/* a reader that blocks fails the test instead of hanging it */
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	CHECK_EQ_INT(sf_read_all(SAMPLE, SF_MAX_ELF, (char **)&sample, &sample_len), 0);
	if (!sample || sample_len < 4096)
		return unit_summary();
	test_refused();
	test_readers_refuse();
	test_sample();
	test_damaged();
	free(sample);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_summary();
}
