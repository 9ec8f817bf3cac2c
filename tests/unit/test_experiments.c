// SPDX-License-Identifier: GPL-2.0
/*
 * Experiment findings (rule "experiment") against crafted documents: a
 * variant entry and its baseline, with and without native, with runs apart
 * and overlapping, and the older string form of a variant.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "doc_builder.h"
#include "doc_reader.h"
#include "experiments.h"
#include "findings.h"
#include "report.h"
#include "util_log.h"

#define MIB 1048576.0

/* A platform entry that is a variant: "qemu[net=tap]" of "qemu". */
static struct json_object *tvariant(struct json_object *doc, const char *of, const char *knob,
				    const char *value)
{
	char name[128];
	struct json_object *p, *v = json_object_new_object();

	snprintf(name, sizeof(name), "%s[%s=%s]", of, knob, value);
	p = tplat(doc, name, NULL);
	json_object_object_add(v, "of", json_object_new_string(of));
	json_object_object_add(v, "knob", json_object_new_string(knob));
	json_object_object_add(v, "value", json_object_new_string(value));
	json_object_object_add(p, "variant", v);
	tset(p, "settings", json_object_new_object());
	tset(json_object_object_get(p, "settings"), knob, json_object_new_string(value));
	return p;
}

static struct json_object *tsettings(struct json_object *p, const char *knob, const char *value)
{
	tset(p, "settings", json_object_new_object());
	tset(json_object_object_get(p, "settings"), knob, json_object_new_string(value));
	return p;
}

static struct json_object *find_exp(struct json_object *arr, const char *platform,
				    const char *workload)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *f = json_object_array_get_idx(arr, i);

		if (!strcmp(doc_str(f, "rule", ""), "experiment") &&
		    !strcmp(doc_str(f, "platform", ""), platform) &&
		    !strcmp(doc_str(f, "workload", ""), workload))
			return f;
	}
	return NULL;
}

static double ev(struct json_object *f, const char *key)
{
	char path[128];

	snprintf(path, sizeof(path), "evidence.%s", key);
	return doc_num_or(f, path, NAN);
}

static bool ev_bool(struct json_object *f, const char *key)
{
	char path[128];
	struct json_object *v;

	snprintf(path, sizeof(path), "evidence.%s", key);
	v = doc_get(f, path);
	assert_non_null(v);
	return json_object_get_boolean(v);
}

static bool says(struct json_object *f, const char *words)
{
	if (!strstr(doc_str(f, "text", ""), words))
		fprintf(stderr, "missing \"%s\" in: %s\n", words, doc_str(f, "text", ""));
	return strstr(doc_str(f, "text", ""), words) != NULL;
}

/*
 * qemu's net uplink with net=user (base MiB/s) and net=tap (variant), native
 * at native MiB/s (none when 0); each run moves score * 10 MiB. The host's
 * syscalls per MiB go from 1139 to 41, guest faults barely move.
 */
static struct json_object *net_doc(double native, double base, double variant)
{
	struct json_object *d = tdoc_new(), *c;

	if (native > 0)
		tcell(tplat(d, "native", NULL), "net", native, 3, MIB, 0.2);
	c = tcell(tsettings(tplat(d, "qemu", NULL), "net", "user"), "net", base, 3, MIB, 0.2);
	trun(c, "probes.host.syscalls.total", 1139 * base * RUN_S);
	trun(c, "probes.guest.page_faults_user", 10 * base * RUN_S);
	c = tcell(tvariant(d, "qemu", "net", "tap"), "net", variant, 3, MIB, 0.2);
	trun(c, "probes.host.syscalls.total", 41 * variant * RUN_S);
	trun(c, "probes.guest.page_faults_user", 12 * variant * RUN_S);
	return d;
}

