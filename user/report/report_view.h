/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every report format shares, below all the renderers (text, md, html,
 * csv) and above the reader (doc_reader.h): how a string read from a
 * results document may be shown, and the view of a cell, its counters and
 * the document's header lines that every format prints alike.
 *
 * A document is input, not trusted: a platform name, a reason or a finding
 * may hold "<script>", a "|" that breaks a table, or an escape sequence that
 * rewrites the user's terminal. Every string that comes from a document
 * reaches the output through one of the view_put_*() or view_clean().
 */
#ifndef VB_REPORT_VIEW_H
#define VB_REPORT_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct json_object;

/*
 * s with every character a terminal or a spreadsheet would act on replaced:
 * a tab or line break by a space, any other control character (C0, DEL,
 * C1), a bidirectional override and a byte that is not UTF-8 by U+FFFD.
 * Cut at a character boundary to fit n. Returns buf.
 */
const char *view_clean(const char *s, char *buf, size_t n);
/* view_clean()'s text, written whole. */
void view_put_clean(FILE *out, const char *s);
/* Cleaned, then & < > " ' as character references: safe in HTML text and
 * in a quoted attribute. */
void view_put_html(FILE *out, const char *s);
/* Cleaned, then < > & as character references and every character Markdown
 * acts on inline (\ ` * _ [ ] | ~ #) backslash-escaped: safe in a
 * paragraph, a heading and a table cell. */
void view_put_md(FILE *out, const char *s);
/* The same for text that starts a block (a list item's content): leading
 * blanks dropped, a list marker ("-", "+", "1.") escaped. */
void view_put_md_block(FILE *out, const char *s);
/* Cleaned, as a Markdown code span whose fence is longer than any run of
 * backticks inside. */
void view_put_md_code(FILE *out, const char *s);

/* ---- the shared view of a document: what every format shows alike ---- */

#define CV_NOISY 0.05 /* a cell whose CV is above this says so */

/* The document's findings, or derived now for a document that has none;
 * *owned tells whether the caller must json_object_put() it. */
struct json_object *view_findings(struct json_object *doc, bool *owned);

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
	int runs_left_out; /* runs that said "valid": false, in no statistic */
};
void view_cell(struct json_object *doc, struct json_object *plat, struct json_object *cell,
	       struct cell_view *v);

/* Key counters of one cell, as strings ("-" when absent). */
struct cell_counters {
	char faults_per_op[24];
	char forks[24];
	char block_p99[40]; /* "g 250 / h 180 us" for a guest, "180 us" otherwise */
	char exits_per_s[24];
	char top_syscall[64];
};
void view_cell_counters(struct json_object *cell, struct cell_counters *k);

/* "Linux 6.18 · 2 CPUs · 7.8 GiB · model", and "3 runs x 10 s, quick". */
void view_host_line(struct json_object *doc, char *buf, size_t n);
void view_config_line(struct json_object *doc, char *buf, size_t n);
/* What the document's status says of what is missing, as one sentence
 * ("The run was interrupted: ..."), or NULL for a complete run. */
const char *view_status_note(struct json_object *doc);
/* "docker (volume)" for a finding. */
const char *view_finding_label(struct json_object *f, char *buf, size_t n);

#endif
