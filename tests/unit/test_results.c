// SPDX-License-Identifier: GPL-2.0
/* The results document: atomic write, load, and refusal of what is not one. */
#include <errno.h>
#include <json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "doc_reader.h"
#include "results.h"
#include "results_doc.h"
#include "stats.h"

static char dir[] = "/tmp/vbench-test-results.XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_roundtrip(void **state)
{
	struct json_object *doc = json_object_new_object(), *back, *v;
	char path[256];

	(void)state;
	json_object_object_add(doc, "schema", json_object_new_string(VB_SCHEMA));
	json_object_object_add(doc, "status", json_object_new_string("complete"));
	json_object_object_add(doc, "platforms", json_object_new_array());
	snprintf(path, sizeof(path), "%s/results.json", dir);
	assert_int_equal(results_write_atomic(path, doc), 0);
	assert_int_equal(results_load(path, &back), 0);
	assert_true(json_object_object_get_ex(back, "status", &v));
	assert_string_equal(json_object_get_string(v), "complete");
	json_object_put(back);
	json_object_put(doc);
}

/* Only the complete file is ever visible: no temporary is left beside it. */
static void test_atomic_leaves_no_temporary(void **state)
{
	struct json_object *doc = json_object_new_object();
	char path[256], cmd[512];

	(void)state;
	json_object_object_add(doc, "schema", json_object_new_string(VB_SCHEMA));
	json_object_object_add(doc, "platforms", json_object_new_array());
	snprintf(path, sizeof(path), "%s/r.json", dir);
	write_text(path, "previous");
	assert_int_equal(results_write_atomic(path, doc), 0);
	snprintf(cmd, sizeof(cmd), "test $(ls %s | grep -c tmp) -eq 0", dir);
	assert_int_equal(system(cmd), 0);
	/* A directory that cannot take the file: an error, the old file intact. */
	snprintf(path, sizeof(path), "%s/no/such/dir/r.json", dir);
	assert_true(results_write_atomic(path, doc) < 0);
	json_object_put(doc);
}

static void test_load_refuses_non_documents(void **state)
{
	struct json_object *doc;
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/bad.json", dir);
	write_text(path, "not json at all");
	assert_int_equal(results_load(path, &doc), 2);
	assert_null(doc);
	write_text(path, "{\"schema\": \"something-else/1\", \"platforms\": []}");
	assert_int_equal(results_load(path, &doc), 2);
	write_text(path, "{\"schema\": \"vbench-trace/1\"}");
	assert_int_equal(results_load(path, &doc), 2);
	snprintf(path, sizeof(path), "%s/missing.json", dir);
	assert_int_equal(results_load(path, &doc), 2);
}

/* CPU time, not wall time: the work done, whatever else runs on the machine. */
static long long cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* results_load(path) must refuse, and spend at most deadline_ms of CPU on
 * it: a hang is caught by the alarm (the test dies), too much work by the
 * clock. Generous for ASan. */
static void assert_refused_within(const char *path, long long deadline_ms)
{
	struct json_object *doc = (struct json_object *)1;
	long long t0 = cpu_ms();

	alarm(10);
	assert_int_equal(results_load(path, &doc), 2);
	alarm(0);
	assert_null(doc);
	assert_true(cpu_ms() - t0 < deadline_ms);
}

/* Refused before anything is parsed. */
static void assert_refused_quickly(const char *path)
{
	assert_refused_within(path, 1000);
}

static void test_load_refuses_what_is_not_a_file(void **state)
{
	char path[256];

	(void)state;
	/* A FIFO without a writer: opening it for reading would wait for ever. */
	snprintf(path, sizeof(path), "%s/fifo.json", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_refused_quickly(path);
	assert_refused_quickly("/dev/zero");
	assert_refused_quickly(dir);
}

static void test_load_refuses_oversized(void **state)
{
	char path[256];
	int fd;

	(void)state;
	/* Sparse: one byte over the limit costs no disk. */
	snprintf(path, sizeof(path), "%s/big.json", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, RESULTS_MAX_BYTES + 1), 0);
	close(fd);
	assert_refused_quickly(path);
}

