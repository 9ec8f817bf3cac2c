// SPDX-License-Identifier: GPL-2.0
/*
 * The renderers against crafted documents: every format renders complete
 * and broken documents without crashing, shows skipped platforms with their
 * reason, and keeps its own promises (HTML self-contained and escaped, CSV
 * rectangular, JSON the document itself, colour only when asked).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doc_builder.h"
#include "report.h"
#include "doc_reader.h"
#include "report_view.h"
#include "results.h"
#include "stats.h"
#include "util_log.h"

static const char *const formats[] = {"text", "md", "html", "json", "csv"};

/* Renders doc in format; the output is malloc'd (free it). */
static char *render(struct json_object *doc, const char *format, bool color, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	*rc = report_render(doc, format, out, color);
	fclose(out);
	return buf;
}

/* native and qemu ran cpu (qemu noisy); kvm was skipped with a reason. */
static struct json_object *small_doc(void)
{
	struct json_object *d = tdoc_new(), *c, *kvm;

	tset(d, "host.kernel", json_object_new_string("Linux 6.18"));
	c = tcell(tplat(d, "native", NULL), "cpu", 4000, 3, 0, 0.99);
	trun(c, "probes.host.page_faults_user", 12);
	trun_json(c, "probes.host.syscalls", "{\"total\": 100, \"top\": {\"write\": 60}}");
	c = tcell(tplat(d, "qemu", NULL), "cpu", 300, 3, 0, 0.99);
	/* A 20 % spread: CV well above 5 %. */
	tset(json_object_array_get_idx(doc_get(c, "runs"), 0), "score",
	     json_object_new_double(240));
	trun(c, "probes.host.vm_exits.total", 0);
	trun_json(c, "probes.guest",
		  "{\"page_faults_user\": 30, \"block\": {\"requests\": 200, "
		  "\"p99_us\": 700, \"hist_log2_us\": [0, 0, 5, 100, 95]}}");
	kvm = tplat(d, "kvm", NULL);
	tset(kvm, "status", json_object_new_string("skipped"));
	tset(kvm, "reason", json_object_new_string("/dev/kvm not present: <no> hardware"));
	return d;
}

static void every_format_renders(void **state)
{
	struct json_object *d = small_doc();

	(void)state;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		int rc;
		char *out = render(d, formats[i], false, &rc);

		assert_int_equal(rc, VB_EXIT_OK);
		assert_true(strlen(out) > 100);
		assert_non_null(strstr(out, "qemu"));
		/* The skipped platform and its reason, in every format (escaped in html and md). */
		assert_non_null(strstr(out, "kvm"));
		assert_non_null(strstr(out, "skipped"));
		assert_non_null(strstr(out, !strcmp(formats[i], "html") || !strcmp(formats[i], "md")
						    ? "&lt;no&gt; hardware"
						    : "<no> hardware"));
		free(out);
	}
	json_object_put(d);
}

static void unknown_format_is_usage_error(void **state)
{
	struct json_object *d = small_doc();
	int rc;
	char *out;

	(void)state;
	out = render(d, "pdf", false, &rc);
	assert_int_equal(rc, VB_EXIT_USAGE);
	free(out);
	json_object_put(d);
}

static void text_marks_noise_and_ratio(void **state)
{
	struct json_object *d = small_doc();
	int rc;
	char *out = render(d, "text", false, &rc);
	struct stats s;

	(void)state;
	assert_true(doc_cell_stats(doc_cell(doc_platform_by_label(d, "qemu"), "cpu"), &s));
	assert_true(s.cv > CV_NOISY);
	assert_non_null(strstr(out, " ~"));
	/* qemu's mean (240 + 300 + 303) / 3 = 281 against native's 4000: 7.0 %. */
	assert_non_null(strstr(out, "7.0 %"));
	assert_null(strstr(out, "\033["));
	free(out);
	out = render(d, "text", true, &rc);
	assert_non_null(strstr(out, "\033["));
	free(out);
	json_object_put(d);
}

