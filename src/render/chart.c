#include "render/chart.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "render/html.h"

/* The drawing area of the line chart, in SVG units. */
#define LW	 640
#define LH	 260
#define L_LEFT	 44
#define L_RIGHT	 628
#define L_TOP	 14
#define L_BOTTOM 222

/* A class attribute's value: only [a-z0-9 -], anything else dropped. */
static bool
put_class(struct buf *out, const char *css)
{
	for (; css && *css; css++)
		if ((*css >= 'a' && *css <= 'z') ||
		    (*css >= '0' && *css <= '9') || *css == ' ' || *css == '-')
			if (!buf_putc(out, *css))
				return false;
	return true;
}

static bool
put_text(struct buf *out, const char *s)
{
	return html_escape(out, s, strlen(s));
}

/* "22 Nov 18:00" (UTC) for an axis. */
static void
axis_time(int64_t t, char *out, size_t outsz)
{
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
					     "May", "Jun", "Jul", "Aug",
					     "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL) {
		snprintf(out, outsz, "?");
		return;
	}
	snprintf(out, outsz, "%d %s %02d:%02d", tm.tm_mday, months[tm.tm_mon],
		 tm.tm_hour, tm.tm_min);
}

static double
x_at(const struct chart_lines *c, size_t i)
{
	int64_t span;

	if (c->n < 2)
		return (L_LEFT + L_RIGHT) / 2.0;
	span = c->x[c->n - 1] - c->x[0];
	if (span <= 0)
		return L_LEFT +
		       (double)i * (L_RIGHT - L_LEFT) / (double)(c->n - 1);
	return L_LEFT +
	       (double)(c->x[i] - c->x[0]) * (L_RIGHT - L_LEFT) / (double)span;
}

static double
y_at(double pct)
{
	if (pct > 100)
		pct = 100;
	return L_BOTTOM - pct * (L_BOTTOM - L_TOP) / 100.0;
}

