// SPDX-License-Identifier: GPL-2.0
/*
 * Platform drivers declare what they can do and their options; the runner
 * follows the flags. Also the helpers drivers lean on: the collect deadline,
 * vb_run_argv, process identity and file modes.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "platform.h"
#include "entries.h"
#include "runner.h"
#include "frame.h"
#include "util_sys.h"
#include "workload.h"

static void test_platform_names_unique_one_baseline(void **state)
{
	int baselines = 0;

	(void)state;
	assert_true(nr_platforms >= 4);
	for (int i = 0; i < nr_platforms; i++) {
		const struct platform_ops *ops = platform_table[i];

		assert_non_null(ops->name);
		assert_ptr_equal(platform_find(ops->name), ops);
		for (int j = i + 1; j < nr_platforms; j++)
			assert_string_not_equal(ops->name, platform_table[j]->name);
		assert_non_null(ops->available);
		assert_non_null(ops->start);
		assert_non_null(ops->collect);
		baselines += !!(ops->flags & PLAT_BASELINE);
		/* A VM-exit counting platform runs guests. */
		if (ops->flags & PLAT_VM_EXITS)
			assert_true(ops->flags & PLAT_GUEST);
	}
	assert_int_equal(baselines, 1);
}

/* Every option: a name unique in its driver, a default among its values, help. */
static void check_options(const struct platform_ops *ops)
{
	for (const struct platform_option *o = ops->options; o && o->name; o++) {
		bool def_found = o->values == NULL;

		assert_true(*o->name);
		assert_non_null(o->def);
		assert_true(o->help && *o->help);
		assert_ptr_equal(platform_option_find(ops, o->name), o);
		for (const char *const *v = o->values; v && *v; v++) {
			assert_true(**v);
			def_found |= !strcmp(*v, o->def);
			for (const char *const *w = v + 1; *w; w++)
				assert_string_not_equal(*v, *w);
		}
		assert_true(def_found);
	}
}

static void test_options_consistent(void **state)
{
	(void)state;
	for (int i = 0; i < nr_platforms; i++) {
		const struct platform_ops *ops = platform_table[i];

		check_options(ops);
		/* A knob limited to some workloads names real ones. */
		for (const struct platform_option *o = ops->options; o && o->name; o++)
			for (const char *const *w = o->workloads; w && *w; w++)
				assert_non_null(workload_find(*w));
	}
}

/* The options the old flags became are where those flags said. */
static void test_old_flags_have_homes(void **state)
{
	int with_storage = 0, with_cache = 0;

	(void)state;
	for (int i = 0; i < nr_platforms; i++) {
		with_storage += platform_option_find(platform_table[i], "storage") != NULL;
		with_cache += platform_option_find(platform_table[i], "disk-cache") != NULL;
	}
	assert_int_equal(with_storage, 1);
	assert_int_equal(with_cache, 2);
	assert_non_null(platform_option_find(platform_find("qemu"), "libvirt-uri"));
}

static const char *const colours[] = {"red", "green", "blue", NULL};
static const char *const disk_only[] = {"diskrand", "diskseq", NULL};

static int no_blue(const struct platform_env *env, const char *value, char *why, size_t n)
{
	(void)env;
	if (strcmp(value, "blue"))
		return 0;
	snprintf(why, n, "no blue here");
	return -1;
}

static const struct platform_option fake_options[] = {
	{.name = "colour",
	 .values = colours,
	 .def = "red",
	 .help = "a colour",
	 .supported = no_blue},
	{.name = "uri", .def = "x://", .help = "free text"},
	{.name = "shelf", .values = colours, .def = "red", .help = "disks", .workloads = disk_only},
	{0},
};

static const struct platform_ops fake_variant = {
	.name = "fake",
	.options = fake_options,
};

static const struct platform_ops fake_plain = {
	.name = "plain",
};

static const struct platform_ops fake_vm = {.name = "vm", .flags = PLAT_GUEST | PLAT_VM_EXITS};

static void test_option_values(void **state)
{
	struct platform_setting set[] = {{"colour", "green"}, {"other", "x"}, {"colour", "red"}};
	struct platform_env env = {.settings = set, .nr_settings = 0};

	(void)state;
	assert_string_equal(platform_option_value(fake_options, &env, "colour"), "red");
	assert_string_equal(platform_option_value(fake_options, &env, "uri"), "x://");
	assert_null(platform_option_value(fake_options, &env, "other"));
	env.nr_settings = 1;
	assert_string_equal(platform_option_value(fake_options, &env, "colour"), "green");
	env.nr_settings = 3; /* the last setting wins */
	assert_string_equal(platform_option_value(fake_options, &env, "colour"), "red");
}

static void test_setting_check(void **state)
{
	const struct platform_ops *sel[] = {&native_ops, &fake_variant};
	const struct platform_ops *native_only[] = {&native_ops};
	struct platform_setting ok = {"colour", "green"}, bad = {"colour", "purple"};
	struct platform_setting cache = {"disk-cache", "writeback"}, nowhere = {"nope", "1"};
	char why[512];

	(void)state;
	assert_int_equal(platform_setting_check(&ok, sel, 2, why, sizeof(why)), 0);
	assert_int_equal(platform_setting_check(&bad, sel, 2, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "red|green|blue"));
	/* An option of platforms not selected: the error names them. */
	assert_int_equal(platform_setting_check(&cache, native_only, 1, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "kvm,qemu"));
	assert_int_equal(platform_setting_check(&nowhere, sel, 2, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "no platform has an option nope"));
}