static void html_is_self_contained(void **state)
{
	struct json_object *d = small_doc();
	int rc;
	char *out = render(d, "html", false, &rc);

	(void)state;
	assert_true(!strncmp(out, "<!DOCTYPE html>", 15));
	assert_non_null(strstr(out, "<svg"));
	assert_non_null(strstr(out, "</html>"));
	assert_null(strstr(out, "<script"));
	assert_null(strstr(out, "http://"));
	assert_null(strstr(out, "https://"));
	assert_null(strstr(out, "<link"));
	/* The guest's block histogram is drawn. */
	assert_non_null(strstr(out, "Block I/O latency"));
	free(out);
	json_object_put(d);
}

static void json_is_the_document(void **state)
{
	struct json_object *d = small_doc(), *back;
	int rc;
	char *out = render(d, "json", false, &rc);

	(void)state;
	back = json_tokener_parse(out);
	assert_non_null(back);
	assert_true(json_object_equal(back, d));
	json_object_put(back);
	free(out);
	json_object_put(d);
}

/* Fields of one CSV line, quotes respected. */
static int csv_fields(const char *line, const char **end)
{
	int n = 1;
	bool quoted = false;

	for (; *line && (quoted || *line != '\n'); line++) {
		if (*line == '"')
			quoted = !quoted;
		else if (*line == ',' && !quoted)
			n++;
	}
	*end = *line ? line + 1 : line;
	return n;
}

static void csv_is_rectangular(void **state)
{
	struct json_object *d = small_doc();
	int rc, header, rows = 0;
	char *out;
	const char *p, *next;

	(void)state;
	/* A reason with a comma and a quote must stay in its field. */
	tset(doc_platform_by_label(d, "kvm"), "reason", json_object_new_string("a, \"b\""));
	out = render(d, "csv", false, &rc);
	header = csv_fields(out, &next);
	assert_non_null(strstr(out, "probes.guest.block.hist_log2_us.3"));
	assert_non_null(strstr(out, "\"a, \"\"b\"\"\""));
	for (p = next; *p; p = next) {
		assert_int_equal(csv_fields(p, &next), header);
		rows++;
	}
	/* 3 + 3 runs and one row for the skipped platform. */
	assert_int_equal(rows, 7);
	free(out);
	json_object_put(d);
}

/*
 * A document whose every string is hostile: markup that would run or close
 * elements in HTML, break a Markdown table or open a heading, and escape
 * sequences that would rewrite a terminal (CSI, OSC with BEL, an 8-bit CSI,
 * a byte that is not UTF-8).
 */
#define HOSTILE                                                                                 \
	"<script>alert(1)</script>\"'</svg>|`[l](javascript:x)`*_~\n# HEAD \x1b[2J\x1b]0;t\x07" \
	" \xc2\x9b"                                                                             \
	"31m \xff&amp;"

