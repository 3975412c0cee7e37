/* The open-file limit raised for the tool, restored for what it starts (fd_limit.h). */
#include <errno.h>
#include <sys/resource.h>
#include "fd_limit.h"

static struct rlimit inherited;
static int saved;

void fd_limit_raise(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &inherited))
		return;
	saved = 1;
	r = inherited;
	if (r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);	/* not fatal: probes may then run out sooner */
	}
}

void fd_limit_restore_inherited(void)
{
	if (saved)
		setrlimit(RLIMIT_NOFILE, &inherited);
}

unsigned long fd_limit_inherited(void)
{
	return saved ? (unsigned long)inherited.rlim_cur : 0;
}

bool fd_limit_ran_out(int err)
{
	return err == -EMFILE || err == -ENFILE;
}
