/* Decodes from the function's first byte to the probe site: an offset that lands inside
 * an instruction would plant the breakpoint in the middle of it and crash the target.
 * Capstone is loaded with dlopen only when a probe names FUNC+OFFSET: its tables cost
 * ~3.4 MiB of resident memory, which sessions probing function entries should not pay. */
#include <capstone.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "safe_file.h"
#include "insn.h"
#include "insn_kernel.h"

#define MAX_INSN 15

static struct {
	cs_err (*open)(cs_arch, cs_mode, csh *);
	cs_err (*close)(csh *);
	cs_insn *(*malloc)(csh);
	void (*free)(cs_insn *, size_t);
	bool (*disasm_iter)(csh, const uint8_t **, size_t *, uint64_t *, cs_insn *);
} cs;

static int capstone_load(void)
{
	void *h;

	if (cs.open)
		return 0;
	h = dlopen("libcapstone.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return -ENOENT;
	cs.open = (cs_err(*)(cs_arch, cs_mode, csh *))dlsym(h, "cs_open");
	cs.close = (cs_err(*)(csh *))dlsym(h, "cs_close");
	cs.malloc = (cs_insn * (*)(csh)) dlsym(h, "cs_malloc");
	cs.free = (void (*)(cs_insn *, size_t))dlsym(h, "cs_free");
	cs.disasm_iter = (bool (*)(csh, const uint8_t **, size_t *, uint64_t *, cs_insn *))dlsym(
		h, "cs_disasm_iter");
	if (!cs.close || !cs.malloc || !cs.free || !cs.disasm_iter)
		cs.open = NULL;
	return cs.open ? 0 : -ENOENT;
}

static int read_code(const char *path, uint64_t from, size_t len, uint8_t **out)
{
	int fd = sf_open_elf(path);
	uint8_t *buf = malloc(len);
	ssize_t n = -1;

	if (fd >= 0 && buf)
		n = pread(fd, buf, len, from);
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		free(buf);
		return fd < 0 ? fd : -EIO;
	}
	*out = buf;
	return (int)n;
}

/* Walks instruction by instruction; returns the offset of the first boundary >= site. */
static uint64_t boundary_at_or_after(csh h, const uint8_t *code, size_t len, uint64_t func,
				     uint64_t site)
{
	const uint8_t *p = code;
	uint64_t addr = func;
	cs_insn *insn = cs.malloc(h);

	while (insn && addr < site && len && cs.disasm_iter(h, &p, &len, &addr, insn))
		;
	cs.free(insn, 1);
	return addr;
}

/* LTRACE_EBPF_INSN_CHECK=kernel: no guessing, let the kernel refuse (the test of the guess
 * compares both ways, tests/integration/test_insn_refused.sh). */
static bool predict_refusals(void)
{
	const char *env = getenv("LTRACE_EBPF_INSN_CHECK");

	return !env || strcmp(env, "kernel");
}

int insn_check_site(const char *path, uint64_t func, uint64_t size, uint64_t site, char *why,
		    size_t whylen)
{
	uint64_t span = site - func + MAX_INSN, at = site;
	uint8_t *code = NULL;
	bool evex, sysc, refused;
	csh h;
	int n;

	if (site < func || (size && site >= func + size)) {
		snprintf(why, whylen, "offset %#llx is outside the function",
			 (unsigned long long)(site - func));
		return -EINVAL;
	}
	if ((n = read_code(path, func, span, &code)) < 0)
		return n;
	if (site != func) {	/* a function's first byte is a boundary by definition */
		if (capstone_load() || cs.open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) {
			free(code);
			snprintf(why, whylen, "cannot check the offset: Capstone not available");
			return -EINVAL;
		}
		at = boundary_at_or_after(h, code, n, func, site);
		cs.close(&h);
	}
	evex = code[site - func] == 0x62;	/* EVEX prefix in 64-bit mode */
	/* syscall (0f 05) is single-stepped out of line, and this kernel's return from it
	 * goes wrong: getpid+5 under a uprobe killed sh with SIGSEGV. */
	sysc = n - (site - func) >= 2 && code[site - func] == 0x0f && code[site - func + 1] == 0x05;
	refused = predict_refusals() &&
		  insn_kernel_refuses(code + (site - func), n - (site - func));
	free(code);
	if (at != site) {
		snprintf(why, whylen, "offset %#llx is not on an instruction boundary",
			 (unsigned long long)(site - func));
		return -EINVAL;
	}
	if (evex)
		snprintf(why, whylen, "its instruction is AVX-512 (EVEX), which uprobes "
			 "single-step incorrectly on this kernel");
	else if (sysc)
		snprintf(why, whylen, "its instruction is syscall, which uprobes single-step "
			 "incorrectly on this kernel (the program crashes)");
	else if (refused)
		snprintf(why, whylen, "the kernel does not put uprobes on its instruction "
			 "(x86 uprobe_init_insn)");
	return evex || sysc || refused ? -EOPNOTSUPP : 0;
}
