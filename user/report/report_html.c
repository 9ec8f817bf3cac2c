// SPDX-License-Identifier: GPL-2.0
/*
 * The HTML report: one self-contained file (inline CSS and SVG, no script,
 * no fetch), readable offline and in a mail attachment. Bar charts of % of
 * native with 95 % CI whiskers, the findings with their evidence, a VM-exit
 * table that reads like `perf kvm stat`, block latency histograms for host
 * and guest, the key counters, and what was not run and why.
 */
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "doc_reader.h"
#include "experiments.h"
#include "report_experiments.h"
#include "report_breakdown.h"
#include "report_formats.h"
#include "report_view.h"
#include "stats.h"

#define MAX_WL	 32
#define MAX_ROWS 64
#define HBINS	 DOC_HIST_BINS

/* ---- small helpers ---- */

/* One colour per platform, the same in every chart; a variant is a lighter shade. */
static const char *plat_color(struct json_object *p)
{
	struct doc_variant v;
	bool variant = doc_variant_read(p, &v);
	const char *name = variant ? v.of : doc_str(p, "name", "");

	if (!strcmp(name, "native"))
		return variant ? "#7fa7d1" : "#3b6fb6";
	if (!strcmp(name, "docker"))
		return variant ? "#7cc4a4" : "#1f9e73";
	if (!strcmp(name, "kvm"))
		return variant ? "#f6b26b" : "#e8850c";
	if (!strcmp(name, "qemu"))
		return variant ? "#e89a9c" : "#c8414b";
	return "#7a7f87";
}

static const char *pct_str(double r, char *buf, size_t n)
{
	snprintf(buf, n, r * 100 < 9.95 ? "%.1f %%" : "%.0f %%", r * 100);
	return buf;
}

static const char *us_str(double us, char *buf, size_t n)
{
	if (us >= 1e6)
		snprintf(buf, n, "%.0f s", us / 1e6);
	else if (us >= 1000)
		snprintf(buf, n, "%.0f ms", us / 1000);
	else
		snprintf(buf, n, "%.0f µs", us);
	return buf;
}

/* ---- page frame ---- */

static const char css[] =
	":root{--ink:#1d232b;--mute:#5f6b7a;--line:#e3e7ec;--bg:#f4f6f8;--card:#fff;"
	"--bad:#c8414b;--warn:#b7791f;--good:#1f9e73}"
	"*{box-sizing:border-box}"
	"body{margin:0;background:var(--bg);color:var(--ink);"
	"font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}"
	"header.top{background:#1d232b;color:#fff;padding:26px 0 22px}"
	".wrap{max-width:1160px;margin:0 auto;padding:0 24px}"
	"header.top h1{margin:0;font-size:26px;font-weight:650;letter-spacing:-.01em}"
	"header.top h1 span{color:#8fb8ee;font-weight:500}"
	"header.top p.q{margin:4px 0 16px;color:#b9c3cf}"
	"dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:3px 18px;margin:0;"
	"font-size:13px}"
	"dl.meta dt{color:#8c98a6}dl.meta dd{margin:0;color:#e9eef4}"
	".badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;"
	"font-weight:600;background:#2f3a46;color:#cfe0f3}"
	".badge.warn{background:#6b4a12;color:#ffe2a8}"
	"main{padding:8px 0 40px}"
	"section{margin:26px 0}"
	"h2{font-size:18px;margin:0 0 4px;font-weight:650}"
	"p.lead{margin:0 0 12px;color:var(--mute);font-size:13px}"
	".card{background:var(--card);border:1px solid var(--line);border-radius:10px;"
	"padding:14px 16px;box-shadow:0 1px 2px rgba(20,30,40,.04)}"
	"table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}"
	"th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:right;"
	"vertical-align:top}"
	"th{font-size:12px;color:var(--mute);font-weight:600;text-transform:uppercase;"
	"letter-spacing:.03em;background:#fafbfc}"
	"th:first-child,td:first-child{text-align:left}"
	"tr:last-child td{border-bottom:0}"
	"td .sc{font-weight:650;font-size:15px}"
	"td .pc{display:inline-block;min-width:44px;margin-left:6px;padding:0 6px;"
	"border-radius:8px;font-size:12px;font-weight:600;background:#eef2f6;text-align:center}"
	"td .pc.bad{background:#fbe4e6;color:var(--bad)}td .pc.warn{background:#fdf0d9;"
	"color:var(--warn)}"
	"td .ci{display:block;color:var(--mute);font-size:12px}"
	"td .noisy{color:var(--warn);font-weight:600}"
	"td.skip{color:#9aa3ad;font-style:italic}td.fail{color:var(--bad)}"
	".sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;"
	"vertical-align:baseline}"
	".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));gap:14px}"
	".grid3{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:14px}"
	".card h3{margin:0 0 2px;font-size:15px}.card h3 small{color:var(--mute);font-weight:500}"
	".card p.sub{margin:0 0 6px;color:var(--mute);font-size:12px}"
	"svg{display:block;width:100%;height:auto}"
	"svg text{font-family:inherit;font-size:11px;fill:#3d4652}"
	"svg .lbl{font-size:12px;fill:#1d232b}svg .ax{fill:#8a95a3;font-size:10px}"
	"ol.find{list-style:none;margin:0;padding:0;counter-reset:f}"
	"ol.find li{counter-increment:f;background:var(--card);border:1px solid var(--line);"
	"border-left:4px solid var(--c,#7a7f87);border-radius:8px;padding:10px 14px 10px 44px;"
	"margin:0 0 10px;position:relative}"
	"ol.find li:before{content:counter(f);position:absolute;left:12px;top:10px;width:22px;"
	"height:22px;border-radius:11px;background:#eef2f6;color:#3d4652;font-size:12px;"
	"font-weight:700;text-align:center;line-height:22px}"
	".tag{font-size:12px;font-weight:650;color:var(--c,#3d4652);margin-right:8px}"
	".rule{font-size:11px;color:var(--mute);border:1px solid var(--line);border-radius:8px;"
	"padding:0 6px}"
	"ol.find p{margin:4px 0 6px}"
	".ev{display:flex;flex-wrap:wrap;gap:4px}"
	".ev code{font:11px/1.6 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
	"background:#f1f4f7;border-radius:4px;padding:0 6px;color:#3d4652}"
	".ev code b{font-weight:600;color:#1d232b}"
	"table.kvm td,table.kvm th{padding:4px 10px;font-size:12px;white-space:nowrap}"
	"table.kvm th{text-transform:none;letter-spacing:0}"
	"table.kvm td:first-child{font-family:ui-monospace,Menlo,Consolas,monospace}"
	".bar{display:inline-block;height:8px;border-radius:2px;background:#e8850c;"
	"vertical-align:middle;margin-right:6px}"
	".stack{display:grid;grid-template-columns:1fr;gap:14px}"
	".card{min-width:0;overflow-x:auto}"
	"table.ctr td:nth-child(2),table.ctr th:nth-child(2),table.ctr td:last-child,"
	"table.ctr th:last-child{text-align:left}"
	"table.left td,table.left th{text-align:left}"
	".legend{display:flex;gap:16px;font-size:12px;color:var(--mute);margin:0 0 8px}"
	"footer{color:var(--mute);font-size:12px;padding:0 0 30px}"
	".note{background:#fff8e6;border:1px solid #f1dfb0;border-radius:8px;padding:8px 12px;"
	"color:#6b4a12;margin:10px 0}";

