/* libmicrohttpd, loaded when --metrics or --http starts its server (src/base/dl_lib.h):
 * linked, it and GnuTLS with its own dependencies (nettle, p11-kit, libtasn1, libidn2 ...)
 * were loaded and relocated at every start of every session (docs/benchmarks.md). */
#ifndef LT_MHD_LIB_H
#define LT_MHD_LIB_H

#include <microhttpd.h>
#include "dl_lib.h"

#define MHD_LIB_FUNCS(X)                                                                  \
	X(MHD_start_daemon) X(MHD_stop_daemon) X(MHD_queue_response)                      \
	X(MHD_create_response_from_buffer) X(MHD_create_response_from_callback)           \
	X(MHD_add_response_header) X(MHD_destroy_response) X(MHD_lookup_connection_value) \
	X(MHD_get_connection_values) X(MHD_get_connection_info) X(MHD_suspend_connection) \
	X(MHD_resume_connection)

struct mhd_lib {
	MHD_LIB_FUNCS(DL_LIB_FIELD)
};

/* Loads the library (the first call; flag names the option in the message): false after
 * one line on stderr. */
bool mhd_lib_load(const char *flag);
/* The functions, once mhd_lib_load said true (every caller runs under a daemon that
 * http_start started after loading them). */
const struct mhd_lib *mhd(void);

#endif