static struct json_object *hostile_doc(void)
{
	struct json_object *d = tdoc_new(), *c, *f = json_object_new_array(), *x, *skip;
	const char *const fields[] = {"started_at", "tool_version", "host.kernel", "host.cpu_model",
				      "config.net_server"};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		tset(d, fields[i], json_object_new_string(HOSTILE));
	tset(d, "config.runs", json_object_new_int(3));
	c = tcell(tplat(d, "native", NULL), HOSTILE, 100, 3, 4096, 0.9);
	tset(c, "unit", json_object_new_string(HOSTILE));
	trun_json(c, "probes.host.syscalls",
		  "{\"total\": 100, \"top\": {\"<script>\\u001b[31m|\": 90}}");
	trun_json(c, "probes.host.block",
		  "{\"requests\": 200, \"p99_us\": 70, \"hist_log2_us\": [0, 5, 100]}");
	trun_json(c, "probes.host.vm_exits.by_reason", "{\"</svg><script>\": 50}");
	trun_json(c, "probes.host.overflow", "{\"targets\": 2}");
	c = tcell(tplat(d, HOSTILE, HOSTILE), HOSTILE, 50, 3, 4096, 0.9);
	tset(c, "unit", json_object_new_string(HOSTILE));
	c = tcell(doc_idx(d, "platforms", 1), "cpu", 50, 0, 0, 0);
	tset(c, "error", json_object_new_string(HOSTILE));
	skip = tplat(d, HOSTILE, NULL);
	tset(skip, "status", json_object_new_string("skipped"));
	tset(skip, "reason", json_object_new_string(HOSTILE));
	x = json_object_new_object();
	tset(x, "platform", json_object_new_string(HOSTILE));
	tset(x, "variant", json_object_new_string(HOSTILE));
	tset(x, "workload", json_object_new_string(HOSTILE));
	tset(x, "rule", json_object_new_string(HOSTILE));
	tset(x, "text", json_object_new_string(HOSTILE));
	tset(x, "evidence", json_object_new_object());
	json_object_object_add(json_object_object_get(x, "evidence"), HOSTILE,
			       json_object_new_string(HOSTILE));
	json_object_object_add(json_object_object_get(x, "evidence"), "n", json_object_new_int(7));
	json_object_array_add(f, x);
	json_object_object_add(d, "findings", f);
	return d;
}

/* No byte a terminal acts on: C0 controls but the line break, DEL, C1, not UTF-8. */
static void assert_no_terminal_controls(const char *out)
{
	for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
		assert_false(*p < 0x20 && *p != '\n');
		assert_false(*p == 0x7f || *p == 0xff);
		assert_false(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f);
	}
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

/* Markdown with its code spans blanked: what a renderer would read as markup.
 * A backslash-escaped backtick opens none; inside a span, backslashes are
 * literal. */
static void blank_code_spans(char *s)
{
	while (*s) {
		size_t fence;
		char *end;

		if (*s == '\\' && s[1]) {
			s += 2;
			continue;
		}
		if (*s != '`') {
			s++;
			continue;
		}
		fence = strspn(s, "`");
		for (end = s + fence; (end = strchr(end, '`')); end += strspn(end, "`"))
			if (strspn(end, "`") == fence)
				break;
		if (!end) {
			s += fence; /* an unclosed run is literal backticks */
			continue;
		}
		memset(s, 'x', (size_t)(end + fence - s));
		s = end + fence;
	}
}

/* Pipes that split a Markdown table row, backslash-escaped ones not counted. */
static int md_cells(const char *line, const char *end)
{
	int n = 0;

	for (const char *p = line; p < end; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		else if (*p == '|')
			n++;
	}
	return n;
}

static void hostile_strings_stay_text(void **state)
{
	struct json_object *d = hostile_doc();

	(void)state;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const char *fmt = formats[i];
		int rc;
		char *out = render(d, fmt, false, &rc);

		assert_int_equal(rc, VB_EXIT_OK);
		if (!strcmp(fmt, "json")) {
			/* The document itself: json-c writes control characters as \u00XX. */
			assert_null(strchr(out, '\x1b'));
			assert_null(strchr(out, '\x07'));
			free(out);
			continue;
		}
		assert_no_terminal_controls(out);
		/* The payload's line break never starts a line of its own. */
		assert_null(strstr(out, "\n# HEAD"));
		if (!strcmp(fmt, "html")) {
			assert_null(strstr(out, "<script"));
			assert_int_equal(count(out, "</svg>"), count(out, "<svg "));
			assert_null(strstr(out, "\"'"));
			assert_non_null(strstr(out,
					       "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;"
					       "&lt;/svg&gt;|"));
			assert_non_null(strstr(out, "aria-label=\"&lt;script&gt;"));
		} else if (!strcmp(fmt, "md")) {
			const char *line, *next;
			int header = -1;

			blank_code_spans(out);
			assert_null(strstr(out, "<script"));
			assert_null(strstr(out, "</svg"));
			assert_non_null(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;\"'"
						    "&lt;/svg&gt;\\|\\`\\[l\\](javascript:x)\\`\\*"
						    "\\_\\~ \\# HEAD"));
			/* Every row of a table has as many cells as its header. */
			for (line = out; *line; line = next) {
				next = strchr(line, '\n');
				next = next ? next + 1 : line + strlen(line);
				if (*line != '|') {
					header = -1;
					continue;
				}
				if (header < 0)
					header = md_cells(line, next);
				assert_int_equal(md_cells(line, next), header);
			}
		} else if (!strcmp(fmt, "csv")) {
			const char *p, *next;
			int header = csv_fields(out, &next);

			for (p = next; *p; p = next)
				assert_int_equal(csv_fields(p, &next), header);
			assert_non_null(strstr(out, "\"<script>alert(1)</script>\"\"'</svg>|"));
		}
		free(out);
	}
	json_object_put(d);
}

