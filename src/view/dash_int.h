/* What the dashboard's files share: the view's state, its panels, and one function per
 * job (dash_term.c the terminal, dash_log.c the event log, dash_layout.c the panels a
 * script declares, dash_panels.c drawing them, dash_filter.c the live filters,
 * dash_keys.c the keyboard). */
#ifndef LT_DASH_INT_H
#define LT_DASH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "agg_snapshot.h"
#include "lt_abi.h"
#include "session.h"

struct lua_State;

#define DASH_PID_MAX (1 << 22) /* as the kernel's PID_MAX_LIMIT */
struct loop_timer;

enum dash_panel_type { DASH_LOG, DASH_HIST, DASH_TOP, DASH_COUNTERS, DASH_DROPS };

struct dash_panel {
	enum dash_panel_type type;
	char title[64];
	int probe;     /* hist, top: the probe id; -1 for the others */
	int n;	       /* top: rows */
	bool by_total; /* top: sorted by total (sum) instead of count */
};

/* The event log: a ring of formatted lines, bounded; what the view cannot show is counted. */
#define DASH_LOG_LINES 512
#define DASH_LOG_WIDTH 200
/* Lines formatted per redraw period at most: a screenful and more; the rest are counted. */
#define DASH_LOG_BUDGET 256

struct dash_log {
	char line[DASH_LOG_LINES][DASH_LOG_WIDTH];
	uint64_t added;	  /* lines ever added: the newest is (added - 1) % DASH_LOG_LINES */
	uint64_t unshown; /* events not formatted: over the budget, or paused */
	unsigned budget;  /* left in this redraw period */
	int scroll;	  /* lines back from the newest */
};

/* Filters set from the keyboard, applied to every probe's config map entry. */
struct dash_filters {
	uint32_t pid; /* a process, all its threads; 0: any */
	uint32_t tid; /* one thread; 0: any */
	char comm[LT_COMM_LEN];
	uint64_t min_duration; /* ns */
	uint32_t sample;       /* 1 in N; 0: off */
};

/* A probe's filters as the script set them, restored when a dashboard filter is cleared. */
struct dash_orig {
	bool known;
	uint32_t pid, tid, sample;
	uint64_t min_duration;
	char comm[LT_COMM_LEN];
};

struct dash_rate {
	uint64_t last; /* value at the previous sample */
	double per_sec;
};

struct dash {
	struct session *s;
	bool tty;  /* curses; false: plain text frames on `out` */
	FILE *out; /* text frames: dashboard.show{ output = f } (Lua's), or stdout */
	bool paused;
	bool closed;
	struct dash_panel *panels;
	size_t npanels;
	size_t focus; /* the panel keys act on */
	bool zoom;    /* the focused panel alone */
	int selected; /* counters: the probe id 'e' toggles */
	struct dash_log log;
	struct dash_filters f;
	struct dash_orig orig[LT_MAX_PROBES];
	struct lt_probe_stats st[LT_MAX_PROBES]; /* read at each frame */
	struct dash_rate rate[LT_MAX_PROBES];	 /* of hits */
	struct dash_rate events_rate;
	uint64_t sampled_at;	   /* CLOCK_MONOTONIC ns of the rates' last sample */
	uint64_t events;	   /* records seen by the tap */
	uint64_t out_dropped;	   /* bytes the script or the tool wrote that were dropped */
	struct agg_catalog *cat;
	struct agg_entry *entries; /* the last read, for this frame */
	size_t nentries;
	struct loop_timer *timer;
	/* the prompt a filter key opened: its key and what is typed so far */
	int prompt;
	char input[64];
	char status[128]; /* the last message (a bad filter value ...) */
	struct dash_term *term;
};

/* dash_layout.c: panels declared by the script (lua/dashboard.lua), or a default view of
 * its probes. 0, or -1 after a message. */
int dash_layout(struct dash *d, struct lua_State *L);
/* The file dashboard.show{ output = f } named (the script's, open), or NULL. */
FILE *dash_output(struct lua_State *L);

/* dash_log.c: CLOCK_MONOTONIC in ns (the clock of records' ts). */
uint64_t dash_now_ns(void);
/* dash_log.c: the dashboard's tap on the session's records (session_add_tap). */
void dash_log_tap(void *ctx, struct session *s, const struct lt_rec *rec);
/* The newest-first line i (0: newest) of the ring; NULL past what it holds. */
const char *dash_log_line(const struct dash_log *l, uint64_t i);
void dash_log_tick(struct dash_log *l);
/* A probe as the view names it: its `name`, or its spec with a library's directory left
 * out ("libc.so.6:malloc"). */
const char *dash_probe_label(struct session *s, uint32_t id);

/* dash_panels.c: the frame as rows of text (width w, h rows); attr[i] marks a header row. */
void dash_frame(struct dash *d, char **rows, bool *attr, int w, int h);
/* Rows a panel wants (its full height) for the layout. */
int dash_panel_rows(const struct dash *d, const struct dash_panel *p);

/* dash_filter.c */
void dash_filters_apply(struct dash *d);
/* A typed filter value for the prompt's key; false (status set) when it is not one. */
bool dash_filter_set(struct dash *d, int key, const char *text);
void dash_probe_toggle(struct dash *d, int id);
/* The filters as one line for the header. */
void dash_filters_text(const struct dash *d, char *buf, size_t len);

/* dash_keys.c: one key pressed. */
void dash_key(struct dash *d, int key);

/* dash_term.c: the terminal (curses, stdout and stderr put aside) and its restore. */
struct dash_term;
struct dash_term *dash_term_open(struct dash *d);
void dash_term_close(struct dash_term *t);
/* What the script and the tool wrote while the view is up is kept for the end, up to
 * DASH_OUTPUT_MAX bytes each for stdout and stderr; past that it is dropped and counted. */
#define DASH_OUTPUT_MAX (16u << 20)
void dash_term_bound(struct dash_term *t);
/* Draws a frame; in plain mode prints it. */
void dash_term_draw(struct dash *d, struct dash_term *t);

#endif
