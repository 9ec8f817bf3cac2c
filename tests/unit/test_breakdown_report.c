// SPDX-License-Identifier: GPL-2.0
/*
 * The reports' "Where the time went" section (user/report/report_breakdown.c)
 * against fixture documents: the rows in order (native first), the figures
 * and the gap as the document's overhead says (the busy gap first, sleep's
 * extra apart as idle waiting, the guest view's gap beside the host's; the
 * whole gap on a document from before the busy gap), a VMM's roles as rows
 * and bars of their own, hostile names escaped, and no section without a
 * breakdown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "doc_builder.h"
#include "overhead.h"
#include "report.h"
#include "report_breakdown.h"

static void set_run(struct json_object *cell, double user, double sys, double sleep)
{
	tper_op(cell, user, sys, 0, sleep);
}

/* native (listed last), qemu with roles, and a hostile name; cpu only. */
static struct json_object *fixture(void)
{
	struct json_object *doc = tdoc_new(), *q, *h, *n, *qc, *runs;

	q = tplat(doc, "qemu", NULL);
	h = tplat(doc, "<b>evil|</b>", NULL);
	n = tplat(doc, "native", NULL);
	qc = tcell_ok(q, "cpu", 100);
	set_run(qc, 2000, 100, 1000);
	/* roles: states_ns of the run (ops = score * RUN_S = 1000 for run 1) */
	runs = json_object_object_get(qc, "runs");
	for (size_t i = 0; i < json_object_array_length(runs); i++) {
		struct json_object *r = json_object_array_get_idx(runs, i);
		double ops = json_object_get_double(json_object_object_get(r, "ops"));
		char json[512];

		snprintf(json, sizeof(json),
			 "{\"vcpu\": {\"threads\": 2, \"states_ns\": {\"user\": %g, "
			 "\"kernel_syscall\": 0, \"kernel_fault\": 0, \"kernel_other\": 0, "
			 "\"runnable\": 0, \"blocked_io\": 0, \"sleep\": 0}}, "
			 "\"io\": {\"threads\": 0, \"states_ns\": {\"user\": 0, "
			 "\"kernel_syscall\": 0, \"kernel_fault\": 0, \"kernel_other\": 0, "
			 "\"runnable\": 0, \"blocked_io\": 0, \"sleep\": 0}}}",
			 1900 * ops);
		tset(r, "probes.host.breakdown.roles", json_tokener_parse(json));
		tset(r, "probes.host.breakdown.probe_cost_ns", json_object_new_double(12.5e6));
		tset(r, "probes.guest.breakdown.per_op_ns",
		     json_tokener_parse("{\"user\": 1500, \"kernel_syscall\": 5, "
					"\"kernel_fault\": 0, \"kernel_other\": 0, "
					"\"runnable\": 0, \"blocked_io\": 0, \"sleep\": 1495}"));
	}
	set_run(tcell_ok(h, "cpu", 1000), 100, 10, 300);
	set_run(tcell_ok(n, "cpu", 1000), 100, 10, 200);
	results_doc_add_overhead(doc);
	return doc;
}

static char *render(struct json_object *doc, const char *format)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(report_render(doc, format, out, false), 0);
	fclose(out);
	return buf;
}

static void view_rows_and_scale(void **state)
{
	struct json_object *doc = fixture();
	struct bd_view v;
	struct bd_unit u;
	char buf[32];

	(void)state;
	assert_true(bd_view_of(doc, "cpu", &v));
	assert_int_equal(v.n, 3);
	assert_true(v.rows[0].reference);
	assert_string_equal(v.rows[0].label, "native");
	assert_false(v.rows[0].gap.have);
	assert_string_equal(v.rows[1].label, "qemu");
	assert_true(v.rows[1].total == 3100);
	assert_true(v.rows[1].gap.have && v.rows[1].gap.total == 2790);
	assert_true(v.rows[1].gap.extra[0] == 1900);
	/* the busy gap: user +1900, syscall +90; sleep's +800 apart */
	assert_true(v.rows[1].gap.busy && v.rows[1].gap.busy_total == 1990);
	assert_true(v.rows[1].gap.have_share && v.rows[1].gap.share[0] == 1900.0 / 1990);
	assert_true(v.rows[1].gap.side_total == 3100);
	/* the guest's view against native's: user +1400, syscall -5, sleep +1295 */
	assert_true(v.rows[1].guest_gap.have && v.rows[1].guest_gap.busy);
	assert_true(v.rows[1].guest_gap.busy_total == 1395);
	assert_true(v.rows[1].guest_gap.side_total == 3000);
	assert_false(v.rows[2].guest_gap.have);
	assert_int_equal(v.rows[1].nroles, 2); /* io had no time; then the guest's view */
	assert_string_equal(v.rows[1].roles[0].name, "vcpu");
	assert_true(v.rows[1].roles[0].per_op[0] == 1900);
	assert_string_equal(v.rows[1].roles[1].name, "guest view");
	assert_true(v.rows[1].roles[1].total == 3000);
	assert_int_equal(v.rows[0].nroles, 0);
	assert_true(v.max_total == 3100);
	u = bd_unit_of(&v);
	assert_string_equal(u.name, "ns");
	assert_string_equal(bd_fmt(1900, &u, true, buf, sizeof(buf)), "+1900");
	assert_string_equal(bd_fmt(-2.5, &u, true, buf, sizeof(buf)), "-2.50");
	assert_false(bd_view_of(doc, "mem", &v));
	v.max_total = 2.5e7;
	u = bd_unit_of(&v);
	assert_string_equal(u.name, "ms");
	assert_string_equal(bd_fmt(1.234e6, &u, false, buf, sizeof(buf)), "1.23");
	json_object_put(doc);
}