static void html_head(FILE *out, struct json_object *doc)
{
	char line[512], note[2048];
	const char *status = doc_str(doc, "status", "unknown");

	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
		     "<title>vbench-trace report ");
	view_put_html(out, doc_str(doc, "started_at", ""));
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
	fprintf(out, "<header class=\"top\"><div class=\"wrap\">\n"
		     "<h1>vbench-trace <span>report</span></h1>\n"
		     "<p class=\"q\">How much does each platform cost, and why: scores next to the "
		     "kernel counters that explain them.</p>\n<dl class=\"meta\">\n");
	fprintf(out, "<dt>status</dt><dd><span class=\"badge%s\">",
		strcmp(status, "complete") ? " warn" : "");
	view_put_html(out, status);
	fprintf(out, "</span></dd>\n<dt>started</dt><dd>");
	view_put_html(out, doc_str(doc, "started_at", "unknown"));
	view_host_line(doc, line, sizeof(line));
	fprintf(out, "</dd>\n<dt>host</dt><dd>");
	view_put_html(out, line);
	view_config_line(doc, line, sizeof(line));
	fprintf(out, "</dd>\n<dt>config</dt><dd>");
	view_put_html(out, line);
	fprintf(out, "</dd>\n<dt>tool</dt><dd>vbench-trace ");
	view_put_html(out, doc_str(doc, "tool_version", "?"));
	fprintf(out, " · schema ");
	view_put_html(out, doc_str(doc, "schema", "?"));
	fprintf(out, "</dd>\n</dl>\n</div></header>\n<main><div class=\"wrap\">\n");
	if (view_status_note(doc))
		fprintf(out, "<div class=\"note\">%s</div>\n", view_status_note(doc));
	doc_left_out_note(doc, note, sizeof(note));
	if (*note) {
		fputs("<div class=\"note\"><b>Warning:</b> ", out);
		view_put_html(out, note);
		fputs("</div>\n", out);
	}
}

/* ---- the matrix ---- */

static void plat_th(FILE *out, struct json_object *p)
{
	char label[128];

	fprintf(out, "<th><span class=\"sw\" style=\"background:%s\"></span>", plat_color(p));
	view_put_html(out, doc_label(p, label, sizeof(label)));
	fputs("</th>", out);
}

static void matrix_cell(FILE *out, struct json_object *doc, struct json_object *p, const char *wl)
{
	struct cell_view v;

	view_cell(doc, p, doc_cell(p, wl), &v);
	switch (v.kind) {
	case CV_OK:
		fprintf(out, "<td><span class=\"sc\">%s</span>", v.score);
		if (*v.pct)
			fprintf(out, "<span class=\"pc%s\">%s</span>",
				v.ratio < 0.5	? " bad"
				: v.ratio < 0.9 ? " warn"
						: "",
				v.pct);
		fprintf(out, "<span class=\"ci\">%s · cv %s%s</span></td>", v.ci, v.cv,
			v.noisy ? " <span class=\"noisy\" title=\"CV above 5 %\">⚠ noisy</span>"
				: "");
		break;
	case CV_SKIPPED:
		fputs("<td class=\"skip\" title=\"", out);
		view_put_html(out, v.error);
		fputs("\">skipped</td>", out);
		break;
	case CV_FAILED:
		fputs("<td class=\"fail\" title=\"", out);
		view_put_html(out, v.error);
		fputs("\">failed</td>", out);
		break;
	default:
		fputs("<td class=\"skip\">–</td>", out);
	}
}

