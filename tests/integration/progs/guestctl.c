// SPDX-License-Identifier: GPL-2.0
/*
 * Drives one guest platform (qemu or kvm) through its ops, the way the
 * runner will: available, prepare, start, RUN lines, stop, teardown.
 *
 *   guestctl PLATFORM WORK_DIR [--hang] [--no-probes] [--prepare-only] [--verbose]
 *            [--collect-timeout S] ["RUN ..." ...]
 *
 * Prints "hello_s <seconds from start() to hello>", "target_pid <pid>",
 * "hello <json>", then one "result <json>" line per RUN. With --hang it
 * stops after the hello and waits to be killed. Exit 77 when the platform
 * is not available here (the reason on stderr). VB_AGENT_PATH, VB_CACHE_DIR
 * and VB_LIBVIRT_URI override the agent, the cache and libvirt's URI.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"
#include "util_log.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct platform_setting uri = {"libvirt-uri", getenv("VB_LIBVIRT_URI")};
	struct platform_env env = {
		.agent_path = getenv("VB_AGENT_PATH") ? getenv("VB_AGENT_PATH")
						      : "build/vbench-trace-agent",
		.cache_dir = getenv("VB_CACHE_DIR"),
		.settings = &uri,
		.nr_settings = uri.value && *uri.value,
		.guest_probes = true,
		.disk_file_bytes = 64ULL << 20,
		.net_port = 5201,
	};
	struct platform p = {.cmd_fd = -1, .out = {.fd = -1}, .env = &env};
	bool hang = false, prepare_only = false;
	int collect_s = 120;
	char reason[512];
	int i = 3, ret = 1;
	double t0;

	vb_progname = "vbench-trace";
	signal(SIGPIPE, SIG_IGN); /* as the runner does: a dead guest is an error, not a signal */
	if (argc < 3) {
		fprintf(stderr,
			"usage: guestctl PLATFORM WORK_DIR [--hang] [--no-probes] [RUN...]\n");
		return 2;
	}
	p.ops = platform_find(argv[1]);
	env.work_dir = argv[2];
	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--hang"))
			hang = true;
		else if (!strcmp(argv[i], "--no-probes"))
			env.guest_probes = false;
		else if (!strcmp(argv[i], "--prepare-only"))
			prepare_only = true;
		else if (!strcmp(argv[i], "--verbose"))
			vb_verbose = true;
		else if (!strcmp(argv[i], "--collect-timeout") && i + 1 < argc)
			collect_s = atoi(argv[++i]);
	}
	if (!p.ops) {
		fprintf(stderr, "unknown platform %s\n", argv[1]);
		return 2;
	}
	if (p.ops->available(&env, reason, sizeof(reason))) {
		fprintf(stderr, "vbench-trace: %s: skipped: %s\n", argv[1], reason);
		return 77;
	}
	if (p.ops->prepare(&p))
		goto teardown;
	if (prepare_only) {
		ret = 0;
		goto teardown;
	}
	t0 = now();
	if (p.ops->start(&p))
		goto teardown;
	printf("hello_s %.2f\ntarget_pid %d\nhello %s\n", now() - t0, (int)p.target_pid, p.hello);
	fflush(stdout);
	if (hang)
		for (;;)
			pause();
	for (; i < argc; i++) {
		char *json = NULL;
		int err = p.ops->run(&p, argv[i]);

		if (!err)
			err = p.ops->collect(&p, &json, collect_s);
		if (err) {
			fprintf(stderr, "vbench-trace: %s: '%s' got no result: %s\n", argv[1],
				argv[i], strerror(-err));
			goto stop;
		}
		printf("result %s\n", json);
		fflush(stdout);
		free(json);
	}
	ret = 0;
stop:
	t0 = now();
	p.ops->stop(&p);
	p.ops->stop(&p); /* twice, as the runner's Ctrl-C path may */
	printf("stop_s %.2f\n", now() - t0);
teardown:
	p.ops->teardown(&p);
	free(p.hello);
	return ret;
}
