/* Starts the kernel's uprobe grace period early, in a thread, so the session's real
 * uprobe links do not wait for it (see uprobe_warmup.c). */
#ifndef LT_UPROBE_WARMUP_H
#define LT_UPROBE_WARMUP_H

/* Once per process, when the first uprobe-based probe is resolved. No effect without
 * uprobe_multi links or with LTRACE_EBPF_NO_WARMUP set. */
void uprobe_warmup_start(void);
/* The session is ending: the thread may drop its throwaway link. */
void uprobe_warmup_release(void);
/* Waits for the thread (session end). */
void uprobe_warmup_join(void);

#endif
