// SPDX-License-Identifier: GPL-2.0
/* The five local workloads: their definitions, their option errors, and short
 * real runs whose scores must agree with their own counts. */
#include <fcntl.h>
#include <json.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util_log.h"
#include "wl_internal.h"
#include "workload.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof(a[0])) - 1)

static void test_prime_counts(void **state)
{
	(void)state;
	assert_int_equal(wl_cpu_count_primes(10000), 1229);
	assert_int_equal(wl_cpu_count_primes(1000), 168);
	assert_int_equal(wl_cpu_count_primes(100), 25);
	assert_int_equal(wl_cpu_count_primes(10), 4); /* 2 3 5 7 */
	assert_int_equal(wl_cpu_count_primes(8), 4);  /* 7 is below 8 */
	assert_int_equal(wl_cpu_count_primes(7), 3);  /* but not below 7 */
	assert_int_equal(wl_cpu_count_primes(4), 2);  /* 4 = 2 * 2 is no prime */
	assert_int_equal(wl_cpu_count_primes(3), 1);
	assert_int_equal(wl_cpu_count_primes(2), 0);
}

/* Runs a workload by name; expects ret; on WL_OK returns its JSON object. */
static struct json_object *exec_wl(const char *name, int argc, char **argv, int expect)
{
	const struct workload *w = workload_find(name);
	struct json_object *o = NULL;

	assert_non_null(w);
	assert_int_equal(workload_exec(w, argc, argv, &o), expect);
	return o;
}

static void expect_usage(const char *name, int argc, char **argv, const char *mentions)
{
	exec_wl(name, argc, argv, WL_EUSAGE);
	assert_non_null(strstr(vb_last_error(), mentions));
}

static void test_option_errors(void **state)
{
	char *neg[] = {"cpu", "--duration", "-1", NULL};
	char *word[] = {"fork", "--duration", "soon", NULL};
	char *zero[] = {"cpu", "--duration=0", NULL};
	char *suffix[] = {"mem", "--block-size", "1X", NULL};
	char *oper[] = {"mem", "--oper", "copy", NULL};
	char *access[] = {"mem", "--access", "stride", NULL};
	char *odd[] = {"mem", "--block-size", "12", NULL};
	char *buffer[] = {"mem", "--buffer-size", "1536", NULL};
	char *size[] = {"diskrand", "--size", "1Q", NULL}; /* never a size: no image is written */
	char *bs[] = {"diskseq", "--block-size", "1000", NULL};
	char *unknown[] = {"diskrand", "--direct", NULL};
	char *missing[] = {"cpu", "--max-prime", NULL};
	char *prime[] = {"cpu", "--max-prime", "2", NULL};
	char *threads[] = {"cpu", "--threads", "1.5", NULL};
	char *stray[] = {"fork", "10", NULL};
	char *forever[] = {"fork", "--duration", "1e7", NULL};
	char *total[] = {"mem", "--total-size", "1k", "--threads", "2", NULL};

	(void)state;
	expect_usage("cpu", ARGC(neg), neg, "--duration");
	expect_usage("fork", ARGC(word), word, "'soon'");
	expect_usage("cpu", ARGC(zero), zero, "--duration");
	expect_usage("mem", ARGC(suffix), suffix, "--block-size");
	expect_usage("mem", ARGC(oper), oper, "read, write");
	expect_usage("mem", ARGC(access), access, "seq, rnd");
	expect_usage("mem", ARGC(odd), odd, "size_t");
	expect_usage("mem", ARGC(buffer), buffer, "--buffer-size");
	expect_usage("diskrand", ARGC(size), size, "--size");
	expect_usage("diskseq", ARGC(bs), bs, "512");
	expect_usage("diskrand", ARGC(unknown), unknown, "unknown option '--direct'");
	expect_usage("cpu", ARGC(missing), missing, "needs a value");
	expect_usage("cpu", ARGC(prime), prime, "--max-prime");
	expect_usage("cpu", ARGC(threads), threads, "--threads");
	expect_usage("fork", ARGC(stray), stray, "unexpected argument '10'");
	expect_usage("fork", ARGC(forever), forever, "--duration");
	expect_usage("mem", ARGC(total), total, "per thread");
}

/*
 * Every numeric option of every workload has a range, and a value outside it
 * is a usage error whose message gives the range (no float-to-integer
 * conversion of an unchecked value anywhere).
 */
struct range_case {
	const char *argv[4];
	const char *mentions;
};

