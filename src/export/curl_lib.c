/* libcurl loaded on first use (curl_lib.h says why). */
#include "curl_lib.h"

static struct curl_lib lib;
static struct dl_lib dl = { "libcurl.so.4", { CURL_LIB_FUNCS(DL_LIB_SYM) }, 0 };

const struct curl_lib *curl_lib(void)
{
	return dl_lib_load(&dl, "--otlp") ? &lib : NULL;
}
