/* SPDX-License-Identifier: GPL-2.0 */
/* A workload is pure user-space C: it knows nothing of BPF, platforms or
 * reports. Each one is a file user/wl_<name>.c filling one struct workload. */
#ifndef VB_WORKLOAD_H
#define VB_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;

struct wl_rusage {
	long minflt, majflt, nvcsw, nivcsw;
	double utime_s, stime_s;
};

struct wl_result {
	double score;	   /* in the workload's unit */
	double duration_s; /* the timed part only */
	uint64_t ops;	   /* events, blocks, reads, forks... */
	uint64_t bytes;	   /* bytes moved, where that means anything */
	/* Workload-specific figures (iops, latency percentiles, primes found,
	 * TCP_INFO...): an object the workload creates, or NULL. */
	struct json_object *extra;
};

/* Workload return codes. */
enum {
	WL_OK = 0,
	WL_EFAIL = 1,  /* it ran and failed; the reason went through vb_err() */
	WL_EUSAGE = 2, /* bad options; the reason went through vb_err() */
};

struct workload {
	const char *name;
	const char *unit;
	const char *summary; /* one line for --help */
	const char *peer;    /* the command it must agree with */
	bool higher_is_better;
	void (*usage)(FILE *out);
	/*
	 * Parses its options (argv[0] is the workload's name; getopt_long with
	 * optind reset), runs, fills res. --duration SECONDS is every
	 * workload's option. Returns WL_OK, WL_EFAIL or WL_EUSAGE.
	 */
	int (*run)(int argc, char **argv, struct wl_result *res);
	/* Parses the options as run() would and stops there: WL_OK or
	 * WL_EUSAGE (named through vb_err()). For checks before a plan runs. */
	int (*check)(int argc, char **argv);
};

extern const struct workload *const workloads[];
extern const int nr_workloads;

const struct workload *workload_find(const char *name);

/*
 * Runs one workload in this process and builds its JSON object:
 * {"workload", "unit", "higher_is_better", "score", "duration_s", "ops",
 *  "bytes", "rusage": {...}, "extra": {...}}; rusage is the delta of
 * getrusage(SELF) + getrusage(CHILDREN) over the call. Returns a WL_ code;
 * *out is set only on WL_OK.
 */
int workload_exec(const struct workload *w, int argc, char **argv, struct json_object **out);

/*
 * Shared option helpers for the workloads. Sizes take the suffixes k, M, G,
 * T (powers of 1024). The _range forms refuse anything outside min..max with
 * a message that gives the range; NaN and infinities are never numbers.
 */
int wl_parse_double(const char *opt, const char *arg, double min, double *out);
int wl_parse_double_range(const char *opt, const char *arg, double min, double max, double *out);
int wl_parse_size(const char *opt, const char *arg, uint64_t min, uint64_t *out); /* 4k, 1M, 1G */
int wl_parse_size_range(const char *opt, const char *arg, uint64_t min, uint64_t max,
			uint64_t *out);
/* v with the largest suffix that divides it exactly: 1048576 is "1M". */
char *wl_size_str(uint64_t v, char *buf, size_t len);

#endif
