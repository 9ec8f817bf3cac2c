// SPDX-License-Identifier: GPL-2.0
/* The Markdown report: the text report's content as tables, for sharing. */
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "doc_reader.h"
#include "report_breakdown.h"
#include "report_experiments.h"
#include "report_formats.h"
#include "report_view.h"

#define MAX_WL 32

static void md_header(FILE *out, struct json_object *doc)
{
	char line[512], note[2048];

	fprintf(out, "# vbench-trace report\n\n");
	fputs("- status: ", out);
	view_put_md(out, doc_str(doc, "status", "unknown"));
	if (view_status_note(doc))
		fprintf(out, " (%s)", view_status_note(doc));
	doc_left_out_note(doc, note, sizeof(note));
	if (*note) {
		fputs("\n- **warning:** ", out);
		view_put_md(out, note);
	}
	fputs("\n- started: ", out);
	view_put_md(out, doc_str(doc, "started_at", "unknown"));
	fputs("\n- tool: vbench-trace ", out);
	view_put_md(out, doc_str(doc, "tool_version", "?"));
	fputc('\n', out);
	view_host_line(doc, line, sizeof(line));
	fprintf(out, "- host: ");
	view_put_md(out, line);
	view_config_line(doc, line, sizeof(line));
	fprintf(out, "\n- config: ");
	view_put_md(out, line);
	fprintf(out, "\n\n");
}

static void md_matrix(FILE *out, struct json_object *doc)
{
	const char *wl[MAX_WL];
	size_t nwl = doc_workloads(doc, wl, MAX_WL), ncols = doc_len(doc, "platforms");
	char label[128];

	fprintf(out,
		"## Scores\n\nMean of runs, %% of native, ± half-width of the 95 %% "
		"confidence interval, CV (coefficient of variation); ⚠ marks a CV above "
		"%.0f %%.\n\n| workload | unit |",
		CV_NOISY * 100);
	for (size_t i = 0; i < ncols; i++) {
		fputc(' ', out);
		view_put_md(out, doc_label(doc_idx(doc, "platforms", i), label, sizeof(label)));
		fputs(" |", out);
	}
	fputs("\n|---|---|", out);
	for (size_t i = 0; i < ncols; i++)
		fputs("---:|", out);
	fputc('\n', out);
	for (size_t w = 0; w < nwl; w++) {
		const char *unit = "";

		for (size_t i = 0; i < ncols && !*unit; i++)
			unit = doc_str(doc_cell(doc_idx(doc, "platforms", i), wl[w]), "unit", "");
		fputs("| ", out);
		view_put_md(out, wl[w]);
		fputs(" | ", out);
		view_put_md(out, unit);
		fputs(" |", out);
		for (size_t i = 0; i < ncols; i++) {
			struct json_object *p = doc_idx(doc, "platforms", i);
			struct cell_view v;

			view_cell(doc, p, doc_cell(p, wl[w]), &v);
			if (v.kind == CV_OK)
				fprintf(out, " **%s**%s%s<br>%s, cv %s%s |", v.score,
					*v.pct ? " · " : "", v.pct, v.ci, v.cv,
					v.noisy ? " ⚠" : "");
			else
				fprintf(out, " %s |",
					v.kind == CV_SKIPPED  ? "skipped"
					: v.kind == CV_FAILED ? "failed"
							      : "–");
		}
		fputc('\n', out);
	}
	fputc('\n', out);
}

static void md_problems(FILE *out, struct json_object *doc)
{
	bool any = false;
	char label[128];

	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);

		doc_label(p, label, sizeof(label));
		if (!doc_platform_ok(p)) {
			if (!any)
				fprintf(out,
					"## Not run\n\n| platform | workload | status | reason |\n"
					"|---|---|---|---|\n");
			any = true;
			fputs("| ", out);
			view_put_md(out, label);
			fputs(" | all | ", out);
			view_put_md(out, doc_str(p, "status", "unknown"));
			fputs(" | ", out);
			view_put_md(out, doc_str(p, "reason", "no reason recorded"));
			fputs(" |\n", out);
		}
		for (size_t j = 0; j < doc_len(p, "workloads"); j++) {
			struct json_object *c = doc_idx(p, "workloads", j);

			if (!doc_str(c, "error", NULL))
				continue;
			if (!any)
				fprintf(out,
					"## Not run\n\n| platform | workload | status | reason |\n"
					"|---|---|---|---|\n");
			any = true;
			fputs("| ", out);
			view_put_md(out, label);
			fputs(" | ", out);
			view_put_md(out, doc_str(c, "name", "?"));
			fputs(" | failed | ", out);
			view_put_md(out, doc_str(c, "error", ""));
			fputs(" |\n", out);
		}
	}
	if (any)
		fputc('\n', out);
}

/* ---- Experiments: one table per platform, knob and workload ---- */

struct md_exp {
	FILE *out;
	bool any;
};

