/*
 * chart: SVG charts drawn on the server, so a page shows them with
 * script off.  Every text is escaped; numbers are printed by us; colours
 * come from CSS classes (the stylesheet), never from style attributes,
 * which the Content-Security-Policy forbids.  The SVG is decorative for
 * assistive technology (aria-hidden): pages put the same figures in a
 * table next to it.
 */
#ifndef PARLEY_CHART_H
#define PARLEY_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* One line: n values in percent (0-100); a negative value is a gap. */
struct chart_series {
	const char *css; /* class names, [a-z0-9 -] */
	bool dashed;
	const double *y;
};

struct chart_lines {
	size_t n;	  /* points */
	const int64_t *x; /* times (seconds, UTC), ascending */
	size_t nseries;
	const struct chart_series *series;
};

/* A line chart of shares over time, 0-100 % on the y axis. */
__attribute__((warn_unused_result)) bool
chart_lines_svg(struct buf *out, const struct chart_lines *c);

/* A flow from nleft groups to nright groups: count[i][j] readers. */
struct chart_flow {
	size_t nleft, nright; /* at most 4 each */
	const char *left[4];  /* labels (escaped here) */
	const char *right[4];
	const char *left_css[4];
	const char *right_css[4];
	int64_t count[4][4];
};

/* Nodes left and right, bands between them as wide as their counts. */
__attribute__((warn_unused_result)) bool
chart_flow_svg(struct buf *out, const struct chart_flow *f);

#endif