/* Writes a document whose one cell has nruns runs of text run. */
static void write_runs(const char *path, size_t nruns, const char *run)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs("{\"schema\": \"vbench-trace/1\", \"platforms\": [{\"name\": \"native\", "
	      "\"workloads\": [{\"name\": \"cpu\", \"runs\": [",
	      f);
	for (size_t i = 0; i < nruns; i++)
		fprintf(f, "%s%s", i ? "," : "", run);
	fputs("]}]}]}\n", f);
	assert_int_equal(fclose(f), 0);
}

static void test_load_bounds_the_document(void **state)
{
	struct json_object *doc;
	char path[256], run[16384];
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/runs.json", dir);
	write_runs(path, 100000, "{\"score\": 1}");
	assert_refused_within(path, 3000);
	write_runs(path, DOC_MAX_RUNS, "{\"score\": 1}");
	assert_int_equal(results_load(path, &doc), 0);
	json_object_put(doc);
	/* A histogram of more buckets than any probe keeps. */
	len = (size_t)snprintf(run, sizeof(run),
			       "{\"probes\": {\"host\": {\"block\": "
			       "{\"hist_log2_us\": [0");
	for (int i = 0; i < DOC_MAX_MEMBERS; i++)
		len += (size_t)snprintf(run + len, sizeof(run) - len, ",1");
	snprintf(run + len, sizeof(run) - len, "]}}}}");
	write_runs(path, 1, run);
	assert_refused_within(path, 3000);
	/* More values than the parse may take, in few bytes. */
	snprintf(path, sizeof(path), "%s/values.json", dir);
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs("{\"schema\": \"vbench-trace/1\", \"platforms\": [], \"x\": [0", f);
		for (int i = 0; i < RESULTS_MAX_ITEMS; i++)
			fputs(",0", f);
		fputs("]}", f);
		assert_int_equal(fclose(f), 0);
	}
	assert_refused_quickly(path);
}