static void md_exp_row(FILE *out, const struct exp_table *x, const struct exp_row *r)
{
	fputs("| ", out);
	view_put_md(out, x->knob);
	fputs("=", out);
	view_put_md(out, r->value);
	fputs(r->is_base ? " (baseline) | " : " | ", out);
	if (r->cell.kind == CV_OK)
		fprintf(out, "%s %s", r->cell.score, r->cell.ci);
	else
		fputs(r->cell.kind == CV_SKIPPED  ? "skipped"
		      : r->cell.kind == CV_FAILED ? "failed"
						  : "–",
		      out);
	if (r->cell.kind != CV_OK && r->cell.error) {
		fputs(": ", out);
		view_put_md(out, r->cell.error);
	}
	if (!r->measured) {
		fputs(" | | | |\n", out);
		return;
	}
	fprintf(out, " | %s | %s | ", r->change, r->gap);
	view_put_md(out, r->counter);
	fputs(" |\n", out);
}

static void md_exp_table(const struct exp_table *x, void *arg)
{
	struct md_exp *e = arg;
	FILE *out = e->out;
	char a[32];

	if (!e->any)
		fprintf(out, "## Experiments\n\n%s\n\n", exp_view_lead);
	e->any = true;
	fputs("### ", out);
	view_put_md(out, x->of);
	fputs(" · ", out);
	view_put_md(out, x->workload);
	fputs(" · knob ", out);
	view_put_md(out, x->knob);
	fputs(" (", out);
	view_put_md(out, x->unit ? x->unit : "");
	fprintf(out,
		"%s)\n\n| setting | score | change (95 %% CI) | gap to native closed | "
		"counter that moved |\n|---|---:|---:|---:|---|\n",
		x->higher_is_better ? "" : ", lower is better");
	for (size_t i = 0; i < x->nrows; i++)
		md_exp_row(out, x, &x->rows[i]);
	if (x->have_native)
		fprintf(out, "| native | %s | | | |\n", doc_fmt_num(x->native.mean, a, sizeof(a)));
	fputc('\n', out);
}

static void md_experiments(FILE *out, struct json_object *doc)
{
	struct md_exp e = {.out = out};

	exp_view_each(doc, md_exp_table, &e);
}

static void md_counters(FILE *out, struct json_object *doc)
{
	const char *wl[MAX_WL];
	size_t nwl = doc_workloads(doc, wl, MAX_WL);
	char label[128], note[512];

	fprintf(out,
		"## Key counters per cell\n\nFaults and forks as the workload's own kernel "
		"saw them (the guest's on a VM); block p99 as g(uest) / h(ost); VM exits and "
		"syscalls on the host side; %s.\n\n",
		doc_block_scope);
	doc_overflow_note(doc, note, sizeof(note));
	if (*note) {
		fputs("**Warning:** ", out);
		view_put_md(out, note);
		fputs(".\n\n", out);
	}
	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);

		if (!doc_platform_ok(p))
			continue;
		fputs("### ", out);
		view_put_md(out, doc_label(p, label, sizeof(label)));
		fputs("\n\n| workload | faults/op | forks | block p99 | VM exits/s | "
		      "top host syscall |\n|---|---:|---:|---:|---:|---|\n",
		      out);
		for (size_t w = 0; w < nwl; w++) {
			struct json_object *c = doc_cell(p, wl[w]);
			struct cell_counters k;

			if (!c || !doc_cell_has_runs(c))
				continue;
			view_cell_counters(c, &k);
			fputs("| ", out);
			view_put_md(out, wl[w]);
			fprintf(out, " | %s | %s | %s | %s | ", k.faults_per_op, k.forks,
				k.block_p99, k.exits_per_s);
			view_put_md(out, k.top_syscall);
			fputs(" |\n", out);
		}
		fputc('\n', out);
	}
}

static void md_findings(FILE *out, struct json_object *doc)
{
	bool owned;
	struct json_object *f = view_findings(doc, &owned);
	size_t n = f ? json_object_array_length(f) : 0;

	fprintf(out, "## Findings\n\n");
	if (!n)
		fprintf(out, "None: the counters these rules need were not recorded (probes off, "
			     "or a single platform).\n");
	for (size_t i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(f, i), *e;

		fprintf(out, "%zu. ", i + 1);
		view_put_md_block(out, doc_str(x, "text", ""));
		e = doc_get(x, "evidence");
		if (e && json_object_is_type(e, json_type_object) && json_object_object_length(e)) {
			bool first = true;

			fputs("<br>\n   <sub>evidence:", out);
			json_object_object_foreach (e, k, v) {
				fputs(first ? " " : ", ", out);
				view_put_md_code(out, k);
				fputs(" = ", out);
				view_put_md(out, json_object_get_string(v));
				first = false;
			}
			fputs("</sub>", out);
		}
		fputc('\n', out);
	}
	if (owned)
		json_object_put(f);
}

static int render_md(struct json_object *doc, FILE *out, bool color)
{
	(void)color;
	md_header(out, doc);
	md_matrix(out, doc);
	md_problems(out, doc);
	md_experiments(out, doc);
	md_counters(out, doc);
	report_breakdown_md(out, doc);
	md_findings(out, doc);
	return ferror(out) ? -1 : 0;
}

const struct report_format report_format_md = {"md", render_md};
