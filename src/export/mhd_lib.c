/* libmicrohttpd loaded on first use (mhd_lib.h says why). */
#include "mhd_lib.h"

static struct mhd_lib lib;
static struct dl_lib dl = { "libmicrohttpd.so.12", { MHD_LIB_FUNCS(DL_LIB_SYM) }, 0 };

bool mhd_lib_load(const char *flag)
{
	return dl_lib_load(&dl, flag);
}

const struct mhd_lib *mhd(void)
{
	return &lib;
}