static void html_matrix(FILE *out, struct json_object *doc, const char **wl, size_t nwl)
{
	size_t ncols = doc_len(doc, "platforms");

	fprintf(out,
		"<section id=\"scores\"><h2>Scores</h2><p class=\"lead\">Mean of the runs and "
		"its share of native; ± is the half-width of the 95 %% confidence interval, "
		"cv the coefficient of variation (⚠ above %.0f %%).</p>\n"
		"<div class=\"card\"><table>\n<tr><th>workload</th>",
		CV_NOISY * 100);
	for (size_t i = 0; i < ncols; i++)
		plat_th(out, doc_idx(doc, "platforms", i));
	fputs("</tr>\n", out);
	for (size_t w = 0; w < nwl; w++) {
		const char *unit = "";

		for (size_t i = 0; i < ncols && !*unit; i++)
			unit = doc_str(doc_cell(doc_idx(doc, "platforms", i), wl[w]), "unit", "");
		fputs("<tr><td><b>", out);
		view_put_html(out, wl[w]);
		fputs("</b><span class=\"ci\">", out);
		view_put_html(out, unit);
		fputs("</span></td>", out);
		for (size_t i = 0; i < ncols; i++)
			matrix_cell(out, doc, doc_idx(doc, "platforms", i), wl[w]);
		fputs("</tr>\n", out);
	}
	fputs("</table></div></section>\n", out);
}

/* ---- bar charts: % of native with 95 % CI whiskers ---- */

#define CH_W	 540
#define CH_LEFT	 120
#define CH_RIGHT 70
#define CH_ROW	 30
#define CH_TOP	 8
#define CH_AXIS	 22

/* The scale of one workload's chart: bars are shares of ref, the axis runs to top. */
struct chart_scale {
	double ref, top, step, plot;
	bool have_ref; /* ref is native's mean; else the best platform's */
	const char *unit;
	int h;
};

static bool cell_charted(struct json_object *c, struct stats *s)
{
	return c && !doc_get(c, "error") && doc_cell_stats(c, s);
}

static bool chart_scale(struct json_object *doc, const char *wl, struct chart_scale *k)
{
	size_t ncols = doc_len(doc, "platforms");
	struct json_object *nc = doc_cell(doc_native(doc), wl);
	struct stats ns, s;

	k->have_ref = nc && doc_cell_stats(nc, &ns) && ns.mean > 0;
	k->top = 1.0;
	k->plot = CH_W - CH_LEFT - CH_RIGHT;
	k->h = CH_TOP + (int)ncols * CH_ROW + CH_AXIS;
	k->unit = "";
	/* Without a native cell the bars are shares of the best platform instead. */
	k->ref = k->have_ref ? ns.mean : 0;
	for (size_t i = 0; i < ncols; i++) {
		struct json_object *c = doc_cell(doc_idx(doc, "platforms", i), wl);

		if (c && !*k->unit)
			k->unit = doc_str(c, "unit", "");
		if (cell_charted(c, &s) && !k->have_ref && s.mean > k->ref)
			k->ref = s.mean;
	}
	if (k->ref <= 0)
		return false;
	for (size_t i = 0; i < ncols; i++)
		if (cell_charted(doc_cell(doc_idx(doc, "platforms", i), wl), &s))
			k->top = fmax(k->top, fmax(s.mean, s.ci95_high) / k->ref);
	/* Means a document may hold (1e300 against 1e-300) overflow the scale. */
	if (!isfinite(k->top))
		return false;
	k->step = k->top <= 1.5 ? 0.25 : k->top <= 3 ? 0.5 : k->top <= 6 ? 1 : ceil(k->top / 5);
	k->top = ceil(k->top / k->step - 1e-9) * k->step;
	return true;
}

static void chart_grid(FILE *out, const struct chart_scale *k)
{
	for (double g = 0; g <= k->top + 1e-9; g += k->step) {
		double x = CH_LEFT + g / k->top * k->plot;

		fprintf(out,
			"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
			"stroke-width=\"1\"%s/>",
			x, CH_TOP - 2, x, k->h - CH_AXIS + 2,
			fabs(g - 1) < 1e-9 ? "#1d232b" : "#e3e7ec",
			fabs(g - 1) < 1e-9 ? " stroke-dasharray=\"4 3\"" : "");
		fprintf(out,
			"<text class=\"ax\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f "
			"%%</text>\n",
			x, k->h - 6, g * 100);
	}
}

/* In place of a bar: why the platform has none ("skipped: /dev/kvm not present"). */
static void chart_no_bar(FILE *out, struct json_object *p, struct json_object *c, int y)
{
	const char *why = !doc_platform_ok(p)	     ? doc_str(p, "status", "not run")
			  : c && doc_get(c, "error") ? "failed"
						     : "not run";

	fprintf(out, "<text x=\"%d\" y=\"%d\" style=\"fill:#9aa3ad;font-style:italic\">",
		CH_LEFT + 6, y + CH_ROW / 2 + 4);
	view_put_html(out, why);
	if (!doc_platform_ok(p) && doc_str(p, "reason", NULL)) {
		fputs(": ", out);
		view_put_html(out, doc_str(p, "reason", ""));
	}
	fputs("</text>\n", out);
}

/* One platform's bar: its mean as a share of ref, the 95 % interval as a whisker. */
static void chart_bar(FILE *out, const struct chart_scale *k, struct json_object *p,
		      const char *label, const struct stats *s, int y)
{
	double r = s->mean / k->ref, lo = fmax(0, s->ci95_low / k->ref), hi = s->ci95_high / k->ref;
	char a[32], b[32], c[32];

	fprintf(out,
		"<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\" "
		"fill=\"%s\"><title>",
		CH_LEFT, y + 6, fmax(1, r / k->top * k->plot), CH_ROW - 12, plat_color(p));
	view_put_html(out, label);
	fprintf(out, ": %s ", doc_fmt_num(s->mean, a, sizeof(a)));
	view_put_html(out, k->unit);
	fprintf(out, ", %s (95 %% CI %s – %s)</title></rect>", pct_str(r, b, sizeof(b)),
		pct_str(lo, c, sizeof(c)), pct_str(hi, a, sizeof(a)));
	if (hi > lo) {
		double x1 = CH_LEFT + lo / k->top * k->plot, x2 = CH_LEFT + hi / k->top * k->plot;
		int ym = y + CH_ROW / 2;

		fprintf(out,
			"<path d=\"M%.1f %dV%dM%.1f %dH%.1fM%.1f %dV%d\" "
			"stroke=\"#1d232b\" "
			"stroke-width=\"1.3\" fill=\"none\"/>",
			x1, ym - 5, ym + 5, x1, ym, x2, x2, ym - 5, ym + 5);
	}
	fprintf(out, "<text x=\"%.1f\" y=\"%d\" style=\"font-weight:600\">%s</text>\n",
		CH_LEFT + fmax(r, hi) / k->top * k->plot + 6, y + CH_ROW / 2 + 4,
		pct_str(r, a, sizeof(a)));
}

