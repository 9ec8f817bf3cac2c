// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform.h"
#include "util_log.h"
#include "util_sys.h"

const struct platform_ops *const platform_table[] = {
	&native_ops,
	&docker_ops,
	&kvm_ops,
	&qemu_ops,
};
const int nr_platforms = sizeof(platform_table) / sizeof(platform_table[0]);

const struct platform_ops *platform_find(const char *name)
{
	for (int i = 0; i < nr_platforms; i++)
		if (!strcmp(platform_table[i]->name, name))
			return platform_table[i];
	return NULL;
}

int platform_link_run(struct platform *p, const char *cmdline)
{
	size_t n = strlen(cmdline);
	char buf[4096];

	if (n + 2 > sizeof(buf))
		return -E2BIG;
	memcpy(buf, cmdline, n);
	buf[n++] = '\n';
	for (size_t off = 0; off < n;) {
		ssize_t w = write(p->cmd_fd, buf + off, n - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)w;
	}
	return 0;
}

int platform_link_collect(struct platform *p, char **json, int timeout_s)
{
	long long deadline = vb_now_ms() + (long long)timeout_s * 1000;
	int err;

	/*
	 * A broken frame is dropped and the next one awaited, within what is
	 * left of the same time: a chatty broken agent must still time out.
	 */
	do {
		long long left = deadline - vb_now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		err = frame_read(&p->out, json, left > INT_MAX ? INT_MAX : (int)left);
	} while (err == -EBADMSG);
	return err;
}

const struct platform_option *platform_option_find(const struct platform_ops *ops, const char *name)
{
	for (const struct platform_option *o = ops->options; o && o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

const char *platform_option_value(const struct platform_option *options,
				  const struct platform_env *env, const char *name)
{
	const struct platform_option *o = options;
	const char *v;

	while (o && o->name && strcmp(o->name, name))
		o++;
	if (!o || !o->name)
		return NULL;
	v = o->def;
	for (int i = 0; env && i < env->nr_settings; i++)
		if (!strcmp(env->settings[i].name, name))
			v = env->settings[i].value;
	return v;
}

const char *platform_opt(const struct platform *p, const char *name)
{
	return platform_option_value(p->ops->options, p->env, name);
}

static bool option_allows(const struct platform_option *o, const char *value)
{
	if (!o->values)
		return *value != '\0';
	for (const char *const *v = o->values; *v; v++)
		if (!strcmp(*v, value))
			return true;
	return false;
}

static void list_values(const struct platform_option *o, char *buf, size_t n)
{
	size_t len = 0;

	snprintf(buf, n, "%s", o->values ? "" : "any non-empty text");
	for (const char *const *v = o->values; v && *v && len < n; v++) {
		snprintf(buf + len, n - len, "%s%s", v == o->values ? "" : "|", *v);
		len = strlen(buf);
	}
}

int platform_setting_check(const struct platform_setting *s, const struct platform_ops *const *sel,
			   int nr_sel, char *why, size_t n)
{
	char have[256] = "", values[256];
	size_t len = 0;

	for (int i = 0; i < nr_sel; i++) {
		const struct platform_option *o = platform_option_find(sel[i], s->name);

		if (!o)
			continue;
		if (option_allows(o, s->value))
			return 0;
		list_values(o, values, sizeof(values));
		snprintf(why, n, "%s: '%s' is not a value of %s (one of: %s)", sel[i]->name,
			 s->value, s->name, values);
		return -1;
	}
	for (int i = 0; i < nr_platforms && len < sizeof(have); i++)
		if (platform_option_find(platform_table[i], s->name)) {
			snprintf(have + len, sizeof(have) - len, "%s%s", len ? "," : "",
				 platform_table[i]->name);
			len = strlen(have);
		}
	if (*have)
		snprintf(why, n, "no selected platform has the option %s (it is %s's: add -p %s)",
			 s->name, have, have);
	else
		snprintf(why, n, "no platform has an option %s ('vbench-trace doctor' lists them)",
			 s->name);
	return -1;
}

int platform_wait_hello(struct platform *p, int timeout_s)
{
	free(p->hello);
	p->hello = NULL;
	return platform_link_collect(p, &p->hello, timeout_s);
}

int platform_settings_usable(const struct platform_ops *ops, const struct platform_env *env,
			     char *why, size_t n)
{
	for (const struct platform_option *o = ops->options; o && o->name; o++) {
		const char *v = platform_option_value(ops->options, env, o->name);
		char reason[384];

		if (!o->supported || !v || !o->supported(env, v, reason, sizeof(reason)))
			continue;
		snprintf(why, n, "%s=%s: %s", o->name, v, reason);
		return -1;
	}
	return 0;
}

struct json_object *platform_settings_json(const struct platform_ops *ops,
					   const struct platform_env *env)
{
	struct json_object *o = json_object_new_object();

	for (const struct platform_option *opt = ops->options; opt && opt->name; opt++)
		json_object_object_add(o, opt->name,
				       json_object_new_string(platform_option_value(
					       ops->options, env, opt->name)));
	return o;
}

bool platform_option_affects(const struct platform_option *o, const char *workload)
{
	if (!o->workloads)
		return true;
	for (const char *const *w = o->workloads; *w; w++)
		if (!strcmp(*w, workload))
			return true;
	return false;
}
