// SPDX-License-Identifier: GPL-2.0
/* The docker driver's pure parts: image tags, the run command line, and the
 * parsing of what the engine and /proc say. No engine is needed. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "docker.h"

#define ID64 "f1fa65f1b258939f4fd1d2896254adc52e6e5cf98461c3fc668da3ec021ddfe5"

static void test_tag_names_version_and_hash(void **state)
{
	char tag[128];

	(void)state;
	assert_int_equal(docker_image_tag(tag, sizeof(tag), "4eab303-dirty", 0x7c5c8023UL), 0);
	assert_string_equal(tag, "vbench-trace-agent:4eab303-dirty-7c5c8023");
	/* Only the low 32 bits, always 8 hex digits. */
	assert_int_equal(docker_image_tag(tag, sizeof(tag), "1.0", 0x1abcUL), 0);
	assert_string_equal(tag, "vbench-trace-agent:1.0-00001abc");
}

static void test_tag_replaces_what_a_tag_cannot_hold(void **state)
{
	char tag[128];

	(void)state;
	assert_int_equal(docker_image_tag(tag, sizeof(tag), "-v1+g/x y", 1), 0);
	assert_string_equal(tag, "vbench-trace-agent:_v1_g_x_y-00000001");
	assert_int_equal(docker_image_tag(tag, sizeof(tag), "", 2), 0);
	assert_string_equal(tag, "vbench-trace-agent:0-00000002");
	assert_int_equal(docker_image_tag(tag, 20, "4eab303", 3), -E2BIG);
}

static void test_remote_hosts(void **state)
{
	(void)state;
	assert_false(docker_host_is_remote(NULL));
	assert_false(docker_host_is_remote(""));
	assert_false(docker_host_is_remote("unix:///var/run/docker.sock"));
	assert_false(docker_host_is_remote("tcp://127.0.0.1:2375"));
	assert_false(docker_host_is_remote("tcp://localhost:2375"));
	assert_true(docker_host_is_remote("tcp://10.1.2.3:2376"));
	assert_true(docker_host_is_remote("ssh://user@build-box"));
}

static int find_arg(const struct docker_argv *a, const char *arg)
{
	for (int i = 0; i < a->argc; i++)
		if (!strcmp(a->argv[i], arg))
			return i;
	return -1;
}

static void test_run_argv(void **state)
{
	struct docker_run_opts o = {.cli = "/usr/bin/docker",
				    .image = "vbench-trace-agent:v-00000001",
				    .name = "vbench-trace-42-1",
				    .host = "vm",
				    .owner = 42};
	struct docker_argv a;

	(void)state;
	assert_int_equal(docker_run_argv(&a, &o), 0);
	assert_string_equal(a.argv[0], "/usr/bin/docker");
	assert_string_equal(a.argv[1], "run");
	assert_true(find_arg(&a, "-i") > 1);
	assert_true(find_arg(&a, "--rm") > 1);
	assert_true(find_arg(&a, "--init") > 1);
	assert_true(find_arg(&a, "--name=vbench-trace-42-1") > 1);
	assert_true(find_arg(&a, "--label=vbench-trace=1") > 1);
	assert_true(find_arg(&a, "--label=vbench-trace.pid=42") > 1);
	assert_true(find_arg(&a, "--label=vbench-trace.host=vm") > 1);
	assert_true(find_arg(&a, "--pull=never") > 1);
	/* No terminal: stdout must carry the agent's bytes unchanged. */
	assert_int_equal(find_arg(&a, "-t"), -1);
	assert_int_equal(find_arg(&a, "-it"), -1);
	assert_int_equal(find_arg(&a, "--privileged"), -1);
	for (int i = 0; i < a.argc; i++)
		assert_null(strstr(a.argv[i], "--volume"));
	/* The image, then the agent's command, end the line. */
	assert_string_equal(a.argv[a.argc - 2], "vbench-trace-agent:v-00000001");
	assert_string_equal(a.argv[a.argc - 1], "serve");
	assert_null(a.argv[a.argc]);
}

static void test_run_argv_volume(void **state)
{
	struct docker_run_opts o = {.cli = "docker",
				    .image = "img:t",
				    .name = "n",
				    .volume_dir = "/work/run/docker-volume",
				    .host = "vm",
				    .owner = 1};
	struct docker_argv a;
	int v;

	(void)state;
	assert_int_equal(docker_run_argv(&a, &o), 0);
	v = find_arg(&a, "--volume=/work/run/docker-volume:/vol");
	assert_true(v > 1 && v < a.argc - 2);
	assert_string_equal(DOCKER_DISK_VOLUME, "/vol/disk.dat");
}

static void test_run_argv_too_long(void **state)
{
	char big[4000];
	struct docker_run_opts o = {.cli = "docker", .image = "i", .name = "n", .host = "h"};
	struct docker_argv a;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	o.volume_dir = big;
	assert_int_equal(docker_run_argv(&a, &o), -E2BIG);
	/* Still a terminated argv, whatever fit. */
	assert_null(a.argv[a.argc]);
}