bool
chart_lines_svg(struct buf *out, const struct chart_lines *c)
{
	char when[32];
	size_t i, s;
	bool ok = true;
	int g;

	ok &= buf_printf(
	    out,
	    "<svg class=\"chart chart-lines\" viewBox=\"0 0 %d %d\""
	    " width=\"%d\" height=\"%d\" aria-hidden=\"true\""
	    " focusable=\"false\" xmlns=\"http://www.w3.org/2000/svg\">",
	    LW, LH, LW, LH);
	for (g = 0; g <= 100; g += 25) {
		ok &= buf_printf(
		    out,
		    "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\""
		    " y2=\"%.1f\" stroke=\"#ddd\"/>"
		    "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>",
		    L_LEFT, L_RIGHT, y_at(g), y_at(g), L_LEFT - 6, y_at(g) + 4,
		    g);
	}
	if (c->n > 0) {
		axis_time(c->x[0], when, sizeof(when));
		ok &= buf_printf(
		    out,
		    "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"start\">",
		    L_LEFT, L_BOTTOM + 20);
		ok &= put_text(out, when);
		ok &= buf_puts(out, "</text>");
	}
	if (c->n > 1) {
		axis_time(c->x[c->n - 1], when, sizeof(when));
		ok &= buf_printf(
		    out,
		    "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		    L_RIGHT, L_BOTTOM + 20);
		ok &= put_text(out, when);
		ok &= buf_puts(out, "</text>");
	}
	for (s = 0; s < c->nseries; s++) {
		const struct chart_series *se = &c->series[s];
		bool open = false;

		for (i = 0; i < c->n; i++) {
			if (se->y[i] < 0) {
				if (open)
					ok &= buf_puts(out, "\"/>");
				open = false;
				continue;
			}
			if (!open) {
				ok &= buf_puts(out, "<polyline class=\"");
				ok &= put_class(out, se->css);
				ok &= buf_printf(
				    out,
				    "\" fill=\"none\" stroke-width=\"2.5\"%s points=\"",
				    se->dashed ? " stroke-dasharray=\"6 4\""
					       : "");
				open = true;
			} else {
				ok &= buf_putc(out, ' ');
			}
			ok &= buf_printf(out, "%.1f,%.1f", x_at(c, i),
					 y_at(se->y[i]));
		}
		if (open)
			ok &= buf_puts(out, "\"/>");
		/* A point on its own would not show as a line: mark it. */
		for (i = 0; i < c->n; i++) {
			bool alone = se->y[i] >= 0 &&
				     (i == 0 || se->y[i - 1] < 0) &&
				     (i + 1 == c->n || se->y[i + 1] < 0);

			if (!alone)
				continue;
			ok &= buf_puts(out, "<circle class=\"");
			ok &= put_class(out, se->css);
			ok &= buf_printf(
			    out, " dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\"/>",
			    x_at(c, i), y_at(se->y[i]));
		}
	}
	ok &= buf_puts(out, "</svg>");
	return ok && !buf_failed(out);
}

/* The flow chart's drawing. */
#define FW	 640
#define FH	 280
#define F_TOP	 10
#define F_HEIGHT 250
#define F_GAP	 14
#define F_NODE	 14
#define F_X0	 170
#define F_X1	 456

/* Lays out nodes of counts[0..n) down the height; tops and heights out. */
static void
layout(const int64_t *counts, size_t n, int64_t total, double *top,
       double *height)
{
	double room = F_HEIGHT - F_GAP * (double)(n ? n - 1 : 0), y = F_TOP;
	size_t i;

	for (i = 0; i < n; i++) {
		height[i] =
		    total ? room * (double)counts[i] / (double)total : 0;
		top[i] = y;
		y += height[i] + F_GAP;
	}
}

/*
 * One node of the flow chart: its bar at x, and its label with its count
 * outside the bar (to the left of a left node, to the right of a right).
 */
static bool
put_node(struct buf *out, const char *css, int x, double top, double h,
	 bool right, const char *label, int64_t sum)
{
	bool ok = buf_puts(out, "<rect class=\"node ");

	ok &= put_class(out, css);
	ok &= buf_printf(
	    out,
	    "\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\"/>"
	    "<text class=\"label\" x=\"%d\" y=\"%.1f\" text-anchor=\"%s\">",
	    x, top, F_NODE, h > 1 ? h : 1, right ? x + F_NODE + 8 : x - 8,
	    top + h / 2 + 5, right ? "start" : "end");
	ok &= put_text(out, label ? label : "");
	ok &= buf_printf(out, " (%lld)</text>", (long long)sum);
	return ok;
}

bool
chart_flow_svg(struct buf *out, const struct chart_flow *f)
{
	int64_t lsum[4] = {0}, rsum[4] = {0}, total = 0;
	double ltop[4], lh[4], rtop[4], rh[4], lnext[4], rnext[4], scale;
	size_t i, j, nl = f->nleft > 4 ? 4 : f->nleft,
		     nr = f->nright > 4 ? 4 : f->nright;
	bool ok = true;

	for (i = 0; i < nl; i++)
		for (j = 0; j < nr; j++) {
			lsum[i] += f->count[i][j];
			rsum[j] += f->count[i][j];
			total += f->count[i][j];
		}
	layout(lsum, nl, total, ltop, lh);
	layout(rsum, nr, total, rtop, rh);
	scale = total ? (F_HEIGHT - F_GAP * (double)(nl ? nl - 1 : 0)) /
			    (double)total
		      : 0;
	ok &= buf_printf(
	    out,
	    "<svg class=\"chart chart-flow\" viewBox=\"0 0 %d %d\""
	    " width=\"%d\" height=\"%d\" aria-hidden=\"true\""
	    " focusable=\"false\" xmlns=\"http://www.w3.org/2000/svg\">",
	    FW, FH, FW, FH);
	/* Bands first, under the nodes; stacked in the same order each side. */
	for (i = 0; i < nl; i++)
		lnext[i] = ltop[i];
	for (j = 0; j < nr; j++)
		rnext[j] = rtop[j];
	for (i = 0; i < nl; i++) {
		for (j = 0; j < nr; j++) {
			double w = scale * (double)f->count[i][j],
			       xm = (F_X0 + F_X1) / 2.0;
			double y0 = lnext[i], y1 = rnext[j];

			if (f->count[i][j] <= 0)
				continue;
			lnext[i] += w;
			rnext[j] += w;
			ok &= buf_puts(out, "<path class=\"band ");
			ok &= put_class(out, f->right_css[j]);
			ok &= buf_printf(
			    out,
			    "\" fill-opacity=\"0.35\" d=\"M%d,%.1f C%.1f,%.1f %.1f,%.1f %d,%.1f"
			    " L%d,%.1f C%.1f,%.1f %.1f,%.1f %d,%.1f Z\"/>",
			    F_X0 + F_NODE, y0, xm, y0, xm, y1, F_X1, y1, F_X1,
			    y1 + w, xm, y1 + w, xm, y0 + w, F_X0 + F_NODE,
			    y0 + w);
		}
	}
	for (i = 0; i < nl; i++)
		ok &= put_node(out, f->left_css[i], F_X0, ltop[i], lh[i], false,
			       f->left[i], lsum[i]);
	for (j = 0; j < nr; j++)
		ok &= put_node(out, f->right_css[j], F_X1, rtop[j], rh[j], true,
			       f->right[j], rsum[j]);
	ok &= buf_puts(out, "</svg>");
	return ok && !buf_failed(out);
}
