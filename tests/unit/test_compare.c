// SPDX-License-Identifier: GPL-2.0
/*
 * compare OLD NEW on crafted documents written to files: the exit status
 * (0, 1 with --fail-on-regression, 2 for a bad file), the test named per
 * row, the direction of higher_is_better, and the note when hosts differ.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "doc_builder.h"
#include "doc_reader.h"
#include "util_log.h"

struct files {
	char dir[64], old[96], new[96];
};

static int setup(void **state)
{
	struct files *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/vb-compare.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->old, sizeof(f->old), "%s/old.json", f->dir);
	snprintf(f->new, sizeof(f->new), "%s/new.json", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct files *f = *state;

	unlink(f->old);
	unlink(f->new);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* A one-cell document: cpu on native at mean, n runs, kernel as given. */
static void write_doc(const char *path, double mean, int n, bool higher_is_better,
		      const char *kernel)
{
	struct json_object *d = tdoc_new(), *c;

	tset(d, "host.kernel", json_object_new_string(kernel));
	c = tcell(tplat(d, "native", NULL), "cpu", mean, n, 0, 0.99);
	tset(c, "higher_is_better", json_object_new_boolean(higher_is_better));
	assert_int_equal(json_object_to_file(path, d), 0);
	json_object_put(d);
}

/* Runs compare with stdout captured into out (malloc'd). */
static int run_compare(const char *a, const char *b, bool fail, char **out)
{
	char *argv[5], path[] = "/tmp/vb-compare-out.XXXXXX";
	int argc = 0, fd = mkstemp(path), saved, rc;
	FILE *in;
	long len;

	argv[argc++] = "compare";
	if (fail)
		argv[argc++] = "--fail-on-regression";
	argv[argc++] = (char *)a;
	argv[argc++] = (char *)b;
	argv[argc] = NULL;
	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	rc = cmd_compare(argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	in = fdopen(fd, "r");
	fseek(in, 0, SEEK_END);
	len = ftell(in);
	rewind(in);
	*out = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(*out, 1, (size_t)len, in), (size_t)len);
	fclose(in);
	unlink(path);
	return rc;
}

static void identical_is_no_change(void **state)
{
	struct files *f = *state;
	char *out;

	write_doc(f->old, 4000, 3, true, "Linux 6.18");
	assert_int_equal(run_compare(f->old, f->old, true, &out), VB_EXIT_OK);
	assert_non_null(strstr(out, "(welch)"));
	assert_non_null(strstr(out, "no significant change"));
	assert_null(strstr(out, "hosts differ"));
	free(out);
}

static void regression_fails_only_when_asked(void **state)
{
	struct files *f = *state;
	char *out;

	write_doc(f->old, 4000, 3, true, "Linux 6.18");
	write_doc(f->new, 3000, 3, true, "Linux 6.18");
	assert_int_equal(run_compare(f->old, f->new, true, &out), VB_EXIT_FAILED);
	assert_non_null(strstr(out, "REGRESSION"));
	assert_non_null(strstr(out, "-25.0 %"));
	free(out);
	assert_int_equal(run_compare(f->old, f->new, false, &out), VB_EXIT_OK);
	free(out);
	/* The other way round it is an improvement. */
	assert_int_equal(run_compare(f->new, f->old, true, &out), VB_EXIT_OK);
	assert_non_null(strstr(out, "improvement"));
	free(out);
}

static void lower_is_better_flips_direction(void **state)
{
	struct files *f = *state;
	char *out;

	write_doc(f->old, 4000, 3, false, "Linux 6.18");
	write_doc(f->new, 3000, 3, false, "Linux 6.18");
	assert_int_equal(run_compare(f->old, f->new, true, &out), VB_EXIT_OK);
	assert_non_null(strstr(out, "improvement"));
	free(out);
}

static void single_runs_use_intervals(void **state)
{
	struct files *f = *state;
	char *out;

	/* One run against three: the single value against the interval. */
	write_doc(f->old, 4000, 3, true, "Linux 6.18");
	write_doc(f->new, 3000, 1, true, "Linux 6.18");
	assert_int_equal(run_compare(f->old, f->new, true, &out), VB_EXIT_FAILED);
	assert_non_null(strstr(out, "(ci95)"));
	free(out);
	/* One run each: no spread, so no claim either way. */
	write_doc(f->old, 4000, 1, true, "Linux 6.18");
	assert_int_equal(run_compare(f->old, f->new, true, &out), VB_EXIT_OK);
	assert_non_null(strstr(out, "(n=1)"));
	assert_non_null(strstr(out, "no significant change"));
	free(out);
}

static void different_hosts_are_named(void **state)
{
	struct files *f = *state;
	char *out;

	write_doc(f->old, 4000, 3, true, "Linux 6.18");
	write_doc(f->new, 4000, 3, true, "Linux 6.1");
	assert_int_equal(run_compare(f->old, f->new, false, &out), VB_EXIT_OK);
	assert_non_null(strstr(out, "hosts differ"));
	assert_non_null(strstr(out, "Linux 6.18 vs Linux 6.1"));
	free(out);
}

