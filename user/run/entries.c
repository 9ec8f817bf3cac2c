// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "entries.h"

static void add_setting(struct plan_entry *e, const char *name, const char *value)
{
	if (e->nr_settings < MAX_ENTRY_SETTINGS)
		e->settings[e->nr_settings++] = (struct platform_setting){name, value};
}

/* The command line's settings, then each knob ops has at its baseline value:
 * a later setting of a name wins (platform_option_value). */
static void own_entry(const struct run_config *cfg, const struct platform_ops *ops,
		      struct plan_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->ops = ops;
	for (int i = 0; i < cfg->env.nr_settings; i++)
		add_setting(e, cfg->env.settings[i].name, cfg->env.settings[i].value);
	for (int i = 0; i < cfg->nr_vary; i++)
		if (platform_option_find(ops, cfg->vary[i].knob))
			add_setting(e, cfg->vary[i].knob, cfg->vary[i].values[0]);
	for (int i = 0; i < cfg->nr_workloads; i++)
		e->workloads[e->nr_workloads++] = cfg->workloads[i];
}

static void variant_entry(const struct plan_entry *own, const struct platform_option *o,
			  const char *value, struct plan_entry *e)
{
	*e = *own;
	e->knob = o->name;
	e->value = value;
	add_setting(e, o->name, value);
	e->nr_workloads = 0;
	for (int i = 0; i < own->nr_workloads; i++)
		if (platform_option_affects(o, own->workloads[i]))
			e->workloads[e->nr_workloads++] = own->workloads[i];
}

int plan_entries(const struct run_config *cfg, const struct platform_ops *ops,
		 struct plan_entry *out)
{
	int n = 1;

	own_entry(cfg, ops, &out[0]);
	for (int i = 0; i < cfg->nr_vary; i++) {
		const struct platform_option *o = platform_option_find(ops, cfg->vary[i].knob);

		for (int j = 1; o && j < cfg->vary[i].nr_values && n < MAX_ENTRIES; j++) {
			variant_entry(&out[0], o, cfg->vary[i].values[j], &out[n]);
			/* A variant none of whose workloads the knob touches measures nothing new.
			 */
			if (out[n].nr_workloads)
				n++;
		}
	}
	return n;
}

void plan_entry_config(const struct run_config *cfg, const struct plan_entry *e,
		       struct run_config *out)
{
	*out = *cfg;
	out->env.settings = e->settings;
	out->env.nr_settings = e->nr_settings;
	out->nr_workloads = e->nr_workloads;
	for (int i = 0; i < e->nr_workloads; i++)
		out->workloads[i] = e->workloads[i];
}
