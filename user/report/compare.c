// SPDX-License-Identifier: GPL-2.0
/*
 * vbench-trace compare OLD NEW: cell by cell, did the mean move, and is the
 * move larger than the runs' own spread? Welch's t-test when both cells have
 * two runs or more, else whether the 95 % intervals overlap.
 */
#include <errno.h>
#include <getopt.h>
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "doc_reader.h"
#include "report_view.h"
#include "results.h"
#include "stats.h"
#include "util_log.h"

#define ALPHA  0.05
#define MAX_WL 32

/* The platform column: 18 wide, or as wide as the longest label
 * ("qemu[disk-cache=writeback]": variants are named for their knob). */
static int label_w = 18;

struct verdict {
	double change; /* new / old - 1 */
	double p;      /* Welch's p, NAN when the interval test was used */
	const char *test;
	bool significant, regression, improvement;
};

/* The test the brief promises, named in each row so readers know what it rests on. */
static void judge(struct json_object *cell, const struct stats *a, const struct stats *b,
		  struct verdict *v)
{
	bool better;

	memset(v, 0, sizeof(*v));
	v->change = a->mean != 0 ? b->mean / a->mean - 1 : NAN;
	v->p = NAN;
	if (a->n >= 2 && b->n >= 2) {
		v->p = stats_welch_p(a, b);
		v->test = "welch";
		v->significant = v->p < ALPHA;
	} else if (a->n >= 2 || b->n >= 2) {
		v->test = "ci95";
		v->significant = a->ci95_high < b->ci95_low || b->ci95_high < a->ci95_low;
	} else {
		/* Two single runs carry no spread: no test can tell noise from change. */
		v->test = "n=1";
	}
	if (!v->significant || a->mean == b->mean)
		return;
	better = doc_cell_higher_is_better(cell) ? b->mean > a->mean : b->mean < a->mean;
	v->regression = !better;
	v->improvement = better;
}

static int labels_width(struct json_object *doc)
{
	int w = 18;
	char label[128], shown[128];

	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		int len = (int)strlen(
			view_clean(doc_label(doc_idx(doc, "platforms", i), label, sizeof(label)),
				   shown, sizeof(shown)));

		w = len > w ? len : w;
	}
	return w;
}

static bool host_differs(struct json_object *a, struct json_object *b, char *why, size_t n)
{
	static const char *const keys[] = {"host.kernel", "host.cpu_model", "host.cpus",
					   "host.mem_bytes"};
	size_t len = 0;
	char xc[128], yc[128];

	why[0] = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct json_object *x = doc_get(a, keys[i]), *y = doc_get(b, keys[i]);
		const char *xs = x ? json_object_get_string(x) : "?";
		const char *ys = y ? json_object_get_string(y) : "?";

		if (!strcmp(xs, ys) || len >= n)
			continue;
		len += (size_t)snprintf(why + len, n - len, "%s%s %s vs %s", len ? "; " : "",
					keys[i] + 5, view_clean(xs, xc, sizeof(xc)),
					view_clean(ys, yc, sizeof(yc)));
	}
	return len > 0;
}

struct tally {
	int rows, regressions, improvements;
};

static void compare_cell(const char *label, const char *wl, struct json_object *oc,
			 struct json_object *nc, struct tally *t)
{
	struct stats a, b;
	struct verdict v;
	char os[32], ns[32], test[40], change[24], unit[64], name[64];
	const char *word;

	view_clean(doc_str(nc, "unit", ""), unit, sizeof(unit));
	view_clean(wl, name, sizeof(name));

	if (!doc_cell_stats(oc, &a) || !doc_cell_stats(nc, &b)) {
		printf("%-*s %-9s %-9s %s\n", label_w, label, name, unit,
		       "no score on one side (failed cell)");
		return;
	}
	judge(nc, &a, &b, &v);
	if (v.p == v.p)
		snprintf(test, sizeof(test), "p=%.3g (welch)", v.p);
	else if (!strcmp(v.test, "ci95"))
		snprintf(test, sizeof(test), "95%% CI %s (ci95)",
			 v.significant ? "apart" : "overlap");
	else
		snprintf(test, sizeof(test), "one run each (n=1)");
	if (isfinite(v.change))
		snprintf(change, sizeof(change), "%+.1f %%", v.change * 100);
	else
		snprintf(change, sizeof(change), "-");
	word = v.regression    ? "REGRESSION"
	       : v.improvement ? "improvement"
			       : "no significant change";
	printf("%-*s %-9s %-9s %10s %10s %9s  %-22s %s\n", label_w, label, name, unit,
	       doc_fmt_num(a.mean, os, sizeof(os)), doc_fmt_num(b.mean, ns, sizeof(ns)), change,
	       test, word);
	t->rows++;
	t->regressions += v.regression;
	t->improvements += v.improvement;
}

