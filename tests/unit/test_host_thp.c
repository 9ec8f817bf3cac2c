// SPDX-License-Identifier: GPL-2.0
/*
 * The thp knob's pure parts: the kernel's "always [madvise] never", the
 * state file, and set/put back/recover against a file standing in for
 * sysfs in a temporary cache directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "host_thp.h"
#include "platform.h"
#include "scratch.h"

static char dir[] = "/tmp/vbench-test-thp.XXXXXX";
static char sysfs[PATH_MAX], state[PATH_MAX];

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
}

static void read_file(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	assert_true(fd >= 0);
	got = read(fd, buf, n - 1);
	assert_true(got >= 0);
	buf[got] = '\0';
	close(fd);
}

static int setup(void **st)
{
	(void)st;
	if (!mkdtemp(dir))
		return -1;
	snprintf(sysfs, sizeof(sysfs), "%s/enabled", dir);
	snprintf(state, sizeof(state), "%s/%s", dir, HOST_THP_STATE);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	return scratch_remove(dir);
}

/* Each test starts with the host at madvise and no state file. */
static int fresh(void **st)
{
	(void)st;
	unlink(state);
	write_file(sysfs, "always [madvise] never\n");
	return 0;
}

static void test_parse_selected_mode(void **st)
{
	char mode[16];

	(void)st;
	assert_int_equal(host_thp_parse("always [madvise] never\n", mode, sizeof(mode)), 0);
	assert_string_equal(mode, "madvise");
	assert_int_equal(host_thp_parse("[always] madvise never", mode, sizeof(mode)), 0);
	assert_string_equal(mode, "always");
	assert_int_equal(host_thp_parse("always madvise [never]\n", mode, sizeof(mode)), 0);
	assert_string_equal(mode, "never");
	/* defrag's file has a '+' in a mode. */
	assert_int_equal(
		host_thp_parse("always defer [defer+madvise] madvise never", mode, sizeof(mode)),
		0);
	assert_string_equal(mode, "defer+madvise");
	/* A file holding one word selects it (a test's stand-in after a write). */
	assert_int_equal(host_thp_parse("never\n", mode, sizeof(mode)), 0);
	assert_string_equal(mode, "never");
	/* None selected, two selected, unclosed, empty, odd characters, too long. */
	assert_int_equal(host_thp_parse("always madvise never", mode, sizeof(mode)), -EINVAL);
	assert_int_equal(host_thp_parse("[always] [never]", mode, sizeof(mode)), -EINVAL);
	assert_int_equal(host_thp_parse("always [madvise never", mode, sizeof(mode)), -EINVAL);
	assert_int_equal(host_thp_parse("", mode, sizeof(mode)), -EINVAL);
	assert_int_equal(host_thp_parse("[]", mode, sizeof(mode)), -EINVAL);
	assert_int_equal(host_thp_parse("[mad vise]", mode, sizeof(mode)), -EINVAL);
	assert_int_equal(host_thp_parse("[../x]", mode, sizeof(mode)), -EINVAL);
	assert_int_equal(host_thp_parse("[madvise]", mode, 7), -EINVAL);
}

static void test_offers(void **st)
{
	(void)st;
	assert_true(host_thp_offers("always [madvise] never\n", "always"));
	assert_true(host_thp_offers("always [madvise] never\n", "madvise"));
	assert_true(host_thp_offers("always [madvise] never\n", "never"));
	assert_false(host_thp_offers("always [madvise] never\n", "defer"));
	assert_false(host_thp_offers("always [madvise] never\n", "mad"));
	assert_false(host_thp_offers("[always] madvise", "never"));
}

static void test_state_file_text(void **st)
{
	char text[256], owner[128], mode[16];

	(void)st;
	assert_int_equal(host_thp_state_format(text, sizeof(text), "12 345 boot-id\n", "madvise"),
			 0);
	assert_string_equal(text, "owner 12 345 boot-id\nenabled madvise\n");
	assert_int_equal(host_thp_state_parse(text, owner, sizeof(owner), mode, sizeof(mode)), 0);
	assert_string_equal(owner, "12 345 boot-id");
	assert_string_equal(mode, "madvise");
	/* An owner of two lines, or a mode that is no word, is not written. */
	assert_int_equal(host_thp_state_format(text, sizeof(text), "1\n2", "never"), -EINVAL);
	assert_int_equal(host_thp_state_format(text, sizeof(text), "1 2 b", "nev er"), -EINVAL);
	assert_int_equal(host_thp_state_format(text, 10, "1 2 b", "never"), -E2BIG);
	/* A file missing a line, with a stranger's line, or a bad mode is not ours. */
	assert_int_equal(
		host_thp_state_parse("owner 1 2 b\n", owner, sizeof(owner), mode, sizeof(mode)),
		-EINVAL);
	assert_int_equal(
		host_thp_state_parse("enabled never\n", owner, sizeof(owner), mode, sizeof(mode)),
		-EINVAL);
	assert_int_equal(host_thp_state_parse("owner 1 2 b\nenabled never\nrm -rf /\n", owner,
					      sizeof(owner), mode, sizeof(mode)),
			 -EINVAL);
	assert_int_equal(host_thp_state_parse("owner 1 2 b\nenabled ne/ver\n", owner, sizeof(owner),
					      mode, sizeof(mode)),
			 -EINVAL);
}