static void test_runner_follows_flags(void **state)
{
	const struct platform_ops *with_vm[] = {&fake_plain, &fake_vm};

	(void)state;
	assert_true(runner_traces_vm_exits(with_vm, 2));
	assert_false(runner_traces_vm_exits(with_vm, 1));
}

static const char *entry_value(const struct plan_entry *e, const char *name)
{
	struct platform_env env = {.settings = e->settings, .nr_settings = e->nr_settings};

	return platform_option_value(e->ops->options, &env, name);
}

/* --vary: the own entry takes the first value, each further value an entry
 * with that one change, and only the workloads the knob bears on. */
static void test_plan_entries(void **state)
{
	static struct plan_entry e[MAX_ENTRIES];
	struct platform_setting set[] = {{"uri", "y://"}};
	struct run_config cfg = {
		.workloads = {"cpu", "diskrand"},
		.nr_workloads = 2,
		.vary = {{"colour", {"green", "red", "blue"}, 3}, {"shelf", {"red", "green"}, 2}},
		.nr_vary = 2,
		.env = {.settings = set, .nr_settings = 1},
	};
	struct run_config one;
	char why[256];
	int n;

	(void)state;
	n = plan_entries(&cfg, &fake_variant, e);
	assert_int_equal(n, 4);
	assert_null(e[0].knob);
	assert_string_equal(entry_value(&e[0], "colour"), "green");
	assert_string_equal(entry_value(&e[0], "shelf"), "red");
	assert_string_equal(entry_value(&e[0], "uri"), "y://");
	assert_int_equal(e[0].nr_workloads, 2);
	assert_string_equal(e[1].knob, "colour");
	assert_string_equal(entry_value(&e[1], "colour"), "red");
	assert_string_equal(entry_value(&e[1], "uri"), "y://");
	assert_int_equal(e[1].nr_workloads, 2);
	assert_string_equal(entry_value(&e[2], "colour"), "blue");
	/* The disk knob's variant leaves cpu out and keeps the baseline's colour. */
	assert_string_equal(e[3].knob, "shelf");
	assert_string_equal(entry_value(&e[3], "shelf"), "green");
	assert_string_equal(entry_value(&e[3], "colour"), "green");
	assert_int_equal(e[3].nr_workloads, 1);
	assert_string_equal(e[3].workloads[0], "diskrand");
	/* The entry's config carries its settings; a refused value says why. */
	plan_entry_config(&cfg, &e[2], &one);
	assert_int_equal(platform_settings_usable(&fake_variant, &one.env, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "colour=blue: no blue here"));
	plan_entry_config(&cfg, &e[1], &one);
	assert_int_equal(platform_settings_usable(&fake_variant, &one.env, why, sizeof(why)), 0);
	/* A platform without the knob runs once, as it is. */
	assert_int_equal(plan_entries(&cfg, &fake_plain, e), 1);
	/* Docker's storage varies the disk workloads only. */
	cfg.vary[0] = (struct run_vary){"storage", {"layer", "volume"}, 2};
	cfg.nr_vary = 1;
	cfg.env.nr_settings = 0;
	n = plan_entries(&cfg, platform_find("docker"), e);
	assert_int_equal(n, 2);
	assert_int_equal(e[1].nr_workloads, 1);
	cfg.workloads[1] = "cpu";
	cfg.nr_workloads = 1;
	assert_int_equal(plan_entries(&cfg, platform_find("docker"), e), 1);
}

/* A broken agent that talks without end: corrupt frames, back to back. */
static void chatter(int fd, int seconds)
{
	static const char broken[] = "\n@@VBENCH 5 00000000\nhello\n";
	long long end = vb_now_ms() + seconds * 1000LL;

	signal(SIGPIPE, SIG_IGN);
	while (vb_now_ms() < end) {
		if (write(fd, broken, sizeof(broken) - 1) < 0)
			break;
		vb_sleep_ms(20);
	}
	_exit(0);
}

static void test_collect_deadline_is_absolute(void **state)
{
	struct platform p = {.cmd_fd = -1};
	int fds[2];
	long long t0;
	char *json = NULL;
	pid_t pid;
	int err;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		chatter(fds[1], 6);
	}
	close(fds[1]);
	frame_reader_init(&p.out, fds[0]);
	t0 = vb_now_ms();
	err = platform_link_collect(&p, &json, 1);
	t0 = vb_now_ms() - t0;
	assert_int_equal(err, -ETIMEDOUT);
	assert_null(json);
	assert_true(t0 >= 900 && t0 < 2500);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(fds[0]);
	frame_reader_free(&p.out);
}

