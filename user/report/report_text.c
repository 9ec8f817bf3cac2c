// SPDX-License-Identifier: GPL-2.0
/* The terminal report: the matrix, key counters per cell, then the findings. */
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "doc_reader.h"
#include "report_breakdown.h"
#include "report_experiments.h"
#include "report_formats.h"
#include "report_view.h"

#define MAX_COLS 16
#define MAX_WL	 32
#define ROW_W	 20
#define WRAP	 100
#define C_BOLD	 "\033[1m"
#define C_DIM	 "\033[2m"
#define C_RED	 "\033[31m"
#define C_YELLOW "\033[33m"
#define C_RESET	 "\033[0m"

struct text {
	FILE *out;
	bool color;
};

/* Columns on screen, not bytes: "±" is two bytes and one column. */
static size_t vis_len_n(const char *s, size_t bytes)
{
	size_t n = 0;

	for (size_t i = 0; i < bytes && s[i]; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

static size_t vis_len(const char *s)
{
	return vis_len_n(s, strlen(s));
}

/* Prints s, cleaned of control characters, in colour (when on), padded to
 * width visible columns. */
static void put(struct text *t, const char *color, const char *raw, size_t width)
{
	char s[512];
	size_t len = vis_len(view_clean(raw, s, sizeof(s)));

	if (t->color && color && *s)
		fprintf(t->out, "%s%s%s", color, s, C_RESET);
	else
		fputs(s, t->out);
	for (; len < width; len++)
		fputc(' ', t->out);
}

static void put_line(struct text *t, const char *color, const char *s)
{
	put(t, color, s, 0);
	fputc('\n', t->out);
}

static const char *ratio_color(double r)
{
	if (!isfinite(r))
		return NULL;
	if (r < 0.5)
		return C_RED;
	if (r < 0.9)
		return C_YELLOW;
	return NULL;
}

static void header(struct text *t, struct json_object *doc)
{
	char line[512], a[64], b[64], c[64], note[2048];

	put(t, C_BOLD, "vbench-trace report", 0);
	fprintf(t->out, "  (%s, %s, tool %s)\n",
		view_clean(doc_str(doc, "status", "status unknown"), a, sizeof(a)),
		view_clean(doc_str(doc, "started_at", "start time unknown"), b, sizeof(b)),
		view_clean(doc_str(doc, "tool_version", "?"), c, sizeof(c)));
	if (view_status_note(doc))
		put_line(t, C_YELLOW, view_status_note(doc));
	doc_left_out_note(doc, note, sizeof(note));
	if (*note) {
		fputs("warning: ", t->out);
		view_put_clean(t->out, note);
		fputc('\n', t->out);
	}
	view_host_line(doc, line, sizeof(line));
	fputs("host    ", t->out);
	view_put_clean(t->out, line);
	view_config_line(doc, line, sizeof(line));
	fputs("\nconfig  ", t->out);
	view_put_clean(t->out, line);
	fputs("\n\n", t->out);
}

/* The last column is not padded: no trailing blanks. */
static size_t col_width(struct json_object *doc, size_t i)
{
	char label[128], shown[512];
	size_t w = vis_len(view_clean(doc_label(doc_idx(doc, "platforms", i), label, sizeof(label)),
				      shown, sizeof(shown))) +
		   2;
	size_t ncols = doc_len(doc, "platforms");

	if (i + 1 >= (ncols < MAX_COLS ? ncols : MAX_COLS))
		return 0;
	return w < 20 ? 20 : w;
}

static size_t sub(size_t a, size_t b)
{
	return a > b ? a - b : 0;
}

static void matrix_row(struct text *t, struct json_object *doc, const char *wl, size_t ncols)
{
	char rowlabel[64], line2[48];
	const char *unit = "";

	for (size_t i = 0; i < ncols && !*unit; i++)
		unit = doc_str(doc_cell(doc_idx(doc, "platforms", i), wl), "unit", "");
	snprintf(rowlabel, sizeof(rowlabel), "%-8s %s", wl, unit);
	put(t, NULL, rowlabel, ROW_W);
	for (size_t i = 0; i < ncols; i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);
		struct cell_view v;
		char s[64];

		view_cell(doc, p, doc_cell(p, wl), &v);
		switch (v.kind) {
		case CV_OK:
			put(t, NULL, v.score, 8);
			put(t, ratio_color(v.ratio), v.pct, sub(col_width(doc, i), 8));
			break;
		case CV_SKIPPED:
			put(t, C_DIM, "skipped", col_width(doc, i));
			break;
		case CV_FAILED:
			put(t, C_RED, "failed", col_width(doc, i));
			break;
		default:
			snprintf(s, sizeof(s), "-");
			put(t, C_DIM, s, col_width(doc, i));
		}
	}
	fputc('\n', t->out);
	put(t, NULL, "", ROW_W);
	for (size_t i = 0; i < ncols; i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);
		struct cell_view v;

		view_cell(doc, p, doc_cell(p, wl), &v);
		if (v.kind != CV_OK) {
			put(t, NULL, "", col_width(doc, i));
			continue;
		}
		snprintf(line2, sizeof(line2), "%s cv %s", v.ci, v.cv);
		put(t, C_DIM, line2, 0);
		put(t, C_YELLOW, v.noisy ? " ~" : "", sub(col_width(doc, i), vis_len(line2)));
	}
	fputc('\n', t->out);
}

