// SPDX-License-Identifier: GPL-2.0
/* The docker driver's pure parts: image tags, the run command line and the
 * settings recorded for it, the parsing of what the engine and /proc say,
 * and the engine ping against sockets made here. No engine is needed. */
#include <errno.h>
#include <json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "docker.h"
#include "util_sys.h"
#include "docker_internal.h"

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
				    .owner = 42,
				    .owner_start = 123456,
				    .disk_file_bytes = 64ULL << 20};
	struct docker_argv a;

	(void)state;
	assert_int_equal(docker_run_argv(&a, &o), 0);
	assert_string_equal(a.argv[0], "/usr/bin/docker");
	assert_string_equal(a.argv[1], "run");
	assert_true(find_arg(&a, "-i") > 1);
	/* No --rm: a dead container's state must still be there to be named. */
	assert_int_equal(find_arg(&a, "--rm"), -1);
	assert_true(find_arg(&a, "--init") > 1);
	assert_true(find_arg(&a, "--name=vbench-trace-42-1") > 1);
	assert_true(find_arg(&a, "--label=vbench-trace=1") > 1);
	assert_true(find_arg(&a, "--label=vbench-trace.pid=42") > 1);
	assert_true(find_arg(&a, "--label=vbench-trace.host=vm") > 1);
	assert_true(find_arg(&a, "--label=vbench-trace.start=123456") > 1);
	/* Hardening: the memory limit is the disk file plus 1 GiB. */
	assert_true(find_arg(&a, "--cap-drop=ALL") > 1);
	assert_int_equal(find_arg(&a, "--cap-add"), -1);
	assert_true(find_arg(&a, "--security-opt=no-new-privileges") > 1);
	assert_true(find_arg(&a, "--pids-limit=2048") > 1);
	assert_true(find_arg(&a, "--memory=1140850688") > 1);
	assert_true(find_arg(&a, "--memory-swap=1140850688") > 1);
	assert_true(find_arg(&a, "--pull=never") > 1);
	/* -O net's default. */
	assert_true(find_arg(&a, "--network=bridge") > 1);
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