static void test_load_reads_a_symlink_and_refuses_trailing_data(void **state)
{
	struct json_object *doc;
	char path[256], link[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/real.json", dir);
	snprintf(link, sizeof(link), "%s/link.json", dir);
	write_text(path, "{\"schema\": \"vbench-trace/1\", \"platforms\": []}\n");
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(results_load(link, &doc), 0);
	json_object_put(doc);
	write_text(path, "{\"schema\": \"vbench-trace/1\", \"platforms\": []} {}");
	assert_int_equal(results_load(path, &doc), 2);
	write_text(path, "{\"schema\": \"vbench-trace/1\", \"platforms\": [");
	assert_int_equal(results_load(path, &doc), 2);
	write_text(path, "");
	assert_int_equal(results_load(path, &doc), 2);
}

static struct json_object *tiny_doc(void)
{
	struct json_object *doc = json_object_new_object();

	json_object_object_add(doc, "schema", json_object_new_string(VB_SCHEMA));
	json_object_object_add(doc, "platforms", json_object_new_array());
	return doc;
}

static void read_text(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t got;

	assert_non_null(f);
	got = fread(buf, 1, n - 1, f);
	buf[got] = '\0';
	fclose(f);
}

static int fill_hello(FILE *out, void *arg)
{
	(void)arg;
	return fputs("hello\n", out) < 0;
}

/*
 * A symbolic link planted at every name the writers used to write through
 * (results.json.tmp.<pid>, report.md.tmp, report.html.tmp,
 * .vbench-write-test.<pid>) and at the final names: the files they point
 * at are left as they were, and the outputs are regular files.
 */
static void test_planted_links_are_not_followed(void **state)
{
	static const char *const planted[] = {"results.json.tmp.%d", "report.md.tmp",
					      "report.html.tmp", ".vbench-write-test.%d",
					      "report.md"};
	char out[256], victim[256], name[64], link[512], text[64];
	struct json_object *doc = tiny_doc();
	struct results_dir d;
	struct stat st;

	(void)state;
	snprintf(out, sizeof(out), "%s/shared", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	assert_int_equal(mkdir(out, 0755), 0);
	write_text(victim, "precious\n");
	for (size_t i = 0; i < sizeof(planted) / sizeof(planted[0]); i++) {
		snprintf(name, sizeof(name), planted[i], getpid());
		snprintf(link, sizeof(link), "%s/%s", out, name);
		assert_int_equal(symlink(victim, link), 0);
	}
	assert_int_equal(results_open_dir(out, true, &d), 0);
	assert_int_equal(results_dir_writable(&d), 0);
	assert_int_equal(results_write_doc_at(&d, "results.json", doc), 0);
	assert_int_equal(results_write_at(&d, "report.md", fill_hello, NULL), 0);
	assert_int_equal(results_write_at(&d, "report.html", fill_hello, NULL), 0);
	results_close_dir(&d);
	snprintf(link, sizeof(link), "%s/results.json", out);
	assert_int_equal(results_write_atomic(link, doc), 0);
	read_text(victim, text, sizeof(text));
	assert_string_equal(text, "precious\n");
	snprintf(link, sizeof(link), "%s/report.md", out);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	read_text(link, text, sizeof(text));
	assert_string_equal(text, "hello\n");
	json_object_put(doc);
}

/* An output directory given as a link, a file or another user's directory
 * is refused, and nothing is written where it points. */
static void test_output_dir_refusals(void **state)
{
	char real[256], link[256], file[256], path[512];
	struct json_object *doc = tiny_doc();
	struct results_dir d;

	(void)state;
	snprintf(real, sizeof(real), "%s/real-dir", dir);
	snprintf(link, sizeof(link), "%s/link-dir", dir);
	snprintf(file, sizeof(file), "%s/a-file", dir);
	assert_int_equal(mkdir(real, 0755), 0);
	assert_int_equal(symlink(real, link), 0);
	write_text(file, "x");
	assert_true(results_open_dir(link, true, &d) < 0);
	assert_int_equal(d.fd, -1);
	snprintf(path, sizeof(path), "%s/results.json", link);
	assert_true(results_write_atomic(path, doc) < 0);
	json_object_put(doc);
	snprintf(path, sizeof(path), "%s/results.json", real);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(results_open_dir(file, true, &d), -ENOTDIR);
	/* Made when missing, parents too. */
	snprintf(path, sizeof(path), "%s/new/deeper", dir);
	assert_int_equal(results_open_dir(path, true, &d), 0);
	results_close_dir(&d);
	assert_int_equal(results_open_dir(path, false, &d), 0);
	results_close_dir(&d);
	snprintf(path, sizeof(path), "%s/absent", dir);
	assert_true(results_open_dir(path, false, &d) < 0);
	/* Another user's directory: only root can make one here. */
	if (geteuid() != 0)
		skip();
	assert_int_equal(chown(real, 65534, 65534), 0);
	assert_int_equal(results_open_dir(real, false, &d), -EPERM);
}

/* Every fixture still loads (cwd: the repo root). */
static void test_fixtures_load(void **state)
{
	static const char *const paths[] = {
		"tests/fixtures/full.json", "tests/fixtures/skipped.json",
		"tests/fixtures/sparse.json", "tests/fixtures/regressed.json"};
	struct json_object *doc;

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (access(paths[i], R_OK))
			skip();
		assert_int_equal(results_load(paths[i], &doc), 0);
		json_object_put(doc);
	}
}

static struct json_object *result_of(double score, double duration)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "score", json_object_new_double(score));
	json_object_object_add(r, "duration_s", json_object_new_double(duration));
	json_object_object_add(r, "ops", json_object_new_int(10));
	json_object_object_add(r, "name", json_object_new_string("cpu")); /* not kept */
	return r;
}

static bool named_native(const char *platform)
{
	return !strcmp(platform, "native");
}

