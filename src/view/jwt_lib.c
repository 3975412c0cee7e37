/* libjwt loaded on first use (jwt_lib.h says why). */
#include "jwt_lib.h"

static struct jwt_lib lib;
static struct dl_lib dl = { "libjwt.so.0", { JWT_LIB_FUNCS(DL_LIB_SYM) }, 0 };

const struct jwt_lib *jwt_lib(void)
{
	return dl_lib_load(&dl, "--http-jwt-key") ? &lib : NULL;
}
