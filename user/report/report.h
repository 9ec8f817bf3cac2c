/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reports read a results document and nothing else: text (the terminal),
 * md, html (one self-contained file), json (the document) and csv (one row
 * per run). One renderer per file, user/report_<format>.c.
 */
#ifndef VB_REPORT_H
#define VB_REPORT_H

#include <stdbool.h>
#include <stdio.h>

struct json_object;

/* format: "text", "md", "html", "json" or "csv". 0, or VB_EXIT_USAGE for an
 * unknown format (after vb_err()), or VB_EXIT_FAILED when out fails. */
int report_render(struct json_object *doc, const char *format, FILE *out, bool color);

/* ---- shared by the renderers ---- */

#define CV_NOISY 0.05 /* a cell whose CV is above this says so */

/* The document's findings, or derived now for a document that has none;
 * *owned tells whether the caller must json_object_put() it. */
struct json_object *report_findings(struct json_object *doc, bool *owned);

/* One matrix cell, as every format shows it. */
struct cell_view {
	enum { CV_EMPTY, CV_OK, CV_FAILED, CV_SKIPPED } kind;
	char score[32]; /* "4150", "41.5 k" */
	char pct[16];	/* "99 %" of native, "" on native or without one */
	char ci[24];	/* "±0.4 %" half-width of the 95 % interval, relative */
	char cv[16];	/* "0.3 %" */
	bool noisy;	/* CV above CV_NOISY */
	double ratio;	/* vs native, NAN without one */
	const char *error;
};
void report_cell_view(struct json_object *doc, struct json_object *plat, struct json_object *cell,
		      struct cell_view *v);

/* Key counters of one cell, as strings ("-" when absent). */
struct cell_counters {
	char faults_per_op[24];
	char forks[24];
	char block_p99[40]; /* "g 250 / h 180 us" for a guest, "180 us" otherwise */
	char exits_per_s[24];
	char top_syscall[64];
};
void report_cell_counters(struct json_object *cell, struct cell_counters *k);

/* "Linux 6.18 · 2 CPUs · 7.8 GiB · model", and "3 runs x 10 s, quick". */
void report_host_line(struct json_object *doc, char *buf, size_t n);
void report_config_line(struct json_object *doc, char *buf, size_t n);
/* "docker (volume)" for a finding. */
const char *report_finding_label(struct json_object *f, char *buf, size_t n);

int report_text(struct json_object *doc, FILE *out, bool color);
int report_md(struct json_object *doc, FILE *out);
int report_html(struct json_object *doc, FILE *out);
int report_csv(struct json_object *doc, FILE *out);

#endif
