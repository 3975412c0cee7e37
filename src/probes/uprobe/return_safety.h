/* Where a return probe would harm the traced program (src/probes/uprobe/return_safety.c):
 * functions that return twice (setjmp, vfork, getcontext ... under every alias), entry
 * points (e_entry: _start), code entered by a jump (_dl_runtime_resolve*, __restore_rt).
 * The one list: the uprobe provider checks every return-probe site against it,
 * lua/ltrace.lua asks it through ltrace.native.return_unsafe. */
#ifndef LT_RETURN_SAFETY_H
#define LT_RETURN_SAFETY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The function `name` of `path` (by name: the name itself, or any alias at its address). */
bool return_unsafe_func(const char *path, const char *name, char *why, size_t whylen);
/* The site at file offset `off` of `path` (inside such a function, or an entry point). */
bool return_unsafe_site(const char *path, uint64_t off, char *why, size_t whylen);
/* A site past the first instruction of a function of `path` (an address inside it). */
bool return_unsafe_inside(const char *path, uint64_t off, char *why, size_t whylen);
/* A PLT stub of `exe` that calls the import `name`: judged in the libraries exe needs. */
bool return_unsafe_import(const char *exe, const char *name, char *why, size_t whylen);

#endif