static void significant_effect_with_gap_share(void **state)
{
	struct json_object *d = net_doc(1300, 95, 812), *f = findings_derive(d), *x;
	double share = 717.0 / 1205.0;

	(void)state;
	x = find_exp(f, "qemu[net=tap]", "net");
	assert_non_null(x);
	assert_string_equal(doc_str(x, "knob", ""), "net");
	assert_string_equal(doc_str(x, "value", ""), "tap");
	assert_string_equal(doc_str(x, "baseline", ""), "user");
	assert_null(doc_get(x, "variant"));
	assert_true(fabs(ev(x, "change") - 717) < 1);
	assert_true(ev(x, "change_ci95_low") < 717 && ev(x, "change_ci95_low") > 690);
	assert_true(ev(x, "change_ci95_high") > 717 && ev(x, "change_ci95_high") < 744);
	assert_true(fabs(ev(x, "ratio") - 812.0 / 95) < 0.01);
	assert_true(ev_bool(x, "significant"));
	assert_true(ev_bool(x, "better"));
	assert_false(ev_bool(x, "beat_native"));
	assert_true(fabs(ev(x, "gap_share") - share) < 0.001);
	assert_true(ev(x, "gap_share_ci95_low") < share && ev(x, "gap_share_ci95_low") > 0.5);
	assert_true(ev(x, "gap_share_ci95_high") > share && ev(x, "gap_share_ci95_high") < 0.7);
	assert_string_equal(doc_str(x, "evidence.counter", ""), "host syscalls per MiB");
	assert_true(fabs(ev(x, "counter_baseline") - 1139) < 1);
	assert_true(fabs(ev(x, "counter_variant") - 41) < 0.1);
	assert_true(says(x, "qemu net: net=tap instead of user scores 812 x/s against 95 (+717, "
			    "95 % CI +"));
	assert_true(says(x, "it closes 60 % ("));
	assert_true(says(x, "of the gap to native; host syscalls per MiB fell from 1139 to 41."));
	/* The baseline itself is no experiment. */
	assert_null(find_exp(f, "qemu", "net"));
	json_object_put(f);
	json_object_put(d);
}

static void overlapping_runs_no_significant_effect(void **state)
{
	struct json_object *d = net_doc(1300, 100, 100.5), *f = findings_derive(d), *x;

	(void)state;
	x = find_exp(f, "qemu[net=tap]", "net");
	assert_non_null(x);
	assert_false(ev_bool(x, "significant"));
	assert_true(ev(x, "change_ci95_low") < 0 && ev(x, "change_ci95_high") > 0);
	assert_true(isnan(ev(x, "gap_share")));
	assert_null(doc_get(x, "evidence.better"));
	assert_true(says(x, "no significant effect"));
	assert_null(strstr(doc_str(x, "text", ""), "closes"));
	json_object_put(f);
	json_object_put(d);
}

static void variant_beats_native(void **state)
{
	struct json_object *d = net_doc(1300, 95, 1400), *f = findings_derive(d), *x;

	(void)state;
	x = find_exp(f, "qemu[net=tap]", "net");
	assert_non_null(x);
	assert_true(ev_bool(x, "beat_native"));
	assert_true(ev(x, "gap_share") > 1);
	assert_true(says(x, "beats native (1400 against 1300; 108 % of the gap"));
	json_object_put(f);
	json_object_put(d);
}

static void past_native_within_noise_prints_no_share_above_100(void **state)
{
	/* 1302 against 1300: beyond the gap by its point, not beyond noise. */
	struct json_object *d = net_doc(1300, 95, 1302), *f = findings_derive(d), *x;

	(void)state;
	x = find_exp(f, "qemu[net=tap]", "net");
	assert_non_null(x);
	assert_false(ev_bool(x, "beat_native"));
	assert_true(says(x, "within noise of it"));
	assert_null(strstr(doc_str(x, "text", ""), "100 %"));
	assert_null(strstr(doc_str(x, "text", ""), "of the gap"));
	json_object_put(f);
	json_object_put(d);
}

static void without_native_the_change_and_a_hint(void **state)
{
	struct json_object *d = net_doc(0, 95, 812), *f = findings_derive(d), *x;

	(void)state;
	x = find_exp(f, "qemu[net=tap]", "net");
	assert_non_null(x);
	assert_true(ev_bool(x, "significant"));
	assert_true(isnan(ev(x, "gap_share")));
	assert_null(doc_get(x, "evidence.beat_native"));
	assert_true(says(x, "add -p native"));
	json_object_put(f);
	json_object_put(d);
}

static void baseline_without_a_gap(void **state)
{
	/* The baseline already beats native: nothing to close. */
	struct json_object *d = net_doc(90, 95, 120), *f = findings_derive(d), *x;

	(void)state;
	x = find_exp(f, "qemu[net=tap]", "net");
	assert_non_null(x);
	assert_true(ev_bool(x, "no_gap"));
	assert_true(isnan(ev(x, "gap_share")));
	assert_true(says(x, "already as good as native (95 against 90): no gap to close"));
	json_object_put(f);
	json_object_put(d);
}