static const struct range_case range_cases[] = {
	{{"cpu", "--duration", "1e7"}, "0.001..1e+06"},
	{{"cpu", "--duration", "nan"}, "0.001..1e+06"},
	{{"cpu", "--duration", "inf"}, "0.001..1e+06"},
	{{"cpu", "--max-prime", "4294967296"}, "3..4294967295"},
	{{"cpu", "--threads", "1025"}, "1..1024"},
	{{"mem", "--block-size", "2G"}, "8..1G"},
	{{"mem", "--total-size", "1025T"}, "1..1024T"},
	{{"mem", "--total-size", "99999999999T"}, "1..1024T"},
	{{"mem", "--buffer-size", "2T"}, "8..1T"},
	{{"mem", "--threads", "0"}, "1..1024"},
	{{"mem", "--duration", "1e300"}, "0.001..1e+06"},
	{{"diskrand", "--size", "256"}, "512..1024T"},
	{{"diskrand", "--size", "2048T"}, "512..1024T"},
	{{"diskrand", "--block-size", "512M"}, "512..256M"},
	{{"diskseq", "--block-size", "256"}, "512..256M"},
	{{"diskseq", "--duration", "-inf"}, "0.001..1e+06"},
	{{"fork", "--duration", "1e7"}, "0.001..1e+06"},
	{{"net", "--streams", "0"}, "1..128"},
	{{"net", "--streams", "129"}, "1..128"},
	{{"net", "--streams", "x"}, "1..128"},
	{{"net", "--len", "0"}, "1..1M"},
	{{"net", "--len", "2M"}, "1..1M"},
	{{"net", "--len", "18446744073709551616"}, "1..1M"},
	{{"net", "--duration", "0.01"}, "0.1..86400"},
	{{"net", "--duration", "1e6"}, "0.1..86400"},
	{{"net", "--timeout", "1e300"}, "0.1..3600"},
	{{"net", "--timeout", "nan"}, "0.1..3600"},
	{{"net", "--timeout", "0"}, "0.1..3600"},
};

static void test_option_ranges(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(range_cases) / sizeof(range_cases[0]); i++) {
		const struct range_case *c = &range_cases[i];
		char *argv[] = {(char *)c->argv[0], (char *)c->argv[1], (char *)c->argv[2], NULL};

		expect_usage(c->argv[0], 3, argv, c->mentions);
		if (!strstr(vb_last_error(), c->argv[1]))
			fail_msg("%s %s %s: the message does not name the option: %s", c->argv[0],
				 c->argv[1], c->argv[2], vb_last_error());
	}
}

/* The helpers behind the ranges: both ends are in, one past is out. */
static void test_range_helpers(void **state)
{
	char buf[32];
	uint64_t v = 0;
	double d = 0;

	(void)state;
	assert_int_equal(wl_parse_size_range("--x", "1G", 8, 1ULL << 30, &v), WL_OK);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(wl_parse_size_range("--x", "1025M", 8, 1ULL << 30, &v), WL_EUSAGE);
	assert_int_equal(wl_parse_size_range("--x", "8", 8, 1ULL << 30, &v), WL_OK);
	assert_int_equal(wl_parse_size_range("--x", "7", 8, 1ULL << 30, &v), WL_EUSAGE);
	assert_int_equal(wl_parse_size_range("--x", "2TiB", 1, 1ULL << 50, &v), WL_OK);
	assert_int_equal(v, 2ULL << 40);
	assert_int_equal(wl_parse_size_range("--x", "-1", 0, 1ULL << 50, &v), WL_EUSAGE);
	assert_string_equal(wl_size_str(1ULL << 20, buf, sizeof(buf)), "1M");
	assert_string_equal(wl_size_str(1536, buf, sizeof(buf)), "1536");
	assert_string_equal(wl_size_str(3ULL << 30, buf, sizeof(buf)), "3G");
	assert_string_equal(wl_size_str(1ULL << 50, buf, sizeof(buf)), "1024T");
	assert_string_equal(wl_size_str(0, buf, sizeof(buf)), "0");
	assert_int_equal(wl_parse_double_range("--y", "1e6", 0.001, 1e6, &d), WL_OK);
	assert_true(d == 1e6);
	assert_int_equal(wl_parse_double_range("--y", "1000000.1", 0.001, 1e6, &d), WL_EUSAGE);
	assert_int_equal(wl_parse_double_range("--y", "0.001", 0.001, 1e6, &d), WL_OK);
	assert_int_equal(wl_parse_double_range("--y", "-nan", 0.001, 1e6, &d), WL_EUSAGE);
	assert_int_equal(wl_parse_double_range("--y", "1e400", 0.001, 1e6, &d), WL_EUSAGE);
}

static double num(struct json_object *o, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_double(v);
}

static struct json_object *field(struct json_object *o, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return v;
}