static void matrix(struct text *t, struct json_object *doc)
{
	size_t ncols = doc_len(doc, "platforms");
	const char *wl[MAX_WL];
	size_t nwl = doc_workloads(doc, wl, MAX_WL);
	char label[128];

	if (ncols > MAX_COLS)
		ncols = MAX_COLS;
	put(t, C_BOLD, "Scores", 0);
	fprintf(t->out,
		": mean of runs and %% of native; ±: 95 %% confidence interval; "
		"cv: coefficient of variation; ~: cv above %.0f %%\n\n",
		CV_NOISY * 100);
	put(t, C_BOLD, "workload", ROW_W);
	for (size_t i = 0; i < ncols; i++)
		put(t, C_BOLD, doc_label(doc_idx(doc, "platforms", i), label, sizeof(label)),
		    col_width(doc, i));
	fputc('\n', t->out);
	for (size_t w = 0; w < nwl; w++)
		matrix_row(t, doc, wl[w], ncols);
	if (!nwl)
		fprintf(t->out, "(no workload ran)\n");
	fputc('\n', t->out);
}

static void problems(struct text *t, struct json_object *doc)
{
	bool any = false;
	char label[128], a[128], b[128];

	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);
		const char *status = doc_str(p, "status", "unknown");

		doc_label(p, label, sizeof(label));
		if (!doc_platform_ok(p)) {
			if (!any)
				put_line(t, C_BOLD, "Not run");
			any = true;
			fprintf(t->out, "  %-18s %s: ", view_clean(label, a, sizeof(a)),
				view_clean(status, b, sizeof(b)));
			view_put_clean(t->out, doc_str(p, "reason", "no reason recorded"));
			fputc('\n', t->out);
		}
		for (size_t j = 0; j < doc_len(p, "workloads"); j++) {
			struct json_object *c = doc_idx(p, "workloads", j);
			const char *err = doc_str(c, "error", NULL);

			if (!err)
				continue;
			if (!any)
				put_line(t, C_BOLD, "Not run");
			any = true;
			fprintf(t->out, "  %-18s %s failed: ", view_clean(label, a, sizeof(a)),
				view_clean(doc_str(c, "name", "?"), b, sizeof(b)));
			view_put_clean(t->out, err);
			fputc('\n', t->out);
		}
	}
	if (any)
		fputc('\n', t->out);
}

static void counters(struct text *t, struct json_object *doc)
{
	const char *wl[MAX_WL];
	size_t nwl = doc_workloads(doc, wl, MAX_WL);
	char label[128], a[128], b[128], note[512];

	put(t, C_BOLD, "Key counters per cell", 0);
	fprintf(t->out, " (faults and forks as the workload's own kernel saw them: the guest's "
			"on a VM; g/h: guest/host)\n");
	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);

		if (!doc_platform_ok(p))
			continue;
		put(t, C_BOLD, doc_label(p, label, sizeof(label)), 0);
		fputc('\n', t->out);
		fprintf(t->out, "  %-10s %-10s %-8s %-20s %-9s %s\n", "workload", "faults/op",
			"forks", "block p99", "exits/s", "top host syscall");
		for (size_t w = 0; w < nwl; w++) {
			struct json_object *c = doc_cell(p, wl[w]);
			struct cell_counters k;

			if (!c || !doc_cell_has_runs(c))
				continue;
			view_cell_counters(c, &k);
			fprintf(t->out, "  %-10s %-10s %-8s %-20s %-9s %s\n",
				view_clean(wl[w], a, sizeof(a)), k.faults_per_op, k.forks,
				k.block_p99, k.exits_per_s,
				view_clean(k.top_syscall, b, sizeof(b)));
		}
	}
	fprintf(t->out, "  (%s)\n", doc_block_scope);
	doc_overflow_note(doc, note, sizeof(note));
	if (*note) {
		fputs("  warning: ", t->out);
		view_put_clean(t->out, note);
		fputc('\n', t->out);
	}
	fputc('\n', t->out);
}

