// SPDX-License-Identifier: GPL-2.0
/* vbench-trace report: a results document rendered in one of five formats. */
#include <errno.h>
#include <getopt.h>
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "findings.h"
#include "report.h"
#include "report_doc.h"
#include "results.h"
#include "stats.h"
#include "util_log.h"

struct json_object *report_findings(struct json_object *doc, bool *owned)
{
	struct json_object *f = doc_get(doc, "findings");

	if (f && json_object_is_type(f, json_type_array)) {
		*owned = false;
		return f;
	}
	*owned = true;
	return findings_derive(doc);
}

void report_cell_view(struct json_object *doc, struct json_object *plat, struct json_object *cell,
		      struct cell_view *v)
{
	struct stats s;

	memset(v, 0, sizeof(*v));
	v->ratio = NAN;
	if (!doc_platform_ok(plat) && !cell) {
		v->kind = strcmp(doc_str(plat, "status", ""), "failed") ? CV_SKIPPED : CV_FAILED;
		v->error = doc_str(plat, "reason", NULL);
		return;
	}
	if (!cell)
		return;
	v->error = doc_str(cell, "error", NULL);
	if (v->error || !cell_stats(cell, &s)) {
		v->kind = v->error || !strcmp(doc_str(cell, "status", ""), "failed") ? CV_FAILED
										     : CV_EMPTY;
		return;
	}
	v->kind = CV_OK;
	fmt_num(s.mean, v->score, sizeof(v->score));
	if (plat != doc_native(doc) && cell_vs_native(doc, cell, &v->ratio))
		snprintf(v->pct, sizeof(v->pct), v->ratio < 0.0995 ? "%.1f %%" : "%.0f %%",
			 v->ratio * 100);
	if (s.n > 1 && s.mean != 0) {
		double half = (s.ci95_high - s.mean) / fabs(s.mean) * 100;

		snprintf(v->ci, sizeof(v->ci), half < 9.95 ? "±%.1f %%" : "±%.0f %%", half);
	} else
		snprintf(v->ci, sizeof(v->ci), "n=%zu", s.n);
	snprintf(v->cv, sizeof(v->cv), "%.1f %%", s.cv * 100);
	v->noisy = s.cv > CV_NOISY;
}

static void counter_per_op(struct json_object *cell, const char *side, char *buf, size_t n)
{
	struct cell_sum u, k;
	char path[96];
	double per;

	snprintf(path, sizeof(path), "%s.page_faults_user", side);
	if (!cell_sum(cell, path, &u)) {
		snprintf(buf, n, "-");
		return;
	}
	snprintf(path, sizeof(path), "%s.page_faults_kernel", side);
	if (cell_sum(cell, path, &k))
		u.value += k.value;
	if (!sum_per_op(&u, &per))
		snprintf(buf, n, "-");
	else
		fmt_num(per, buf, n);
}

static bool p99(struct json_object *cell, const char *side, double *out)
{
	char path[96], w[96];

	snprintf(path, sizeof(path), "%s.block.p99_us", side);
	snprintf(w, sizeof(w), "%s.block.requests", side);
	return cell_wavg(cell, path, w, out);
}

void report_cell_counters(struct json_object *cell, struct cell_counters *k)
{
	const char *side = cell_side(cell);
	struct json_object *top;
	struct cell_sum s;
	const char *name;
	double g, h, v;
	char a[32], b[32], path[96];

	counter_per_op(cell, side, k->faults_per_op, sizeof(k->faults_per_op));
	snprintf(path, sizeof(path), "%s.forks", side);
	if (cell_sum(cell, path, &s))
		fmt_num(s.value / s.runs, k->forks, sizeof(k->forks));
	else
		snprintf(k->forks, sizeof(k->forks), "-");
	if (cell_has_guest(cell) && p99(cell, "probes.guest", &g))
		snprintf(k->block_p99, sizeof(k->block_p99), "g %s / h %s us",
			 fmt_num(g, a, sizeof(a)),
			 p99(cell, "probes.host", &h) ? fmt_num(h, b, sizeof(b)) : "-");
	else if (p99(cell, "probes.host", &h))
		snprintf(k->block_p99, sizeof(k->block_p99), "%s us", fmt_num(h, a, sizeof(a)));
	else
		snprintf(k->block_p99, sizeof(k->block_p99), "-");
	if (cell_sum(cell, "probes.host.vm_exits.total", &s) && sum_per_s(&s, &v))
		fmt_num(v, k->exits_per_s, sizeof(k->exits_per_s));
	else
		snprintf(k->exits_per_s, sizeof(k->exits_per_s), "-");
	top = cell_sum_map(cell, "probes.host.syscalls.top");
	if (map_top(top, &name, &v, 1) && cell_sum(cell, "probes.host.syscalls.total", &s) &&
	    s.value > 0)
		snprintf(k->top_syscall, sizeof(k->top_syscall), "%s %.0f %%", name,
			 v / s.value * 100);
	else if (map_top(top, &name, &v, 1))
		snprintf(k->top_syscall, sizeof(k->top_syscall), "%s", name);
	else
		snprintf(k->top_syscall, sizeof(k->top_syscall), "-");
	json_object_put(top);
}

