/* The keyboard: one key at a time (curses' KEY_* for arrows and pages). A filter key opens
 * a prompt in the second header row; Enter applies what was typed (in the kernel, through
 * the probes' config map entries), Escape drops it. */
#include <curses.h>
#include <string.h>
#include "dash_int.h"
#include "probe.h"

#define ESC 27

static void prompt_key(struct dash *d, int key)
{
	size_t len = strlen(d->input);

	if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		dash_filter_set(d, d->prompt, d->input);
		d->prompt = 0;
	} else if (key == ESC) {
		d->prompt = 0;
	} else if (key == KEY_BACKSPACE || key == 127 || key == '\b') {
		if (len)
			d->input[len - 1] = '\0';
	} else if (key >= ' ' && key < 127 && len + 1 < sizeof(d->input)) {
		d->input[len] = key;
		d->input[len + 1] = '\0';
	}
}

/* The next attached probe after (dir > 0) or before the selected one, for 'e'. */
static void select_probe(struct dash *d, int dir)
{
	int n = d->s->nprobes;

	for (int k = 1; k <= n; k++) {
		int i = ((d->selected + dir * k) % n + n) % n;

		if (d->s->probes[i] && d->s->probes[i]->attached) {
			d->selected = i;
			return;
		}
	}
}

static void scroll_log(struct dash *d, int by)
{
	struct dash_log *l = &d->log;
	int held = l->added < DASH_LOG_LINES ? (int)l->added : DASH_LOG_LINES;

	l->scroll += by;
	if (l->scroll > held - 1)
		l->scroll = held - 1;
	if (l->scroll < 0)
		l->scroll = 0;
}

void dash_key(struct dash *d, int key)
{
	struct dash_panel *p = d->npanels ? &d->panels[d->focus] : NULL;

	if (d->prompt) {
		prompt_key(d, key);
		return;
	}
	d->status[0] = '\0';
	switch (key) {
	case 'q': session_stop(d->s, 0); break;
	case ' ': d->paused = !d->paused; break;
	case '\t':
		if (d->npanels)
			d->focus = (d->focus + 1) % d->npanels;
		break;
	case KEY_BTAB:
		if (d->npanels)
			d->focus = (d->focus + d->npanels - 1) % d->npanels;
		break;
	case 'z': d->zoom = !d->zoom; break;
	case 's':
		if (p && p->type == DASH_TOP)
			p->by_total = !p->by_total;
		else /* not on a top table: every table turns */
			for (size_t i = 0; i < d->npanels; i++)
				d->panels[i].by_total = !d->panels[i].by_total;
		break;
	case KEY_UP: scroll_log(d, -1); break;
	case KEY_DOWN: scroll_log(d, 1); break;
	case KEY_PPAGE: scroll_log(d, -10); break;
	case KEY_NPAGE: scroll_log(d, 10); break;
	case KEY_HOME: d->log.scroll = 0; break;
	case ']': select_probe(d, 1); break;
	case '[': select_probe(d, -1); break;
	case 'e': dash_probe_toggle(d, d->selected); break;
	case 'x':
		memset(&d->f, 0, sizeof(d->f));
		dash_filters_apply(d);
		break;
	case 'p':
	case 't':
	case 'c':
	case 'm':
	case 'n':
		d->prompt = key;
		d->input[0] = '\0';
		break;
	}
}