static void test_supported_names_the_way_out(void **st)
{
	char why[512], missing[PATH_MAX + 16];

	(void)st;
	assert_int_equal(host_thp_supported(sysfs, "host", why, sizeof(why)), 0);
	assert_int_equal(host_thp_supported(sysfs, "never", why, sizeof(why)), 0);
	write_file(sysfs, "always [never]\n");
	assert_int_equal(host_thp_supported(sysfs, "madvise", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "offers only 'always [never]'"));
	assert_non_null(strstr(why, "thp=host"));
	snprintf(missing, sizeof(missing), "%s/none", dir);
	assert_int_equal(host_thp_supported(missing, "never", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "CONFIG_TRANSPARENT_HUGEPAGE"));
	/* Nothing to check for host, even without the file. */
	assert_int_equal(host_thp_supported(missing, "host", why, sizeof(why)), 0);
}

/* Set, a state file naming this process and the mode found; put back, gone. */
static void test_apply_and_restore(void **st)
{
	char text[256], owner[128], mode[16], self[128];
	struct host_thp t;

	(void)st;
	host_thp_init(&t, sysfs);
	assert_int_equal(host_thp_apply(&t, dir, "never", "test"), 0);
	read_file(sysfs, text, sizeof(text));
	assert_string_equal(text, "never");
	read_file(state, text, sizeof(text));
	assert_int_equal(host_thp_state_parse(text, owner, sizeof(owner), mode, sizeof(mode)), 0);
	assert_string_equal(mode, "madvise");
	assert_int_equal(scratch_owner_self(self, sizeof(self)), 0);
	self[strcspn(self, "\n")] = '\0';
	assert_string_equal(owner, self);
	/* Twice is once. */
	assert_int_equal(host_thp_apply(&t, dir, "always", "test"), 0);
	read_file(sysfs, text, sizeof(text));
	assert_string_equal(text, "never");
	host_thp_restore(&t, "test");
	read_file(sysfs, text, sizeof(text));
	assert_string_equal(text, "madvise");
	assert_int_equal(access(state, F_OK), -1);
	host_thp_restore(&t, "test");
	read_file(sysfs, text, sizeof(text));
	assert_string_equal(text, "madvise");
}

/* host: the file is neither written nor is a state file made. */
static void test_host_leaves_it(void **st)
{
	char text[256];
	struct host_thp t;

	(void)st;
	host_thp_init(&t, sysfs);
	assert_int_equal(host_thp_apply(&t, dir, "host", "test"), 0);
	read_file(sysfs, text, sizeof(text));
	assert_string_equal(text, "always [madvise] never\n");
	assert_int_equal(access(state, F_OK), -1);
	host_thp_restore(&t, "test");
	read_file(sysfs, text, sizeof(text));
	assert_string_equal(text, "always [madvise] never\n");
}

/* A pid that ran and is gone (reaped). */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

/* A state file of owner (pid, this process's start time and boot). */
static void plant_state(pid_t pid, const char *mode)
{
	char self[128], owner[160], text[256];
	unsigned long long start;
	int mypid, used = 0;

	assert_int_equal(scratch_owner_self(self, sizeof(self)), 0);
	assert_int_equal(sscanf(self, "%d %llu %n", &mypid, &start, &used), 2);
	snprintf(owner, sizeof(owner), "%d %llu %s", (int)pid, start, self + used);
	assert_int_equal(host_thp_state_format(text, sizeof(text), owner, mode), 0);
	write_file(state, text);
}

/* A dead run's state: the next one puts its mode back and removes the file. */
static void test_recover_dead_owner(void **st)
{
	char text[256];
	struct host_thp t;

	(void)st;
	write_file(sysfs, "always madvise [never]\n");
	plant_state(dead_pid(), "madvise");
	assert_int_equal(host_thp_recover(dir, sysfs, NULL), 1);
	read_file(sysfs, text, sizeof(text));
	assert_string_equal(text, "madvise");
	assert_int_equal(access(state, F_OK), -1);
	assert_int_equal(host_thp_recover(dir, sysfs, NULL), 0);
	/* And through apply: recovered first, so the mode saved is the host's own. */
	write_file(sysfs, "always madvise [never]\n");
	plant_state(dead_pid(), "madvise");
	host_thp_init(&t, sysfs);
	assert_int_equal(host_thp_apply(&t, dir, "always", "test"), 0);
	assert_string_equal(t.saved, "madvise");
	host_thp_restore(&t, "test");
	read_file(sysfs, text, sizeof(text));
	assert_string_equal(text, "madvise");
}

