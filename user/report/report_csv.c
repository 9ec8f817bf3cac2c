// SPDX-License-Identifier: GPL-2.0
/*
 * CSV for spreadsheets and pandas: one row per run, every counter of the
 * run flattened to a dotted column ("probes.host.block.p99_us"), the header
 * the union of all runs' columns in the order first seen. Histograms become
 * one column per bin; the VM-exit table one column per reason and field.
 * A skipped platform or a failed cell is one row with its reason.
 */
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc_reader.h"
#include "report_formats.h"
#include "report_view.h"
#include "util_log.h"

static const char *const fixed[] = {
	"platform",	    "variant", "platform_status", "reason", "workload", "unit",
	"higher_is_better", "run",     "error",
};
#define NFIXED (sizeof(fixed) / sizeof(fixed[0]))

typedef void (*leaf_fn)(const char *key, struct json_object *v, void *arg);

/* Calls fn for every leaf under o, keyed by its dotted path. */
static void flatten(struct json_object *o, const char *prefix, leaf_fn fn, void *arg)
{
	char key[512];

	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach (o, k, v) {
			snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", k);
			flatten(v, key, fn, arg);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			struct json_object *e = json_object_array_get_idx(o, i);
			const char *name = doc_str(e, "reason", doc_str(e, "name", NULL));

			/* Rows of a table are named by their reason, so columns stay put across
			 * runs. */
			if (name)
				snprintf(key, sizeof(key), "%s.%s", prefix, name);
			else
				snprintf(key, sizeof(key), "%s.%zu", prefix, i);
			flatten(e, key, fn, arg);
		}
	} else if (o && *prefix) {
		fn(prefix, o, arg);
	}
}

/* Rows times columns is what a CSV costs: a document whose runs each carry
 * counters of their own keeps the first ones and says so. */
#define CSV_MAX_COLUMNS 4096

struct columns {
	struct json_object *seen;  /* key -> true */
	struct json_object *order; /* keys in order first seen */
	size_t dropped;		   /* distinct keys past CSV_MAX_COLUMNS */
};

static void add_column(const char *key, struct json_object *v, void *arg)
{
	struct columns *c = arg;

	(void)v;
	if (json_object_object_get_ex(c->seen, key, NULL))
		return;
	if (json_object_array_length(c->order) >= CSV_MAX_COLUMNS) {
		c->dropped++;
		return;
	}
	json_object_object_add(c->seen, key, json_object_new_boolean(1));
	json_object_array_add(c->order, json_object_new_string(key));
}

static void collect_value(const char *key, struct json_object *v, void *arg)
{
	json_object_object_add(arg, key, json_object_get(v));
}

/*
 * RFC 4180: a field holding a comma or a quote is quoted, quotes doubled.
 * Control characters are cleaned away first (a line break becomes a blank),
 * so no field spans lines and no escape sequence reaches a terminal.
 */
static void csv_field(FILE *out, const char *raw)
{
	size_t n = strlen(raw) * 3 + 1; /* U+FFFD is 3 bytes for 1 */
	char *s = malloc(n);

	if (!s)
		return;
	view_clean(raw, s, n);
	if (!strpbrk(s, ",\"")) {
		fputs(s, out);
		free(s);
		return;
	}
	fputc('"', out);
	for (const char *c = s; *c; c++) {
		if (*c == '"')
			fputc('"', out);
		fputc(*c, out);
	}
	fputc('"', out);
	free(s);
}

static void csv_value(FILE *out, struct json_object *v)
{
	char buf[64];

	if (!v)
		return;
	if (json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);

		if (isfinite(d)) {
			snprintf(buf, sizeof(buf), "%.10g", d);
			fputs(buf, out);
		}
		return;
	}
	csv_field(out, json_object_get_string(v));
}

/* One row: the fixed columns, then the run's flattened values in header order. */
static void csv_row(FILE *out, const char *const vals[NFIXED], struct json_object *run,
		    struct json_object *order)
{
	struct json_object *map = json_object_new_object();

	for (size_t i = 0; i < NFIXED; i++) {
		if (i)
			fputc(',', out);
		csv_field(out, vals[i] ? vals[i] : "");
	}
	if (run)
		flatten(run, "", collect_value, map);
	for (size_t i = 0; i < json_object_array_length(order); i++) {
		struct json_object *v = NULL;

		fputc(',', out);
		json_object_object_get_ex(
			map, json_object_get_string(json_object_array_get_idx(order, i)), &v);
		csv_value(out, v);
	}
	fputc('\n', out);
	json_object_put(map);
}

static void csv_rows(FILE *out, struct json_object *doc, struct json_object *order)
{
	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);
		const char *vals[NFIXED] = {doc_str(p, "name", ""), doc_str(p, "variant", ""),
					    doc_str(p, "status", ""), doc_str(p, "reason", "")};
		size_t ncells = doc_len(p, "workloads");
		struct doc_variant v;
		char variant[256];

		/* An experiment's variant object as "knob=value", the string form as it is. */
		if (doc_variant_read(p, &v) && !v.old_form) {
			snprintf(variant, sizeof(variant), "%s=%s", v.knob, v.value);
			vals[1] = variant;
		}

		if (!ncells)
			csv_row(out, vals, NULL, order);
		for (size_t j = 0; j < ncells; j++) {
			struct json_object *c = doc_idx(p, "workloads", j);
			size_t nruns = doc_len(c, "runs");
			char run[24];

			vals[4] = doc_str(c, "name", "");
			vals[5] = doc_str(c, "unit", "");
			vals[6] = doc_cell_higher_is_better(c) ? "true" : "false";
			vals[8] = doc_str(c, "error", "");
			vals[7] = "";
			if (!nruns)
				csv_row(out, vals, NULL, order);
			for (size_t r = 0; r < nruns; r++) {
				snprintf(run, sizeof(run), "%zu", r + 1);
				vals[7] = run;
				csv_row(out, vals, doc_idx(c, "runs", r), order);
			}
		}
	}
}

static int render_csv(struct json_object *doc, FILE *out, bool color)
{
	struct columns cols = {json_object_new_object(), json_object_new_array(), 0};

	(void)color;
	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);

		for (size_t j = 0; j < doc_len(p, "workloads"); j++) {
			struct json_object *c = doc_idx(p, "workloads", j);

			for (size_t r = 0; r < doc_len(c, "runs"); r++)
				flatten(doc_idx(c, "runs", r), "", add_column, &cols);
		}
	}
	for (size_t i = 0; i < NFIXED; i++)
		fprintf(out, "%s%s", i ? "," : "", fixed[i]);
	for (size_t i = 0; i < json_object_array_length(cols.order); i++) {
		fputc(',', out);
		csv_field(out, json_object_get_string(json_object_array_get_idx(cols.order, i)));
	}
	fputc('\n', out);
	if (cols.dropped)
		vb_warn("csv: the runs carry more than %d distinct counters; the columns hold the "
			"first %d in the order seen (the json format has them all)",
			CSV_MAX_COLUMNS, CSV_MAX_COLUMNS);
	csv_rows(out, doc, cols.order);
	json_object_put(cols.seen);
	json_object_put(cols.order);
	return ferror(out) ? -1 : 0;
}

const struct report_format report_format_csv = {"csv", render_csv};