static void lower_is_better_closes_its_gap(void **state)
{
	/* A latency: native 50, baseline 100, variant 75 closes half of the gap. */
	struct json_object *d = tdoc_new(), *f, *x, *c[3];

	(void)state;
	c[0] = tcell(tplat(d, "native", NULL), "lat", 50, 3, 0, 0.5);
	c[1] = tcell(tplat(d, "kvm", NULL), "lat", 100, 3, 0, 0.5);
	c[2] = tcell(tvariant(d, "kvm", "vcpus", "4"), "lat", 75, 3, 0, 0.5);
	for (int i = 0; i < 3; i++)
		tset(c[i], "higher_is_better", json_object_new_boolean(0));
	f = findings_derive(d);
	x = find_exp(f, "kvm[vcpus=4]", "lat");
	assert_non_null(x);
	assert_true(ev_bool(x, "better"));
	assert_true(fabs(ev(x, "change") + 25) < 0.01);
	assert_true(fabs(ev(x, "gap_share") - 0.5) < 0.001);
	assert_true(says(x, "lower is better"));
	assert_true(says(x, "it closes 50 %"));
	assert_true(says(x, "instead of default"));
	json_object_put(f);
	json_object_put(d);
}

static void native_variant_has_no_gap_and_no_hint(void **state)
{
	struct json_object *d = tdoc_new(), *f, *x, *c;

	(void)state;
	c = tcell(tsettings(tplat(d, "native", NULL), "thp", "always"), "mem", 5000, 3, MIB, 0.9);
	trun(c, "probes.host.page_faults_user", 5 * 5000 * RUN_S);
	c = tcell(tvariant(d, "native", "thp", "never"), "mem", 4000, 3, MIB, 0.9);
	trun(c, "probes.host.page_faults_user", 512 * 4000 * RUN_S);
	f = findings_derive(d);
	x = find_exp(f, "native[thp=never]", "mem");
	assert_non_null(x);
	assert_true(ev_bool(x, "significant"));
	assert_false(ev_bool(x, "better"));
	assert_null(strstr(doc_str(x, "text", ""), "-p native"));
	assert_null(strstr(doc_str(x, "text", ""), "gap"));
	assert_string_equal(doc_str(x, "evidence.counter", ""), "page faults per MiB");
	assert_true(says(x, "page faults per MiB rose from 5 to 512."));
	json_object_put(f);
	json_object_put(d);
}

static void old_string_variant_reads_as_storage(void **state)
{
	struct json_object *d = tdoc_new(), *f, *x;

	(void)state;
	tcell(tplat(d, "docker", NULL), "diskrand", 40, 3, 4096, 0.1);
	tcell(tplat(d, "docker", "volume"), "diskrand", 60, 3, 4096, 0.1);
	f = findings_derive(d);
	x = find_exp(f, "docker", "diskrand");
	assert_non_null(x);
	assert_string_equal(doc_str(x, "variant", ""), "volume");
	assert_string_equal(doc_str(x, "knob", ""), "storage");
	assert_string_equal(doc_str(x, "value", ""), "volume");
	assert_string_equal(doc_str(x, "baseline", ""), "layer");
	assert_true(says(x, "docker diskrand: storage=volume instead of layer scores 60"));
	json_object_put(f);
	json_object_put(d);
}

static void one_run_a_side_has_no_interval(void **state)
{
	struct json_object *d = tdoc_new(), *f, *x;

	(void)state;
	tcell(tplat(d, "qemu", NULL), "cpu", 100, 1, 0, 0.9);
	tcell(tvariant(d, "qemu", "tcg-threads", "multi"), "cpu", 150, 1, 0, 0.9);
	f = findings_derive(d);
	x = find_exp(f, "qemu[tcg-threads=multi]", "cpu");
	assert_non_null(x);
	assert_false(ev_bool(x, "significant"));
	assert_true(isnan(ev(x, "change_ci95_low")));
	assert_true(says(x, "too few runs to tell"));
	json_object_put(f);
	json_object_put(d);
}

static void skipped_or_failed_variant_says_nothing(void **state)
{
	struct json_object *d = net_doc(1300, 95, 812), *f, *p;

	(void)state;
	p = doc_idx(d, "platforms", 2);
	tset(p, "status", json_object_new_string("skipped"));
	tset(p, "reason", json_object_new_string("no bridge"));
	f = findings_derive(d);
	assert_null(find_exp(f, "qemu[net=tap]", "net"));
	json_object_put(f);
	/* A variant whose baseline is missing (or unreadable) is no experiment either. */
	tset(p, "status", json_object_new_string("ok"));
	tset(p, "variant", json_object_new_string(""));
	f = findings_derive(d);
	assert_null(find_exp(f, "qemu[net=tap]", "net"));
	json_object_put(f);
	json_object_put(d);
}