static void test_run_argv_status_and_output(void **state)
{
	struct vb_run_opts o = {.timeout_s = 10, .stdout_fd = -1};
	char *echo[] = {"sh", "-c", "echo out; echo err >&2", NULL};
	char *fail[] = {"sh", "-c", "exit 3", NULL};
	char *missing[] = {"vbench-no-such-program", NULL};
	char out[256], err[256];

	(void)state;
	assert_int_equal(vb_run_argv(echo, &o, out, sizeof(out), err, sizeof(err)), 0);
	assert_non_null(strstr(out, "out\n"));
	assert_non_null(strstr(out, "err\n"));
	assert_int_equal(vb_run_argv(fail, &o, out, sizeof(out), err, sizeof(err)), -1);
	assert_string_equal(err, "'sh' exited with status 3");
	assert_int_equal(vb_run_argv(missing, &o, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot run 'vbench-no-such-program'"));
	assert_non_null(strstr(err, "No such file"));
}

static void test_run_argv_stdout_to_fd(void **state)
{
	char path[] = "/tmp/vb-test-run-XXXXXX", buf[64] = "", err[256];
	char *argv[] = {"printf", "abc", NULL};
	struct vb_run_opts o = {.timeout_s = 10};
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	o.stdout_fd = fd;
	assert_int_equal(vb_run_argv(argv, &o, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(pread(fd, buf, sizeof(buf) - 1, 0), 3);
	assert_string_equal(buf, "abc");
	close(fd);
	unlink(path);
}

/* Is pid gone, or a zombie nobody reaped yet? */
static bool process_gone(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	bool gone = true;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f && fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		gone = p[2] == 'Z' || p[2] == 'X';
	if (f)
		fclose(f);
	return gone;
}

/* At the deadline the whole process group goes, grandchildren too. */
static void test_run_argv_deadline_kills_group(void **state)
{
	char pidfile[] = "/tmp/vb-test-grandchild-XXXXXX", cmd[256], err[256];
	char *argv[] = {"sh", "-c", cmd, NULL};
	struct vb_run_opts o = {.timeout_s = 1, .stdout_fd = -1};
	int fd = mkstemp(pidfile), grandchild = 0;
	long long t0;
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "sleep 30 & echo $! > %s; wait", pidfile);
	t0 = vb_now_ms();
	assert_int_equal(vb_run_argv(argv, &o, NULL, 0, err, sizeof(err)), -1);
	t0 = vb_now_ms() - t0;
	assert_string_equal(err, "'sh' did not finish within 1 s (killed)");
	assert_true(t0 >= 900 && t0 < 5000);
	f = fopen(pidfile, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &grandchild), 1);
	fclose(f);
	unlink(pidfile);
	for (int i = 0; i < 100 && !process_gone(grandchild); i++)
		vb_sleep_ms(20);
	assert_true(process_gone(grandchild));
}

static void test_proc_identity(void **state)
{
	unsigned long long a = 0, b = 0, c = 0;
	pid_t child;

	(void)state;
	assert_int_equal(vb_proc_start_time(getpid(), &a), 0);
	assert_int_equal(vb_proc_start_time(getpid(), &b), 0);
	assert_true(a > 0);
	assert_true(a == b);
	assert_true(vb_proc_alive(getpid(), a));
	/* The same pid with another start time is another process. */
	assert_false(vb_proc_alive(getpid(), a + 1));
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(vb_proc_start_time(child, &c), 0);
	assert_true(c >= a);
	waitpid(child, NULL, 0);
	assert_false(vb_proc_alive(child, c));
	assert_int_equal(vb_proc_start_time(child, &c), -ENOENT);
}

static void test_mode_allows_rw(void **state)
{
	const gid_t in_kvm[] = {64055, 106}, not_in_kvm[] = {64055};

	(void)state;
	/* /dev/kvm root's alone: QEMU's user is out, group or not. */
	assert_false(vb_mode_allows_rw(020600, 0, 106, 64055, in_kvm, 2));
	/* Given to group kvm, mode 660: members are in, others out. */
	assert_true(vb_mode_allows_rw(020660, 0, 106, 64055, in_kvm, 2));
	assert_false(vb_mode_allows_rw(020660, 0, 106, 64055, not_in_kvm, 1));
	assert_true(vb_mode_allows_rw(020666, 0, 106, 64055, not_in_kvm, 1));
	/* The owner's bits are the owner's: group bits do not help an owner. */
	assert_false(vb_mode_allows_rw(020060, 64055, 106, 64055, in_kvm, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_platform_names_unique_one_baseline),
		cmocka_unit_test(test_options_consistent),
		cmocka_unit_test(test_old_flags_have_homes),
		cmocka_unit_test(test_option_values),
		cmocka_unit_test(test_setting_check),
		cmocka_unit_test(test_runner_follows_flags),
		cmocka_unit_test(test_plan_entries),
		cmocka_unit_test(test_collect_deadline_is_absolute),
		cmocka_unit_test(test_run_argv_status_and_output),
		cmocka_unit_test(test_run_argv_stdout_to_fd),
		cmocka_unit_test(test_run_argv_deadline_kills_group),
		cmocka_unit_test(test_proc_identity),
		cmocka_unit_test(test_mode_allows_rw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
