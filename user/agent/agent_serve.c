// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's side of the link: a hello frame, then one result frame per
 * "RUN <workload> <args...>" line, until "QUIT" or the end of input. The
 * same loop serves a process here, a container and a guest; in a guest it
 * also loads the probes into the guest's kernel and puts their counters
 * beside each result as "probes_guest".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "commands.h"
#include "probes.h"
#include "frame.h"
#include "util_log.h"
#include "workload.h"

#define MAX_ARGS 64

static int send_json(int fd, struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE);

	return frame_write(fd, s, strlen(s));
}

/* The kernel's THP mode as it shows it ("always madvise [never]"), or "" when it has none. */
static void thp_mode(char *buf, size_t n)
{
	int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, buf, n - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[got > 0 ? got : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static int send_hello(int fd, struct probes *probes)
{
	char thp[128];
	struct json_object *o = json_object_new_object();
	struct utsname u;
	int err;

	uname(&u);
	json_object_object_add(o, "agent", json_object_new_string("vbench-trace-agent"));
	json_object_object_add(o, "version", json_object_new_string(VB_VERSION));
	json_object_object_add(o, "kernel", json_object_new_string(u.release));
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	json_object_object_add(o, "cpus", json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
	thp_mode(thp, sizeof(thp));
	json_object_object_add(o, "thp", json_object_new_string(thp));
	json_object_object_add(o, "probes", json_object_new_boolean(probes != NULL));
	if (probes)
		json_object_object_add(o, "probes_missing",
				       json_object_new_string(probes_missing(probes)));
	err = send_json(fd, o);
	json_object_put(o);
	return err;
}

static struct json_object *error_json(const char *workload, const char *why)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "workload", json_object_new_string(workload));
	json_object_object_add(o, "error", json_object_new_string(why));
	return o;
}

/* Runs one "RUN ..." line; always returns a JSON object to send back. */
static struct json_object *serve_one(char *line, struct probes *probes)
{
	char *argv[MAX_ARGS + 1], *save = NULL, *tok;
	const struct workload *w;
	struct json_object *res;
	int argc = 0, ret;

	for (tok = strtok_r(line, " \t", &save); tok && argc < MAX_ARGS;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	if (argc < 2 || strcmp(argv[0], "RUN"))
		return error_json("?", "bad command: expected 'RUN <workload> [options]'");
	w = workload_find(argv[1]);
	if (!w)
		return error_json(argv[1], "unknown workload");
	if (probes)
		probes_reset(probes);
	vb_clear_error();
	ret = workload_exec(w, argc - 1, argv + 1, &res);
	if (ret != WL_OK)
		return error_json(w->name, *vb_last_error() ? vb_last_error() : "workload failed");
	if (probes)
		json_object_object_add(res, "probes_guest", probes_snapshot(probes));
	return res;
}

static void serve_usage(FILE *out)
{
	fprintf(out,
		"usage: %s serve [--probes[=breakdown]] [--in PATH] [--out PATH]\n"
		"Speaks the agent protocol on stdin/stdout (or the given files):\n"
		"one result frame per 'RUN <workload> [options]' line, until 'QUIT'.\n"
		"--probes loads the BPF probes here and reports them as probes_guest;\n"
		"=breakdown adds the thread-state family (probes_guest.breakdown).\n",
		vb_progname);
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"probes", optional_argument, NULL, 'P'},
		{"in", required_argument, NULL, 'i'},
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct probes *probes = NULL;
	bool want_probes = false, want_breakdown = false;
	int in = 0, out = 1, c, ret = VB_EXIT_OK;
	struct line_reader cmds;
	char line[4096];

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			want_probes = true;
			want_breakdown = optarg && !strcmp(optarg, "breakdown");
			break;
		case 'i':
			in = open(optarg, O_RDONLY | O_CLOEXEC);
			if (in < 0) {
				vb_err("serve: cannot open %s: %s", optarg, strerror(errno));
				return VB_EXIT_FAILED;
			}
			break;
		case 'o':
			out = open(optarg, O_WRONLY | O_CLOEXEC);
			if (out < 0) {
				vb_err("serve: cannot open %s: %s", optarg, strerror(errno));
				return VB_EXIT_FAILED;
			}
			break;
		case 'h':
			serve_usage(stdout);
			return VB_EXIT_OK;
		default:
			serve_usage(stderr);
			return VB_EXIT_USAGE;
		}
	}
	if (want_probes) {
		/* Programs untimed: timing adds two clock reads to every program
		 * run, and the guest's own cost is not reported (the host's, in
		 * each cell's warm-up, is). */
		struct probes_opts po = {.sched = want_breakdown};

		if (probes_open(&probes, &po) == 0)
			probes_set_target(probes, getpid());
		else
			vb_warn("serve: probes did not load; results carry no probes_guest");
	}
	line_reader_init(&cmds, in);
	if (send_hello(out, probes)) {
		ret = VB_EXIT_FAILED;
		goto cleanup;
	}
	for (;;) {
		struct json_object *res;
		int n = line_read(&cmds, line, sizeof(line));

		if (n <= 0 || !strcmp(line, "QUIT"))
			break;
		res = serve_one(line, probes);
		if (send_json(out, res)) {
			json_object_put(res);
			ret = VB_EXIT_FAILED;
			break;
		}
		json_object_put(res);
	}
cleanup:
	probes_close(probes);
	return ret;
}
