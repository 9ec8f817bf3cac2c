// SPDX-License-Identifier: GPL-2.0
/*
 * "Where the time went" in text, Markdown and HTML (report_breakdown.h).
 * The figures are the document's: each cell's median run's per_op_ns
 * (overhead_median_run(), the run the cell's "overhead" names) and the
 * overhead's extra ns and shares, its busy gap (extra_busy_ns,
 * share_of_busy_gap) leading with sleep's extra apart, the host's and
 * overhead.guest's; nothing here recomputes the gap.
 */
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "doc_reader.h"
#include "report_breakdown.h"
#include "report_view.h"

#define MAX_WL 32

static const char *const bucket_labels[OVERHEAD_NBUCKETS] = {
	"user", "syscall", "fault", "k-other", "steal", "runnable", "blocked", "sleep",
};

/* Not the platforms' colours (report_html.c), so a bar's parts never read
 * as platforms. */
static const char *const bucket_colors[OVERHEAD_NBUCKETS] = {
	"#5b8ff9", "#f6bd16", "#e86452", "#9270ca", "#5d7092", "#ff9d4d", "#6dc8ec", "#d3d9e0",
};

static const char *const role_names[BD_MAX_ROLES] = {"vcpu", "io", "main_loop", "other"};

const char *bd_bucket_label(int bucket)
{
	return bucket >= 0 && bucket < OVERHEAD_NBUCKETS ? bucket_labels[bucket] : "?";
}

/* What a workload's ops count (docs/results-schema.md, runs[].ops). */
static const char *op_noun(const char *workload)
{
	static const char *const nouns[][2] = {
		{"cpu", "event"},    {"mem", "block"}, {"diskrand", "read"},
		{"diskseq", "read"}, {"fork", "fork"}, {"net", "write"},
	};

	for (size_t i = 0; i < sizeof(nouns) / sizeof(nouns[0]); i++)
		if (!strcmp(workload, nouns[i][0]))
			return nouns[i][1];
	return "op";
}

static double sum(const double *v)
{
	double s = 0;

	for (int b = 0; b < OVERHEAD_NBUCKETS; b++)
		s += v[b];
	return s;
}

static bool buckets_at(struct json_object *o, const char *path, double *out)
{
	return overhead_buckets_read(doc_get(o, path), true, out);
}

/* The roles of the run's VMM threads, per op, those that had any time. */
static void read_roles(struct json_object *run, struct bd_row *r)
{
	struct json_object *roles = doc_get(run, "probes.host.breakdown.roles");
	double ops, ns[OVERHEAD_NBUCKETS];

	if (!roles || !doc_count(run, "ops", &ops) || ops <= 0)
		return;
	for (int i = 0; i < BD_MAX_ROLES; i++) {
		struct json_object *role = doc_get(roles, role_names[i]);
		struct bd_role *out = &r->roles[r->nroles];

		if (!buckets_at(role, "states_ns", ns) || sum(ns) <= 0)
			continue;
		snprintf(out->name, sizeof(out->name), "%s", role_names[i]);
		for (int b = 0; b < OVERHEAD_NBUCKETS; b++)
			out->per_op[b] = ns[b] / ops;
		out->total = sum(out->per_op);
		r->nroles++;
	}
}

/* The main loop's network backend, per op. */
static void read_net(struct json_object *run, struct bd_row *r)
{
	struct json_object *nb =
		doc_get(run, "probes.host.breakdown.roles.main_loop.network_backend");
	double ops;

	r->net.have = nb && doc_count(run, "ops", &ops) && ops > 0 &&
		      doc_num(nb, "ns", &r->net.ns) &&
		      doc_num(nb, "syscall_ns", &r->net.syscall_ns) &&
		      doc_num(nb, "user_ns", &r->net.user_ns) &&
		      doc_num(nb, "share_of_on_cpu", &r->net.share) &&
		      doc_num(nb, "samples.network", &r->net.samples) &&
		      doc_num(nb, "samples.user", &r->net.user_samples);
	if (!r->net.have)
		return;
	r->net.ns /= ops;
	r->net.syscall_ns /= ops;
	r->net.user_ns /= ops;
}

/* The guest kernel's view of the same run, per op, as a row of its own;
 * its total, or -1 when the run has none. */