static void chart(FILE *out, struct json_object *doc, const char *wl)
{
	struct chart_scale k;
	char label[128];

	if (!chart_scale(doc, wl, &k))
		return;
	fputs("<div class=\"card\"><h3>", out);
	view_put_html(out, wl);
	fputs(" <small>", out);
	view_put_html(out, k.unit);
	fprintf(out, "</small></h3><p class=\"sub\">%s; whiskers: 95 %% confidence interval</p>\n",
		k.have_ref ? "% of native" : "% of the best platform (no native cell)");
	fprintf(out, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", CH_W, k.h);
	view_put_html(out, wl);
	fputs(": % of native per platform\">\n", out);
	chart_grid(out, &k);
	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i), *c = doc_cell(p, wl);
		int y = CH_TOP + (int)i * CH_ROW;
		struct stats s;

		fprintf(out, "<text class=\"lbl\" x=\"%d\" y=\"%d\" text-anchor=\"end\">",
			CH_LEFT - 8, y + CH_ROW / 2 + 4);
		view_put_html(out, doc_label(p, label, sizeof(label)));
		fputs("</text>", out);
		if (cell_charted(c, &s))
			chart_bar(out, &k, p, label, &s, y);
		else
			chart_no_bar(out, p, c, y);
	}
	fputs("</svg></div>\n", out);
}

static void html_charts(FILE *out, struct json_object *doc, const char **wl, size_t nwl)
{
	fputs("<section id=\"charts\"><h2>Cost per workload</h2><p class=\"lead\">Each bar is a "
	      "platform's mean score as a share of native's (the dashed line); the whisker spans "
	      "its 95 % confidence interval.</p>\n<div class=\"grid\">\n",
	      out);
	for (size_t w = 0; w < nwl; w++)
		chart(out, doc, wl[w]);
	fputs("</div></section>\n", out);
}

/* ---- Experiments: baseline against variants, on one scale per workload ---- */

/* The roles' colours, used by no other chart: native, the baseline, a variant. */
#define EX_NATIVE "#24466f"
#define EX_BASE	  "#8a97a8"
#define EX_VAR	  "#7b4fa8"
#define EX_W	  640
#define EX_LEFT	  170
#define EX_RIGHT  190
#define EX_ROW	  28
#define EX_TOP	  6
#define EX_AXIS	  20

struct ex_scale {
	double top, plot;
	int h;
};

static void ex_scale_of(const struct exp_table *x, struct ex_scale *k)
{
	int rows = x->have_native;

	k->top = x->have_native ? fmax(x->native.mean, x->native.ci95_high) : 0;
	for (size_t i = 0; i < x->nrows; i++) {
		rows++;
		if (x->rows[i].have_stats)
			k->top = fmax(k->top,
				      fmax(x->rows[i].stats.mean, x->rows[i].stats.ci95_high));
	}
	k->plot = EX_W - EX_LEFT - EX_RIGHT;
	k->h = EX_TOP + rows * EX_ROW + EX_AXIS;
	if (!isfinite(k->top) || k->top <= 0)
		k->top = 0;
}

static double ex_x(const struct ex_scale *k, double v)
{
	return EX_LEFT + fmax(0, fmin(v, k->top)) / k->top * k->plot;
}

static void ex_label(FILE *out, int y, const char *knob, const char *value, const char *tail)
{
	fprintf(out, "<text class=\"lbl\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", EX_LEFT - 8,
		y + EX_ROW / 2 + 4);
	if (knob) {
		view_put_html(out, knob);
		fputs("=", out);
	}
	view_put_html(out, value);
	fputs(tail, out);
	fputs("</text>", out);
}

static void ex_bar(FILE *out, const struct ex_scale *k, const struct stats *s, const char *color,
		   int y, const char *note)
{
	double x2 = ex_x(k, s->mean);
	char a[32];

	fprintf(out,
		"<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s"
		"</title></rect>",
		EX_LEFT, y + 6, fmax(1, x2 - EX_LEFT), EX_ROW - 12, color,
		doc_fmt_num(s->mean, a, sizeof(a)));
	if (s->n > 1 && s->ci95_high > s->ci95_low) {
		double lo = ex_x(k, s->ci95_low), hi = ex_x(k, s->ci95_high);
		int ym = y + EX_ROW / 2;

		fprintf(out,
			"<path d=\"M%.1f %dV%dM%.1f %dH%.1fM%.1f %dV%d\" stroke=\"#1d232b\" "
			"stroke-width=\"1.2\" fill=\"none\"/>",
			lo, ym - 4, ym + 4, lo, ym, hi, hi, ym - 4, ym + 4);
	}
	fprintf(out, "<text x=\"%.1f\" y=\"%d\" style=\"font-weight:600\">%s",
		fmax(x2, ex_x(k, s->ci95_high)) + 6, y + EX_ROW / 2 + 4,
		doc_fmt_num(s->mean, a, sizeof(a)));
	if (note && *note) {
		fputs(" <tspan class=\"ax\">", out);
		view_put_html(out, note);
		fputs("</tspan>", out);
	}
	fputs("</text>\n", out);
}