/* The builder: the document the runner's events make, read back by the typed reader. */
static void test_builder_makes_the_schema(void **state)
{
	static const char *const platforms[] = {"native", "qemu"}, *const workloads[] = {"cpu"};
	struct results_plan plan = {.platforms = platforms,
				    .nr_platforms = 2,
				    .workloads = workloads,
				    .nr_workloads = 1,
				    .runs = 0,
				    .duration_s = 1,
				    .trace = true};
	struct json_object *conf, *doc = results_doc_new(&plan, &conf), *pe, *cell, *run, *r;
	double ratio;
	struct stats s;

	(void)state;
	assert_string_equal(doc_str(doc, "status", ""), "incomplete");
	assert_string_equal(doc_str(doc, "config.runs", ""), "auto");
	assert_int_equal(doc_len(doc, "config.platforms"), 2);
	pe = results_doc_add_platform(doc, &(struct results_entry){.platform = "native"});
	results_platform_status(pe, "ok", NULL);
	cell = results_platform_add_cell(pe, "cpu", "events/s", true);
	for (int i = 0; i < 2; i++) {
		r = result_of(100 + i * 2, 1);
		results_cell_add_run(cell, r, NULL, false);
		json_object_put(r);
	}
	results_cell_ok(cell);
	pe = results_doc_add_platform(doc, &(struct results_entry){.platform = "qemu"});
	results_platform_status(pe, "ok", NULL);
	cell = results_platform_add_cell(pe, "cpu", "events/s", true);
	r = result_of(50, 1);
	results_cell_add_run(cell, r, NULL, false);
	json_object_put(r);
	r = result_of(1, 60);
	run = results_cell_add_run(cell, r, json_object_new_object(), false);
	json_object_put(r);
	results_run_invalid(run, "stalled");
	assert_string_equal(results_run_invalid_reason(run), "stalled");
	assert_null(doc_get(run, "name"));
	assert_non_null(doc_get(run, "probes.host"));
	results_cell_ok(cell);
	/* The stalled run is kept in the document and counted nowhere. */
	assert_true(doc_cell_stats(cell, &s));
	assert_int_equal(s.n, 1);
	assert_true(s.mean == 50);
	/* A platform whose every cell failed is "failed" with the first error. */
	pe = results_doc_add_platform(doc, &(struct results_entry){.platform = "qemu",
								   .knob = "disk-cache",
								   .value = "writeback"});
	/* A variant: named after its one change, and what it varies of what. */
	assert_string_equal(doc_str(pe, "name", ""), "qemu[disk-cache=writeback]");
	assert_string_equal(doc_str(pe, "variant.of", ""), "qemu");
	assert_string_equal(doc_str(pe, "variant.knob", ""), "disk-cache");
	assert_string_equal(doc_str(pe, "variant.value", ""), "writeback");
	results_platform_status(pe, "ok", NULL);
	results_cell_failed(results_platform_add_cell(pe, "cpu", "events/s", true), "boom");
	results_platform_settle(pe);
	assert_string_equal(doc_str(pe, "status", ""), "failed");
	assert_non_null(strstr(doc_str(pe, "reason", ""), "boom"));
	assert_null(doc_get(doc_cell(pe, "cpu"), "stats"));
	results_doc_finish(doc, named_native, false);
	assert_string_equal(doc_str(doc, "status", ""), "complete");
	assert_true(doc_num(cell, "vs_native", &ratio));
	assert_true(ratio > 0.48 && ratio < 0.5);
	assert_null(doc_get(doc_cell(pe, "cpu"), "vs_native"));
	json_object_put(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_atomic_leaves_no_temporary),
		cmocka_unit_test(test_load_refuses_non_documents),
		cmocka_unit_test(test_load_refuses_what_is_not_a_file),
		cmocka_unit_test(test_load_refuses_oversized),
		cmocka_unit_test(test_load_bounds_the_document),
		cmocka_unit_test(test_load_reads_a_symlink_and_refuses_trailing_data),
		cmocka_unit_test(test_fixtures_load),
		cmocka_unit_test(test_planted_links_are_not_followed),
		cmocka_unit_test(test_output_dir_refusals),
		cmocka_unit_test(test_builder_makes_the_schema),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
