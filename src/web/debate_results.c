/*
 * debate_results: the results of a debate (the verdict, who moved, the
 * vote over time as server-drawn charts with tables) and the counts of
 * refused votes, rendered in the versions a reader may be shown.
 */
#include <string.h>

#include "app.h"
#include "core/util.h"
#include "render/chart.h"
#include "render/template.h"
#include "web/debate_internal.h"
#include "web/web.h"

#define HISTORY_POINTS 60

/* "1 vote", "12 votes". */
static const char *
count_of(struct arena *a, int64_t n, const char *one, const char *many)
{
	return arena_printf(a, "%lld %s", (long long)n, n == 1 ? one : many);
}

/* "41.2%" from tenths of a percent. */
static const char *
pct(struct arena *a, int permille)
{
	return arena_printf(a, "%d.%d%%", permille / 10, permille % 10);
}

/* "+3.5 points", "−1.0 points", "no change". */
static const char *
points(struct arena *a, int tenths)
{
	int m = tenths < 0 ? -tenths : tenths;

	if (tenths == 0)
		return "no change";
	return arena_printf(a, "%s%d.%d point%s", tenths < 0 ? "\u2212" : "+",
			    m / 10, m % 10, m == 10 ? "" : "s");
}

/* What the results show. */
struct results_data {
	const struct debate *d;
	struct debate_clock clk;
	struct debate_tally tally;
	struct debate_result result;
	struct debate_point *history;
	size_t nhistory;
};

static enum err
load_results(struct request *req, const struct debate *d,
	     struct results_data *rd)
{
	struct debate_bucket *buckets = NULL;
	size_t nbuckets = 0;
	enum err e;

	memset(rd, 0, sizeof(*rd));
	rd->d = d;
	debate_clock_at(d, time_now(), &rd->clk);
	if ((e = debate_tally_get(req->app, d->id, &rd->tally)) != ERR_OK ||
	    (e = debate_buckets(req->app, &req->arena, d->id, &buckets,
				&nbuckets)) != ERR_OK ||
	    (e = debate_history(&req->arena, buckets, nbuckets, HISTORY_POINTS,
				&rd->history, &rd->nhistory)) != ERR_OK)
		return e;
	debate_result_of(&rd->tally, &rd->result);
	return ERR_OK;
}

/* A row of a table of shares: label, count, share. */
static bool
share_row(struct arena *a, struct tv *list, const char *label, const char *css,
	  int64_t n, int share)
{
	struct tv *it = tv_push(list);

	return it && tv_put_str(it, "label", label) &&
	       tv_put_str(it, "css", css) && tv_put_int(it, "count", n) &&
	       tv_put_str(it, "share", pct(a, share));
}

/* A stacked bar of shares, as SVG. */
static const char *
bar_svg(struct arena *a, const int64_t *counts, const int *sides, size_t n,
	int64_t total)
{
	struct buf b;
	const char *out;
	double x = 0;
	size_t i;
	bool ok = true;

	buf_init(&b, 8192);
	ok &= buf_puts(
	    &b, "<svg class=\"chart chart-bar\" viewBox=\"0 0 1000 20\""
		" preserveAspectRatio=\"none\" width=\"100%\" height=\"20\""
		" aria-hidden=\"true\" focusable=\"false\""
		" xmlns=\"http://www.w3.org/2000/svg\">");
	for (i = 0; i < n && total > 0; i++) {
		double w = 1000.0 * (double)counts[sides[i]] / (double)total;

		if (w <= 0)
			continue;
		ok &= buf_printf(
		    &b,
		    "<rect class=\"%s\" x=\"%.1f\" y=\"0\" width=\"%.1f\""
		    " height=\"20\"/>",
		    debate_page_side_css[sides[i]], x, w);
		x += w;
	}
	ok &= buf_puts(&b, "</svg>");
	out = ok ? arena_strndup(a, buf_cstr(&b), b.len) : NULL;
	buf_clear(&b);
	return out;
}

static bool
put_svg(struct tv *obj, const char *key, const char *svg)
{
	return svg &&
	       tv_put_safe(obj, key, (struct safe_html){svg, strlen(svg)});
}