static void ex_chart(FILE *out, const struct exp_table *x)
{
	struct ex_scale k;
	char note[160];
	int y = EX_TOP;

	ex_scale_of(x, &k);
	if (k.top <= 0)
		return;
	fprintf(out,
		"<svg viewBox=\"0 0 %d %d\" style=\"max-width:%dpx\" role=\"img\" aria-label=\"",
		EX_W, k.h, EX_W + 120);
	view_put_html(out, x->of);
	fputs(" ", out);
	view_put_html(out, x->workload);
	fputs(": baseline against variants\">\n", out);
	if (x->have_native)
		fprintf(out,
			"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
			"stroke-dasharray=\"4 3\"/>",
			ex_x(&k, x->native.mean), EX_TOP - 2, ex_x(&k, x->native.mean),
			k.h - EX_AXIS + 2, EX_NATIVE);
	for (size_t i = 0; i < x->nrows; i++, y += EX_ROW) {
		const struct exp_row *r = &x->rows[i];

		ex_label(out, y, x->knob, r->value, r->is_base ? " (baseline)" : "");
		if (!r->have_stats) {
			fprintf(out,
				"<text x=\"%d\" y=\"%d\" "
				"style=\"fill:#9aa3ad;font-style:italic\">%s",
				EX_LEFT + 6, y + EX_ROW / 2 + 4,
				r->cell.kind == CV_SKIPPED  ? "skipped"
				: r->cell.kind == CV_FAILED ? "failed"
							    : "not run");
			if (r->cell.error) {
				fputs(": ", out);
				view_put_html(out, r->cell.error);
			}
			fputs("</text>\n", out);
			continue;
		}
		note[0] = '\0';
		if (r->measured && r->r.significant && r->r.gap == EXP_GAP_SHARE)
			snprintf(note, sizeof(note), "gap closed: %s", r->gap);
		else if (r->measured && !r->r.significant)
			snprintf(note, sizeof(note), "no significant effect");
		ex_bar(out, &k, &r->stats, r->is_base ? EX_BASE : EX_VAR, y, note);
	}
	if (x->have_native) {
		ex_label(out, y, NULL, "native", "");
		ex_bar(out, &k, &x->native, EX_NATIVE, y, "");
	}
	fprintf(out,
		"<text class=\"ax\" x=\"%d\" y=\"%d\">0</text><text class=\"ax\" x=\"%.1f\" "
		"y=\"%d\" text-anchor=\"end\">",
		EX_LEFT, k.h - 6, EX_LEFT + k.plot, k.h - 6);
	{
		char a[32];

		fputs(doc_fmt_num(k.top, a, sizeof(a)), out);
	}
	fputs(" ", out);
	view_put_html(out, x->unit ? x->unit : "");
	fputs("</text></svg>\n", out);
}

static void ex_table_rows(FILE *out, const struct exp_table *x)
{
	char a[32];

	fputs("<table class=\"ctr\"><tr><th>setting</th><th>score</th><th>change (95 % CI)</th>"
	      "<th>gap to native closed</th><th>counter that moved</th></tr>\n",
	      out);
	for (size_t i = 0; i < x->nrows; i++) {
		const struct exp_row *r = &x->rows[i];

		fputs("<tr><td>", out);
		view_put_html(out, x->knob);
		fputs("=", out);
		view_put_html(out, r->value);
		fputs(r->is_base ? " (baseline)</td><td>" : "</td><td>", out);
		if (r->cell.kind == CV_OK) {
			fprintf(out, "%s <span class=\"ci\">%s</span>", r->cell.score, r->cell.ci);
		} else {
			fputs(r->cell.kind == CV_SKIPPED ? "skipped" : "failed", out);
			if (r->cell.error) {
				fputs(": ", out);
				view_put_html(out, r->cell.error);
			}
		}
		fputs("</td><td>", out);
		view_put_html(out, r->measured ? r->change : "");
		fputs("</td><td>", out);
		view_put_html(out, r->measured ? r->gap : "");
		fputs("</td><td>", out);
		view_put_html(out, r->measured ? r->counter : "");
		fputs("</td></tr>\n", out);
	}
	if (x->have_native)
		fprintf(out, "<tr><td>native</td><td>%s</td><td></td><td></td><td></td></tr>\n",
			doc_fmt_num(x->native.mean, a, sizeof(a)));
	fputs("</table>\n", out);
}

struct html_exp {
	FILE *out;
	bool any; /* the section was opened */
};

static void ex_table(const struct exp_table *x, void *arg)
{
	struct html_exp *e = arg;
	FILE *out = e->out;

	if (!e->any) {
		fputs("<section id=\"experiments\"><h2>Experiments</h2><p class=\"lead\">", out);
		view_put_html(out, exp_view_lead);
		fputs("</p>\n<div class=\"legend\"><span><span class=\"sw\" "
		      "style=\"background:" EX_BASE
		      "\"></span>baseline</span><span><span class=\"sw\" style=\"background:" EX_VAR
		      "\"></span>variant</span><span><span class=\"sw\" "
		      "style=\"background:" EX_NATIVE
		      "\"></span>native (dashed line)</span></div>\n<div class=\"stack\">\n",
		      out);
		e->any = true;
	}
	fputs("<div class=\"card exp\"><h3>", out);
	view_put_html(out, x->of);
	fputs(" · ", out);
	view_put_html(out, x->workload);
	fputs(" <small>knob ", out);
	view_put_html(out, x->knob);
	fputs(", ", out);
	view_put_html(out, x->unit ? x->unit : "");
	fprintf(out, "%s</small></h3>\n", x->higher_is_better ? "" : ", lower is better");
	ex_chart(out, x);
	ex_table_rows(out, x);
	fputs("</div>\n", out);
}

