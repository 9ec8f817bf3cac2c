// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "util_log.h"
#include "workload.h"

extern const struct workload wl_cpu, wl_mem, wl_diskrand, wl_diskseq, wl_fork, wl_net;

/* The order is every report's order (docs/results-schema.md). */
const struct workload *const workloads[] = {
	&wl_cpu, &wl_mem, &wl_diskrand, &wl_diskseq, &wl_fork, &wl_net,
};
const int nr_workloads = sizeof(workloads) / sizeof(workloads[0]);

const struct workload *workload_find(const char *name)
{
	for (int i = 0; i < nr_workloads; i++)
		if (!strcmp(workloads[i]->name, name))
			return workloads[i];
	return NULL;
}

int wl_parse_double(const char *opt, const char *arg, double min, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v < min) {
		vb_err("%s: '%s' is not a number >= %g", opt, arg, min);
		return WL_EUSAGE;
	}
	*out = v;
	return WL_OK;
}

int wl_parse_double_range(const char *opt, const char *arg, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	/* !(v >= min && v <= max) also refuses NaN */
	if (errno || end == arg || *end || !(v >= min && v <= max)) {
		vb_err("%s: '%s' is not a number in %g..%g", opt, arg, min, max);
		return WL_EUSAGE;
	}
	*out = v;
	return WL_OK;
}

char *wl_size_str(uint64_t v, char *buf, size_t len)
{
	static const char suffix[] = "kMGT";
	int i = -1;

	while (i < 3 && v && !(v & 1023)) {
		v >>= 10;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)v, suffix[i]);
	return buf;
}

/* The number and its power-of-1024 suffix; false if it is no size at all. */
static bool size_scan(const char *arg, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	errno = 0;
	if (*arg == '-')
		return false;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg)
		return false;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case 't':
	case 'T':
		shift = 40;
		break;
	default:
		break;
	}
	end += shift != 0;
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

int wl_parse_size(const char *opt, const char *arg, uint64_t min, uint64_t *out)
{
	uint64_t v;

	if (!size_scan(arg, &v) || v < min) {
		vb_err("%s: '%s' is not a size >= %llu bytes (suffixes k, M, G, T: powers of "
		       "1024)",
		       opt, arg, (unsigned long long)min);
		return WL_EUSAGE;
	}
	*out = v;
	return WL_OK;
}

int wl_parse_size_range(const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
	char lo[32], hi[32];
	uint64_t v;

	if (!size_scan(arg, &v) || v < min || v > max) {
		vb_err("%s: '%s' is not a size in %s..%s bytes (suffixes k, M, G, T: powers of "
		       "1024)",
		       opt, arg, wl_size_str(min, lo, sizeof(lo)),
		       wl_size_str(max, hi, sizeof(hi)));
		return WL_EUSAGE;
	}
	*out = v;
	return WL_OK;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* getrusage of this process and its reaped children, added up. */
static void usage_now(struct wl_rusage *u)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	u->minflt = self.ru_minflt + kids.ru_minflt;
	u->majflt = self.ru_majflt + kids.ru_majflt;
	u->nvcsw = self.ru_nvcsw + kids.ru_nvcsw;
	u->nivcsw = self.ru_nivcsw + kids.ru_nivcsw;
	u->utime_s = tv_s(self.ru_utime) + tv_s(kids.ru_utime);
	u->stime_s = tv_s(self.ru_stime) + tv_s(kids.ru_stime);
}

static struct json_object *rusage_json(const struct wl_rusage *a, const struct wl_rusage *b)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "minflt", json_object_new_int64(b->minflt - a->minflt));
	json_object_object_add(o, "majflt", json_object_new_int64(b->majflt - a->majflt));
	json_object_object_add(o, "nvcsw", json_object_new_int64(b->nvcsw - a->nvcsw));
	json_object_object_add(o, "nivcsw", json_object_new_int64(b->nivcsw - a->nivcsw));
	json_object_object_add(o, "utime_s", json_object_new_double(b->utime_s - a->utime_s));
	json_object_object_add(o, "stime_s", json_object_new_double(b->stime_s - a->stime_s));
	return o;
}

int workload_exec(const struct workload *w, int argc, char **argv, struct json_object **out)
{
	struct wl_result res = {0};
	struct wl_rusage before, after;
	struct json_object *o;
	int ret;

	usage_now(&before);
	ret = w->run(argc, argv, &res);
	usage_now(&after);
	if (ret != WL_OK) {
		json_object_put(res.extra);
		return ret;
	}
	o = json_object_new_object();
	json_object_object_add(o, "workload", json_object_new_string(w->name));
	json_object_object_add(o, "unit", json_object_new_string(w->unit));
	json_object_object_add(o, "higher_is_better", json_object_new_boolean(w->higher_is_better));
	json_object_object_add(o, "score", json_object_new_double(res.score));
	json_object_object_add(o, "duration_s", json_object_new_double(res.duration_s));
	json_object_object_add(o, "ops", json_object_new_uint64(res.ops));
	json_object_object_add(o, "bytes", json_object_new_uint64(res.bytes));
	json_object_object_add(o, "rusage", rusage_json(&before, &after));
	if (res.extra)
		json_object_object_add(o, "extra", res.extra);
	*out = o;
	return WL_OK;
}

static void workload_list(FILE *out)
{
	fprintf(out,
		"usage: %s workload NAME [options]   (NAME --help for its options)\n\n"
		"Runs one workload here, in this process, and prints one JSON object.\n\n",
		vb_progname);
	for (int i = 0; i < nr_workloads; i++)
		fprintf(out, "  %-9s %-9s %s\n", workloads[i]->name, workloads[i]->unit,
			workloads[i]->summary);
}

int cmd_workload(int argc, char **argv)
{
	const struct workload *w;
	struct json_object *o;
	int ret;

	if (argc < 2) {
		vb_err("workload: which one? (cpu, mem, diskrand, diskseq, fork or net; "
		       "'%s workload --help' describes them)",
		       vb_progname);
		return VB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		workload_list(stdout);
		return VB_EXIT_OK;
	}
	w = workload_find(argv[1]);
	if (!w) {
		vb_err("unknown workload '%s' (one of cpu, mem, diskrand, diskseq, fork, net)",
		       argv[1]);
		return VB_EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			w->usage(stdout);
			return VB_EXIT_OK;
		}
	}
	ret = workload_exec(w, argc - 1, argv + 1, &o);
	if (ret != WL_OK)
		return ret == WL_EUSAGE ? VB_EXIT_USAGE : VB_EXIT_FAILED;
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return VB_EXIT_OK;
}
