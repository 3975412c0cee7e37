/* The page (web/index.html), embedded at build time by cmake/embed_web.cmake. */
#ifndef LT_WEB_PAGE_H
#define LT_WEB_PAGE_H

#include <stddef.h>

extern const char web_page[];
extern const size_t web_page_len;

#endif