static void html_experiments(FILE *out, struct json_object *doc)
{
	struct html_exp e = {.out = out};

	if (exp_view_each(doc, ex_table, &e))
		fputs("</div></section>\n", out);
}

/* ---- findings ---- */

static void html_findings(FILE *out, struct json_object *doc)
{
	bool owned;
	struct json_object *f = view_findings(doc, &owned);
	size_t n = f ? json_object_array_length(f) : 0;
	char label[128];

	fputs("<section id=\"findings\"><h2>Findings</h2><p class=\"lead\">Each sentence is "
	      "derived "
	      "from the measured counters below it; a rule whose counters were not recorded says "
	      "nothing.</p>\n",
	      out);
	if (!n)
		fputs("<div class=\"card\">None: the counters these rules need were not recorded "
		      "(probes off, or a single platform).</div>\n",
		      out);
	else
		fputs("<ol class=\"find\">\n", out);
	for (size_t i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(f, i), *e;
		struct json_object *p =
			doc_platform_by_label(doc, view_finding_label(x, label, sizeof(label)));

		fprintf(out, "<li style=\"--c:%s\"><span class=\"tag\">",
			p ? plat_color(p) : "#7a7f87");
		view_put_html(out, label);
		fputs(" · ", out);
		view_put_html(out, doc_str(x, "workload", "?"));
		fputs("</span>", out);
		if (doc_str(x, "rule", NULL)) {
			fputs("<span class=\"rule\">", out);
			view_put_html(out, doc_str(x, "rule", ""));
			fputs("</span>", out);
		}
		fputs("<p>", out);
		view_put_html(out, doc_str(x, "text", ""));
		fputs("</p>", out);
		e = doc_get(x, "evidence");
		if (e && json_object_is_type(e, json_type_object) && json_object_object_length(e)) {
			fputs("<div class=\"ev\">", out);
			json_object_object_foreach (e, k, v) {
				fputs("<code>", out);
				view_put_html(out, k);
				fputs(" = <b>", out);
				view_put_html(out, json_object_get_string(v));
				fputs("</b></code>", out);
			}
			fputs("</div>", out);
		}
		fputs("</li>\n", out);
	}
	if (n)
		fputs("</ol>\n", out);
	fputs("</section>\n", out);
	if (owned)
		json_object_put(f);
}

/* ---- VM exits, as perf kvm stat prints them ---- */

static bool exit_table(FILE *out, struct json_object *p, struct json_object *c,
		       const struct doc_side_counters *host)
{
	const struct exit_row *rows = host->exits;
	size_t n = host->nexits;
	double total = 0, time = 0;
	char label[128], a[32], b[32], d[32];

	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		total += rows[i].samples;
		time += rows[i].time_us;
	}
	fputs("<div class=\"card\"><h3>", out);
	view_put_html(out, doc_label(p, label, sizeof(label)));
	fputs(" · ", out);
	view_put_html(out, doc_str(c, "name", "?"));
	fprintf(out, " <small>%s exits over the runs</small></h3>\n",
		doc_fmt_num(total, a, sizeof(a)));
	fputs("<table class=\"kvm\"><tr><th>VM-exit</th><th>Samples</th><th>Samples%</th>"
	      "<th>Time%</th><th>Min time</th><th>Max time</th><th>Avg time</th></tr>\n",
	      out);
	for (size_t i = 0; i < n; i++) {
		double share = rows[i].samples / total;

		fputs("<tr><td>", out);
		view_put_html(out, rows[i].reason);
		fprintf(out,
			"</td><td>%s</td><td><span class=\"bar\" style=\"width:%.0fpx\"></span>"
			"%.2f%%</td>",
			doc_fmt_num(rows[i].samples, a, sizeof(a)), share * 60, share * 100);
		if (rows[i].timed && time > 0)
			fprintf(out, "<td>%.2f%%</td><td>%.2fus</td><td>%.2fus</td><td>%.2fus</td>",
				rows[i].time_us / time * 100, rows[i].min_us, rows[i].max_us,
				rows[i].time_us / rows[i].samples);
		else
			fputs("<td>–</td><td>–</td><td>–</td><td>–</td>", out);
		fputs("</tr>\n", out);
	}
	(void)b;
	(void)d;
	fputs("</table></div>\n", out);
	return true;
}

static void html_exits(FILE *out, struct json_object *doc, const char **wl, size_t nwl)
{
	struct doc_side_counters host;
	bool any = false;

	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);

		for (size_t w = 0; w < nwl; w++) {
			struct json_object *c = doc_cell(p, wl[w]);

			if (!c || !doc_side_read(c, DOC_SIDE_HOST, &host) || !host.nexits)
				continue;
			if (!any)
				fputs("<section id=\"vmexits\"><h2>VM exits</h2><p "
				      "class=\"lead\">Host "
				      "side, kvm:kvm_exit to kvm:kvm_entry, added up over the "
				      "runs; "
				      "columns as <code>perf kvm stat</code> prints them.</p>\n"
				      "<div class=\"stack\">\n",
				      out);
			any = true;
			exit_table(out, p, c, &host);
		}
	}
	if (any)
		fputs("</div></section>\n", out);
}

/* ---- block latency histograms, host and guest ---- */

#define BH_W	360
#define BH_H	150
#define BH_LEFT 34
#define BH_BOT	30

/* A cell's block latency histograms, host and guest side, summed over its runs. */
struct block_hist {
	double host[HBINS], guest[HBINS];
	double hs, gs; /* requests on each side */
	double peak;   /* the largest share of one bucket, either side */
	size_t lo, hi; /* the buckets drawn */
	double bw;     /* a bucket's width */
};