static double read_guest(struct json_object *run, struct bd_row *r)
{
	struct bd_role *out = &r->roles[r->nroles];

	if (!overhead_per_op(run, "probes.guest", out->per_op))
		return -1;
	snprintf(out->name, sizeof(out->name), "guest view");
	out->total = sum(out->per_op);
	r->nroles++;
	return out->total;
}

/* share_of_busy_gap: every bucket but sleep, which it has no key for. */
static bool busy_shares_at(struct json_object *o, const char *path, double *out)
{
	return overhead_buckets_read(doc_get(o, path), false, out);
}

/* A side of the cell's overhead (ov: "overhead" or "overhead.guest"). */
static void read_gap(struct json_object *ov, double side_total, struct bd_gap *g)
{
	memset(g, 0, sizeof(*g));
	g->side_total = side_total;
	g->have = side_total >= 0 && buckets_at(ov, "extra_per_op_ns", g->extra) &&
		  doc_num(ov, "extra_total_ns", &g->total);
	if (!g->have)
		return;
	g->busy = doc_num(ov, "extra_busy_ns", &g->busy_total);
	g->have_share = g->busy ? busy_shares_at(ov, "share_of_busy_gap", g->share)
				: buckets_at(ov, "share_of_gap", g->share);
}

static bool read_row(struct json_object *plat, struct json_object *cell, struct bd_row *r)
{
	struct json_object *run;
	double guest_total;

	memset(r, 0, sizeof(*r));
	if (!cell || strcmp(doc_str(cell, "status", ""), "ok"))
		return false;
	run = overhead_median_run(cell, NULL);
	if (!run || !overhead_per_op(run, "probes.host", r->per_op))
		return false;
	r->plat = plat;
	doc_label(plat, r->label, sizeof(r->label));
	r->total = sum(r->per_op);
	read_gap(doc_get(cell, "overhead"), r->total, &r->gap);
	read_roles(run, r);
	read_net(run, r);
	guest_total = read_guest(run, r);
	read_gap(doc_get(cell, "overhead.guest"), guest_total, &r->guest_gap);
	/* Measured in the cell's warm-up; in a document of before, in each run. */
	if (doc_num(cell, "probe_cost.bpf_ns", &r->probe_cost_ns)) {
		r->cost_in_warmup = true;
		if (!doc_num(cell, "probe_cost.duration_s", &r->run_s))
			r->run_s = 0;
	} else if (doc_num(run, "probes.host.breakdown.probe_cost_ns", &r->probe_cost_ns)) {
		if (!doc_num(run, "duration_s", &r->run_s))
			r->run_s = 0;
	} else {
		r->probe_cost_ns = -1;
	}
	return true;
}

/*
 * "native 12.3 ms in its 3.00 s warm-up, qemu 31.0 ms in its 3.00 s
 * warm-up": the measurement's own CPU time beside each platform's, "" when
 * no row has it.
 */
static const char *probe_cost_line(const struct bd_view *v, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < v->n && len < n; i++) {
		const struct bd_row *r = &v->rows[i];
		char label[64];

		if (r->probe_cost_ns < 0)
			continue;
		len += (size_t)snprintf(buf + len, n - len, "%s%s %.1f ms in %s %.2f s %s",
					len ? ", " : "", view_clean(r->label, label, sizeof(label)),
					r->probe_cost_ns / 1e6, r->cost_in_warmup ? "its" : "a",
					r->run_s, r->cost_in_warmup ? "warm-up" : "run");
	}
	return buf;
}

/*
 * "qemu 530 µs per write, 50 % of its on-CPU time (network syscalls 499 µs,
 * network code 32 µs: 4 of 24 user samples)": the main loop's network
 * backend, its syscalls those on sockets and a tap device; "" when no row
 * has one.
 */
