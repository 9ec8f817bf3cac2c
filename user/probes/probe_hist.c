// SPDX-License-Identifier: GPL-2.0
/* Percentiles from the log2 histograms the probes fill in the kernel. */
#include <json.h>

#include "probe_util.h"

static double slot_low(size_t i)
{
	return i ? (double)(1ULL << i) : 0.0;
}

double vb_hist_percentile(const __u64 *slots, size_t n, double pct)
{
	__u64 total = 0, before = 0;
	double rank;

	for (size_t i = 0; i < n; i++)
		total += slots[i];
	if (!total)
		return 0;
	if (pct < 0)
		pct = 0;
	if (pct > 100)
		pct = 100;
	rank = pct / 100.0 * (double)total;
	for (size_t i = 0; i < n; i++) {
		double lo, hi;

		if (!slots[i])
			continue;
		if ((double)(before + slots[i]) >= rank) {
			lo = slot_low(i);
			hi = (double)(1ULL << (i + 1));
			return lo + (hi - lo) * (rank - (double)before) / (double)slots[i];
		}
		before += slots[i];
	}
	return slot_low(n); /* not reached: rank <= total */
}

struct json_object *vb_hist_json(const __u64 *slots, size_t n)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a = json_object_new_array();
	size_t used = 1;

	for (size_t i = 0; i < n; i++)
		if (slots[i])
			used = i + 1;
	for (size_t i = 0; i < used && i < n; i++)
		json_object_array_add(a, json_object_new_uint64(slots[i]));
	json_object_object_add(o, "p50_us",
			       json_object_new_double(vb_hist_percentile(slots, n, 50)));
	json_object_object_add(o, "p99_us",
			       json_object_new_double(vb_hist_percentile(slots, n, 99)));
	json_object_object_add(o, "hist_log2_us", a);
	return o;
}
