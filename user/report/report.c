// SPDX-License-Identifier: GPL-2.0
/* vbench-trace report: a results document rendered in one of five formats. */
#include <errno.h>
#include <getopt.h>
#include <json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "report.h"
#include "report_formats.h"
#include "results.h"
#include "util_log.h"
#include "util_sys.h"

static const struct report_format *const formats[] = {
	&report_format_text, &report_format_md,	 &report_format_html,
	&report_format_json, &report_format_csv,
};

static const struct report_format *format_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(formats[i]->name, name))
			return formats[i];
	return NULL;
}

int report_render(struct json_object *doc, const char *format, FILE *out, bool color)
{
	const struct report_format *f = format_by_name(format);

	if (!f) {
		vb_err("unknown report format '%s' (text, md, html, json or csv)", format);
		return VB_EXIT_USAGE;
	}
	if (f->render(doc, out, color) || fflush(out) || ferror(out))
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

struct report_fill {
	struct json_object *doc;
	const char *format;
};

static int fill_report(FILE *out, void *arg)
{
	const struct report_fill *r = arg;

	return report_render(r->doc, r->format, out, false);
}

int report_write_at(struct json_object *doc, const char *format, const struct results_dir *d,
		    const char *name)
{
	struct report_fill r = {.doc = doc, .format = format};

	return results_write_at(d, name, fill_report, &r);
}

/* -o FILE: written through the results writer (a temporary in FILE's
 * directory, renamed over FILE), so a link at either name is never followed. */
static int report_to_file(struct json_object *doc, const char *format, const char *path)
{
	struct report_fill r = {.doc = doc, .format = format};

	return results_write_path(path, fill_report, &r) ? VB_EXIT_FAILED : VB_EXIT_OK;
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
	if (!format_by_name(format)) {
		vb_err("unknown report format '%s' (text, md, html, json or csv)", format);
		return VB_EXIT_USAGE;
	}
	err = results_load(argv[optind], &doc);
	if (err)
		return VB_EXIT_USAGE;
	if (path) {
		err = report_to_file(doc, format, path);
	} else {
		err = report_render(doc, format, stdout, want_color(stdout));
		if (err == VB_EXIT_FAILED)
			vb_err("cannot write the report to stdout: %s", strerror(errno));
	}
	json_object_put(doc);
	return err;
}