static const char *net_backend_line(const struct bd_view *v, const struct bd_unit *u, char *buf,
				    size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < v->n && len < n; i++) {
		const struct bd_row *r = &v->rows[i];
		char label[64], a[32], b[32], c[32];

		if (!r->net.have)
			continue;
		len += (size_t)snprintf(
			buf + len, n - len,
			"%s%s %s %s per %s, %.0f %% of its on-CPU time (network syscalls %s %s, "
			"network code %s %s: %.0f of %.0f user samples)",
			len ? "; " : "", view_clean(r->label, label, sizeof(label)),
			bd_fmt(r->net.ns, u, false, a, sizeof(a)), u->name, v->op,
			100 * r->net.share, bd_fmt(r->net.syscall_ns, u, false, b, sizeof(b)),
			u->name, bd_fmt(r->net.user_ns, u, false, c, sizeof(c)), u->name,
			r->net.samples, r->net.user_samples);
	}
	return buf;
}

bool bd_view_of(struct json_object *doc, const char *workload, struct bd_view *v)
{
	struct json_object *ref = doc_native(doc);

	memset(v, 0, sizeof(*v));
	v->workload = workload;
	v->op = op_noun(workload);
	/* Native first, then the rest in document order. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < doc_len(doc, "platforms") && v->n < BD_MAX_ROWS; i++) {
			struct json_object *p = doc_idx(doc, "platforms", i);
			struct bd_row *r = &v->rows[v->n];

			if ((p == ref) != !pass || !doc_platform_ok(p) ||
			    !read_row(p, doc_cell(p, workload), r))
				continue;
			r->reference = !pass;
			v->max_total = fmax(v->max_total, r->total);
			for (size_t k = 0; k < r->nroles; k++)
				v->max_total = fmax(v->max_total, r->roles[k].total);
			v->n++;
		}
	return v->n > 0 && isfinite(v->max_total);
}

struct bd_unit bd_unit_of(const struct bd_view *v)
{
	if (v->max_total >= 1e7)
		return (struct bd_unit){"ms", 1e6};
	if (v->max_total >= 1e4)
		return (struct bd_unit){"µs", 1e3};
	return (struct bd_unit){"ns", 1};
}

const char *bd_fmt(double ns, const struct bd_unit *u, bool sign, char *buf, size_t n)
{
	double x = ns / u->div, a = fabs(x);
	const char *fmt = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f";
	char num[32];

	snprintf(num, sizeof(num), fmt, x);
	snprintf(buf, n, "%s%s", sign && x >= 0 ? "+" : "", num);
	return buf;
}

static const char *pct(double share, char *buf, size_t n)
{
	snprintf(buf, n, fabs(share) < 0.0995 ? "%.1f %%" : "%.0f %%", share * 100);
	return buf;
}

/* The next workload from *w on that has a breakdown, into v; false at the end. */
static bool next_view(struct json_object *doc, const char **wl, size_t nwl, size_t *w,
		      struct bd_view *v)
{
	while (*w < nwl)
		if (bd_view_of(doc, wl[(*w)++], v))
			return true;
	return false;
}

static const char lead[] =
	"Each unit of work's share of the target's thread time as the host kernel saw it "
	"(every thread of the process tree, idle ones too), from each cell's median run; the "
	"busy gap is this platform's figure less native's over every state but sleep, with "
	"each state's share of it: a thread asleep waiting for work does none, and a VMM's idle "
	"vCPUs and helper threads sleep the more, so sleep's extra is shown apart as idle "
	"waiting; a guest view row is the same run as the guest kernel saw the agent's threads, "
	"its gap to native beside the host's";

/* What a side's gap rows are called: the host's, then the guest view's. */
struct gap_words {
	const char *gap, *share, *sleep;
};

static const struct gap_words host_words[2] = {
	{"gap vs native", "share of gap", NULL},
	{"busy gap vs native", "share of busy gap", "sleep"},
};
static const struct gap_words guest_words[2] = {
	{"guest view gap", "guest view share", NULL},
	{"guest view busy gap", "guest view busy share", "guest view sleep"},
};

static const char idle_words[] = "idle waiting, not in the busy gap";

/* Whether a side's rows show a bucket: all of them but sleep's on a busy
 * gap, whose sleep is shown apart. */
static bool in_gap(const struct bd_gap *g, int bucket)
{
	return !g->busy || bucket != OVERHEAD_SLEEP;
}

/* ---- text ---- */

#define TEXT_LABEL 24

static void text_cells(FILE *out, const char *name, const double *v, double total,
		       const struct bd_unit *u, bool sign)
{
	char a[32];

	fprintf(out, "  %-*s %10s", TEXT_LABEL, name, bd_fmt(total, u, sign, a, sizeof(a)));
	for (int b = 0; b < OVERHEAD_NBUCKETS; b++)
		fprintf(out, " %9s", bd_fmt(v[b], u, sign, a, sizeof(a)));
	fputc('\n', out);
}

/*
 * A side's gap and share rows, and on a busy gap the line of its sleep:
 *   "    sleep (idle waiting, not in the busy gap) +5.10 ms per event; whole gap +8.18 ms"
 */
static void text_gap(FILE *out, const struct bd_gap *g, const struct gap_words *words,
		     const struct bd_unit *u, const char *op)
{
	const struct gap_words *w = &words[g->busy];
	char a[32], b[32], name[48];

	if (!g->have)
		return;
	snprintf(name, sizeof(name), "  %s", w->gap);
	fprintf(out, "  %-*s %10s", TEXT_LABEL, name,
		bd_fmt(g->busy ? g->busy_total : g->total, u, true, a, sizeof(a)));
	for (int k = 0; k < OVERHEAD_NBUCKETS; k++)
		if (in_gap(g, k)) /* sleep, the last, is apart: no trailing blanks */
			fprintf(out, " %9s", bd_fmt(g->extra[k], u, true, a, sizeof(a)));
	fputc('\n', out);
	if (g->have_share) {
		snprintf(name, sizeof(name), "  %s", w->share);
		fprintf(out, "  %-*s %10s", TEXT_LABEL, name, "100 %");
		for (int k = 0; k < OVERHEAD_NBUCKETS; k++)
			if (in_gap(g, k))
				fprintf(out, " %9s", pct(g->share[k], a, sizeof(a)));
		fputc('\n', out);
	}
	if (g->busy)
		fprintf(out, "    %s (%s) %s %s per %s; whole gap %s %s\n", w->sleep, idle_words,
			bd_fmt(g->extra[OVERHEAD_SLEEP], u, true, a, sizeof(a)), u->name, op,
			bd_fmt(g->total, u, true, b, sizeof(b)), u->name);
}

static void text_view(FILE *out, const struct bd_view *v)
{
	struct bd_unit u = bd_unit_of(v);
	char a[64], b[64], line[1024];

	snprintf(a, sizeof(a), "%s per %s", u.name, v->op);
	fprintf(out, "%s (%s)\n", view_clean(v->workload, b, sizeof(b)), a);
	fprintf(out, "  %-*s %10s", TEXT_LABEL, "platform", "total");
	for (int k = 0; k < OVERHEAD_NBUCKETS; k++)
		fprintf(out, " %9s", bucket_labels[k]);
	fputc('\n', out);
	for (size_t i = 0; i < v->n; i++) {
		const struct bd_row *r = &v->rows[i];

		text_cells(out, view_clean(r->label, a, sizeof(a)), r->per_op, r->total, &u, false);
		for (size_t k = 0; k < r->nroles; k++) {
			snprintf(b, sizeof(b), "  %s", r->roles[k].name);
			text_cells(out, b, r->roles[k].per_op, r->roles[k].total, &u, false);
		}
		text_gap(out, &r->gap, host_words, &u, v->op);
		text_gap(out, &r->guest_gap, guest_words, &u, v->op);
	}
	if (*net_backend_line(v, &u, line, sizeof(line)))
		fprintf(out, "  main loop's network backend: %s\n", line);
	if (*probe_cost_line(v, line, sizeof(line)))
		fprintf(out, "  probes' own BPF run time: %s\n", line);
}

void report_breakdown_text(FILE *out, struct json_object *doc, bool color)
{
	const char *wl[MAX_WL];
	size_t nwl = doc_workloads(doc, wl, MAX_WL), w = 0;
	struct bd_view v;

	if (!next_view(doc, wl, nwl, &w, &v))
		return;
	fprintf(out, "%sWhere the time went%s (%s)\n", color ? "\033[1m" : "",
		color ? "\033[0m" : "", lead);
	do
		text_view(out, &v);
	while (next_view(doc, wl, nwl, &w, &v));
	fputc('\n', out);
}

/* ---- Markdown ---- */

/* A side's gap and share rows: "| qemu: busy gap vs native | +3.08 | ... |  |". */
static void md_gap(FILE *out, const struct bd_row *r, const struct bd_gap *g,
		   const struct gap_words *words, const struct bd_unit *u)
{
	const struct gap_words *w = &words[g->busy];
	char a[32];

	if (!g->have)
		return;
	fputs("| ", out);
	view_put_md(out, r->label);
	fprintf(out, ": %s | %s |", w->gap,
		bd_fmt(g->busy ? g->busy_total : g->total, u, true, a, sizeof(a)));
	for (int k = 0; k < OVERHEAD_NBUCKETS; k++)
		fprintf(out, " %s |",
			in_gap(g, k) ? bd_fmt(g->extra[k], u, true, a, sizeof(a)) : "");
	fputc('\n', out);
	if (!g->have_share)
		return;
	fputs("| ", out);
	view_put_md(out, r->label);
	fprintf(out, ": %s | 100 %% |", w->share);
	for (int k = 0; k < OVERHEAD_NBUCKETS; k++)
		fprintf(out, " %s |", in_gap(g, k) ? pct(g->share[k], a, sizeof(a)) : "");
	fputc('\n', out);
}

/* Below the table, each busy gap's sleep apart: "qemu: sleep +5.10 ms per
 * event (idle waiting, not in the busy gap; whole gap +8.18 ms)". */
static void md_sleep(FILE *out, const struct bd_row *r, const struct bd_gap *g,
		     const struct gap_words *words, const struct bd_unit *u, const char *op)
{
	char a[32], b[32];

	if (!g->have || !g->busy)
		return;
	fputs("- ", out);
	view_put_md(out, r->label);
	fprintf(out, ": %s %s %s per %s (%s; whole gap %s %s)\n", words[1].sleep,
		bd_fmt(g->extra[OVERHEAD_SLEEP], u, true, a, sizeof(a)), u->name, op, idle_words,
		bd_fmt(g->total, u, true, b, sizeof(b)), u->name);
}

static void md_view(FILE *out, const struct bd_view *v)
{
	struct bd_unit u = bd_unit_of(v);
	char a[32], line[1024];
	bool sleeps = false;

	fputs("### ", out);
	view_put_md(out, v->workload);
	fprintf(out, " (%s per %s)\n\n| platform | total |", u.name, v->op);
	for (int k = 0; k < OVERHEAD_NBUCKETS; k++)
		fprintf(out, " %s |", bucket_labels[k]);
	fputs("\n|---|---:|", out);
	for (int k = 0; k < OVERHEAD_NBUCKETS; k++)
		fputs("---:|", out);
	fputc('\n', out);
	for (size_t i = 0; i < v->n; i++) {
		const struct bd_row *r = &v->rows[i];

		fputs("| ", out);
		view_put_md(out, r->label);
		fprintf(out, " | %s |", bd_fmt(r->total, &u, false, a, sizeof(a)));
		for (int k = 0; k < OVERHEAD_NBUCKETS; k++)
			fprintf(out, " %s |", bd_fmt(r->per_op[k], &u, false, a, sizeof(a)));
		fputc('\n', out);
		for (size_t j = 0; j < r->nroles; j++) {
			fputs("| ", out);
			view_put_md(out, r->label);
			fputs(": ", out);
			view_put_md(out, r->roles[j].name);
			fprintf(out, " | %s |", bd_fmt(r->roles[j].total, &u, false, a, sizeof(a)));
			for (int k = 0; k < OVERHEAD_NBUCKETS; k++)
				fprintf(out, " %s |",
					bd_fmt(r->roles[j].per_op[k], &u, false, a, sizeof(a)));
			fputc('\n', out);
		}
		md_gap(out, r, &r->gap, host_words, &u);
		md_gap(out, r, &r->guest_gap, guest_words, &u);
	}
	fputc('\n', out);
	for (size_t i = 0; i < v->n; i++) {
		const struct bd_row *r = &v->rows[i];

		md_sleep(out, r, &r->gap, host_words, &u, v->op);
		md_sleep(out, r, &r->guest_gap, guest_words, &u, v->op);
		sleeps |= r->gap.busy || r->guest_gap.busy;
	}
	if (sleeps)
		fputc('\n', out);
	if (*net_backend_line(v, &u, line, sizeof(line))) {
		fputs("Main loop's network backend: ", out);
		view_put_md(out, line);
		fputs(".\n\n", out);
	}
	if (*probe_cost_line(v, line, sizeof(line))) {
		fputs("Probes' own BPF run time: ", out);
		view_put_md(out, line);
		fputs(".\n\n", out);
	}
}

void report_breakdown_md(FILE *out, struct json_object *doc)
{
	const char *wl[MAX_WL];
	size_t nwl = doc_workloads(doc, wl, MAX_WL), w = 0;
	struct bd_view v;

	if (!next_view(doc, wl, nwl, &w, &v))
		return;
	fprintf(out,
		"## Where the time went\n\n%s. Rows named *platform: role* are a VMM's threads by "
		"what they do, *platform: guest view* the guest kernel's own view of the agent's "
		"threads; *busy gap* and *share of busy gap* rows are the gap to native without "
		"sleep, whose extra the list below each table gives.\n\n",
		lead);
	do
		md_view(out, &v);
	while (next_view(doc, wl, nwl, &w, &v));
}

/* ---- HTML: a stacked bar per row on the workload's common scale ---- */

#define BH_W	 760
#define BH_LEFT	 170
#define BH_RIGHT 90
#define BH_ROW	 24
#define BH_TOP	 8

static void html_bar(FILE *out, const struct bd_view *v, const struct bd_unit *u, const char *label,
		     const char *role, const double *per_op, double total, int y)
{
	double plot = BH_W - BH_LEFT - BH_RIGHT, x = BH_LEFT;
	char a[32];

	fprintf(out, "<text class=\"lbl\" x=\"%d\" y=\"%d\" text-anchor=\"end\"%s>", BH_LEFT - 8,
		y + BH_ROW / 2 + 4, role ? " style=\"fill:#5f6b7a\"" : "");
	view_put_html(out, role ? role : label);
	fputs("</text>", out);
	for (int k = 0; k < OVERHEAD_NBUCKETS; k++) {
		double w = per_op[k] / v->max_total * plot;

		if (!(w > 0))
			continue;
		fprintf(out,
			"<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\">"
			"<title>",
			x, y + 4, w, BH_ROW - 8, bucket_colors[k]);
		view_put_html(out, label);
		if (role) {
			fputs(" · ", out);
			view_put_html(out, role);
		}
		fprintf(out, ": %s %s %s per %s</title></rect>", bucket_labels[k],
			bd_fmt(per_op[k], u, false, a, sizeof(a)), u->name, v->op);
		x += w;
	}
	fprintf(out, "<text x=\"%.1f\" y=\"%d\" style=\"font-weight:600\">%s %s</text>\n", x + 6,
		y + BH_ROW / 2 + 4, bd_fmt(total, u, false, a, sizeof(a)), u->name);
}

/* "qemu vs native: busy gap +3.08 ms per event: user +1.67 (54 %), ...;
 * sleep +5.10 idle waiting, not in the busy gap (whole gap +8.18 ms)". */
static void html_gap(FILE *out, const char *label, const char *side, const struct bd_gap *g,
		     const struct bd_unit *u, const char *op)
{
	char a[32], b[32];
	bool first = true;

	fputs("<p class=\"sub\">", out);
	view_put_html(out, label);
	if (side)
		fprintf(out, " %s", side);
	fprintf(out, " vs native: %s%s %s per %s", g->busy ? "busy gap " : "",
		bd_fmt(g->busy ? g->busy_total : g->total, u, true, a, sizeof(a)), u->name, op);
	for (int k = 0; g->have_share && k < OVERHEAD_NBUCKETS; k++) {
		if (!in_gap(g, k))
			continue;
		fprintf(out, "%s<span class=\"sw\" style=\"background:%s\"></span>%s %s (%s)",
			first ? ": " : ", ", bucket_colors[k], bucket_labels[k],
			bd_fmt(g->extra[k], u, true, a, sizeof(a)), pct(g->share[k], b, sizeof(b)));
		first = false;
	}
	if (g->busy)
		fprintf(out,
			"; <span class=\"idle\"><span class=\"sw\" style=\"background:%s\"></span>"
			"sleep %s %s, %s (whole gap %s %s)</span>",
			bucket_colors[OVERHEAD_SLEEP],
			bd_fmt(g->extra[OVERHEAD_SLEEP], u, true, a, sizeof(a)), u->name,
			idle_words, bd_fmt(g->total, u, true, b, sizeof(b)), u->name);
	fputs("</p>\n", out);
}

#define WF_ROW 18
#define WF_SEP 10 /* the space a busy gap's sleep is drawn apart by */

static void wf_step(FILE *out, const struct bd_view *v, const struct bd_unit *u, int k, double g,
		    double cum, double scale, int y, bool idle)
{
	double from = g < 0 ? cum + g : cum;
	char a[32];

	fprintf(out,
		"<text class=\"lbl\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s%s</text>"
		"<rect class=\"step%s\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" "
		"fill=\"%s\"%s><title>%s %s %s per %s%s%s</title></rect>",
		BH_LEFT - 8, y + WF_ROW - 5, idle ? "idle " : "", bucket_labels[k],
		idle ? " idle" : "", BH_LEFT + from * scale, y + 3, fmax(fabs(g) * scale, 1),
		WF_ROW - 6, bucket_colors[k],
		idle ? " stroke=\"#8a95a3\" stroke-dasharray=\"3 2\"" : "", bucket_labels[k],
		bd_fmt(g, u, true, a, sizeof(a)), u->name, v->op, idle ? ": " : "",
		idle ? idle_words : "");
	fprintf(out, "<text x=\"%.1f\" y=\"%d\">%s</text>\n",
		BH_LEFT + fmax(cum, cum + g) * scale + 6, y + WF_ROW - 5,
		bd_fmt(g, u, true, a, sizeof(a)));
}

/*
 * The gap as a waterfall: native's thread time per op, then each state's
 * extra (a step up) or saving (a step down) in its colour, to the side's
 * own total, on the bars' scale (wider if a step runs past it). On a busy
 * gap, sleep, the last state, comes after a dashed line, marked idle: the
 * steps above the line are the busy gap, and all of them add up.
 */
static void html_waterfall(FILE *out, const struct bd_view *v, const struct bd_unit *u,
			   const char *label, const char *side, const struct bd_gap *g)
{
	double start = g->side_total - g->total, cum = start, top = fmax(v->max_total, start);
	double plot = BH_W - BH_LEFT - BH_RIGHT, scale;
	bool apart = g->busy && g->extra[OVERHEAD_SLEEP] != 0;
	int steps = 0, y = BH_TOP;
	char a[32];

	for (int k = 0; k < OVERHEAD_NBUCKETS; k++) {
		cum += g->extra[k];
		top = fmax(top, cum);
		steps += g->extra[k] != 0;
	}
	if (!(top > 0) || !isfinite(top) || start < 0)
		return;
	scale = plot / top;
	fprintf(out,
		"<svg class=\"waterfall\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"the "
		"%sgap of ",
		BH_W, BH_TOP * 2 + (steps + 2) * WF_ROW + (apart ? WF_SEP : 0),
		g->busy ? "busy " : "");
	view_put_html(out, label);
	if (side)
		fprintf(out, "'s %s", side);
	fprintf(out, " to native, state by state%s\">\n",
		apart ? ", then its idle sleep apart" : "");
	fprintf(out,
		"<text class=\"lbl\" x=\"%d\" y=\"%d\" text-anchor=\"end\">native</text>"
		"<rect x=\"%d\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"#9aa5b1\"/>"
		"<text x=\"%.1f\" y=\"%d\">%s %s</text>\n",
		BH_LEFT - 8, y + WF_ROW - 5, BH_LEFT, y + 3, start * scale, WF_ROW - 6,
		BH_LEFT + start * scale + 6, y + WF_ROW - 5, bd_fmt(start, u, false, a, sizeof(a)),
		u->name);
	cum = start;
	for (int k = 0; k < OVERHEAD_NBUCKETS; k++) {
		bool idle = apart && k == OVERHEAD_SLEEP;

		if (g->extra[k] == 0)
			continue;
		if (idle) {
			y += WF_SEP;
			fprintf(out,
				"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#8a95a3\" "
				"stroke-dasharray=\"4 3\"/><text class=\"ax\" x=\"%d\" y=\"%d\" "
				"text-anchor=\"end\">busy gap %s %s above</text>\n",
				BH_LEFT - 60, y + WF_ROW + 1, BH_W - 4, y + WF_ROW + 1, BH_W - 4,
				y + WF_ROW - 2, bd_fmt(g->busy_total, u, true, a, sizeof(a)),
				u->name);
		}
		y += WF_ROW;
		wf_step(out, v, u, k, g->extra[k], cum, scale, y, idle);
		cum += g->extra[k];
	}
	y += WF_ROW;
	fprintf(out, "<text class=\"lbl\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", BH_LEFT - 8,
		y + WF_ROW - 5);
	view_put_html(out, side ? side : label);
	fprintf(out,
		"</text><rect x=\"%d\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"#4a5561\"/>"
		"<text x=\"%.1f\" y=\"%d\" style=\"font-weight:600\">%s %s</text>\n</svg>\n",
		BH_LEFT, y + 3, g->side_total * scale, WF_ROW - 6,
		BH_LEFT + g->side_total * scale + 6, y + WF_ROW - 5,
		bd_fmt(g->side_total, u, false, a, sizeof(a)), u->name);
}

static void html_view(FILE *out, const struct bd_view *v)
{
	struct bd_unit u = bd_unit_of(v);
	int rows = 0, y;
	char line[1024];

	for (size_t i = 0; i < v->n; i++)
		rows += 1 + (int)v->rows[i].nroles;
	fputs("<div class=\"card\"><h3>", out);
	view_put_html(out, v->workload);
	fprintf(out, " <small>%s per %s</small></h3>\n", u.name, v->op);
	fprintf(out, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", BH_W,
		BH_TOP * 2 + rows * BH_ROW);
	view_put_html(out, v->workload);
	fputs(": thread time per op by state, per platform\">\n", out);
	y = BH_TOP;
	for (size_t i = 0; i < v->n; i++) {
		const struct bd_row *r = &v->rows[i];

		html_bar(out, v, &u, r->label, NULL, r->per_op, r->total, y);
		y += BH_ROW;
		for (size_t k = 0; k < r->nroles; k++, y += BH_ROW)
			html_bar(out, v, &u, r->label, r->roles[k].name, r->roles[k].per_op,
				 r->roles[k].total, y);
	}
	fputs("</svg>\n", out);
	for (size_t i = 0; i < v->n; i++) {
		const struct bd_row *r = &v->rows[i];

		if (r->gap.have) {
			html_gap(out, r->label, NULL, &r->gap, &u, v->op);
			html_waterfall(out, v, &u, r->label, NULL, &r->gap);
		}
		if (r->guest_gap.have) {
			html_gap(out, r->label, "guest view", &r->guest_gap, &u, v->op);
			html_waterfall(out, v, &u, r->label, "guest view", &r->guest_gap);
		}
	}
	if (*net_backend_line(v, &u, line, sizeof(line))) {
		fputs("<p class=\"sub\">Main loop's network backend: ", out);
		view_put_html(out, line);
		fputs("</p>\n", out);
	}
	if (*probe_cost_line(v, line, sizeof(line))) {
		fputs("<p class=\"sub\">Probes' own BPF run time: ", out);
		view_put_html(out, line);
		fputs("</p>\n", out);
	}
	fputs("</div>\n", out);
}

void report_breakdown_html(FILE *out, struct json_object *doc)
{
	const char *wl[MAX_WL];
	size_t nwl = doc_workloads(doc, wl, MAX_WL), w = 0;
	struct bd_view v;

	if (!next_view(doc, wl, nwl, &w, &v))
		return;
	fprintf(out,
		"<section id=\"breakdown\"><h2>Where the time went</h2><p class=\"lead\">%s. "
		"Grey rows are a VMM's threads by role and the guest kernel's own view.</p>\n<div "
		"class=\"legend\">",
		lead);
	for (int k = 0; k < OVERHEAD_NBUCKETS; k++)
		fprintf(out, "<span><span class=\"sw\" style=\"background:%s\"></span>%s</span>",
			bucket_colors[k], bucket_labels[k]);
	fputs("</div>\n<div class=\"stack\">\n", out);
	do
		html_view(out, &v);
	while (next_view(doc, wl, nwl, &w, &v));
	fputs("</div></section>\n", out);
}
