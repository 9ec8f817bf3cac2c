/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The plan's platform entries. A platform runs as its own entry; under
 * run --vary KNOB=V1,V2 its own entry takes the first value (the
 * baseline) and every further value is one more entry, "qemu[net=tap]",
 * with exactly that one setting changed and only the workloads the knob
 * can affect. Pure: no platform is started here.
 */
#ifndef VB_ENTRIES_H
#define VB_ENTRIES_H

#include "runner.h"

#define MAX_ENTRY_SETTINGS (PLATFORM_MAX_SETTINGS + MAX_VARY + 1)
#define MAX_ENTRIES	   (1 + MAX_VARY * (MAX_VARY_VALUES - 1))

struct plan_entry {
	const struct platform_ops *ops;
	const char *knob, *value; /* NULL: the platform's own entry */
	struct platform_setting settings[MAX_ENTRY_SETTINGS];
	int nr_settings;
	const char *workloads[MAX_WORKLOADS];
	int nr_workloads;
};

/* ops's entries into out (room for MAX_ENTRIES); their count. */
int plan_entries(const struct run_config *cfg, const struct platform_ops *ops,
		 struct plan_entry *out);

/* The run_config of one entry: cfg with its settings and workloads. */
void plan_entry_config(const struct run_config *cfg, const struct plan_entry *e,
		       struct run_config *out);

#endif
