// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "progress.h"
#include "util_log.h"
#include "util_sys.h"
#include "workload.h"

struct progress {
	int cells, cell, runs_per_cell, run;
	double duration_s, started, cell_started;
	bool tty, line_open;
	const char *platform, *workload;
};

struct progress *progress_new(int cells, int runs_per_cell, double duration_s)
{
	struct progress *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->cells = cells;
	p->runs_per_cell = runs_per_cell;
	p->duration_s = duration_s;
	p->started = vb_now_s();
	p->tty = isatty(2);
	return p;
}

static void fmt_time(char *buf, size_t n, double s)
{
	long t = (long)(s + 0.5);

	snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

/*
 * Remaining time: what the cells done so far took on average, or, before
 * any is done, the runs' own duration plus a little for starting the agent.
 */
static double remaining(const struct progress *p)
{
	double elapsed = vb_now_s() - p->started;
	double done = (p->cell - 1) + (double)p->run / p->runs_per_cell;

	if (done >= 0.5)
		return elapsed / done * (p->cells - done);
	return (p->cells - done) * (p->runs_per_cell * p->duration_s + 3);
}

static void clear_line(struct progress *p)
{
	if (p->line_open) {
		fputs("\r\033[K", stderr);
		p->line_open = false;
	}
}

static void show(struct progress *p)
{
	char el[32], rem[32], run[32];

	fmt_time(el, sizeof(el), vb_now_s() - p->started);
	fmt_time(rem, sizeof(rem), remaining(p));
	if (p->run == 0)
		snprintf(run, sizeof(run), "warm-up");
	else
		snprintf(run, sizeof(run), "run %d/%d", p->run, p->runs_per_cell - 1);
	if (p->tty) {
		fprintf(stderr, "\r\033[K[%d/%d] %s %s %s  elapsed %s  remaining ~%s", p->cell,
			p->cells, p->platform, p->workload, run, el, rem);
		p->line_open = true;
	} else {
		fprintf(stderr, "%s: [%d/%d] %s %s %s (elapsed %s, remaining ~%s)\n", vb_progname,
			p->cell, p->cells, p->platform, p->workload, run, el, rem);
	}
	fflush(stderr);
}

void progress_cell(struct progress *p, const char *platform, const char *workload)
{
	if (!p)
		return;
	p->cell++;
	p->run = 0;
	p->platform = platform;
	p->workload = workload;
	p->cell_started = vb_now_s();
}

void progress_run(struct progress *p, int run, int runs)
{
	if (!p)
		return;
	p->run = run;
	p->runs_per_cell = runs + 1;
	show(p);
}

void progress_skip(struct progress *p, int cells)
{
	if (p)
		p->cells -= cells;
}

void progress_note(struct progress *p, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (p)
		clear_line(p);
	fprintf(stderr, "%s: %s\n", vb_progname, line);
}

void progress_done(struct progress *p)
{
	char el[32];

	if (!p)
		return;
	clear_line(p);
	fmt_time(el, sizeof(el), vb_now_s() - p->started);
	fprintf(stderr, "%s: done in %s\n", vb_progname, el);
	free(p);
}
