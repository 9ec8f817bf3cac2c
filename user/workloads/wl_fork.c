// SPDX-License-Identifier: GPL-2.0
/*
 * fork: fork(2), the child _exit(0)s at once, the parent waitpid(2)s for it;
 * one op is one child reaped. stress-ng --fork 1 counts a bogo op the same
 * way (one per child reaped), but its child first makes about ten system
 * calls (getpid, getpgid, setsid, vhangup, setpgid four times, sched_yield)
 * and its much larger process has more mappings to copy, so this workload
 * scores more forks/s than stress-ng on the same machine (two to three
 * times as many where it was written).
 */
#include <errno.h>
#include <getopt.h>
#include <json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util_log.h"
#include "wl_internal.h"
#include "workload.h"

struct fork_opts {
	double duration;
};

static int fork_parse(int argc, char **argv, struct fork_opts *o)
{
	static const struct option longopts[] = {
		{"duration", required_argument, NULL, 'd'},
		{0},
	};
	int c, ret;

	o->duration = 10;
	optind = 0; /* glibc: a full re-initialisation, so the agent can parse again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			ret = wl_parse_duration(optarg, &o->duration);
			if (ret)
				return ret;
			break;
		default:
			return wl_opt_error("fork", c, optind, argv);
		}
	}
	return wl_no_args("fork", argc, optind, argv);
}

/*
 * Split into the parent's fork() call and the wait for the child's exit,
 * the two halves the findings compare across platforms (page-table copy
 * versus the child's run and teardown).
 */
struct fork_times {
	struct wl_hist fork, reap;
};

static int fork_one(struct fork_times *ft, uint64_t *t)
{
	uint64_t t0 = *t, t1, t2;
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(0);
	t1 = vb_now_ns();
	if (pid < 0) {
		vb_err("fork: fork: %s (process limit? see ulimit -u)", strerror(errno));
		return WL_EFAIL;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			vb_err("fork: waitpid %d: %s", (int)pid, strerror(errno));
			return WL_EFAIL;
		}
	}
	t2 = vb_now_ns();
	wl_hist_add(&ft->fork, t1 - t0);
	wl_hist_add(&ft->reap, t2 - t1);
	*t = t2;
	return WL_OK;
}

static struct json_object *fork_extra(const struct fork_times *ft)
{
	struct json_object *x = json_object_new_object();
	const struct {
		const char *name;
		const struct wl_hist *h;
	} parts[] = {{"fork", &ft->fork}, {"reap", &ft->reap}};
	char key[32];

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const struct wl_hist *h = parts[i].h;

		snprintf(key, sizeof(key), "%s_p50_us", parts[i].name);
		json_object_object_add(x, key,
				       json_object_new_double(wl_hist_quantile(h, 0.5) / 1e3));
		snprintf(key, sizeof(key), "%s_p99_us", parts[i].name);
		json_object_object_add(x, key,
				       json_object_new_double(wl_hist_quantile(h, 0.99) / 1e3));
		snprintf(key, sizeof(key), "%s_mean_us", parts[i].name);
		json_object_object_add(x, key,
				       json_object_new_double((double)h->sum_ns / h->count / 1e3));
	}
	return x;
}

static int fork_check(int argc, char **argv)
{
	struct fork_opts o;

	return fork_parse(argc, argv, &o);
}

static int fork_run(int argc, char **argv, struct wl_result *res)
{
	struct fork_times *ft;
	struct fork_opts o;
	uint64_t start, end, t;
	int ret;

	ret = fork_parse(argc, argv, &o);
	if (ret)
		return ret;
	ft = calloc(1, sizeof(*ft));
	if (!ft) {
		vb_err("fork: out of memory");
		return WL_EFAIL;
	}
	start = t = vb_now_ns();
	end = start + (uint64_t)(o.duration * 1e9);
	do {
		ret = fork_one(ft, &t);
		if (ret)
			goto out;
		res->ops++;
	} while (t < end);
	res->duration_s = (double)(t - start) / 1e9;
	res->score = (double)res->ops / res->duration_s;
	res->extra = fork_extra(ft);
out:
	free(ft);
	return ret;
}

static void fork_usage(FILE *out)
{
	fprintf(out,
		"usage: workload fork [options]\n"
		"  fork(2); the child _exit(0)s at once; the parent waitpid(2)s for it. One op\n"
		"  is one child reaped. Score: forks/s; extra: fork() and reap latency.\n"
		"  --duration SECONDS   how long to run, 0.001..1e6 (default 10)\n"
		"  peer: stress-ng --fork 1 (bogo ops/s). stress-ng also counts one op per\n"
		"  child reaped, but its child makes about ten system calls (setsid, vhangup,\n"
		"  setpgid...) before exiting and its larger process has more mappings to\n"
		"  copy, so stress-ng scores fewer forks/s than this on the same machine.\n");
}

const struct workload wl_fork = {
	.name = "fork",
	.unit = "forks/s",
	.summary = "fork, child _exit(0), waitpid, as stress-ng --fork",
	.peer = "stress-ng --fork 1",
	.higher_is_better = true,
	.usage = fork_usage,
	.check = fork_check,
	.run = fork_run,
};
