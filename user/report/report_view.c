// SPDX-License-Identifier: GPL-2.0
#include <json.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "findings.h"
#include "doc_reader.h"
#include "report_view.h"
#include "stats.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* The code point at s and its length in bytes; 0 when s is not UTF-8 there
 * (a stray byte, an overlong form, a surrogate). Stops at a NUL. */
static size_t utf8_decode(const unsigned char *s, unsigned *cp)
{
	size_t n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		*cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		*cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		*cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && *cp < 0x800) || (n == 4 && (*cp < 0x10000 || *cp > 0x10ffff)) ||
	    (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

static bool is_bidi_control(unsigned cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * The next character of s as it may be shown, in ch (NUL-terminated, at
 * most 4 bytes); returns the bytes of s it stands for.
 */
static size_t next_shown(const char *s, char ch[5])
{
	unsigned cp;
	size_t n = utf8_decode((const unsigned char *)s, &cp);

	if (!n) {
		memcpy(ch, REPLACEMENT, sizeof(REPLACEMENT));
		return 1;
	}
	if (cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029) {
		memcpy(ch, " ", 2);
	} else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || is_bidi_control(cp)) {
		memcpy(ch, REPLACEMENT, sizeof(REPLACEMENT));
	} else {
		memcpy(ch, s, n);
		ch[n] = '\0';
	}
	return n;
}

const char *view_clean(const char *s, char *buf, size_t n)
{
	size_t len = 0;
	char ch[5];

	if (!n)
		return buf;
	buf[0] = '\0';
	while (s && *s) {
		size_t used = next_shown(s, ch), chlen = strlen(ch);

		if (len + chlen >= n)
			break;
		memcpy(buf + len, ch, chlen + 1);
		len += chlen;
		s += used;
	}
	return buf;
}

void view_put_clean(FILE *out, const char *s)
{
	char ch[5];

	while (s && *s) {
		s += next_shown(s, ch);
		fputs(ch, out);
	}
}

static bool put_html_char(FILE *out, char c)
{
	switch (c) {
	case '<':
		fputs("&lt;", out);
		return true;
	case '>':
		fputs("&gt;", out);
		return true;
	case '&':
		fputs("&amp;", out);
		return true;
	case '"':
		fputs("&quot;", out);
		return true;
	case '\'':
		fputs("&#39;", out);
		return true;
	}
	return false;
}

void view_put_html(FILE *out, const char *s)
{
	char ch[5];

	while (s && *s) {
		s += next_shown(s, ch);
		if (!put_html_char(out, ch[0]))
			fputs(ch, out);
	}
}

/* How many bytes at the start of s would open a block (a list item) where a
 * line starts: "-", "+", "12." or "3)", followed by a blank or the end. */
static size_t md_block_opener(const char *s)
{
	size_t d = strspn(s, "0123456789");

	if (!d && (*s == '-' || *s == '+'))
		d = 1;
	else if (d && (s[d] == '.' || s[d] == ')'))
		d++;
	else
		return 0;
	return s[d] == '\0' || s[d] == ' ' || s[d] == '\t' ? d : 0;
}

static void put_md(FILE *out, const char *s, bool line_start)
{
	size_t opener = 0, at = 0;
	char ch[5];

	if (!s)
		return;
	if (line_start) {
		/* Leading blanks would make an indented code block of a list item. */
		s += strspn(s, " \t");
		opener = md_block_opener(s);
	}
	while (*s) {
		size_t used = next_shown(s, ch);

		if (ch[0] == '<')
			fputs("&lt;", out);
		else if (ch[0] == '>')
			fputs("&gt;", out);
		else if (ch[0] == '&')
			fputs("&amp;", out);
		else if ((!ch[1] && strchr("\\`*_[]|~#", ch[0])) || (opener && at == opener - 1))
			fprintf(out, "\\%s", ch);
		else
			fputs(ch, out);
		s += used;
		at += used;
	}
}

void view_put_md(FILE *out, const char *s)
{
	put_md(out, s, false);
}

void view_put_md_block(FILE *out, const char *s)
{
	put_md(out, s, true);
}

void view_put_md_code(FILE *out, const char *s)
{
	char buf[512];
	size_t run = 0, longest = 0, fence;
	bool pad;

	view_clean(s, buf, sizeof(buf));
	for (const char *p = buf; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	fence = longest + 1;
	/* A code span's content that starts or ends with a backtick needs a blank
	 * between it and the fence; one blank on each side is stripped again. */
	pad = buf[0] == '`' || (*buf && buf[strlen(buf) - 1] == '`') || buf[0] == ' ';
	for (size_t i = 0; i < fence; i++)
		fputc('`', out);
	fputs(pad ? " " : "", out);
	fputs(buf, out);
	fputs(pad ? " " : "", out);
	for (size_t i = 0; i < fence; i++)
		fputc('`', out);
}

/* ---- the shared view of a document ---- */

struct json_object *view_findings(struct json_object *doc, bool *owned)
{
	struct json_object *f = doc_get(doc, "findings");

	if (f && json_object_is_type(f, json_type_array)) {
		*owned = false;
		return f;
	}
	*owned = true;
	return findings_derive(doc);
}

void view_cell(struct json_object *doc, struct json_object *plat, struct json_object *cell,
	       struct cell_view *v)
{
	struct doc_cell_view c;
	const struct stats *s = &c.stats;

	memset(v, 0, sizeof(*v));
	v->ratio = NAN;
	if (!doc_platform_ok(plat) && !cell) {
		v->kind = strcmp(doc_str(plat, "status", ""), "failed") ? CV_SKIPPED : CV_FAILED;
		v->error = doc_str(plat, "reason", NULL);
		return;
	}
	if (!cell)
		return;
	doc_cell_read(doc, cell, &c);
	v->error = c.error;
	v->runs_left_out = c.runs_left_out;
	if (v->error || !c.have_stats) {
		v->kind = v->error || !strcmp(doc_str(cell, "status", ""), "failed") ? CV_FAILED
										     : CV_EMPTY;
		return;
	}
	v->kind = CV_OK;
	doc_fmt_num(s->mean, v->score, sizeof(v->score));
	if (plat != doc_native(doc) && c.have_vs_native) {
		v->ratio = c.vs_native;
		snprintf(v->pct, sizeof(v->pct), v->ratio < 0.0995 ? "%.1f %%" : "%.0f %%",
			 v->ratio * 100);
	}
	if (s->n > 1 && s->mean != 0) {
		double half = (s->ci95_high - s->mean) / fabs(s->mean) * 100;

		snprintf(v->ci, sizeof(v->ci), half < 9.95 ? "±%.1f %%" : "±%.0f %%", half);
	} else
		snprintf(v->ci, sizeof(v->ci), "n=%zu", s->n);
	snprintf(v->cv, sizeof(v->cv), "%.1f %%", s->cv * 100);
	v->noisy = s->cv > CV_NOISY;
}

/* "g 250 / h 180 us" when the workload ran under a guest kernel, "180 us" otherwise. */
static void block_p99(const struct doc_side_counters *own, const struct doc_side_counters *host,
		      char *buf, size_t n)
{
	char a[32], b[32];

	if (own->side == DOC_SIDE_GUEST && own->block.have_p99)
		snprintf(buf, n, "g %s / h %s us", doc_fmt_num(own->block.p99_us, a, sizeof(a)),
			 host->block.have_p99 ? doc_fmt_num(host->block.p99_us, b, sizeof(b))
					      : "-");
	else if (host->block.have_p99)
		snprintf(buf, n, "%s us", doc_fmt_num(host->block.p99_us, a, sizeof(a)));
	else
		snprintf(buf, n, "-");
}

/* The host's most frequent syscall and its share of all of them. */
static void top_syscall(const struct doc_side_counters *host, char *buf, size_t n)
{
	const struct doc_syscall *top = &host->top[0];

	if (host->ntop && host->syscalls.runs && host->syscalls.value > 0)
		snprintf(buf, n, "%s %.0f %%", top->name, top->count / host->syscalls.value * 100);
	else if (host->ntop)
		snprintf(buf, n, "%s", top->name);
	else
		snprintf(buf, n, "-");
}

void view_cell_counters(struct json_object *cell, struct cell_counters *k)
{
	struct doc_side_counters host, guest;
	const struct doc_side_counters *own = &host;
	double v;

	doc_side_read(cell, DOC_SIDE_HOST, &host);
	if (doc_cell_side(cell) == DOC_SIDE_GUEST) {
		doc_side_read(cell, DOC_SIDE_GUEST, &guest);
		own = &guest;
	}
	if (own->faults.have_per_op)
		doc_fmt_num(own->faults.per_op, k->faults_per_op, sizeof(k->faults_per_op));
	else
		snprintf(k->faults_per_op, sizeof(k->faults_per_op), "-");
	if (own->forks.runs)
		doc_fmt_num(own->forks.value / own->forks.runs, k->forks, sizeof(k->forks));
	else
		snprintf(k->forks, sizeof(k->forks), "-");
	block_p99(own, &host, k->block_p99, sizeof(k->block_p99));
	if (doc_sum_per_s(&host.vm_exits, &v))
		doc_fmt_num(v, k->exits_per_s, sizeof(k->exits_per_s));
	else
		snprintf(k->exits_per_s, sizeof(k->exits_per_s), "-");
	top_syscall(&host, k->top_syscall, sizeof(k->top_syscall));
}

void view_host_line(struct json_object *doc, char *buf, size_t n)
{
	double cpus = doc_num_or(doc, "host.cpus", 0), mem = doc_num_or(doc, "host.mem_bytes", 0);
	int len;

	len = snprintf(buf, n, "%s", doc_str(doc, "host.kernel", "kernel unknown"));
	if (cpus > 0 && len < (int)n)
		len += snprintf(buf + len, n - (size_t)len, ", %.0f CPUs", cpus);
	if (mem > 0 && len < (int)n)
		len += snprintf(buf + len, n - (size_t)len, ", %.1f GiB", mem / 1073741824.0);
	if (doc_str(doc, "host.cpu_model", NULL) && len < (int)n)
		snprintf(buf + len, n - (size_t)len, ", %s", doc_str(doc, "host.cpu_model", ""));
}

const char *view_status_note(struct json_object *doc)
{
	const char *status = doc_str(doc, "status", "");

	if (!strcmp(status, "interrupted"))
		return "The run was interrupted: cells after the interruption are missing.";
	/* A checkpoint: the run was killed, or could not write its end. */
	if (!strcmp(status, "incomplete"))
		return "The run stopped before it finished (killed, or its results could not be "
		       "written at the end): cells after the last one shown are missing.";
	return NULL;
}

/* config.docker (how the run's containers were confined), said in a few words. */
static int docker_confinement(struct json_object *doc, char *buf, size_t n)
{
	struct json_object *nnp = doc_get(doc, "config.docker.no_new_privileges");
	double pids, mem;
	int len;

	if (!doc_get(doc, "config.docker"))
		return 0;
	len = snprintf(buf, n, "docker containers confined: capabilities dropped");
	for (size_t i = 0; i < doc_len(doc, "config.docker.cap_drop") && len < (int)n; i++)
		len += snprintf(buf + len, n - (size_t)len, "%s%s", i ? "," : " ",
				json_object_get_string(doc_idx(doc, "config.docker.cap_drop", i)));
	if (nnp && json_object_get_boolean(nnp) && len < (int)n)
		len += snprintf(buf + len, n - (size_t)len, ", no-new-privileges");
	if (doc_count(doc, "config.docker.pids_limit", &pids) && len < (int)n)
		len += snprintf(buf + len, n - (size_t)len, ", at most %.0f tasks", pids);
	if (doc_count(doc, "config.docker.memory_bytes", &mem) && len < (int)n)
		len += snprintf(buf + len, n - (size_t)len, ", memory %.1f GiB",
				mem / 1073741824.0);
	return len;
}

/* A JSON value as text; "" for null (json-c gives NULL for it). */
static const char *str_or_empty(struct json_object *o)
{
	return o ? json_object_get_string(o) : "";
}

/* config.vary ("varied net=user,tap") and config.workload_options ("workload
 * options mem: --buffer-size 256M"), appended to buf at len; returns the new
 * length. */
static int experiment_config(struct json_object *doc, char *buf, size_t n, int len)
{
	struct json_object *opts = doc_get(doc, "config.workload_options");
	bool first = true;

	for (size_t i = 0; i < doc_len(doc, "config.vary") && len < (int)n; i++) {
		struct json_object *v = doc_idx(doc, "config.vary", i);

		len += snprintf(buf + len, n - (size_t)len, "%s%s=",
				i     ? " and "
				: len ? ", varied "
				      : "varied ",
				doc_str(v, "knob", "?"));
		for (size_t j = 0; j < doc_len(v, "values") && len < (int)n; j++)
			len += snprintf(buf + len, n - (size_t)len, "%s%s", j ? "," : "",
					str_or_empty(doc_idx(v, "values", j)));
	}
	if (!opts || !json_object_is_type(opts, json_type_object))
		return len;
	json_object_object_foreach (opts, wl, o) {
		if (len >= (int)n)
			break;
		len += snprintf(buf + len, n - (size_t)len, "%s%s: %s",
				!first ? ", "
				: len  ? ", workload options "
				       : "workload options ",
				wl, json_object_get_string(o));
		first = false;
	}
	return len;
}

void view_config_line(struct json_object *doc, char *buf, size_t n)
{
	struct json_object *quick = doc_get(doc, "config.quick");
	double runs = doc_num_or(doc, "config.runs", 0),
	       dur = doc_num_or(doc, "config.duration_s", 0);
	const char *server = doc_str(doc, "config.net_server", NULL);
	char docker[256];
	int len = 0;

	buf[0] = '\0';
	if (runs > 0)
		len += snprintf(buf + len, n - (size_t)len, "%.0f runs per cell", runs);
	if (dur > 0 && len < (int)n)
		len += snprintf(buf + len, n - (size_t)len, "%s%g s each", len ? ", " : "", dur);
	if (quick && json_object_get_boolean(quick) && len < (int)n)
		len += snprintf(buf + len, n - (size_t)len, "%squick profile", len ? ", " : "");
	if (server && *server && len < (int)n)
		len += snprintf(buf + len, n - (size_t)len, "%snet server %s", len ? ", " : "",
				server);
	if (len < (int)n)
		len = experiment_config(doc, buf, n, len);
	if (docker_confinement(doc, docker, sizeof(docker)) && len < (int)n)
		len += snprintf(buf + len, n - (size_t)len, "%s%s", len ? "; " : "", docker);
	if (!len)
		snprintf(buf, n, "not recorded");
}

const char *view_finding_label(struct json_object *f, char *buf, size_t n)
{
	const char *variant = doc_str(f, "variant", NULL);

	if (variant && *variant)
		snprintf(buf, n, "%s (%s)", doc_str(f, "platform", "?"), variant);
	else
		snprintf(buf, n, "%s", doc_str(f, "platform", "?"));
	return buf;
}
