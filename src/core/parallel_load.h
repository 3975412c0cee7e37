/* Verifying a template's programs on several CPUs. libbpf loads one object's programs one
 * after the other, and the verifier takes 10-15 ms for each syscall program here, so a
 * template is opened once per program (each object reusing the maps of one that loads no
 * program) and the objects are loaded in threads: libbpf is safe for threads that work on
 * different objects. */
#ifndef LT_PARALLEL_LOAD_H
#define LT_PARALLEL_LOAD_H

struct bpf_object_skeleton;

#define LOAD_PARALLEL_MAX 8

/* Loads skels[0] here and the others (at most LOAD_PARALLEL_MAX in all) in threads; 0 or
 * the first -errno (all were tried; the owner destroys each object either way). rcs, when
 * not NULL, gets each one's result. */
int load_parallel(struct bpf_object_skeleton *const skels[], int n, int rcs[]);

#endif
