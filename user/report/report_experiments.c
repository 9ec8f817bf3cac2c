// SPDX-License-Identifier: GPL-2.0
/* The "Experiments" section's view: see report_experiments.h. */
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc_reader.h"
#include "experiments.h"
#include "report_experiments.h"

#define MAX_WL 32

const char exp_view_lead[] =
	"Each variant changed one knob from its platform's own setting (the baseline). "
	"Change: variant minus baseline with its 95 % confidence interval (Welch); gap: the "
	"share of the baseline's gap to native that the variant closes; counter: the per-unit "
	"counter that moved most between baseline and variant, significantly.";

static const char *signed_num(double v, char *buf, size_t n)
{
	char a[32];

	snprintf(buf, n, "%s%s", v >= 0 ? "+" : "", doc_fmt_num(v, a, sizeof(a)));
	return buf;
}

static void row_change(const struct exp_result *r, char *buf, size_t n)
{
	char a[32], b[32], c[32];

	signed_num(r->change, a, sizeof(a));
	if (!r->have_ci)
		snprintf(buf, n, "%s (too few runs for an interval)", a);
	else
		snprintf(buf, n, "%s (%s..%s)%s", a, signed_num(r->lo, b, sizeof(b)),
			 signed_num(r->hi, c, sizeof(c)),
			 r->significant ? "" : ", no significant effect");
}

static void row_gap(const struct exp_result *r, char *buf, size_t n)
{
	buf[0] = '\0';
	if (r->gap == EXP_GAP_NO_NATIVE)
		snprintf(buf, n, "no native in the run");
	else if (r->gap == EXP_GAP_OWN || !r->significant)
		snprintf(buf, n, "–");
	else if (r->gap == EXP_GAP_NONE)
		snprintf(buf, n, "no gap: the baseline is as good as native");
	else if (r->beat_native)
		snprintf(buf, n, "all, and beats native (%.0f %% of the gap)", r->share * 100);
	else if (r->share >= 1)
		snprintf(buf, n, "all, within noise of native");
	else if (r->share < 0)
		snprintf(buf, n, "widens it by %.0f %%", -r->share * 100);
	else if (isfinite(r->share_lo))
		snprintf(buf, n, "%.0f %% (%.0f..%.0f %%)", r->share * 100,
			 fmax(r->share_lo, 0) * 100, fmin(r->share_hi, 1) * 100);
	else
		snprintf(buf, n, "%.0f %%", r->share * 100);
}

static void row_counter(const struct exp_result *r, char *buf, size_t n)
{
	char a[32], b[32], name[EXP_COUNTER_NAME];

	/* A copy: gcc cannot tell r's name and buf apart within one row. */
	snprintf(name, sizeof(name), "%s", r->counter);
	if (!r->have_counter)
		snprintf(buf, n, "–");
	else
		snprintf(buf, n, "%s %s → %s", name, doc_fmt_num(r->counter_base, a, sizeof(a)),
			 doc_fmt_num(r->counter_var, b, sizeof(b)));
}

static void row_fill(struct json_object *doc, struct exp_table *t, struct json_object *base,
		     struct json_object *p, const char *value, struct exp_cache *cache)
{
	struct exp_row *row;
	struct json_object *c = doc_cell(p, t->workload);

	if (t->nrows >= EXP_MAX_ROWS)
		return;
	row = &t->rows[t->nrows++];
	memset(row, 0, sizeof(*row));
	row->plat = p;
	row->value = value;
	row->is_base = p == base;
	view_cell(doc, p, c, &row->cell);
	row->have_stats = row->cell.kind == CV_OK && doc_cell_stats(c, &row->stats);
	if (c && (!t->unit || !*t->unit))
		t->unit = doc_str(c, "unit", "");
	if (row->is_base)
		return;
	row->measured = exp_measure(doc, base, p, t->workload, &row->r, cache);
	if (!row->measured)
		return;
	row_change(&row->r, row->change, sizeof(row->change));
	row_gap(&row->r, row->gap, sizeof(row->gap));
	row_counter(&row->r, row->counter, sizeof(row->counter));
}

/* Is p a variant of (of, knob)? */
static bool in_experiment(struct json_object *p, const char *of, const char *knob,
			  struct doc_variant *v)
{
	return doc_variant_read(p, v) && !strcmp(v->of, of) && !strcmp(v->knob, knob);
}

/* The first variant entry before index i of the same experiment as v: the table was made. */
static bool seen_before(struct json_object *doc, size_t i, const struct doc_variant *v)
{
	struct doc_variant w;

	for (size_t j = 0; j < i; j++)
		if (in_experiment(doc_idx(doc, "platforms", j), v->of, v->knob, &w))
			return true;
	return false;
}

static bool table_of(struct json_object *doc, struct json_object *base, const struct doc_variant *v,
		     const char *wl, struct exp_table *t, struct exp_cache *cache)
{
	struct json_object *native = doc_native(doc), *nc = doc_cell(native, wl);
	bool any = false;

	memset(t, 0, sizeof(*t));
	t->of = v->of;
	t->knob = v->knob;
	t->workload = wl;
	t->higher_is_better = doc_cell_higher_is_better(doc_cell(base, wl));
	t->have_native = native && native != base && nc && !doc_get(nc, "error") &&
			 doc_cell_stats(nc, &t->native);
	row_fill(doc, t, base, base, exp_baseline_value(base, v), cache);
	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);
		struct doc_variant w;

		if (!in_experiment(p, v->of, v->knob, &w) || exp_baseline(doc, &w) != base)
			continue;
		row_fill(doc, t, base, p, w.value, cache);
		any |= doc_cell(p, wl) != NULL;
	}
	/* A workload neither the baseline nor any variant ran is no table. */
	return any || doc_cell(base, wl);
}

size_t exp_view_each(struct json_object *doc, exp_table_fn fn, void *arg)
{
	const char *wl[MAX_WL];
	size_t nwl = doc_workloads(doc, wl, MAX_WL), n = 0;
	struct exp_table *t = malloc(sizeof(*t));
	struct exp_cache *cache = exp_cache_new();

	if (!t || !cache) {
		free(t);
		exp_cache_free(cache);
		return 0;
	}
	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i), *base;
		struct doc_variant v;

		if (!doc_variant_read(p, &v) || seen_before(doc, i, &v) ||
		    !(base = exp_baseline(doc, &v)))
			continue;
		for (size_t w = 0; w < nwl; w++) {
			if (!table_of(doc, base, &v, wl[w], t, cache))
				continue;
			if (fn)
				fn(t, arg);
			n++;
		}
	}
	free(t);
	exp_cache_free(cache);
	return n;
}
