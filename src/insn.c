/* Decodes from the function's first byte to the probe site: an offset that lands inside
 * an instruction would plant the breakpoint in the middle of it and crash the target. */
#include <capstone.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "insn.h"

#define MAX_INSN 15

static int read_code(const char *path, uint64_t from, size_t len, uint8_t **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *buf = malloc(len);
	ssize_t n = -1;

	if (fd >= 0 && buf)
		n = pread(fd, buf, len, from);
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		free(buf);
		return fd < 0 ? -errno : -EIO;
	}
	*out = buf;
	return (int)n;
}

/* Walks instruction by instruction; returns the offset of the first boundary >= site. */
static uint64_t boundary_at_or_after(csh cs, const uint8_t *code, size_t len, uint64_t func,
				     uint64_t site)
{
	const uint8_t *p = code;
	uint64_t addr = func;
	cs_insn *insn = cs_malloc(cs);

	while (insn && addr < site && len &&
	       cs_disasm_iter(cs, &p, &len, &addr, insn))
		;
	cs_free(insn, 1);
	return addr;
}

int insn_check_site(const char *path, uint64_t func, uint64_t size, uint64_t site, char *why,
		    size_t whylen)
{
	uint64_t span = site - func + MAX_INSN, at;
	uint8_t *code = NULL;
	csh cs;
	int n;

	if (site < func || (size && site >= func + size)) {
		snprintf(why, whylen, "offset %#llx is outside the function",
			 (unsigned long long)(site - func));
		return -EINVAL;
	}
	if ((n = read_code(path, func, span, &code)) < 0)
		return n;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		free(code);
		return -ENOMEM;
	}
	at = boundary_at_or_after(cs, code, n, func, site);
	cs_close(&cs);
	n = code[site - func] == 0x62 ? -EOPNOTSUPP : 0;	/* EVEX prefix in 64-bit mode */
	free(code);
	if (at != site) {
		snprintf(why, whylen, "offset %#llx is not on an instruction boundary",
			 (unsigned long long)(site - func));
		return -EINVAL;
	}
	if (n)
		snprintf(why, whylen, "its instruction is AVX-512 (EVEX), which uprobes "
			 "single-step incorrectly on this kernel");
	return n;
}