static void broken_documents_render(void **state)
{
	static const char *const docs[] = {
		"{\"schema\": \"vbench-trace/1\", \"platforms\": []}",
		"{\"platforms\": [null, 7, {\"name\": \"native\", \"workloads\": [null, {}, "
		"{\"name\": \"cpu\", \"runs\": [null, {\"score\": null}, {\"probes\": []}]}]}]}",
		"{\"findings\": 3, \"host\": [], \"config\": {\"runs\": \"x\"}, \"platforms\": "
		"[{\"name\": \"kvm\", \"status\": \"ok\", \"workloads\": [{\"name\": \"net\", "
		"\"stats\": {\"mean\": 5, \"n\": -1}, \"runs\": [{\"probes\": {\"host\": "
		"{\"vm_exits\": "
		"{\"table\": [{\"reason\": \"HLT\", \"samples\": 3}]}, \"block\": "
		"{\"hist_log2_us\": "
		"[1e300, -5, 3]}}}}]}]}]}",
		"{\"findings\": [null, {\"text\": 5}, {\"platform\": \"qemu\", \"evidence\": "
		"[1]}], "
		"\"platforms\": []}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct json_object *d = json_tokener_parse(docs[i]);

		assert_non_null(d);
		for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
			int rc;

			free(render(d, formats[f], f % 2, &rc));
			assert_int_equal(rc, VB_EXIT_OK);
		}
		json_object_put(d);
	}
}

/* The crafted fixtures, as the integration tests use them (cwd: the repo root). */
static void fixtures_render(void **state)
{
	static const char *const paths[] = {
		"tests/fixtures/full.json", "tests/fixtures/skipped.json",
		"tests/fixtures/sparse.json", "tests/fixtures/regressed.json"};

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct json_object *d;

		if (access(paths[i], R_OK))
			skip();
		assert_int_equal(results_load(paths[i], &d), 0);
		for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
			int rc;

			free(render(d, formats[f], true, &rc));
			assert_int_equal(rc, VB_EXIT_OK);
		}
		json_object_put(d);
	}
}

static void numbers_read_well(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(doc_fmt_num(4150, b, sizeof(b)), "4150");
	assert_string_equal(doc_fmt_num(41500, b, sizeof(b)), "41.5 k");
	assert_string_equal(doc_fmt_num(4.0, b, sizeof(b)), "4");
	assert_string_equal(doc_fmt_num(1.5e6, b, sizeof(b)), "1.5 M");
	assert_string_equal(doc_fmt_num(0.52, b, sizeof(b)), "0.52");
	assert_string_equal(doc_fmt_num(99.96, b, sizeof(b)), "100");
	assert_string_equal(doc_fmt_num(0, b, sizeof(b)), "0");
	assert_string_equal(doc_fmt_num(NAN, b, sizeof(b)), "-");
}