static void bad_file_is_usage_error(void **state)
{
	struct files *f = *state;
	char *out;
	FILE *fp;

	write_doc(f->old, 4000, 3, true, "Linux 6.18");
	fp = fopen(f->new, "w");
	fputs("{\"hello\": 1}", fp);
	fclose(fp);
	assert_int_equal(run_compare(f->old, f->new, true, &out), VB_EXIT_USAGE);
	free(out);
	assert_int_equal(run_compare(f->old, "/nonexistent/x.json", true, &out), VB_EXIT_USAGE);
	free(out);
}

/* A stats object whose n is negative, huge or fractional is not trusted: the
 * verdict comes from the runs (the same here), never from a wild n. */
static void wild_stats_n_is_not_trusted(void **state)
{
	static const double wild[] = {-1, -1e300, 1e300, 1e30, 2.5, 18446744073709551616.0};
	struct files *f = *state;

	for (size_t i = 0; i < sizeof(wild) / sizeof(wild[0]); i++) {
		struct json_object *d = tdoc_new(), *c;
		char *out;
		int rc;

		c = tcell(tplat(d, "native", NULL), "cpu", 100, 3, 0, 0.99);
		tset(c, "stats.n", json_object_new_double(wild[i]));
		tset(c, "stats.mean", json_object_new_double(50));
		tset(c, "stats.stddev", json_object_new_double(0.001));
		assert_int_equal(json_object_to_file(f->new, d), 0);
		json_object_put(d);
		write_doc(f->old, 100, 3, true, "k");
		rc = run_compare(f->old, f->new, true, &out);
		assert_int_equal(rc, VB_EXIT_OK);
		assert_non_null(strstr(out, "no significant change"));
		assert_null(strstr(out, "REGRESSION"));
		free(out);
	}
}

/* Output that cannot be written is an error (exit 1), not a silent success. */
static void write_error_fails(void **state)
{
	struct files *f = *state;
	char *argv[] = {"compare", f->old, f->new, NULL};
	int full = open("/dev/full", O_WRONLY), saved, rc;

	if (full < 0)
		skip();
	write_doc(f->old, 100, 3, true, "k");
	write_doc(f->new, 100, 3, true, "k");
	fflush(stdout);
	saved = dup(1);
	dup2(full, 1);
	rc = cmd_compare(3, argv);
	dup2(saved, 1);
	close(saved);
	close(full);
	clearerr(stdout);
	assert_int_equal(rc, VB_EXIT_FAILED);
}

/* qemu and its variants (run --vary), tap at tap_mean. */
static void write_variant_doc(const char *path, double tap_mean)
{
	struct json_object *d = tdoc_new(), *p;

	tcell(tplat(d, "qemu", NULL), "net", 95, 3, 0, 0.5);
	p = tplat(d, "qemu[net=tap]", NULL);
	tset(p, "variant",
	     json_tokener_parse("{\"of\": \"qemu\", \"knob\": \"net\", \"value\": "
				"\"tap\"}"));
	tcell(p, "net", tap_mean, 3, 0, 0.5);
	p = tplat(d, "qemu[disk-cache=writeback]", NULL);
	tset(p, "variant",
	     json_tokener_parse("{\"of\": \"qemu\", \"knob\": \"disk-cache\", "
				"\"value\": \"writeback\"}"));
	tcell(p, "net", 96, 3, 0, 0.5);
	assert_int_equal(json_object_to_file(path, d), 0);
	json_object_put(d);
}

static void variants_compare_by_their_own_name(void **state)
{
	struct files *f = *state;
	char *out, *row;

	write_variant_doc(f->old, 812);
	write_variant_doc(f->new, 700);
	assert_int_equal(run_compare(f->old, f->new, true, &out), VB_EXIT_FAILED);
	/* Each variant is a row of its own, the baseline unchanged; the column fits the longest. */
	row = strstr(out, "\nqemu[net=tap]  ");
	assert_non_null(row);
	assert_non_null(strstr(row, "REGRESSION"));
	assert_true(strstr(row, "REGRESSION") < strchr(row + 1, '\n'));
	assert_non_null(strstr(out, "\nqemu[disk-cache=writeback] net "));
	assert_non_null(strstr(out, "3 cells compared: 1 significant regression,"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(identical_is_no_change, setup, teardown),
		cmocka_unit_test_setup_teardown(variants_compare_by_their_own_name, setup,
						teardown),
		cmocka_unit_test_setup_teardown(regression_fails_only_when_asked, setup, teardown),
		cmocka_unit_test_setup_teardown(lower_is_better_flips_direction, setup, teardown),
		cmocka_unit_test_setup_teardown(single_runs_use_intervals, setup, teardown),
		cmocka_unit_test_setup_teardown(different_hosts_are_named, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_file_is_usage_error, setup, teardown),
		cmocka_unit_test_setup_teardown(wild_stats_n_is_not_trusted, setup, teardown),
		cmocka_unit_test_setup_teardown(write_error_fails, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