static void assert_close(double a, double b, double rel)
{
	if (fabs(a - b) > rel * fabs(b))
		fail_msg("%g is not within %g%% of %g", a, rel * 100, b);
}

/* The score is what the counts say it is: per op, or per MiB moved. */
static void check_score(struct json_object *o, bool per_mib)
{
	double ops = num(o, "ops"), d = num(o, "duration_s");
	double per = per_mib ? num(o, "bytes") / (1 << 20) : ops;

	assert_true(ops > 0);
	assert_true(d > 0 && d < 5);
	assert_close(num(o, "score"), per / d, 1e-9);
}

static void test_cpu_runs(void **state)
{
	char *argv[] = {"cpu", "--duration", "0.2", "--threads", "2", NULL};
	struct json_object *o;

	(void)state;
	o = exec_wl("cpu", ARGC(argv), argv, WL_OK);
	check_score(o, false);
	assert_true(num(o, "duration_s") >= 0.2);
	assert_int_equal(num(field(o, "extra"), "primes"), 1229);
	assert_int_equal(num(field(o, "extra"), "threads"), 2);
	json_object_put(o);
}

static void test_mem_runs(void **state)
{
	char *seq[] = {"mem", "--duration", "0.2", NULL};
	char *rnd[] = {"mem", "--duration", "0.2", "--oper", "read", "--access", "rnd", NULL};
	struct json_object *o;

	(void)state;
	o = exec_wl("mem", ARGC(seq), seq, WL_OK);
	check_score(o, true);
	assert_int_equal(num(o, "bytes"), num(o, "ops") * 1024);
	json_object_put(o);
	o = exec_wl("mem", ARGC(rnd), rnd, WL_OK);
	check_score(o, true);
	assert_string_equal(json_object_get_string(field(field(o, "extra"), "oper")), "read");
	json_object_put(o);
}

/* --total-size stops it before --duration: exactly that many blocks. */
static void test_mem_total_size(void **state)
{
	char *argv[] = {"mem", "--total-size", "1M", "--block-size", "4k", "--threads", "2", NULL};
	struct json_object *o;

	(void)state;
	o = exec_wl("mem", ARGC(argv), argv, WL_OK);
	assert_int_equal(num(o, "ops"), 256);
	assert_int_equal(num(o, "bytes"), 1 << 20);
	json_object_put(o);
}

/* A fresh buffer faults page by page the first time through. */
static void test_mem_buffer_faults(void **state)
{
	char *argv[] = {"mem", "--duration", "0.2", "--buffer-size", "8M", "--no-thp", NULL};
	long pages = (8 << 20) / sysconf(_SC_PAGESIZE);
	struct json_object *o;

	(void)state;
	o = exec_wl("mem", ARGC(argv), argv, WL_OK);
	check_score(o, true);
	if (num(o, "bytes") >= (8 << 20))
		assert_true(num(field(o, "rusage"), "minflt") >= pages);
	json_object_put(o);
}

static void test_fork_runs(void **state)
{
	char *argv[] = {"fork", "--duration", "0.2", NULL};
	struct json_object *o;

	(void)state;
	o = exec_wl("fork", ARGC(argv), argv, WL_OK);
	check_score(o, false);
	assert_true(num(field(o, "extra"), "fork_p50_us") > 0);
	json_object_put(o);
}

static char disk_path[64];

static int disk_setup(void **state)
{
	(void)state;
	snprintf(disk_path, sizeof(disk_path), "/var/tmp/vbench-unit-%d.img", (int)getpid());
	return 0;
}

static int disk_teardown(void **state)
{
	(void)state;
	unlink(disk_path);
	return 0;
}

static struct json_object *run_disk(const char *name, const char *size, bool buffered)
{
	char *argv[] = {(char *)name, "--duration", "0.2",	  "--file",
			disk_path,    "--size",	    (char *)size, buffered ? "--buffered" : NULL,
			NULL};
	struct json_object *o = exec_wl(name, ARGC(argv) - !buffered, argv, WL_OK);

	check_score(o, true);
	return o;
}