/* Counters are counts: a negative, overflowing or non-numeric one reads as absent. */
static void counts_are_range_checked(void **state)
{
	struct json_object *o = json_tokener_parse(
		"{\"zero\": 0, \"max\": 18446744073709551615, \"neg\": -1, \"big\": 1e20, "
		"\"str\": \"5\", \"frac\": 2.5}");
	struct json_object *d = tdoc_new(), *c;
	struct doc_side_counters k;
	double v;

	(void)state;
	assert_true(doc_count(o, "zero", &v) && v == 0);
	assert_true(doc_count(o, "max", &v) && v == DOC_MAX_COUNT);
	assert_true(doc_count(o, "frac", &v) && v == 2.5);
	assert_false(doc_count(o, "neg", &v));
	assert_false(doc_count(o, "big", &v));
	assert_false(doc_count(o, "str", &v));
	json_object_put(o);
	c = tcell(tplat(d, "native", NULL), "fork", 100, 3, 0, 0.5);
	trun(c, "probes.host.forks", -5);
	trun_json(c, "probes.host.block.hist_log2_us", "[-1, 1e300, 1e20, 3]");
	doc_side_read(c, DOC_SIDE_HOST, &k);
	assert_int_equal(k.forks.runs, 0);
	assert_int_equal(k.block.hist_bins, 4);
	assert_true(k.block.hist[0] == 0 && k.block.hist[1] == 0 && k.block.hist[2] == 0 &&
		    k.block.hist[3] == 9);
	json_object_put(d);
}

static void variant_is_its_own_column(void **state)
{
	struct json_object *d = tdoc_new(), *c;
	double r;
	char label[64];

	(void)state;
	tcell(tplat(d, "native", NULL), "diskrand", 40, 2, 4096, 0.1);
	tcell(tplat(d, "docker", NULL), "diskrand", 30, 2, 4096, 0.1);
	c = tcell(tplat(d, "docker", "volume"), "diskrand", 20, 2, 4096, 0.1);
	assert_string_equal(doc_label(doc_idx(d, "platforms", 2), label, sizeof(label)),
			    "docker (volume)");
	assert_ptr_equal(doc_cell(doc_platform_by_label(d, "docker (volume)"), "diskrand"), c);
	/* No vs_native in the document: computed from the means. */
	assert_true(doc_cell_vs_native(d, c, &r));
	assert_true(fabs(r - 0.5) < 1e-9);
	json_object_put(d);
}

/* Runs that said "valid": false are named in every report and counted nowhere. */
static void left_out_runs_are_named(void **state)
{
	struct json_object *d = tdoc_new(), *c, *run;
	char *out;
	int rc;

	(void)state;
	c = tcell(tplat(d, "native", NULL), "cpu", 1000, 3, 0, 1.0);
	run = json_object_array_get_idx(doc_get(c, "runs"), 2);
	tset(run, "score", json_object_new_double(1));
	tset(run, "valid", json_object_new_boolean(0));
	tset(run, "invalid_reason", json_object_new_string("stalled"));
	for (size_t i = 0; i < 3; i++) {
		out = render(d, formats[i], false, &rc);
		assert_int_equal(rc, 0);
		assert_non_null(strstr(out, "left out of every statistic"));
		assert_non_null(strstr(out, "native cpu (1 of 3: stalled)"));
		/* The mean of the two kept runs (990, 1000), not of all three. */
		assert_non_null(strstr(out, "995"));
		free(out);
	}
	out = render(d, "csv", false, &rc);
	assert_non_null(strstr(out, "valid"));
	free(out);
	json_object_object_del(run, "valid");
	out = render(d, "text", false, &rc);
	assert_null(strstr(out, "left out of every statistic"));
	free(out);
	json_object_put(d);
}