static void compare_platform(struct json_object *od, struct json_object *nd, struct json_object *np,
			     struct tally *t)
{
	char label[128], shown[128], a[64], b[256], c[64], d[256];
	struct json_object *op;
	const char *wl[MAX_WL];
	size_t nwl = doc_workloads(nd, wl, MAX_WL);

	doc_label(np, label, sizeof(label));
	view_clean(label, shown, sizeof(shown));
	op = doc_platform_by_label(od, label);
	if (!op) {
		printf("%-*s only in NEW\n", label_w, shown);
		return;
	}
	if (!doc_platform_ok(op) || !doc_platform_ok(np)) {
		printf("%-*s %s in OLD (%s), %s in NEW (%s)\n", label_w, shown,
		       view_clean(doc_str(op, "status", "?"), a, sizeof(a)),
		       view_clean(doc_str(op, "reason", ""), b, sizeof(b)),
		       view_clean(doc_str(np, "status", "?"), c, sizeof(c)),
		       view_clean(doc_str(np, "reason", ""), d, sizeof(d)));
		return;
	}
	for (size_t w = 0; w < nwl; w++) {
		struct json_object *oc = doc_cell(op, wl[w]), *nc = doc_cell(np, wl[w]);

		if (oc && nc)
			compare_cell(shown, wl[w], oc, nc, t);
		else if (nc)
			printf("%-*s %-9s only in NEW\n", label_w, shown,
			       view_clean(wl[w], a, sizeof(a)));
	}
	for (size_t j = 0; j < doc_len(op, "workloads"); j++) {
		const char *name = doc_str(doc_idx(op, "workloads", j), "name", NULL);

		if (name && !doc_cell(np, name))
			printf("%-*s %-9s only in OLD\n", label_w, shown,
			       view_clean(name, a, sizeof(a)));
	}
}

static void compare_usage(FILE *out)
{
	fprintf(out,
		"usage: vbench-trace compare [--fail-on-regression] OLD.json NEW.json\n\n"
		"Compares two results documents cell by cell: old and new mean, change, and\n"
		"whether the change is significant (Welch's t-test, p < 0.05, when both cells\n"
		"have 2 runs or more; otherwise whether the 95 %% confidence intervals overlap).\n"
		"--fail-on-regression exits 1 when a cell got significantly worse.\n");
}

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{"fail-on-regression", no_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct json_object *od, *nd;
	struct tally t = {0};
	bool fail = false;
	char why[512];
	int c;

	optind = 1;
	opterr = 0; /* one line of ours, not getopt's and then the whole usage */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			fail = true;
			break;
		case 'h':
			compare_usage(stdout);
			return VB_EXIT_OK;
		default:
			vb_err("compare: unknown option '%s' (see 'vbench-trace compare --help')",
			       argv[optind - 1]);
			return VB_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		vb_err("compare takes two results documents, OLD and NEW (see 'vbench-trace "
		       "compare --help')");
		return VB_EXIT_USAGE;
	}
	if (results_load(argv[optind], &od))
		return VB_EXIT_USAGE;
	if (results_load(argv[optind + 1], &nd)) {
		json_object_put(od);
		return VB_EXIT_USAGE;
	}
	printf("old: %s (%s)\n", argv[optind],
	       view_clean(doc_str(od, "started_at", "?"), why, sizeof(why)));
	printf("new: %s (%s)\n", argv[optind + 1],
	       view_clean(doc_str(nd, "started_at", "?"), why, sizeof(why)));
	if (host_differs(od, nd, why, sizeof(why)))
		printf("note: the hosts differ (%s): changes mix the platform and the host\n", why);
	label_w = (int)fmax(labels_width(od), labels_width(nd));
	printf("\n%-*s %-9s %-9s %10s %10s %9s  %-22s %s\n", label_w, "platform", "workload",
	       "unit", "old", "new", "change", "test", "verdict");
	for (size_t i = 0; i < doc_len(nd, "platforms"); i++)
		compare_platform(od, nd, doc_idx(nd, "platforms", i), &t);
	for (size_t i = 0; i < doc_len(od, "platforms"); i++) {
		char label[128], shown[128];

		doc_label(doc_idx(od, "platforms", i), label, sizeof(label));
		if (!doc_platform_by_label(nd, label))
			printf("%-*s only in OLD\n", label_w,
			       view_clean(label, shown, sizeof(shown)));
	}
	printf("\n%d cells compared: %d significant regression%s, %d significant improvement%s\n",
	       t.rows, t.regressions, t.regressions == 1 ? "" : "s", t.improvements,
	       t.improvements == 1 ? "" : "s");
	json_object_put(od);
	json_object_put(nd);
	/* A comparison that did not reach its reader is no comparison (a full
	 * disk, a closed pipe): say so and fail. */
	if (fflush(stdout) || ferror(stdout)) {
		vb_err("compare: cannot write to stdout: %s (a full disk or a closed pipe?)",
		       errno ? strerror(errno) : "write error");
		return VB_EXIT_FAILED;
	}
	return fail && t.regressions ? VB_EXIT_FAILED : VB_EXIT_OK;
}