/* ---- the reports' Experiments section ---- */

static char *render(struct json_object *doc, const char *format)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(report_render(doc, format, out, false), VB_EXIT_OK);
	fclose(out);
	return buf;
}

static void section_in_every_format(void **state)
{
	static const char *const formats[] = {"text", "md", "html"};
	static const char *const titles[] = {"\nExperiments\n", "\n## Experiments\n",
					     "<h2>Experiments</h2>"};
	struct json_object *d = net_doc(1300, 95, 812);

	(void)state;
	tset(d, "config.workload_options.mem", json_object_new_string("--buffer-size 256M"));
	tset(d, "config.vary",
	     json_tokener_parse("[{\"knob\": \"net\", \"values\": [\"user\", "
				"\"tap\"]}]"));
	for (size_t i = 0; i < 3; i++) {
		char *out = render(d, formats[i]);

		assert_non_null(strstr(out, titles[i]));
		assert_non_null(strstr(out, "net=user (baseline)"));
		assert_non_null(strstr(out, "net=tap"));
		assert_non_null(strstr(out, "+717 (+"));
		assert_non_null(strstr(out, "60 % (58..61 %)"));
		assert_non_null(strstr(out, "host syscalls per MiB 1139 → 41"));
		assert_non_null(strstr(out, "varied net=user,tap"));
		assert_non_null(strstr(out, "workload options mem: --buffer-size 256M"));
		/* The column of a variant is its entry's name. */
		assert_non_null(strstr(out, i == 1 ? "qemu\\[net=tap\\]" : "qemu[net=tap]"));
		free(out);
	}
	json_object_put(d);
}

static void no_section_without_variants(void **state)
{
	struct json_object *d = tdoc_new();

	(void)state;
	tcell(tplat(d, "native", NULL), "cpu", 100, 3, 0, 0.9);
	tcell(tplat(d, "qemu", NULL), "cpu", 10, 3, 0, 0.9);
	for (size_t i = 0; i < 3; i++) {
		char *out = render(d, (const char *[]){"text", "md", "html"}[i]);

		assert_null(strstr(out, "Experiments"));
		free(out);
	}
	json_object_put(d);
}

static void hostile_knob_value_is_escaped(void **state)
{
	static const char hostile[] = "<script>x</script>|`*_\n# H\x1b[2J";
	struct json_object *d = net_doc(1300, 95, 812), *p = doc_idx(d, "platforms", 2);
	char *html, *md, *text;

	(void)state;
	tset(p, "variant.value", json_object_new_string(hostile));
	tset(p, "variant.knob", json_object_new_string("k<b>"));
	html = render(d, "html");
	md = render(d, "md");
	text = render(d, "text");
	assert_non_null(strstr(html, "<h2>Experiments</h2>"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<b>="));
	assert_non_null(strstr(html, "k&lt;b&gt;=&lt;script&gt;x&lt;/script&gt;"));
	assert_non_null(strstr(md, "## Experiments"));
	assert_null(strstr(md, "<script"));
	assert_null(strstr(md, "\n# H"));
	assert_non_null(strstr(md, "&lt;script&gt;x&lt;/script&gt;\\|\\`\\*\\_ \\# H"));
	assert_null(strstr(text, "\x1b"));
	assert_null(strstr(text, "\n# H"));
	free(html);
	free(md);
	free(text);
	json_object_put(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(significant_effect_with_gap_share),
		cmocka_unit_test(overlapping_runs_no_significant_effect),
		cmocka_unit_test(variant_beats_native),
		cmocka_unit_test(past_native_within_noise_prints_no_share_above_100),
		cmocka_unit_test(without_native_the_change_and_a_hint),
		cmocka_unit_test(baseline_without_a_gap),
		cmocka_unit_test(lower_is_better_closes_its_gap),
		cmocka_unit_test(native_variant_has_no_gap_and_no_hint),
		cmocka_unit_test(old_string_variant_reads_as_storage),
		cmocka_unit_test(one_run_a_side_has_no_interval),
		cmocka_unit_test(skipped_or_failed_variant_says_nothing),
		cmocka_unit_test(section_in_every_format),
		cmocka_unit_test(no_section_without_variants),
		cmocka_unit_test(hostile_knob_value_is_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
