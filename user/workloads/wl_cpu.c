// SPDX-License-Identifier: GPL-2.0
/*
 * cpu: sysbench's CPU test. One event tests every c in 3..max_prime-1 for
 * primality by trial division with l = 2..sqrt(c), in 64-bit integers, just
 * as `sysbench cpu` does, so that events/s compare one for one.
 */
#include <errno.h>
#include <getopt.h>
#include <json.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util_log.h"
#include "wl_internal.h"
#include "workload.h"

struct cpu_opts {
	double duration;
	uint64_t max_prime;
	uint64_t threads;
};

struct cpu_thread {
	pthread_t tid;
	const struct cpu_opts *o;
	double deadline;
	uint64_t events;
	uint64_t primes; /* the last event's count: keeps the work observable */
};

/*
 * One event. The arithmetic is sysbench's on purpose (unsigned long long
 * division, the bound compared as a double): a cheaper loop would score
 * more events per second for the same machine.
 */
static uint64_t cpu_event(unsigned long long max_prime)
{
	unsigned long long c, l, n = 0;
	double t;

	for (c = 3; c < max_prime; c++) {
		t = sqrt((double)c);
		for (l = 2; l <= t; l++)
			if (c % l == 0)
				break;
		if (l > t)
			n++;
	}
	return n;
}

uint64_t wl_cpu_count_primes(uint64_t max_prime)
{
	/* The event starts at 3; 2 is prime whenever it is below the limit. */
	return cpu_event(max_prime) + (max_prime > 2);
}

static void *cpu_thread_run(void *arg)
{
	struct cpu_thread *t = arg;
	unsigned long long max_prime = t->o->max_prime;

	do {
		t->primes = cpu_event(max_prime);
		t->events++;
	} while (vb_now_s() < t->deadline);
	return NULL;
}

static int cpu_parse(int argc, char **argv, struct cpu_opts *o)
{
	static const struct option longopts[] = {
		{"duration", required_argument, NULL, 'd'},
		{"max-prime", required_argument, NULL, 'p'},
		{"threads", required_argument, NULL, 't'},
		{0},
	};
	int c, ret;

	*o = (struct cpu_opts){.duration = 10, .max_prime = 10000, .threads = 1};
	optind = 0; /* glibc: a full re-initialisation, so the agent can parse again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			ret = wl_parse_duration(optarg, &o->duration);
			break;
		case 'p':
			/* sysbench keeps the limit in an unsigned int */
			ret = wl_parse_uint("--max-prime", optarg, 3, UINT32_MAX, &o->max_prime);
			break;
		case 't':
			ret = wl_parse_uint("--threads", optarg, 1, 1024, &o->threads);
			break;
		default:
			return wl_opt_error("cpu", c, optind, argv);
		}
		if (ret)
			return ret;
	}
	return wl_no_args("cpu", argc, optind, argv);
}

static struct json_object *cpu_extra(const struct cpu_opts *o, uint64_t primes)
{
	struct json_object *x = json_object_new_object();

	json_object_object_add(x, "max_prime", json_object_new_uint64(o->max_prime));
	json_object_object_add(x, "threads", json_object_new_uint64(o->threads));
	json_object_object_add(x, "primes", json_object_new_uint64(primes));
	return x;
}

static int cpu_run(int argc, char **argv, struct wl_result *res)
{
	struct cpu_opts o;
	struct cpu_thread *t;
	double start, end;
	uint64_t i;
	int err, ret;

	ret = cpu_parse(argc, argv, &o);
	if (ret)
		return ret;
	t = calloc(o.threads, sizeof(*t));
	if (!t) {
		vb_err("cpu: out of memory for %llu threads", (unsigned long long)o.threads);
		return WL_EFAIL;
	}
	start = vb_now_s();
	for (i = 0; i < o.threads; i++) {
		t[i].o = &o;
		t[i].deadline = start + o.duration;
		err = pthread_create(&t[i].tid, NULL, cpu_thread_run, &t[i]);
		if (err) {
			vb_err("cpu: cannot start thread %llu: %s (try fewer --threads)",
			       (unsigned long long)i, strerror(err));
			/* let the started ones finish on time, then fail */
			ret = WL_EFAIL;
			break;
		}
	}
	o.threads = i;
	for (i = 0; i < o.threads; i++) {
		pthread_join(t[i].tid, NULL);
		res->ops += t[i].events;
	}
	end = vb_now_s();
	if (!ret) {
		res->duration_s = end - start;
		res->score = (double)res->ops / res->duration_s;
		/* 2 is below the limit too: the count people know (1229 below 10000) */
		res->extra = cpu_extra(&o, t[0].primes + 1);
	}
	free(t);
	return ret;
}

static int cpu_check(int argc, char **argv)
{
	struct cpu_opts o;

	return cpu_parse(argc, argv, &o);
}

static void cpu_usage(FILE *out)
{
	fprintf(out,
		"usage: workload cpu [options]\n"
		"  One event tests every c in 3..max_prime-1 for primality by trial division\n"
		"  up to sqrt(c) (sysbench's CPU test). Score: events/s, summed over threads.\n"
		"  --duration SECONDS   how long to run, 0.001..1e6 (default 10)\n"
		"  --max-prime N        upper limit of the primes tested, 3..4294967295\n"
		"                       (default 10000)\n"
		"  --threads N          threads, each running events, 1..1024 (default 1)\n"
		"  peer: sysbench cpu --cpu-max-prime=10000 --threads=1\n");
}

const struct workload wl_cpu = {
	.name = "cpu",
	.unit = "events/s",
	.summary = "prime search by trial division, as sysbench cpu",
	.peer = "sysbench cpu --cpu-max-prime=10000 --threads=1",
	.higher_is_better = true,
	.usage = cpu_usage,
	.check = cpu_check,
	.run = cpu_run,
};