/* The winner line and why, honest about ties and missing votes. */
static bool
put_verdict(struct arena *a, struct tv *rv, const struct results_data *pd)
{
	const struct debate_result *r = &pd->result;
	const struct debate *d = pd->d;
	bool closed = pd->clk.status == DEBATE_CLOSED;
	const char *head, *why = "";
	const char *winner = r->outcome == OUTCOME_A   ? d->label[SIDE_A]
			     : r->outcome == OUTCOME_B ? d->label[SIDE_B]
						       : NULL;

	switch (r->outcome) {
	case OUTCOME_NO_VOTES:
		head = closed ? "No result: nobody voted." : "No votes yet.";
		break;
	case OUTCOME_NO_PRE:
		head = "No result: nobody voted before the debate, so no side "
		       "can be said to have gained.";
		break;
	case OUTCOME_NO_POST:
		head =
		    closed
			? "No result: nobody voted after the debate."
			: "No result yet: nobody has voted after the debate.";
		break;
	case OUTCOME_TIE:
		head =
		    closed
			? "A tie: both sides gained exactly as much."
			: "So far a tie: both sides have gained exactly as much.";
		break;
	default:
		head = arena_printf(a, closed ? "%s wins." : "%s leads so far.",
				    winner);
		break;
	}
	if (r->outcome == OUTCOME_A || r->outcome == OUTCOME_B ||
	    r->outcome == OUTCOME_TIE)
		why = arena_printf(
		    a,
		    "%s went from %s before to %s after (%s); "
		    "%s from %s to %s (%s).%s",
		    d->label[SIDE_A], pct(a, r->pre_share[SIDE_A]),
		    pct(a, r->post_share[SIDE_A]), points(a, r->gain[SIDE_A]),
		    d->label[SIDE_B], pct(a, r->pre_share[SIDE_B]),
		    pct(a, r->post_share[SIDE_B]), points(a, r->gain[SIDE_B]),
		    r->narrow ? " The margin is smaller than a tenth of a "
				"point, which the figures round away."
			      : "");
	return tv_put_str(rv, "verdict", head) && tv_put_str(rv, "why", why) &&
	       tv_put_str(rv, "winner_css",
			  r->outcome == OUTCOME_A   ? "side-a"
			  : r->outcome == OUTCOME_B ? "side-b"
						    : "side-none");
}

/* Transitions: the table and its flow chart. */
static bool
put_moves(struct arena *a, struct tv *rv, const struct results_data *pd)
{
	const struct debate *d = pd->d;
	const struct debate_tally *t = &pd->tally;
	struct tv *rows = tv_put_list(rv, "moves");
	struct chart_flow f;
	struct buf b;
	const char *svg;
	int pre, post;
	bool ok;

	if (rows == NULL)
		return false;
	for (pre = SIDE_A; pre <= SIDE_UNDECIDED; pre++) {
		struct tv *row = tv_push(rows), *cells;

		if (row == NULL ||
		    !tv_put_str(row, "from",
				pre == SIDE_UNDECIDED ? "Undecided"
						      : d->label[pre]) ||
		    !tv_put_str(row, "css", debate_page_side_css[pre]) ||
		    !tv_put_int(row, "total",
				t->moves[pre][SIDE_A] +
				    t->moves[pre][SIDE_B]) ||
		    (cells = tv_put_list(row, "cells")) == NULL)
			return false;
		for (post = SIDE_A; post <= SIDE_B; post++) {
			struct tv *c = tv_push(cells);

			if (c == NULL ||
			    !tv_put_int(c, "count", t->moves[pre][post]) ||
			    !tv_put_str(c, "cell_class",
					pre == post ? "stayed" : "moved"))
				return false;
		}
	}
	memset(&f, 0, sizeof(f));
	f.nleft = 3;
	f.nright = 2;
	for (pre = SIDE_A; pre <= SIDE_UNDECIDED; pre++) {
		f.left[pre - 1] =
		    pre == SIDE_UNDECIDED ? "Undecided" : d->label[pre];
		f.left_css[pre - 1] = debate_page_side_css[pre];
		for (post = SIDE_A; post <= SIDE_B; post++)
			f.count[pre - 1][post - 1] = t->moves[pre][post];
	}
	for (post = SIDE_A; post <= SIDE_B; post++) {
		f.right[post - 1] = d->label[post];
		f.right_css[post - 1] = debate_page_side_css[post];
	}
	buf_init(&b, 64 * 1024);
	ok = chart_flow_svg(&b, &f);
	svg = ok ? arena_strndup(a, buf_cstr(&b), b.len) : NULL;
	buf_clear(&b);
	return put_svg(rv, "flow_svg", svg) &&
	       tv_put_bool(rv, "has_pairs", pd->result.pairs > 0) &&
	       tv_put_str(rv, "pairs",
			  count_of(a, pd->result.pairs, "reader", "readers")) &&
	       tv_put_str(
		   rv, "only_pre",
		   count_of(a, t->moves[1][0] + t->moves[2][0] + t->moves[3][0],
			    "reader", "readers")) &&
	       tv_put_int(rv, "only_post", t->moves[0][1] + t->moves[0][2]);
}