#define BH_PLOT_W (BH_W - BH_LEFT - 8)
#define BH_PLOT_H (BH_H - BH_BOT - 10)

static bool block_hist_of(const struct doc_block *host, const struct doc_block *guest,
			  struct block_hist *k)
{
	size_t nh = host->hist_bins, ng = guest->hist_bins;

	memcpy(k->host, host->hist, sizeof(k->host));
	memcpy(k->guest, guest->hist, sizeof(k->guest));
	k->hs = k->gs = k->peak = 0;
	k->lo = HBINS;
	k->hi = 0;
	for (size_t i = 0; i < HBINS; i++) {
		k->hs += k->host[i];
		k->gs += k->guest[i];
		if (k->host[i] > 0 || k->guest[i] > 0) {
			k->lo = i < k->lo ? i : k->lo;
			k->hi = i > k->hi ? i : k->hi;
		}
	}
	if (k->lo > k->hi || (nh == 0 && ng == 0))
		return false;
	for (size_t i = k->lo; i <= k->hi; i++) {
		k->peak = fmax(k->peak, k->hs > 0 ? k->host[i] / k->hs : 0);
		k->peak = fmax(k->peak, k->gs > 0 ? k->guest[i] / k->gs : 0);
	}
	k->bw = BH_PLOT_W / (double)(k->hi - k->lo + 1);
	return true;
}

/* "host: 6525 requests, p50 1 ms, p99 4 ms · guest: ..." */
static void block_hist_caption(FILE *out, const struct doc_block *host,
			       const struct doc_block *guest, const struct block_hist *k)
{
	char n[32], a[32], b[32];

	if (k->hs > 0 && host->have_p50 && host->have_p99)
		fprintf(out, "host: %s requests, p50 %s, p99 %s", doc_fmt_num(k->hs, n, sizeof(n)),
			us_str(host->p50_us, a, sizeof(a)), us_str(host->p99_us, b, sizeof(b)));
	if (k->gs > 0 && guest->have_p50 && guest->have_p99)
		fprintf(out, "%sguest: %s requests, p50 %s, p99 %s", k->hs > 0 ? " · " : "",
			doc_fmt_num(k->gs, n, sizeof(n)), us_str(guest->p50_us, a, sizeof(a)),
			us_str(guest->p99_us, b, sizeof(b)));
}

/* One bucket: the host's bar solid, the guest's light beside it, the bound below. */
static void block_hist_bucket(FILE *out, const struct block_hist *k, const char *color, size_t i)
{
	double x = BH_LEFT + (double)(i - k->lo) * k->bw;
	double hv = k->hs > 0 ? k->host[i] / k->hs : 0, gv = k->gs > 0 ? k->guest[i] / k->gs : 0;
	double half = k->gs > 0 && k->hs > 0 ? k->bw * 0.42 : k->bw * 0.84;
	char a[32];

	if (k->hs > 0 && k->peak > 0)
		fprintf(out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			"fill=\"%s\"><title>host %s: %.1f %%</title></rect>",
			x + k->bw * 0.08, 10 + BH_PLOT_H - hv / k->peak * BH_PLOT_H, half,
			hv / k->peak * BH_PLOT_H, color, us_str((double)(1ull << i), a, sizeof(a)),
			hv * 100);
	if (k->gs > 0 && k->peak > 0)
		fprintf(out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			"fill=\"%s\" fill-opacity=\".45\" stroke=\"%s\"><title>guest %s: "
			"%.1f "
			"%%</title></rect>",
			x + k->bw * 0.08 + (k->hs > 0 ? half : 0),
			10 + BH_PLOT_H - gv / k->peak * BH_PLOT_H, half, gv / k->peak * BH_PLOT_H,
			color, color, us_str((double)(1ull << i), a, sizeof(a)), gv * 100);
	if (k->hi - k->lo + 1 <= 12 || (i - k->lo) % 2 == 0)
		fprintf(out,
			"<text class=\"ax\" x=\"%.1f\" y=\"%d\" "
			"text-anchor=\"middle\">%s</text>",
			x + k->bw / 2, BH_H - BH_BOT + 16 + 0,
			us_str((double)(1ull << i), a, sizeof(a)));
	fputc('\n', out);
}

static void block_hist(FILE *out, struct json_object *p, struct json_object *c,
		       const struct doc_block *host, const struct doc_block *guest)
{
	struct block_hist k;
	char label[128];

	if (!block_hist_of(host, guest, &k))
		return;
	fputs("<div class=\"card\"><h3>", out);
	view_put_html(out, doc_label(p, label, sizeof(label)));
	fputs(" · ", out);
	view_put_html(out, doc_str(c, "name", "?"));
	fputs("</h3><p class=\"sub\">", out);
	block_hist_caption(out, host, guest, &k);
	fprintf(out,
		"</p>\n<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"block latency "
		"histogram\">\n",
		BH_W, BH_H);
	for (int g = 0; g <= 2; g++) {
		double y = 10 + BH_PLOT_H - BH_PLOT_H * g / 2.0;

		fprintf(out,
			"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e3e7ec\"/>"
			"<text class=\"ax\" x=\"%d\" y=\"%.1f\" "
			"text-anchor=\"end\">%.0f%%</text>\n",
			BH_LEFT, y, BH_W - 8, y, BH_LEFT - 4, y + 3, k.peak * 100 * g / 2.0);
	}
	for (size_t i = k.lo; i <= k.hi; i++)
		block_hist_bucket(out, &k, plat_color(p), i);
	fprintf(out,
		"<text class=\"ax\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">latency "
		"(log2 buckets, lower bound)</text>\n",
		BH_LEFT + BH_PLOT_W / 2, BH_H - 2);
	fputs("</svg></div>\n", out);
}