/* Wraps text at WRAP columns, continuation lines indented by indent. */
static void wrapped(FILE *out, const char *s, size_t indent, size_t first)
{
	size_t col = first;

	while (*s) {
		const char *sp = strchr(s, ' ');
		size_t wlen = sp ? (size_t)(sp - s) : strlen(s);

		if (col > indent && col + wlen > WRAP) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
		}
		fwrite(s, 1, wlen, out);
		col += vis_len_n(s, wlen);
		s += wlen;
		if (*s == ' ') {
			fputc(' ', out);
			col++;
			s++;
		}
	}
	fputc('\n', out);
}

static void findings(struct text *t, struct json_object *doc)
{
	bool owned;
	struct json_object *f = view_findings(doc, &owned);
	size_t n = f ? json_object_array_length(f) : 0;
	char lead[32], text[4096];

	put(t, C_BOLD, "Findings", 0);
	fprintf(t->out, " (each derived from the counters above; see the json or html report "
			"for its evidence)\n");
	if (!n)
		fprintf(t->out, "  none: the counters these rules need were not recorded "
				"(probes off, or a single platform)\n");
	for (size_t i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(f, i);

		/* Each sentence names its platform and workload itself. */
		snprintf(lead, sizeof(lead), "%2zu. ", i + 1);
		fputs(lead, t->out);
		wrapped(t->out, view_clean(doc_str(x, "text", ""), text, sizeof(text)), 6,
			vis_len(lead));
	}
	if (owned)
		json_object_put(f);
}

/* ---- Experiments: one table per platform, knob and workload ---- */

struct text_exp {
	struct text *t;
	bool any;
};

static void exp_row_text(struct text *t, const struct exp_table *x, const struct exp_row *r)
{
	char setting[256], score[64];

	snprintf(setting, sizeof(setting), "%s=%s%s", x->knob, r->value,
		 r->is_base ? " (baseline)" : "");
	fputs("  ", t->out);
	put(t, r->is_base ? C_BOLD : NULL, setting, 25);
	fputc(' ', t->out); /* a long setting still ends before the score */
	if (r->cell.kind != CV_OK) {
		fputs(r->cell.kind == CV_SKIPPED  ? "skipped"
		      : r->cell.kind == CV_FAILED ? "failed"
						  : "-",
		      t->out);
		if (r->cell.error) {
			fputs(": ", t->out);
			view_put_clean(t->out, r->cell.error);
		}
		fputc('\n', t->out);
		return;
	}
	snprintf(score, sizeof(score), "%s %s", r->cell.score, r->cell.ci);
	put(t, NULL, score, r->measured ? 18 : 0);
	if (r->measured)
		put(t, r->r.significant ? NULL : C_DIM, r->change, 0);
	fputc('\n', t->out);
	if (!r->measured)
		return;
	fprintf(t->out, "  %26sgap closed: %s; counter: ", "", r->gap);
	view_put_clean(t->out, r->counter);
	fputc('\n', t->out);
}

static void exp_table_text(const struct exp_table *x, void *arg)
{
	struct text_exp *e = arg;
	struct text *t = e->t;
	char head[512], a[32];

	if (!e->any) {
		put_line(t, C_BOLD, "Experiments");
		fputs("  ", t->out);
		wrapped(t->out, exp_view_lead, 2, 2);
		e->any = true;
	}
	snprintf(head, sizeof(head), "%s %s, knob %s (%s%s)", x->of, x->workload, x->knob,
		 x->unit ? x->unit : "", x->higher_is_better ? "" : ", lower is better");
	put_line(t, C_BOLD, head);
	for (size_t i = 0; i < x->nrows; i++)
		exp_row_text(t, x, &x->rows[i]);
	if (x->have_native)
		fprintf(t->out, "  %-26s%s\n", "native", doc_fmt_num(x->native.mean, a, sizeof(a)));
}

static void experiments(struct text *t, struct json_object *doc)
{
	struct text_exp e = {.t = t};

	if (exp_view_each(doc, exp_table_text, &e))
		fputc('\n', t->out);
}

static int render_text(struct json_object *doc, FILE *out, bool color)
{
	struct text t = {.out = out, .color = color};

	header(&t, doc);
	matrix(&t, doc);
	problems(&t, doc);
	experiments(&t, doc);
	counters(&t, doc);
	report_breakdown_text(out, doc, color);
	findings(&t, doc);
	return ferror(out) ? -1 : 0;
}

const struct report_format report_format_text = {"text", render_text};