/* The vote over time: the chart and a table of the same figures. */
static bool
put_history(struct arena *a, struct tv *rv, const struct results_data *pd)
{
	static const struct {
		int phase, side;
		const char *css;
		bool dashed;
	} lines[] = {
	    {PHASE_PRE, SIDE_A, "line side-a", true},
	    {PHASE_PRE, SIDE_B, "line side-b", true},
	    {PHASE_PRE, SIDE_UNDECIDED, "line side-u", true},
	    {PHASE_POST, SIDE_A, "line side-a", false},
	    {PHASE_POST, SIDE_B, "line side-b", false},
	};
	struct chart_series series[5];
	struct chart_lines c;
	struct tv *rows = tv_put_list(rv, "history");
	int64_t *xs;
	double *ys;
	size_t i, k, n = pd->nhistory;
	struct buf b;
	const char *svg;
	bool ok;

	if (rows == NULL || !tv_put_bool(rv, "has_history", n > 0))
		return false;
	if (n == 0)
		return true;
	xs = arena_alloc(a, n * sizeof(*xs));
	ys = arena_alloc(a, 5 * n * sizeof(*ys));
	if (xs == NULL || ys == NULL)
		return false;
	for (i = 0; i < n; i++) {
		const struct debate_point *p = &pd->history[i];
		int64_t pre = p->pre[1] + p->pre[2] + p->pre[3],
			post = p->post[1] + p->post[2];
		struct tv *row = tv_push(rows);

		xs[i] = p->at;
		for (k = 0; k < 5; k++) {
			int64_t num = lines[k].phase == PHASE_PRE
					  ? p->pre[lines[k].side]
					  : p->post[lines[k].side];
			int64_t den = lines[k].phase == PHASE_PRE ? pre : post;

			ys[k * n + i] =
			    den > 0 ? 100.0 * (double)num / (double)den : -1;
		}
		if (row == NULL ||
		    !tv_put_str(row, "when", debate_page_when(a, p->at)) ||
		    !tv_put_str(row, "when_iso",
				debate_page_when_iso(a, p->at)) ||
		    !tv_put_int(row, "pre_a", p->pre[SIDE_A]) ||
		    !tv_put_int(row, "pre_b", p->pre[SIDE_B]) ||
		    !tv_put_int(row, "pre_u", p->pre[SIDE_UNDECIDED]) ||
		    !tv_put_int(row, "post_a", p->post[SIDE_A]) ||
		    !tv_put_int(row, "post_b", p->post[SIDE_B]))
			return false;
	}
	for (k = 0; k < 5; k++) {
		series[k].css = lines[k].css;
		series[k].dashed = lines[k].dashed;
		series[k].y = ys + k * n;
	}
	c.n = n;
	c.x = xs;
	c.nseries = 5;
	c.series = series;
	buf_init(&b, 256 * 1024);
	ok = chart_lines_svg(&b, &c);
	svg = ok ? arena_strndup(a, buf_cstr(&b), b.len) : NULL;
	buf_clear(&b);
	return put_svg(rv, "history_svg", svg);
}