/* A full probe map is named in every report; an empty overflow is silent. */
static void overflow_is_never_silent(void **state)
{
	const char *text = "{\"schema\": \"vbench-trace/1\", \"platforms\": [{\"name\": \"qemu\", "
			   "\"status\": \"ok\", \"workloads\": [{\"name\": \"fork\", \"runs\": ["
			   "{\"probes\": {\"host\": {\"overflow\": {\"targets\": 0}}, "
			   "\"guest\": {\"overflow\": {\"targets\": 3, \"block\": 2}}}}]}]}]}";
	struct json_object *doc = json_tokener_parse(text);
	char note[256];

	(void)state;
	assert_non_null(doc);
	doc_overflow_note(doc, note, sizeof(note));
	assert_non_null(strstr(note, "qemu fork (guest side, 5)"));
	assert_null(strstr(note, "host side"));
	/* Replacing "runs" frees the old array. */
	json_object_object_add(
		json_object_array_get_idx(
			json_object_object_get(json_object_array_get_idx(
						       json_object_object_get(doc, "platforms"), 0),
					       "workloads"),
			0),
		"runs", json_object_new_array());
	doc_overflow_note(doc, note, sizeof(note));
	assert_string_equal(note, "");
	json_object_put(doc);
}

/*
 * A platform whose every cell failed: no stats on its cells (nor stats of
 * zeros, as older documents gave), the runs made before the failure left
 * out of any figure; every format renders it and says "failed".
 */
static void failed_cells_have_no_stats(void **state)
{
	struct json_object *d = small_doc(), *q, *c, *old;
	struct stats s;
	double ratio;

	(void)state;
	q = tplat(d, "docker", NULL);
	tset(q, "status", json_object_new_string("failed"));
	tset(q, "reason", json_object_new_string("every cell failed; the first: boom"));
	c = tcell(q, "cpu", 50, 1, 0, 0.5);
	tset(c, "status", json_object_new_string("failed"));
	tset(c, "error", json_object_new_string("boom"));
	assert_false(doc_cell_stats(c, &s));
	assert_false(doc_cell_vs_native(d, c, &ratio));
	/* An older document's stats of zeros on a failed cell are not read. */
	old = tcell(q, "mem", 50, 1, 0, 0.5);
	tset(old, "status", json_object_new_string("failed"));
	tset(old, "error", json_object_new_string("boom"));
	json_object_object_add(old, "stats",
			       json_tokener_parse("{\"n\": 0, \"mean\": 0, \"stddev\": 0}"));
	assert_false(doc_cell_stats(old, &s));
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		int rc;
		char *out = render(d, formats[i], false, &rc);

		assert_int_equal(rc, VB_EXIT_OK);
		assert_non_null(strstr(out, "failed"));
		free(out);
	}
	json_object_put(d);
}

/* What a status other than "complete" means is said in every report. */
static void status_notes(void **state)
{
	static const char *const human[] = {"text", "md", "html"};
	static const char *const statuses[] = {"interrupted", "incomplete"};
	static const char *const says[] = {"interrupted", "stopped before it finished"};
	struct json_object *d = small_doc();

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		tset(d, "status", json_object_new_string(statuses[k]));
		for (size_t i = 0; i < sizeof(human) / sizeof(human[0]); i++) {
			int rc;
			char *out = render(d, human[i], false, &rc);

			assert_int_equal(rc, VB_EXIT_OK);
			assert_non_null(strstr(out, says[k]));
			assert_non_null(strstr(out, "are missing"));
			free(out);
		}
	}
	tset(d, "status", json_object_new_string("complete"));
	for (size_t i = 0; i < sizeof(human) / sizeof(human[0]); i++) {
		int rc;
		char *out = render(d, human[i], false, &rc);

		assert_null(strstr(out, "are missing"));
		free(out);
	}
	json_object_put(d);
}

/*
 * A stalled run ("valid": false) is left out of what the reader computes
 * (statistics, sums) and named, with its reason, in every report.
 */