void report_host_line(struct json_object *doc, char *buf, size_t n)
{
	double cpus = doc_num_or(doc, "host.cpus", 0), mem = doc_num_or(doc, "host.mem_bytes", 0);
	int len;

	len = snprintf(buf, n, "%s", doc_str(doc, "host.kernel", "kernel unknown"));
	if (cpus > 0 && len < (int)n)
		len += snprintf(buf + len, n - (size_t)len, ", %.0f CPUs", cpus);
	if (mem > 0 && len < (int)n)
		len += snprintf(buf + len, n - (size_t)len, ", %.1f GiB", mem / 1073741824.0);
	if (doc_str(doc, "host.cpu_model", NULL) && len < (int)n)
		snprintf(buf + len, n - (size_t)len, ", %s", doc_str(doc, "host.cpu_model", ""));
}

void report_config_line(struct json_object *doc, char *buf, size_t n)
{
	struct json_object *quick = doc_get(doc, "config.quick");
	double runs = doc_num_or(doc, "config.runs", 0),
	       dur = doc_num_or(doc, "config.duration_s", 0);
	const char *server = doc_str(doc, "config.net_server", NULL);
	int len = 0;

	buf[0] = '\0';
	if (runs > 0)
		len += snprintf(buf + len, n - (size_t)len, "%.0f runs per cell", runs);
	if (dur > 0 && len < (int)n)
		len += snprintf(buf + len, n - (size_t)len, "%s%g s each", len ? ", " : "", dur);
	if (quick && json_object_get_boolean(quick) && len < (int)n)
		len += snprintf(buf + len, n - (size_t)len, "%squick profile", len ? ", " : "");
	if (server && *server && len < (int)n)
		len += snprintf(buf + len, n - (size_t)len, "%snet server %s", len ? ", " : "",
				server);
	if (!len)
		snprintf(buf, n, "not recorded");
}

const char *report_finding_label(struct json_object *f, char *buf, size_t n)
{
	const char *variant = doc_str(f, "variant", NULL);

	if (variant && *variant)
		snprintf(buf, n, "%s (%s)", doc_str(f, "platform", "?"), variant);
	else
		snprintf(buf, n, "%s", doc_str(f, "platform", "?"));
	return buf;
}

static int report_json(struct json_object *doc, FILE *out)
{
	fprintf(out, "%s\n",
		json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_SPACED |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

int report_render(struct json_object *doc, const char *format, FILE *out, bool color)
{
	int err;

	if (!strcmp(format, "text"))
		err = report_text(doc, out, color);
	else if (!strcmp(format, "md"))
		err = report_md(doc, out);
	else if (!strcmp(format, "html"))
		err = report_html(doc, out);
	else if (!strcmp(format, "json"))
		err = report_json(doc, out);
	else if (!strcmp(format, "csv"))
		err = report_csv(doc, out);
	else {
		vb_err("unknown report format '%s' (text, md, html, json or csv)", format);
		return VB_EXIT_USAGE;
	}
	if (err || fflush(out) || ferror(out))
		return VB_EXIT_FAILED;
	return VB_EXIT_OK;
}

static void report_usage(FILE *out)
{
	fprintf(out,
		"usage: vbench-trace report [--format text|md|html|json|csv] [-o FILE] "
		"RESULTS.json\n\n"
		"Renders a results document written by 'vbench-trace run'. text (the default)\n"
		"prints the matrix, key counters per cell and the findings; md and html are\n"
		"reports to share (html is one self-contained file); json is the document;\n"
		"csv has one row per run with every counter.\n");
}

static bool want_color(FILE *out)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(fileno(out)) && !(nc && *nc);
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *format = "text", *path = NULL;
	struct json_object *doc;
	FILE *out = stdout;
	int c, err;

	optind = 1;
	opterr = 0; /* one line of ours, not getopt's and then the whole usage */
	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			path = optarg;
			break;
		case 'h':
			report_usage(stdout);
			return VB_EXIT_OK;
		default:
			vb_err("report: unknown or incomplete option '%s' (see 'vbench-trace "
			       "report --help')",
			       argv[optind - 1]);
			return VB_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		vb_err("report takes one RESULTS.json (see 'vbench-trace report --help')");
		return VB_EXIT_USAGE;
	}
	if (strcmp(format, "text") && strcmp(format, "md") && strcmp(format, "html") &&
	    strcmp(format, "json") && strcmp(format, "csv")) {
		vb_err("unknown report format '%s' (text, md, html, json or csv)", format);
		return VB_EXIT_USAGE;
	}
	err = results_load(argv[optind], &doc);
	if (err)
		return VB_EXIT_USAGE;
	if (path) {
		out = fopen(path, "w");
		if (!out) {
			vb_err("cannot write %s: %s", path, strerror(errno));
			json_object_put(doc);
			return VB_EXIT_FAILED;
		}
	}
	err = report_render(doc, format, out, want_color(out));
	if (path && fclose(out) && !err) {
		vb_err("cannot write %s: %s", path, strerror(errno));
		err = VB_EXIT_FAILED;
	} else if (err == VB_EXIT_FAILED) {
		vb_err("cannot write the report to %s: %s", path ? path : "stdout",
		       strerror(errno));
	}
	json_object_put(doc);
	return err;
}
