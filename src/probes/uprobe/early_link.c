/* Links made before their programs are verified: see early_link.h. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "early_link.h"
#include "uprobe_multi.h"

struct early_link {
	struct early_link_req req;	/* with its own copies of path, offsets, cookies */
	int array_fd;
	int tramp_fd[2];
	int link_fd[2];
	int rc;				/* the thread's: 0 or -errno of the link that failed */
	pthread_t thread;
	bool running;
};

/* r1 (the context) goes through unchanged to the program in slot `slot`. */
static int load_trampoline(int array_fd, int slot, bool is_return)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_2,
		  .src_reg = BPF_PSEUDO_MAP_FD, .imm = array_fd },
		{ 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3, .imm = slot },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_tail_call },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = (enum bpf_attach_type)LT_BPF_TRACE_UPROBE_MULTI);
	int fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, is_return ? "lt_early_return" : "lt_early_entry",
			       "GPL", insns, sizeof(insns) / sizeof(insns[0]), &opts);

	return fd < 0 ? -errno : fd;
}

static void *link_all(void *arg)
{
	struct early_link *el = arg;
	const struct early_link_req *r = &el->req;

	for (int i = 0; i < r->nlinks && !el->rc; i++) {
		int fd = uprobe_multi_attach(el->tramp_fd[i], r->path, r->offsets, r->cookies,
					     r->cnt, r->is_return[i], r->pid);

		if (fd < 0)
			el->rc = fd;
		else
			el->link_fd[i] = fd;
	}
	return NULL;
}

static bool copy_request(struct early_link *el, const struct early_link_req *req)
{
	size_t bytes = req->cnt * sizeof(uint64_t);
	char *path = strdup(req->path);
	uint64_t *offsets = malloc(bytes), *cookies = malloc(bytes);

	el->req = *req;
	el->req.path = path;
	el->req.offsets = offsets;
	el->req.cookies = cookies;
	if (!path || !offsets || !cookies)
		return false;
	memcpy(offsets, req->offsets, bytes);
	memcpy(cookies, req->cookies, bytes);
	return true;
}

struct early_link *early_link_start(const struct early_link_req *req)
{
	struct early_link *el;

	if (req->nlinks < 1 || req->nlinks > 2 || !req->cnt || !(el = calloc(1, sizeof(*el))))
		return NULL;
	el->array_fd = el->tramp_fd[0] = el->tramp_fd[1] = el->link_fd[0] = el->link_fd[1] = -1;
	if (!copy_request(el, req))
		goto fail;
	el->array_fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "lt_early", sizeof(uint32_t),
				      sizeof(uint32_t), 2, NULL);
	if (el->array_fd < 0)
		goto fail;
	for (int i = 0; i < req->nlinks; i++)
		if ((el->tramp_fd[i] = load_trampoline(el->array_fd, i, req->is_return[i])) < 0)
			goto fail;
	if (pthread_create(&el->thread, NULL, link_all, el))
		goto fail;
	el->running = true;
	return el;
fail:
	early_link_free(el);
	return NULL;
}

static void join(struct early_link *el)
{
	if (el->running)
		pthread_join(el->thread, NULL);
	el->running = false;
}

/* The links not handed over (none once early_link_finish succeeded). */
static void close_links(struct early_link *el)
{
	for (int i = 0; i < 2; i++) {
		if (el->link_fd[i] >= 0)
			close(el->link_fd[i]);
		el->link_fd[i] = -1;
	}
}

int early_link_finish(struct early_link *el, struct bpf_program *const progs[], int fds[2])
{
	int rc = 0;

	for (uint32_t i = 0; i < (uint32_t)el->req.nlinks && !rc; i++) {
		int prog_fd = progs[i] ? bpf_program__fd(progs[i]) : -EINVAL;
		bool sleepable = progs[i] && (bpf_program__flags(progs[i]) & BPF_F_SLEEPABLE);

		if (prog_fd < 0 || sleepable)
			rc = -EINVAL;
		else if (bpf_map_update_elem(el->array_fd, &i, &prog_fd, BPF_ANY))
			rc = -errno;
	}
	join(el);
	if (!rc)
		rc = el->rc;
	if (rc) {	/* the caller links again: no hit may run twice meanwhile */
		close_links(el);
		return rc;
	}
	for (int i = 0; i < el->req.nlinks; i++) {
		fds[i] = el->link_fd[i];
		el->link_fd[i] = -1;
	}
	return 0;
}

void early_link_free(struct early_link *el)
{
	if (!el)
		return;
	join(el);
	close_links(el);
	for (int i = 0; i < 2; i++)
		if (el->tramp_fd[i] >= 0)
			close(el->tramp_fd[i]);
	if (el->array_fd >= 0)
		close(el->array_fd);
	free((void *)el->req.path);
	free((void *)el->req.offsets);
	free((void *)el->req.cookies);
	free(el);
}
