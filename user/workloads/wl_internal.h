/* SPDX-License-Identifier: GPL-2.0 */
/* What the workload files share among themselves and with their unit tests;
 * nothing outside user/wl_*.c and tests/unit/ needs it. */
#ifndef VB_WL_INTERNAL_H
#define VB_WL_INTERNAL_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "util_log.h"
#include "util_sys.h"
#include "workload.h"

/* Primes below max_prime (2 included), counted the way one cpu event does. */
uint64_t wl_cpu_count_primes(uint64_t max_prime);

/*
 * Reports a getopt_long failure for workload wl as one vbench-trace: line
 * (getopt's own message would name the workload as the program) and returns
 * WL_EUSAGE. Needs opterr = 0 and an optstring starting with ':'.
 */
static inline int wl_opt_error(const char *wl, int c, int optind, char **argv)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		vb_err("%s: option '%s' needs a value (see 'workload %s --help')", wl, opt, wl);
	else
		vb_err("%s: unknown option '%s' (see 'workload %s --help')", wl, opt, wl);
	return WL_EUSAGE;
}

/* --duration: positive, and small enough for nanosecond arithmetic. */
#define WL_DURATION_MIN 0.001
#define WL_DURATION_MAX 1e6

static inline int wl_parse_duration(const char *arg, double *out)
{
	return wl_parse_double_range("--duration", arg, WL_DURATION_MIN, WL_DURATION_MAX, out);
}

/* A whole number in min..max, with no suffix. */
static inline int wl_parse_uint(const char *opt, const char *arg, uint64_t min, uint64_t max,
				uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (*arg == '-' || errno || end == arg || *end || v < min || v > max) {
		vb_err("%s: '%s' is not a whole number in %llu..%llu", opt, arg,
		       (unsigned long long)min, (unsigned long long)max);
		return WL_EUSAGE;
	}
	*out = v;
	return WL_OK;
}

/* Options are all long ones; anything left over is a mistake. */
static inline int wl_no_args(const char *wl, int argc, int optind, char **argv)
{
	if (optind >= argc)
		return WL_OK;
	vb_err("%s: unexpected argument '%s' (options start with --; see 'workload %s --help')", wl,
	       argv[optind], wl);
	return WL_EUSAGE;
}

/* Splits xorshift-style: small, fast, and not shared between threads. */
static inline uint64_t wl_rand_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/*
 * Latency histogram in nanoseconds, log-linear: 2^WL_HIST_SUB sub-buckets per
 * power of two, so a percentile is within 1/2^WL_HIST_SUB of the truth while
 * an update costs a few instructions and no allocation.
 */
#define WL_HIST_SUB	6
#define WL_HIST_BUCKETS ((64 - WL_HIST_SUB + 1) << WL_HIST_SUB)

struct wl_hist {
	uint64_t count;
	uint64_t sum_ns;
	uint64_t bucket[WL_HIST_BUCKETS];
};

void wl_hist_add(struct wl_hist *h, uint64_t ns);
/* The value below which a fraction q (0..1) of the samples fall; 0 if empty. */
double wl_hist_quantile(const struct wl_hist *h, double q);

/* The disk image's first bytes: lets a prepared file or device be reused. */
#define WL_DISK_MAGIC "VBTRACE-DISK-1\n"

struct wl_disk_header {
	char magic[16];
	uint64_t size; /* bytes prepared, from offset 0 */
	uint64_t seed;
};

/* Fills one 4 KiB chunk of the image with data no other chunk repeats. */
void wl_disk_fill_chunk(void *buf, uint64_t seed, uint64_t chunk);

#endif