static void test_disk_runs(void **state)
{
	struct json_object *o, *x;
	const char *buf;
	char magic[16];
	int fd;

	(void)state;
	o = run_disk("diskrand", "4M", false);
	x = field(o, "extra");
	assert_false(json_object_get_boolean(field(x, "image_reused")));
	assert_int_equal(num(o, "bytes"), num(o, "ops") * 4096);
	assert_true(num(x, "lat_p50_us") > 0);
	assert_true(num(x, "lat_p99_us") >= num(x, "lat_p50_us"));
	assert_close(num(x, "iops"), num(o, "ops") / num(o, "duration_s"), 1e-9);
	/* a one-page block needs no huge page; an O_DIRECT read reaches the device */
	assert_string_equal(json_object_get_string(field(x, "buffer")), "pages");
	if (field(x, "device_reads_per_op"))
		assert_true(num(x, "device_reads_per_op") >= 0.99);
	json_object_put(o);

	/* diskseq reuses the image, and wraps: 1 MiB reads of a 2 MiB image */
	o = run_disk("diskseq", "2M", false);
	x = field(o, "extra");
	assert_true(json_object_get_boolean(field(x, "image_reused")));
	assert_true(num(o, "ops") > 2);
	buf = json_object_get_string(field(x, "buffer"));
	assert_true(!strcmp(buf, "hugetlb") || !strcmp(buf, "thp") || !strcmp(buf, "pages"));
	json_object_put(o);

	/* a larger size extends the image instead of trusting it */
	o = run_disk("diskrand", "6M", true);
	assert_false(json_object_get_boolean(field(field(o, "extra"), "image_reused")));
	assert_false(json_object_get_boolean(field(field(o, "extra"), "direct")));
	json_object_put(o);

	fd = open(disk_path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, magic, sizeof(magic), 0), sizeof(magic));
	assert_memory_equal(magic, WL_DISK_MAGIC, sizeof(magic));
	assert_int_equal(lseek(fd, 0, SEEK_END), 6 << 20);
	close(fd);
}

/* Someone's file is not overwritten unless --overwrite says so. */
static void test_disk_foreign_file(void **state)
{
	char *plain[] = {"diskrand", "--duration", "0.05", "--file",
			 disk_path,  "--size",	   "1M",   NULL};
	char *forced[] = {"diskrand", "--duration", "0.05",	   "--file", disk_path,
			  "--size",   "1M",	    "--overwrite", NULL};
	static const char data[] = "precious data, not an image";
	char back[sizeof(data)];
	struct json_object *o;
	int fd;

	(void)state;
	fd = open(disk_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, sizeof(data)), sizeof(data));
	expect_usage("diskrand", ARGC(plain), plain, "--overwrite");
	assert_int_equal(pread(fd, back, sizeof(back), 0), sizeof(back));
	assert_memory_equal(back, data, sizeof(data));
	o = exec_wl("diskrand", ARGC(forced), forced, WL_OK);
	json_object_put(o);
	assert_int_equal(pread(fd, back, sizeof(back), 0), sizeof(back));
	assert_memory_equal(back, WL_DISK_MAGIC, sizeof(WL_DISK_MAGIC) - 1);
	close(fd);
}

/* No two chunks of the image alike, and the same chunk always alike. */
static void test_disk_chunks(void **state)
{
	static char a[4096], b[4096], c[4096];

	(void)state;
	wl_disk_fill_chunk(a, 1, 0);
	wl_disk_fill_chunk(b, 1, 1);
	wl_disk_fill_chunk(c, 1, 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_equal(a, c, sizeof(a));
	assert_memory_not_equal(a, a + 2048, 2048);
}

static void test_hist_quantiles(void **state)
{
	struct wl_hist *h = calloc(1, sizeof(*h));

	(void)state;
	assert_non_null(h);
	assert_true(wl_hist_quantile(h, 0.5) == 0);
	for (uint64_t v = 1; v <= 100000; v++)
		wl_hist_add(h, v * 10);
	assert_close(wl_hist_quantile(h, 0.50), 500000, 1.0 / 64);
	assert_close(wl_hist_quantile(h, 0.99), 990000, 1.0 / 64);
	assert_close(wl_hist_quantile(h, 1.0), 1000000, 1.0 / 64);
	assert_int_equal(h->count, 100000);
	memset(h, 0, sizeof(*h));
	wl_hist_add(h, 7);
	assert_true(wl_hist_quantile(h, 0.99) == 7); /* small values are exact */
	wl_hist_add(h, UINT64_MAX);		     /* the top bucket exists */
	assert_true(wl_hist_quantile(h, 1.0) > 1e19);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prime_counts),
		cmocka_unit_test(test_option_errors),
		cmocka_unit_test(test_option_ranges),
		cmocka_unit_test(test_range_helpers),
		cmocka_unit_test(test_cpu_runs),
		cmocka_unit_test(test_mem_runs),
		cmocka_unit_test(test_mem_total_size),
		cmocka_unit_test(test_mem_buffer_faults),
		cmocka_unit_test(test_fork_runs),
		cmocka_unit_test_setup_teardown(test_disk_runs, disk_setup, disk_teardown),
		cmocka_unit_test_setup_teardown(test_disk_foreign_file, disk_setup, disk_teardown),
		cmocka_unit_test(test_disk_chunks),
		cmocka_unit_test(test_hist_quantiles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