static void text_and_md_sections(void **state)
{
	struct json_object *doc = fixture();
	char *t = render(doc, "text"), *m = render(doc, "md");
	char *sec, *nat, *q;

	(void)state;
	sec = strstr(t, "Where the time went");
	assert_non_null(sec);
	assert_non_null(strstr(sec, "cpu (ns per event)"));
	nat = strstr(sec, "  native ");
	q = strstr(sec, "  qemu ");
	assert_true(nat && q && nat < q);
	assert_non_null(strstr(t, "vcpu"));
	/* The busy gap leads: user +1900 and syscall +90, 95 % and 4.5 % of it;
	 * sleep's +800 on a line of its own, with the whole gap. */
	assert_non_null(strstr(t, "    busy gap vs native          +1990     +1900     +90.0"));
	assert_non_null(strstr(t, "    share of busy gap           100 %      95 %     4.5 %"));
	assert_non_null(strstr(t,
			       "    sleep (idle waiting, not in the busy gap) +800 ns per event; "
			       "whole gap +2790 ns\n"));
	assert_null(strstr(t, "share of gap")); /* the whole gap's shares: not shown */
	/* The guest view's gap beside the host's: user +1400, syscall -5. */
	assert_non_null(strstr(t, "    guest view busy gap         +1395     +1400     -5.00"));
	assert_non_null(strstr(t, "    guest view busy share       100 %     100 %    -0.4 %"));
	assert_non_null(strstr(t,
			       "    guest view sleep (idle waiting, not in the busy gap) +1295 ns "
			       "per event; whole gap +2690 ns\n"));
	/* The measurement's own cost, beside the platforms that recorded it. */
	assert_non_null(strstr(t, "probes' own BPF run time: qemu 12.5 ms in a "));
	assert_null(strstr(t, "native 0.0 ms"));
	assert_non_null(strstr(m, "Probes' own BPF run time: qemu 12.5 ms in a "));
	assert_non_null(strstr(m, "## Where the time went"));
	assert_non_null(strstr(m, "| qemu | 3100 | 2000 | 100 |"));
	assert_non_null(strstr(m, "| qemu: busy gap vs native | +1990 | +1900 | +90.0 | +0.00 | "
				  "+0.00 | +0.00 | +0.00 | +0.00 |  |\n"));
	assert_non_null(strstr(m, "| qemu: share of busy gap | 100 % | 95 % | 4.5 % |"));
	assert_non_null(strstr(m, "| qemu: guest view busy gap | +1395 | +1400 | -5.00 |"));
	assert_non_null(strstr(m, "| qemu: guest view busy share | 100 % | 100 % | -0.4 % |"));
	assert_non_null(strstr(m, "- qemu: sleep +800 ns per event (idle waiting, not in the busy "
				  "gap; whole gap +2790 ns)\n"));
	assert_non_null(strstr(m, "- qemu: guest view sleep +1295 ns per event"));
	assert_non_null(strstr(m, "| qemu: vcpu | 1900 |"));
	assert_non_null(strstr(m, "| qemu: guest view | 3000 | 1500 | 5.00 |"));
	/* the hostile name: its | and < escaped in Markdown */
	assert_non_null(strstr(m, "&lt;b&gt;evil\\|&lt;/b&gt;"));
	free(t);
	free(m);
	json_object_put(doc);
}

