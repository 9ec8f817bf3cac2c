// SPDX-License-Identifier: GPL-2.0
/* The results document: atomic write, load, and refusal of what is not one. */
#include <json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "results.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_atomic_leaves_no_temporary),
		cmocka_unit_test(test_load_refuses_non_documents),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