/* A live run's state (this process stands in): left alone, and no second setter. */
static void test_live_owner_holds(void **st)
{
	char text[256];
	struct host_thp t;
	int holder = 0;

	(void)st;
	plant_state(getpid(), "madvise");
	write_file(sysfs, "[always] madvise never\n");
	assert_int_equal(host_thp_recover(dir, sysfs, &holder), -EBUSY);
	assert_int_equal(holder, getpid());
	host_thp_init(&t, sysfs);
	assert_int_equal(host_thp_apply(&t, dir, "never", "test"), -EBUSY);
	read_file(sysfs, text, sizeof(text));
	assert_string_equal(text, "[always] madvise never\n");
	assert_int_equal(access(state, F_OK), 0);
	/* thp=host runs alongside, saying so. */
	assert_int_equal(host_thp_apply(&t, dir, "host", "test"), 0);
	assert_int_equal(access(state, F_OK), 0);
}

/* A state file that is not ours to read: nothing written, said. */
static void test_garbage_state_left_alone(void **st)
{
	char text[256];

	(void)st;
	write_file(state, "hello\n");
	assert_int_equal(host_thp_recover(dir, sysfs, NULL), -EINVAL);
	read_file(sysfs, text, sizeof(text));
	assert_string_equal(text, "always [madvise] never\n");
	assert_int_equal(access(state, F_OK), 0);
}

/* A value the kernel does not offer: refused before anything is written. */
static void test_unoffered_value_refused(void **st)
{
	char text[256];
	struct host_thp t;

	(void)st;
	write_file(sysfs, "always [madvise]\n");
	host_thp_init(&t, sysfs);
	assert_int_equal(host_thp_apply(&t, dir, "never", "test"), -EINVAL);
	read_file(sysfs, text, sizeof(text));
	assert_string_equal(text, "always [madvise]\n");
	assert_int_equal(access(state, F_OK), -1);
}

/* config.host_thp: the modes found, once; defrag beside the enabled file. */
static void test_config_json(void **st)
{
	struct json_object *config = json_object_new_object(), *o, *v;
	char defrag[PATH_MAX + 16];

	(void)st;
	snprintf(defrag, sizeof(defrag), "%s/defrag", dir);
	write_file(defrag, "always defer [defer+madvise] madvise never\n");
	host_thp_config_json(config, sysfs);
	assert_true(json_object_object_get_ex(config, "host_thp", &o));
	assert_true(json_object_object_get_ex(o, "enabled", &v));
	assert_string_equal(json_object_get_string(v), "madvise");
	assert_true(json_object_object_get_ex(o, "defrag", &v));
	assert_string_equal(json_object_get_string(v), "defer+madvise");
	/* The second driver's call keeps the first's. */
	write_file(sysfs, "[always] madvise never\n");
	host_thp_config_json(config, sysfs);
	json_object_object_get_ex(config, "host_thp", &o);
	json_object_object_get_ex(o, "enabled", &v);
	assert_string_equal(json_object_get_string(v), "madvise");
	json_object_put(config);
	/* No defrag file: left out. */
	unlink(defrag);
	config = json_object_new_object();
	host_thp_config_json(config, sysfs);
	json_object_object_get_ex(config, "host_thp", &o);
	assert_false(json_object_object_get_ex(o, "defrag", NULL));
	json_object_put(config);
}

/* Both host drivers declare the same knob, defaulting to the host's setting. */
static void test_drivers_declare_thp(void **st)
{
	const struct platform_ops *with[] = {&native_ops, &docker_ops};

	(void)st;
	for (size_t i = 0; i < 2; i++) {
		const struct platform_option *o = platform_option_find(with[i], "thp");

		assert_non_null(o);
		assert_string_equal(o->def, "host");
		assert_ptr_equal(o->values, host_thp_values);
		assert_non_null(o->supported);
		assert_int_equal(platform_option_value(with[i]->options, NULL, "thp") == o->def, 1);
	}
	assert_non_null(platform_option_find(&docker_ops, "net"));
	assert_string_equal(platform_option_find(&docker_ops, "net")->def, "bridge");
	assert_null(platform_option_find(&native_ops, "net"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_selected_mode),
		cmocka_unit_test(test_offers),
		cmocka_unit_test(test_state_file_text),
		cmocka_unit_test_setup(test_supported_names_the_way_out, fresh),
		cmocka_unit_test_setup(test_apply_and_restore, fresh),
		cmocka_unit_test_setup(test_host_leaves_it, fresh),
		cmocka_unit_test_setup(test_recover_dead_owner, fresh),
		cmocka_unit_test_setup(test_live_owner_holds, fresh),
		cmocka_unit_test_setup(test_garbage_state_left_alone, fresh),
		cmocka_unit_test_setup(test_unoffered_value_refused, fresh),
		cmocka_unit_test_setup(test_config_json, fresh),
		cmocka_unit_test(test_drivers_declare_thp),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