static void html_bars_escaped(void **state)
{
	struct json_object *doc = fixture();
	char *h = render(doc, "html");
	char *sec, *wf;

	(void)state;
	sec = strstr(h, "<section id=\"breakdown\">");
	assert_non_null(sec);
	assert_non_null(strstr(sec, "Where the time went"));
	assert_non_null(strstr(sec, "fill=\"#5b8ff9\"")); /* a user bar */
	assert_non_null(strstr(sec, "qemu · vcpu: user 1900 ns per event"));
	assert_null(strstr(h, "<b>evil"));
	assert_non_null(strstr(sec, "&lt;b&gt;evil|&lt;/b&gt;"));
	/* The busy gap leads the gap's line; sleep comes apart, as idle. */
	assert_non_null(strstr(sec, "qemu vs native: busy gap +1990 ns per event: "));
	assert_non_null(strstr(sec, "user +1900 (95 %)"));
	assert_non_null(strstr(sec, "sleep +800 ns, idle waiting, not in the busy gap (whole gap "
				    "+2790 ns)"));
	/* The gap as a waterfall: from native's 310 ns, user's +1900 a step of
	 * its own, the busy gap marked, then sleep's +800 below a dashed line,
	 * to qemu's 3100. */
	wf = strstr(sec, "<svg class=\"waterfall\"");
	assert_non_null(wf);
	assert_non_null(strstr(wf, "aria-label=\"the busy gap of qemu to native, state by state, "
				   "then its idle sleep apart\""));
	assert_non_null(strstr(wf, ">310 ns</text>"));
	assert_non_null(strstr(wf, "<title>user +1900 ns per event</title>"));
	assert_non_null(strstr(wf, ">busy gap +1990 ns above</text>"));
	assert_non_null(strstr(wf, ">idle sleep</text><rect class=\"step idle\""));
	assert_non_null(strstr(wf, "<title>sleep +800 ns per event: idle waiting, not in the busy "
				   "gap</title>"));
	assert_non_null(strstr(wf, ">3100 ns</text>"));
	/* and the guest view's, after the host's */
	wf = strstr(wf + 1, "<svg class=\"waterfall\"");
	assert_non_null(wf);
	assert_non_null(strstr(wf, "aria-label=\"the busy gap of qemu's guest view to native"));
	assert_non_null(strstr(wf, ">busy gap +1395 ns above</text>"));
	assert_non_null(strstr(wf, ">guest view</text>"));
	assert_non_null(strstr(wf, ">3000 ns</text>"));
	assert_non_null(strstr(sec, "qemu guest view vs native: busy gap +1395 ns per event: "));
	free(h);
	json_object_put(doc);
}

/* A document from before the busy gap (no extra_busy_ns): the whole gap
 * and its shares, as it was then, sleep among them. */
static void older_document_whole_gap(void **state)
{
	struct json_object *doc = fixture(), *plats = json_object_object_get(doc, "platforms");
	struct json_object *ov = NULL;
	char *t, *m, *h;

	(void)state;
	for (size_t i = 0; i < json_object_array_length(plats); i++) {
		struct json_object *wls =
			json_object_object_get(json_object_array_get_idx(plats, i), "workloads");

		for (size_t j = 0; j < json_object_array_length(wls); j++)
			if (json_object_object_get_ex(json_object_array_get_idx(wls, j), "overhead",
						      &ov)) {
				json_object_object_del(ov, "extra_busy_ns");
				json_object_object_del(ov, "share_of_busy_gap");
				if (json_object_object_get(ov, "guest"))
					json_object_object_del(json_object_object_get(ov, "guest"),
							       "extra_busy_ns");
			}
	}
	t = render(doc, "text");
	m = render(doc, "md");
	h = render(doc, "html");
	assert_non_null(strstr(t, "    gap vs native               +2790     +1900     +90.0"));
	assert_non_null(strstr(t, "    share of gap                100 %      68 %"));
	assert_non_null(strstr(t, "    guest view gap              +2690"));
	assert_null(strstr(t, "busy gap vs native"));
	assert_null(strstr(t, "(idle waiting"));
	assert_non_null(strstr(m, "| qemu: gap vs native | +2790 |"));
	assert_null(strstr(m, "(idle waiting, not in"));
	assert_non_null(strstr(h, "aria-label=\"the gap of qemu to native, state by state\""));
	assert_null(strstr(h, "class=\"step idle\""));
	free(t);
	free(m);
	free(h);
	json_object_put(doc);
}

static void no_breakdown_no_section(void **state)
{
	struct json_object *doc = tdoc_new();
	const char *fmts[] = {"text", "md", "html"};

	(void)state;
	tcell_ok(tplat(doc, "native", NULL), "cpu", 1000);
	for (size_t i = 0; i < 3; i++) {
		char *out = render(doc, fmts[i]);

		assert_null(strstr(out, "Where the time went"));
		free(out);
	}
	json_object_put(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(view_rows_and_scale),
		cmocka_unit_test(text_and_md_sections),
		cmocka_unit_test(html_bars_escaped),
		cmocka_unit_test(older_document_whole_gap),
		cmocka_unit_test(no_breakdown_no_section),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