static void invalid_runs_left_out_and_warned(void **state)
{
	struct json_object *d = small_doc(), *c, *bad;
	struct doc_side_counters kept, all;
	struct stats s;
	char note[512];

	(void)state;
	c = doc_cell(doc_platform_by_label(d, "native"), "cpu");
	trun(c, "probes.host.forks", 10);
	assert_true(doc_side_read(c, DOC_SIDE_HOST, &all));
	assert_int_equal(all.forks.runs, 3);
	bad = json_object_array_get_idx(doc_get(c, "runs"), 1);
	tset(bad, "score", json_object_new_double(1));
	tset(bad, "valid", json_object_new_boolean(0));
	tset(bad, "invalid_reason", json_object_new_string("the timed part took <61.7 s>"));
	assert_false(stats_run_kept(bad));
	assert_true(stats_run_kept(json_object_array_get_idx(doc_get(c, "runs"), 0)));
	/* Without a stats object the reader computes one: from the valid runs. */
	json_object_object_del(c, "stats");
	assert_true(doc_cell_stats(c, &s));
	assert_int_equal(s.n, 2);
	assert_true(s.mean > 3900);
	assert_true(doc_side_read(c, DOC_SIDE_HOST, &kept));
	assert_int_equal(kept.forks.runs, 2);
	assert_true(kept.forks.value < all.forks.value);
	doc_left_out_note(d, note, sizeof(note));
	assert_non_null(strstr(note, "native cpu (1 of 3"));
	assert_non_null(strstr(note, "61.7 s"));
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		int rc;
		char *out = render(d, formats[i], false, &rc);

		assert_int_equal(rc, VB_EXIT_OK);
		assert_non_null(strstr(out, "61.7 s"));
		if (!strcmp(formats[i], "html"))
			assert_null(strstr(out, "<61.7")); /* escaped */
		free(out);
	}
	json_object_put(d);
}

/* How the run's containers were confined (config.docker) is said in the
 * config line of every human-readable format. */
static void docker_confinement_in_config(void **state)
{
	static const char *const human[] = {"text", "md", "html"};
	struct json_object *d = small_doc(), *conf = json_object_new_object(), *o, *caps;

	(void)state;
	json_object_object_add(d, "config", conf);
	o = json_object_new_object();
	caps = json_object_new_array();
	json_object_array_add(caps, json_object_new_string("ALL"));
	json_object_object_add(o, "cap_drop", caps);
	json_object_object_add(o, "no_new_privileges", json_object_new_boolean(1));
	json_object_object_add(o, "pids_limit", json_object_new_int(2048));
	json_object_object_add(o, "memory_bytes", json_object_new_int64(2147483648LL));
	json_object_object_add(conf, "docker", o);
	for (size_t i = 0; i < sizeof(human) / sizeof(human[0]); i++) {
		int rc;
		char *out = render(d, human[i], false, &rc);

		assert_int_equal(rc, VB_EXIT_OK);
		assert_non_null(strstr(out, "capabilities dropped ALL, no-new-privileges, at most "
					    "2048 tasks, memory 2.0 GiB"));
		free(out);
	}
	json_object_put(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_format_renders),
		cmocka_unit_test(unknown_format_is_usage_error),
		cmocka_unit_test(text_marks_noise_and_ratio),
		cmocka_unit_test(html_is_self_contained),
		cmocka_unit_test(json_is_the_document),
		cmocka_unit_test(csv_is_rectangular),
		cmocka_unit_test(hostile_strings_stay_text),
		cmocka_unit_test(broken_documents_render),
		cmocka_unit_test(fixtures_render),
		cmocka_unit_test(numbers_read_well),
		cmocka_unit_test(counts_are_range_checked),
		cmocka_unit_test(variant_is_its_own_column),
		cmocka_unit_test(overflow_is_never_silent),
		cmocka_unit_test(left_out_runs_are_named),
		cmocka_unit_test(failed_cells_have_no_stats),
		cmocka_unit_test(status_notes),
		cmocka_unit_test(invalid_runs_left_out_and_warned),
		cmocka_unit_test(docker_confinement_in_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