static void test_parse_inspect(void **state)
{
	struct docker_inspect ins;

	(void)state;
	assert_int_equal(docker_parse_inspect("21030 " ID64 " 172.17.0.1", &ins), 0);
	assert_int_equal(ins.pid, 21030);
	assert_string_equal(ins.id, ID64);
	assert_string_equal(ins.gateway, "172.17.0.1");
	/* An engine that leaves the gateway out. */
	assert_int_equal(docker_parse_inspect("7 " ID64 " \n", &ins), 0);
	assert_int_equal(ins.pid, 7);
	assert_string_equal(ins.gateway, "");
}

static void test_parse_inspect_rejects(void **state)
{
	struct docker_inspect ins;

	(void)state;
	/* A container that has exited has pid 0. */
	assert_int_equal(docker_parse_inspect("0 " ID64 " 172.17.0.1", &ins), -EINVAL);
	assert_int_equal(docker_parse_inspect("", &ins), -EINVAL);
	assert_int_equal(docker_parse_inspect("12 f1fa65 172.17.0.1", &ins), -EINVAL);
	assert_int_equal(docker_parse_inspect("12 " ID64 " <no value>", &ins), -EINVAL);
	assert_int_equal(docker_parse_inspect("Error: No such object", &ins), -EINVAL);
}

static void test_bridge_gateway(void **state)
{
	char gw[64];

	(void)state;
	assert_int_equal(docker_parse_bridge_gateway("172.17.0.1,172.17.0.0/16 ", gw, sizeof(gw)),
			 0);
	assert_string_equal(gw, "172.17.0.1");
	/* dockerd 20.10 lists no gateway for the default bridge: the first address. */
	assert_int_equal(docker_parse_bridge_gateway(",172.17.0.0/16 ", gw, sizeof(gw)), 0);
	assert_string_equal(gw, "172.17.0.1");
	assert_int_equal(docker_parse_bridge_gateway(",10.200.3.0/24 ", gw, sizeof(gw)), 0);
	assert_string_equal(gw, "10.200.3.1");
	/* IPv6 first, then IPv4: the IPv4 one. */
	assert_int_equal(docker_parse_bridge_gateway(",fd00::/64 ,192.168.5.0/24 ", gw, sizeof(gw)),
			 0);
	assert_string_equal(gw, "192.168.5.1");
	assert_int_equal(docker_parse_bridge_gateway("", gw, sizeof(gw)), -ENOENT);
	assert_int_equal(docker_parse_bridge_gateway(",fd00::/64 ", gw, sizeof(gw)), -ENOENT);
}

static void test_cgroup_has_id(void **state)
{
	(void)state;
	assert_true(
		docker_cgroup_has_id("12:pids:/docker/" ID64 "\n1:cpu:/docker/" ID64 "\n", ID64));
	assert_true(docker_cgroup_has_id("0::/system.slice/docker-" ID64 ".scope\n", ID64));
	assert_false(docker_cgroup_has_id("0::/user.slice/session-1.scope\n", ID64));
	assert_false(docker_cgroup_has_id("0::/\n", ""));
}

static void test_status_nspid(void **state)
{
	(void)state;
	assert_int_equal(docker_status_nspid("Name:\tagent\nPid:\t21061\nNSpid:\t21061\t8\n"
					     "NSpgid:\t1\n"),
			 8);
	assert_int_equal(docker_status_nspid("Name:\tbash\nNSpid:\t900\n"), 900);
	assert_int_equal(docker_status_nspid("Name:\told kernel\nPid:\t3\n"), -1);
}

static bool alive_42_only(pid_t pid)
{
	return pid == 42;
}

static void test_leftovers(void **state)
{
	char id[80];

	(void)state;
	/* Ours: made by this pid on this host. */
	assert_true(docker_leftover_is_ours("abc123\t100\tvm", "vm", 100, alive_42_only, id,
					    sizeof(id)));
	assert_string_equal(id, "abc123");
	/* A crashed run's: its pid is gone. */
	assert_true(
		docker_leftover_is_ours("def\t77\tvm", "vm", 100, alive_42_only, id, sizeof(id)));
	/* Another live run's on this host: not ours to remove. */
	assert_false(
		docker_leftover_is_ours("def\t42\tvm", "vm", 100, alive_42_only, id, sizeof(id)));
	/* Another host sharing the engine: not ours either. */
	assert_false(docker_leftover_is_ours("def\t77\tother", "vm", 100, alive_42_only, id,
					     sizeof(id)));
	/* Labelled by hand, no owner: a leftover. */
	assert_true(docker_leftover_is_ours("fff\t\t", "vm", 100, alive_42_only, id, sizeof(id)));
	assert_string_equal(id, "fff");
	assert_false(docker_leftover_is_ours("", "vm", 100, alive_42_only, id, sizeof(id)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tag_names_version_and_hash),
		cmocka_unit_test(test_tag_replaces_what_a_tag_cannot_hold),
		cmocka_unit_test(test_remote_hosts),
		cmocka_unit_test(test_run_argv),
		cmocka_unit_test(test_run_argv_volume),
		cmocka_unit_test(test_run_argv_too_long),
		cmocka_unit_test(test_parse_inspect),
		cmocka_unit_test(test_parse_inspect_rejects),
		cmocka_unit_test(test_bridge_gateway),
		cmocka_unit_test(test_cgroup_has_id),
		cmocka_unit_test(test_status_nspid),
		cmocka_unit_test(test_leftovers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