static void html_block(FILE *out, struct json_object *doc, const char **wl, size_t nwl)
{
	struct doc_side_counters host, guest;
	bool any = false;

	for (size_t w = 0; w < nwl; w++) {
		for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
			struct json_object *p = doc_idx(doc, "platforms", i),
					   *c = doc_cell(p, wl[w]);

			if (!c)
				continue;
			doc_side_read(c, DOC_SIDE_HOST, &host);
			doc_side_read(c, DOC_SIDE_GUEST, &guest);
			if (!host.block.hist_bins && !guest.block.hist_bins)
				continue;
			if (!any)
				fputs("<section id=\"block\"><h2>Block I/O latency</h2><p "
				      "class=\"lead\">Issue to completion, share of requests per "
				      "log2 "
				      "bucket.</p>\n<div class=\"legend\"><span><span class=\"sw\" "
				      "style=\"background:#7a7f87\"></span>host side (solid)</span>"
				      "<span><span class=\"sw\" "
				      "style=\"background:#7a7f8773;border:1px "
				      "solid #7a7f87\"></span>guest side (light, "
				      "outlined)</span></div>"
				      "<div class=\"grid3\">\n",
				      out);
			any = true;
			block_hist(out, p, c, &host.block, &guest.block);
		}
	}
	if (any)
		fputs("</div></section>\n", out);
}

/* ---- key counters and what was not run ---- */

static void html_counters(FILE *out, struct json_object *doc, const char **wl, size_t nwl)
{
	char label[128], note[512];

	fputs("<section id=\"counters\"><h2>Key counters</h2><p class=\"lead\">Faults and forks as "
	      "the workload's own kernel saw them (the guest's on a VM); block p99 as g(uest) / "
	      "h(ost); VM exits and syscalls on the host side; ",
	      out);
	view_put_html(out, doc_block_scope);
	fputs(".</p>\n", out);
	doc_overflow_note(doc, note, sizeof(note));
	if (*note) {
		fputs("<p class=\"lead\"><b>Warning:</b> ", out);
		view_put_html(out, note);
		fputs(".</p>\n", out);
	}
	fputs("<div class=\"card\"><table class=\"ctr\">"
	      "<tr><th>platform</th><th>workload</th><th>faults/op</th><th>forks/run</th>"
	      "<th>block p99</th><th>VM exits/s</th><th>top host syscall</th></tr>\n",
	      out);
	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);

		if (!doc_platform_ok(p))
			continue;
		for (size_t w = 0; w < nwl; w++) {
			struct json_object *c = doc_cell(p, wl[w]);
			struct cell_counters k;

			if (!c || !doc_cell_has_runs(c))
				continue;
			view_cell_counters(c, &k);
			fprintf(out, "<tr><td><span class=\"sw\" style=\"background:%s\"></span>",
				plat_color(p));
			view_put_html(out, doc_label(p, label, sizeof(label)));
			fputs("</td><td style=\"text-align:left\">", out);
			view_put_html(out, wl[w]);
			fprintf(out, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>",
				k.faults_per_op, k.forks, k.block_p99, k.exits_per_s);
			view_put_html(out, k.top_syscall);
			fputs("</td></tr>\n", out);
		}
	}
	fputs("</table></div></section>\n", out);
}

static void html_notrun(FILE *out, struct json_object *doc)
{
	bool any = false;
	char label[128];

	for (size_t i = 0; i < doc_len(doc, "platforms"); i++) {
		struct json_object *p = doc_idx(doc, "platforms", i);

		for (size_t j = 0; j <= doc_len(p, "workloads"); j++) {
			struct json_object *c = j ? doc_idx(p, "workloads", j - 1) : NULL;
			const char *why = c ? doc_str(c, "error", NULL)
					  : doc_platform_ok(p)
						  ? NULL
						  : doc_str(p, "reason", "no reason recorded");

			if (!why)
				continue;
			if (!any)
				fputs("<section id=\"notrun\"><h2>Not run</h2><div "
				      "class=\"card\"><table class=\"left\">"
				      "<tr><th>platform</th><th>workload</th><th>status</th>"
				      "<th style=\"text-align:left\">reason</th></tr>\n",
				      out);
			any = true;
			fputs("<tr><td>", out);
			view_put_html(out, doc_label(p, label, sizeof(label)));
			fputs("</td><td>", out);
			view_put_html(out, c ? doc_str(c, "name", "?") : "all");
			fputs("</td><td>", out);
			view_put_html(out, c ? "failed" : doc_str(p, "status", "?"));
			fputs("</td><td style=\"text-align:left\">", out);
			view_put_html(out, why);
			fputs("</td></tr>\n", out);
		}
	}
	if (any)
		fputs("</table></div></section>\n", out);
}

static int render_html(struct json_object *doc, FILE *out, bool color)
{
	const char *wl[MAX_WL];
	size_t nwl = doc_workloads(doc, wl, MAX_WL);

	(void)color;
	html_head(out, doc);
	html_matrix(out, doc, wl, nwl);
	html_notrun(out, doc);
	html_charts(out, doc, wl, nwl);
	report_breakdown_html(out, doc);
	html_experiments(out, doc);
	html_findings(out, doc);
	html_exits(out, doc, wl, nwl);
	html_block(out, doc, wl, nwl);
	html_counters(out, doc, wl, nwl);
	fputs("</div></main>\n<footer><div class=\"wrap\">Written by <b>vbench-trace report</b> "
	      "from the results document alone; the same data as <code>report --format json"
	      "</code> and <code>--format csv</code>.</div></footer>\n</body>\n</html>\n",
	      out);
	return ferror(out) ? -1 : 0;
}

const struct report_format report_format_html = {"html", render_html};