/* The results: shares, winner, movements, the vote over time. */
static bool
put_results(struct arena *a, struct tv *dv, const struct results_data *pd)
{
	static const int pre_sides[] = {SIDE_A, SIDE_UNDECIDED, SIDE_B};
	static const int post_sides[] = {SIDE_A, SIDE_B};
	const struct debate_result *r = &pd->result;
	const struct debate *d = pd->d;
	struct tv *rv = tv_put_obj(dv, "results"), *pre, *post;

	if (rv == NULL || (pre = tv_put_list(rv, "pre")) == NULL ||
	    (post = tv_put_list(rv, "post")) == NULL ||
	    !tv_put_str(rv, "pre_total",
			count_of(a, r->pre_total, "vote", "votes")) ||
	    !tv_put_str(rv, "post_total",
			count_of(a, r->post_total, "vote", "votes")) ||
	    !share_row(a, pre, d->label[SIDE_A], "side-a", r->pre[SIDE_A],
		       r->pre_share[SIDE_A]) ||
	    !share_row(a, pre, d->label[SIDE_B], "side-b", r->pre[SIDE_B],
		       r->pre_share[SIDE_B]) ||
	    !share_row(a, pre, "Undecided", "side-u", r->pre[SIDE_UNDECIDED],
		       r->pre_share[SIDE_UNDECIDED]) ||
	    !share_row(a, post, d->label[SIDE_A], "side-a", r->post[SIDE_A],
		       r->post_share[SIDE_A]) ||
	    !share_row(a, post, d->label[SIDE_B], "side-b", r->post[SIDE_B],
		       r->post_share[SIDE_B]) ||
	    !put_svg(rv, "pre_bar",
		     bar_svg(a, r->pre, pre_sides, 3, r->pre_total)) ||
	    !put_svg(rv, "post_bar",
		     bar_svg(a, r->post, post_sides, 2, r->post_total)) ||
	    !put_verdict(a, rv, pd) || !put_moves(a, rv, pd) ||
	    !put_history(a, rv, pd))
		return false;
	return true;
}

/* The counts of changed and refused votes (with the results: activity). */
static bool
put_integrity(struct arena *a, struct tv *dv, const struct debate *d)
{
	struct tv *rv = tv_put_obj(dv, "integrity");

	return rv &&
	       tv_put_str(rv, "changed",
			  d->changed_votes == 1
			      ? "1 vote was"
			      : arena_printf(a, "%lld votes were",
					     (long long)d->changed_votes)) &&
	       tv_put_int(rv, "refused_duplicate", d->refused_duplicate) &&
	       tv_put_int(rv, "refused_closed", d->refused_closed) &&
	       tv_put_int(rv, "refused_rate", d->refused_rate);
}

/* The view of the results: what they show, and the counts of refusals. */
static struct tv *
results_view(struct request *req, const struct results_data *rd)
{
	struct arena *a = &req->arena;
	struct tv *v = tv_obj(a), *dv;

	if (v == NULL || (dv = tv_put_obj(v, "debate")) == NULL ||
	    !tv_put_str(dv, "label_a", rd->d->label[SIDE_A]) ||
	    !tv_put_str(dv, "label_b", rd->d->label[SIDE_B]) ||
	    !put_results(a, dv, rd) || !put_integrity(a, dv, rd->d))
		return NULL;
	return v;
}

/* Renders both versions of the results, and the counts. */
static bool
render_results(struct request *req, struct tv *v,
	       struct debate_results_parts *r)
{
	memset(r, 0, sizeof(*r));
	/* One view, two templates: each may read what the other's part puts. */
	return v != NULL && tv_shared_with(v, "debate_results") &&
	       tv_shared_with(v, "debate_integrity") &&
	       tv_put_bool(v, "show_results", true) &&
	       (r->part[PART_SHOWN] = debate_page_render_part(
		    req, "debate_results", v, &r->len[PART_SHOWN])) &&
	       tv_put_bool(v, "show_results", false) &&
	       (r->part[PART_HIDDEN] = debate_page_render_part(
		    req, "debate_results", v, &r->len[PART_HIDDEN])) &&
	       (r->part[PART_INTEGRITY] = debate_page_render_part(
		    req, "debate_integrity", v, &r->len[PART_INTEGRITY]));
}

/* Renders the results of d; false after an error page. */
bool
debate_results_fresh(struct request *req, struct response *res,
		     const struct debate *d, struct debate_results_parts *rs,
		     struct debate_clock *clk)
{
	struct results_data rd;
	enum err e;

	if ((e = load_results(req, d, &rd)) != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return false;
	}
	*clk = rd.clk;
	if (!render_results(req, results_view(req, &rd), rs)) {
		error_page(req, res, 503, NULL);
		return false;
	}
	return true;
}