/* -O net=host: the host's network namespace, and no bridge beside it. */
static void test_run_argv_host_network(void **state)
{
	struct docker_run_opts o = {
		.cli = "docker", .image = "img:t", .name = "n", .host = "vm", .network = "host"};
	struct docker_argv a;
	int n;

	(void)state;
	assert_int_equal(docker_run_argv(&a, &o), 0);
	n = find_arg(&a, "--network=host");
	assert_true(n > 1 && n < a.argc - 2);
	assert_int_equal(find_arg(&a, "--network=bridge"), -1);
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

/* pid 42 runs, started at tick 5000; every other pid is gone. */
static bool alive_42_at_5000(pid_t pid, unsigned long long start)
{
	return pid == 42 && (!start || start == 5000);
}

static void test_leftovers(void **state)
{
	const struct docker_owner self = {.host = "vm", .pid = 100, .start = 900};
	char id[80];

	(void)state;
	/* Ours: made by this run on this host. */
	assert_true(docker_leftover_is_ours("abc123\t100\tvm\t900", &self, alive_42_at_5000, id,
					    sizeof(id)));
	assert_string_equal(id, "abc123");
	/* A crashed run's: its pid is gone. */
	assert_true(docker_leftover_is_ours("def\t77\tvm\t10", &self, alive_42_at_5000, id,
					    sizeof(id)));
	/* Another live run's on this host: not ours to remove. */
	assert_false(docker_leftover_is_ours("def\t42\tvm\t5000", &self, alive_42_at_5000, id,
					     sizeof(id)));
	/* An older container without a start time, of a live pid: kept. */
	assert_false(
		docker_leftover_is_ours("def\t42\tvm", &self, alive_42_at_5000, id, sizeof(id)));
	/* pid 42 reused by a process started later: the owner is gone. */
	assert_true(docker_leftover_is_ours("def\t42\tvm\t4000", &self, alive_42_at_5000, id,
					    sizeof(id)));
	/* Another host sharing the engine: not ours either. */
	assert_false(docker_leftover_is_ours("def\t77\tother\t1", &self, alive_42_at_5000, id,
					     sizeof(id)));
	/* Labelled by hand, no owner: a leftover. */
	assert_true(docker_leftover_is_ours("fff\t\t\t", &self, alive_42_at_5000, id, sizeof(id)));
	assert_string_equal(id, "fff");
	assert_false(docker_leftover_is_ours("", &self, alive_42_at_5000, id, sizeof(id)));
}

static void test_stat_start_ticks(void **state)
{
	struct vb_proc_stat st;
	unsigned long long a = 0, b = 0;

	(void)state;
	assert_int_equal(vb_parse_proc_stat("16570 (cat) R 16543 16543 4858 0 -1 4194304 127 "
					    "0 0 0 0 0 0 0 20 0 1 0 46786 3133440 409\n",
					    &st),
			 0);
	assert_int_equal(st.start, 46786);
	assert_int_equal(st.state, 'R');
	/* A command name with spaces and ')' in it. */
	assert_int_equal(vb_parse_proc_stat("7 (a) b) c) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 "
					    "1 0 99 0 0",
					    &st),
			 0);
	assert_int_equal(st.start, 99);
	assert_int_equal(st.state, 'S');
	assert_int_equal(vb_parse_proc_stat("7 (x) S 1 1", &st), -EINVAL);
	assert_int_equal(vb_parse_proc_stat("no parenthesis", &st), -EINVAL);
	/* This process: the same as what the driver labels its containers with. */
	assert_int_equal(vb_proc_start_time(getpid(), &a), 0);
	assert_int_equal(vb_proc_start_time(getpid(), &b), 0);
	assert_true(a > 0);
	assert_true(a == b);
}

static void test_settings_match_the_command_line(void **state)
{
	struct docker_run_opts o = {.cli = "docker", .image = "i", .name = "n", .host = "h"};
	struct json_object *conf = json_object_new_object(), *dk, *v;
	unsigned long long disk = 3ULL << 30;
	struct docker_argv a;
	char arg[64];

	(void)state;
	o.disk_file_bytes = disk;
	assert_int_equal(docker_run_argv(&a, &o), 0);
	docker_settings_json(conf, disk);
	assert_true(json_object_object_get_ex(conf, "docker", &dk));
	assert_true(json_object_object_get_ex(dk, "memory_bytes", &v));
	assert_int_equal(json_object_get_uint64(v), disk + (1ULL << 30));
	snprintf(arg, sizeof(arg), "--memory=%llu", (unsigned long long)json_object_get_uint64(v));
	assert_true(find_arg(&a, arg) > 1);
	assert_true(json_object_object_get_ex(dk, "pids_limit", &v));
	snprintf(arg, sizeof(arg), "--pids-limit=%d", json_object_get_int(v));
	assert_true(find_arg(&a, arg) > 1);
	assert_true(json_object_object_get_ex(dk, "cap_drop", &v));
	snprintf(arg, sizeof(arg), "--cap-drop=%s",
		 json_object_get_string(json_object_array_get_idx(v, 0)));
	assert_true(find_arg(&a, arg) > 1);
	assert_true(json_object_object_get_ex(dk, "cap_add", &v));
	assert_int_equal(json_object_array_length(v), 0);
	assert_true(json_object_object_get_ex(dk, "no_new_privileges", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(find_arg(&a, "--security-opt=no-new-privileges") > 1);
	json_object_put(conf);
}

static void test_parse_state(void **state)
{
	struct docker_state st;
	char says[512];

	(void)state;
	assert_int_equal(docker_parse_state("exited 137 false \n", &st), 0);
	assert_string_equal(st.status, "exited");
	assert_int_equal(st.exit_code, 137);
	assert_false(st.oom_killed);
	assert_string_equal(st.error, "");
	docker_state_describe(&st, says, sizeof(says));
	assert_non_null(strstr(says, "killed by signal 9"));
	assert_non_null(strstr(says, "exit status 137"));

	assert_int_equal(docker_parse_state("exited 137 true \n", &st), 0);
	assert_true(st.oom_killed);
	docker_state_describe(&st, says, sizeof(says));
	assert_non_null(strstr(says, "OOM killer"));

	assert_int_equal(docker_parse_state("exited 1 false oci runtime error: x y\n", &st), 0);
	assert_string_equal(st.error, "oci runtime error: x y");
	docker_state_describe(&st, says, sizeof(says));
	assert_non_null(strstr(says, "exited with status 1"));
	assert_non_null(strstr(says, "oci runtime error: x y"));

	assert_int_equal(docker_parse_state("running 0 false", &st), 0);
	docker_state_describe(&st, says, sizeof(says));
	assert_non_null(strstr(says, "still running"));

	assert_int_equal(docker_parse_state("", &st), -EINVAL);
	assert_int_equal(docker_parse_state("exited 1 maybe", &st), -EINVAL);
	assert_int_equal(docker_parse_state("Error: No such object: x", &st), -EINVAL);
}

static void test_last_line_skips_the_help_trailer(void **state)
{
	char text[256], line[128];

	(void)state;
	snprintf(text, sizeof(text),
		 "docker: Error response from daemon: Conflict.\n"
		 "See 'docker run --help'.\nRun 'docker run --help' for more "
		 "information\n\n");
	docker_last_line(text, line, sizeof(line));
	assert_string_equal(line, "docker: Error response from daemon: Conflict.");
	snprintf(text, sizeof(text), "one\ntwo  \n");
	docker_last_line(text, line, sizeof(line));
	assert_string_equal(line, "two");
	/* A trailer alone is all there is to say. */
	snprintf(text, sizeof(text), "Run 'docker run --help' for more information");
	docker_last_line(text, line, sizeof(line));
	assert_string_equal(line, "Run 'docker run --help' for more information");
}

static void test_ping_status(void **state)
{
	(void)state;
	assert_int_equal(docker_ping_status("HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n", 36), 200);
	assert_int_equal(docker_ping_status("HTTP/1.0 500 Internal", 21), 500);
	/* Only len bytes count. */
	assert_int_equal(docker_ping_status("HTTP/1.1 200 OK", 8), -EINVAL);
	assert_int_equal(docker_ping_status("SSH-2.0-OpenSSH", 15), -EINVAL);
	assert_int_equal(docker_ping_status("", 0), -EINVAL);
}

/* A socket bound at path; listening when answer is set, which it answers
 * once from a child. */
static pid_t serve_once(const char *path, const char *answer, int *fd)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	pid_t pid;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	*fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(*fd >= 0);
	assert_int_equal(bind(*fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (!answer)
		return 0;
	assert_int_equal(listen(*fd, 1), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		char req[256];
		int c = accept(*fd, NULL, NULL);

		if (c < 0 || read(c, req, sizeof(req)) <= 0 || write(c, answer, strlen(answer)) < 0)
			_exit(1);
		_exit(0);
	}
	return pid;
}

static void test_engine_ping(void **state)
{
	char dir[] = "/tmp/vb-ping.XXXXXX", sock[128], host[160], why[256];
	int fd, status;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/docker.sock", dir);
	snprintf(host, sizeof(host), "unix://%s", sock);
	setenv("DOCKER_HOST", host, 1);
	/* No socket: dockerd is not running, and setup.sh starts it. */
	assert_int_equal(docker_engine_ping(why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, sock));
	assert_non_null(strstr(why, "setup.sh"));
	/* A socket nobody listens on (a dead dockerd's). */
	serve_once(sock, NULL, &fd);
	assert_int_equal(docker_engine_ping(why, sizeof(why)), -ECONNREFUSED);
	assert_non_null(strstr(why, "not running"));
	close(fd);
	unlink(sock);
	/* An engine that answers. */
	pid = serve_once(sock, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK", &fd);
	assert_int_equal(docker_engine_ping(why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(fd);
	unlink(sock);
	/* Something else on the socket. */
	pid = serve_once(sock, "HTTP/1.1 503 Service Unavailable\r\n\r\n", &fd);
	assert_int_equal(docker_engine_ping(why, sizeof(why)), -EIO);
	assert_non_null(strstr(why, "503"));
	waitpid(pid, &status, 0);
	close(fd);
	unlink(sock);
	rmdir(dir);
	/* Not a unix socket: the CLI decides. */
	setenv("DOCKER_HOST", "tcp://10.9.9.9:2375", 1);
	assert_int_equal(docker_engine_ping(why, sizeof(why)), 1);
	unsetenv("DOCKER_HOST");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tag_names_version_and_hash),
		cmocka_unit_test(test_tag_replaces_what_a_tag_cannot_hold),
		cmocka_unit_test(test_remote_hosts),
		cmocka_unit_test(test_run_argv),
		cmocka_unit_test(test_run_argv_volume),
		cmocka_unit_test(test_run_argv_host_network),
		cmocka_unit_test(test_run_argv_too_long),
		cmocka_unit_test(test_parse_inspect),
		cmocka_unit_test(test_parse_inspect_rejects),
		cmocka_unit_test(test_bridge_gateway),
		cmocka_unit_test(test_cgroup_has_id),
		cmocka_unit_test(test_status_nspid),
		cmocka_unit_test(test_leftovers),
		cmocka_unit_test(test_stat_start_ticks),
		cmocka_unit_test(test_settings_match_the_command_line),
		cmocka_unit_test(test_parse_state),
		cmocka_unit_test(test_last_line_skips_the_help_trailer),
		cmocka_unit_test(test_ping_status),
		cmocka_unit_test(test_engine_ping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
