/*
 * debate: the debate page, its votes, "this changed my mind" marks, the
 * debates' list, and the debate's discussion (the article comment code,
 * plus sides).
 *
 * The page is cached like an article's, but a reader's own parts are
 * three holes filled on every request: the vote panel (their votes, the
 * forms' token), the results (shown once they have voted, or to all when
 * the site says so or voting has closed: both versions are kept with the
 * page) and the comment form's identity.  A cached page records the
 * debate's version and activity counters and the next time its schedule
 * changes; it is served only while all three still hold, so votes from
 * any process, `parley debate open|close`, and rounds opening on time
 * all show at once, without a timer.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/util.h"
#include "http/cache.h"
#include "http/csrf.h"
#include "model/article.h"
#include "model/comment.h"
#include "model/debate.h"
#include "render/chart.h"
#include "render/template.h"
#include "web/account.h"
#include "web/article.h"
#include "web/web.h"

#define HOLE_VOTE      "\x01parley-vote\x01"
#define HOLE_RESULTS   "\x01parley-results\x01"
#define HOLE_INTEGRITY "\x01parley-integrity\x01"
#define PAGE_MAGIC     "PDEBPG01"
#define RESULTS_MAGIC  "PDEBRS01"
#define ROW_MAGIC      "PDEBRW01"
#define VOTER_MAGIC    "PDEBVT01"
#define HISTORY_POINTS 60
#define FEATURED_MAX   10
#define CREDITS_MAX    3

/* What a debate page shows: page, order and view of the discussion. */
struct params {
	int64_t page;
	enum comment_sort sort;
	bool columns;
};

static const char *const sort_names[SORT__MAX] = {
    [SORT_OLDEST] = "oldest",
    [SORT_ALTERNATE] = "alternate",
    [SORT_MINDS] = "minds",
};

static const char *const sort_labels[SORT__MAX] = {
    [SORT_OLDEST] = "Oldest first",
    [SORT_ALTERNATE] = "Sides in turn",
    [SORT_MINDS] = "Changed most minds",
};

static const char *const side_css[4] = {"side-none", "side-a", "side-b",
					"side-u"};
static const char *const side_letter[4] = {"", "a", "b", "undecided"};

/* The holes of a page, in the order of marks[] in render_page(). */
enum hole {
	HOLE_AT_VOTE,
	HOLE_AT_RESULTS,
	HOLE_AT_INTEGRITY,
	HOLE_AT_IDENTITY,
	HOLE__MAX
};

/* A rendered page: the bytes with the holes taken out, and where they were. */
struct rendered {
	const char *page;
	size_t len;
	size_t hole[HOLE__MAX]; /* SIZE_MAX: not in this page */
};

/*
 * The rendered results: shown to readers who may see them, the note that
 * hides them from the others, and the counts of changed and refused votes.
 */
struct results {
	const char *part[3];
	size_t len[3];
};
enum { PART_SHOWN, PART_HIDDEN, PART_INTEGRITY };

/*
 * How a page and its results are kept in the cache: a header, then the
 * bytes.  A page depends on the debate's version, the results also on its
 * activity; both on the schedule, until valid_until.
 */
struct cached_page {
	char magic[8];
	int64_t debate_id, version, valid_until;
	uint64_t len, hole[HOLE__MAX];
};

struct cached_results {
	char magic[8];
	int64_t debate_id, version, activity, valid_until;
	uint64_t len[3];
};

/*
 * What a cached page is checked against, kept in the page cache too, so
 * that serving a cached page reads nothing from the store: the debate's
 * row without its texts, and a reader's votes.  Both hold while no write
 * of this process came in between (debate_generation) and no other
 * process wrote (the cache is flushed then).
 */
struct cached_row {
	char magic[8];
	uint64_t generation;
	int64_t id, article_id, version, activity, thread_count;
	int64_t round[ROUND__MAX], voting_opens, voting_closes, pre_closes,
	    post_opens;
	int32_t status, comments_open;
	char slug[104], label_a[4 * DEBATE_MAX_LABEL + 8],
	    label_b[4 * DEBATE_MAX_LABEL + 8];
};

struct cached_voter {
	char magic[8];
	uint64_t generation;
	int32_t pre, post;
};

/* Reads cpage, sort and view; false when one is malformed. */
static bool
read_params(struct request *req, struct params *p)
{
	const char *sort = request_query(req, "sort");
	const char *view = request_query(req, "view");
	int i;

	memset(p, 0, sizeof(*p));
	p->page = article_page_number(request_query(req, "cpage"));
	if (p->page == 0)
		return false;
	p->sort = SORT_OLDEST;
	if (sort) {
		for (i = 0; i < SORT__MAX; i++)
			if (strcmp(sort, sort_names[i]) == 0)
				break;
		if (i == SORT__MAX)
			return false;
		p->sort = (enum comment_sort)i;
	}
	if (view && strcmp(view, "columns") != 0 && strcmp(view, "thread") != 0)
		return false;
	p->columns = view && strcmp(view, "columns") == 0;
	return true;
}

/* The query of a page of the discussion ("" for the defaults), without '?'. */
static const char *
params_query(struct arena *a, const struct params *p, int64_t page)
{
	return arena_printf(
	    a, "%s%s%s%s%s",
	    page > 1 ? arena_printf(a, "cpage=%lld", (long long)page) : "",
	    page > 1 && p->sort != SORT_OLDEST ? "&" : "",
	    p->sort != SORT_OLDEST
		? arena_printf(a, "sort=%s", sort_names[p->sort])
		: "",
	    p->columns && (page > 1 || p->sort != SORT_OLDEST) ? "&" : "",
	    p->columns ? "view=columns" : "");
}

static const char *
page_link(struct arena *a, const char *slug, const struct params *p,
	  int64_t page, const char *anchor)
{
	const char *q = params_query(a, p, page);

	if (q == NULL)
		return NULL;
	return arena_printf(a, "/debates/%s%s%s%s", slug, q[0] ? "?" : "", q,
			    anchor ? anchor : "");
}

/* "1 vote", "12 votes". */
static const char *
count_of(struct arena *a, int64_t n, const char *one, const char *many)
{
	return arena_printf(a, "%lld %s", (long long)n, n == 1 ? one : many);
}

/* "22 November 2026 at 18:00 UTC", in the arena. */
static const char *
when_text(struct arena *a, int64_t t)
{
	char when[64];

	time_format_human(t, when, sizeof(when));
	return arena_printf(a, "%s UTC", when);
}

static const char *
when_iso(struct arena *a, int64_t t)
{
	char iso[32];

	time_format_iso(t, iso, sizeof(iso));
	return arena_strdup(a, iso);
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

static const char *
status_label(enum debate_status s)
{
	switch (s) {
	case DEBATE_SCHEDULED:
		return "Scheduled";
	case DEBATE_OPEN:
		return "Open";
	case DEBATE_CLOSED:
		return "Closed";
	default:
		return "Draft";
	}
}

/* True for a signed-in editor (or admin): the page shows their tools. */
static bool
is_editor(struct request *req)
{
	const struct user *u = account_user(req);

	return u != NULL && u->role >= ROLE_EDITOR;
}

/* The reader as votes and marks know them: their account, or this browser. */
static const char *
reader_id(struct request *req, const char *visitor)
{
	const struct user *u = account_user(req);

	if (u != NULL)
		return arena_printf(&req->arena, "u:%lld", (long long)u->id);
	return visitor ? arena_printf(&req->arena, "v:%s", visitor) : NULL;
}

/* Everything the page shows, read before it is rendered. */
struct page_data {
	const struct debate *d;
	struct debate_clock clk;
	int64_t now;
	struct debate_speaker *speakers;
	size_t nspeakers;
	struct debate_statement *statements;
	size_t nstatements;
	struct comment *comments, *featured, *top;
	size_t ncomments, nfeatured, ntop;
};

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
load_page(struct request *req, const struct debate *d, const struct params *p,
	  struct page_data *pd)
{
	struct arena *a = &req->arena;
	int per_page = req->app->cfg.per_page;
	enum err e;

	memset(pd, 0, sizeof(*pd));
	pd->d = d;
	pd->now = time_now();
	debate_clock_at(d, pd->now, &pd->clk);
	if ((e = debate_speakers(req->app, a, d->id, &pd->speakers,
				 &pd->nspeakers)) != ERR_OK ||
	    (e = debate_statements(req->app, a, d->id, &pd->statements,
				   &pd->nstatements)) != ERR_OK ||
	    (e = debate_comments(req->app, a, d->article_id, p->sort,
				 (int)((p->page - 1) * per_page), per_page,
				 &pd->comments, &pd->ncomments)) != ERR_OK ||
	    (e = debate_featured(req->app, a, d->article_id, FEATURED_MAX,
				 &pd->featured, &pd->nfeatured)) != ERR_OK ||
	    (e = debate_top_comments(req->app, a, d->article_id, CREDITS_MAX,
				     &pd->top, &pd->ntop)) != ERR_OK)
		return e;
	return ERR_OK;
}

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

static const struct debate_speaker *
speaker_of(const struct page_data *pd, int64_t id)
{
	size_t i;

	for (i = 0; i < pd->nspeakers; i++)
		if (pd->speakers[i].id == id)
			return &pd->speakers[i];
	return NULL;
}

/* The head: motion, status, moderator, introduction, schedule. */
static bool
put_head(struct arena *a, struct tv *dv, const struct page_data *pd)
{
	const struct debate *d = pd->d;
	const struct debate_schedule *s = &d->sched;
	int64_t opens =
	    s->voting_opens ? s->voting_opens : s->round[ROUND_OPENING];
	struct tv *sched = tv_put_list(dv, "schedule");
	struct {
		const char *what;
		int64_t t;
		int round;
	} items[] = {
	    {"Voting opens", opens, 0},
	    {"Opening statements", s->round[ROUND_OPENING], ROUND_OPENING},
	    {"Rebuttals", s->round[ROUND_REBUTTAL], ROUND_REBUTTAL},
	    {"Closing statements", s->round[ROUND_CLOSING], ROUND_CLOSING},
	    {"Voting closes", s->voting_closes, 0},
	};
	size_t i, shown = 0;

	if (sched == NULL || !tv_put_int(dv, "id", d->id) ||
	    !tv_put_str(dv, "slug", d->slug) ||
	    !tv_put_str(dv, "motion", d->motion) ||
	    !tv_put_str(dv, "moderator", d->moderator) ||
	    !tv_put_bool(dv, "has_moderator", d->moderator[0] != '\0') ||
	    !tv_put_safe(
		dv, "intro_html",
		(struct safe_html){d->intro_html, strlen(d->intro_html)}) ||
	    !tv_put_bool(dv, "has_intro", d->intro_html[0] != '\0') ||
	    !tv_put_str(dv, "status", debate_status_name(pd->clk.status)) ||
	    !tv_put_str(dv, "status_label", status_label(pd->clk.status)) ||
	    !tv_put_bool(dv, "is_open", pd->clk.status == DEBATE_OPEN) ||
	    !tv_put_bool(dv, "is_closed", pd->clk.status == DEBATE_CLOSED) ||
	    !tv_put_bool(dv, "is_scheduled",
			 pd->clk.status == DEBATE_SCHEDULED) ||
	    !tv_put_str(dv, "label_a", d->label[SIDE_A]) ||
	    !tv_put_str(dv, "label_b", d->label[SIDE_B]) ||
	    !tv_put_safe(dv, "vote_hole", html_literal(HOLE_VOTE)) ||
	    !tv_put_safe(dv, "results_hole", html_literal(HOLE_RESULTS)) ||
	    !tv_put_safe(dv, "integrity_hole", html_literal(HOLE_INTEGRITY)))
		return false;
	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		struct tv *it;
		bool past = items[i].t && items[i].t <= pd->now;

		if (items[i].t == 0 ||
		    (i == 0 && opens == s->round[ROUND_OPENING]))
			continue; /* not set, or the same as the opening */
		shown++;
		if ((it = tv_push(sched)) == NULL ||
		    !tv_put_str(it, "what", items[i].what) ||
		    !tv_put_str(it, "when", when_text(a, items[i].t)) ||
		    !tv_put_str(it, "when_iso", when_iso(a, items[i].t)) ||
		    !tv_put_str(it, "state",
				items[i].round &&
					items[i].round == pd->clk.round
				    ? "now"
				: past ? "past"
				       : "future") ||
		    !tv_put_str(it, "aria_current",
				items[i].round &&
					items[i].round == pd->clk.round
				    ? "step"
				    : "false") ||
		    !tv_put_bool(it, "current",
				 items[i].round &&
				     items[i].round == pd->clk.round))
			return false;
	}
	return tv_put_bool(dv, "has_schedule", shown > 0);
}

/* The two sides with their speakers. */
static bool
put_sides(struct arena *a, struct tv *dv, const struct page_data *pd)
{
	struct tv *sides = tv_put_list(dv, "sides");
	int side;
	size_t i;

	if (sides == NULL)
		return false;
	for (side = SIDE_A; side <= SIDE_B; side++) {
		struct tv *sv = tv_push(sides), *list;

		if (sv == NULL ||
		    !tv_put_str(sv, "label", pd->d->label[side]) ||
		    !tv_put_str(sv, "css", side_css[side]) ||
		    !tv_put_str(sv, "letter", side_letter[side]) ||
		    (list = tv_put_list(sv, "speakers")) == NULL)
			return false;
		for (i = 0; i < pd->nspeakers; i++) {
			const struct debate_speaker *sp = &pd->speakers[i];
			struct tv *it;

			if (sp->side != side)
				continue;
			if ((it = tv_push(list)) == NULL ||
			    !tv_put_int(it, "speaker_id", sp->id) ||
			    !tv_put_str(it, "name", sp->name) ||
			    !tv_put_str(it, "bio", sp->bio) ||
			    !tv_put_bool(it, "has_bio", sp->bio[0] != '\0') ||
			    !tv_put_str(it, "photo", sp->photo) ||
			    !tv_put_bool(it, "has_photo",
					 sp->photo[0] != '\0') ||
			    !tv_put_str(it, "link", sp->link) ||
			    !tv_put_bool(it, "has_link", sp->link[0] != '\0'))
				return false;
		}
	}
	(void)a;
	return true;
}

/* The rounds, each with both sides' statements side by side. */
static bool
put_rounds(struct arena *a, struct tv *dv, const struct page_data *pd)
{
	static const char *const titles[ROUND__MAX] = {
	    "", "Opening statements", "Rebuttals", "Closing statements"};
	struct tv *rounds = tv_put_list(dv, "rounds");
	bool can_mark = pd->clk.status == DEBATE_OPEN;
	int r, side;
	size_t i;

	if (rounds == NULL)
		return false;
	for (r = ROUND_OPENING; r <= ROUND_CLOSING; r++) {
		struct tv *rv = tv_push(rounds), *cols;
		bool open = pd->clk.round_open[r], current = r == pd->clk.round;
		int64_t t = pd->d->sched.round[r];

		if (rv == NULL || !tv_put_int(rv, "number", r) ||
		    !tv_put_str(rv, "title", titles[r]) ||
		    !tv_put_bool(rv, "open", open) ||
		    !tv_put_bool(rv, "current", current) ||
		    !tv_put_str(rv, "round_class",
				current ? "round current"
				: open	? "round"
					: "round later") ||
		    !tv_put_str(rv, "opens", t ? when_text(a, t) : "") ||
		    !tv_put_str(rv, "opens_iso", t ? when_iso(a, t) : "") ||
		    !tv_put_bool(rv, "has_opens", t != 0) ||
		    (cols = tv_put_list(rv, "columns")) == NULL)
			return false;
		for (side = SIDE_A; side <= SIDE_B; side++) {
			struct tv *cv = tv_push(cols), *list;
			bool any = false;

			if (cv == NULL ||
			    !tv_put_str(cv, "label", pd->d->label[side]) ||
			    !tv_put_str(cv, "css", side_css[side]) ||
			    (list = tv_put_list(cv, "statements")) == NULL)
				return false;
			for (i = 0; open && i < pd->nstatements; i++) {
				const struct debate_statement *st =
				    &pd->statements[i];
				const struct debate_speaker *sp =
				    speaker_of(pd, st->speaker_id);
				struct tv *it;

				if (st->round != r || sp == NULL ||
				    sp->side != side)
					continue;
				any = true;
				if ((it = tv_push(list)) == NULL ||
				    !tv_put_int(it, "statement_id", st->id) ||
				    !tv_put_str(it, "speaker", sp->name) ||
				    !tv_put_str(it, "round_name",
						debate_round_name(r)) ||
				    !tv_put_safe(it, "body_html",
						 (struct safe_html){
						     st->body_html,
						     strlen(st->body_html)}) ||
				    !tv_put_int(it, "minds", st->minds) ||
				    !tv_put_bool(it, "has_minds",
						 st->minds > 0) ||
				    !tv_put_str(
					it, "minds_label",
					st->minds == 1
					    ? "1 reader"
					    : arena_printf(
						  a, "%lld readers",
						  (long long)st->minds)) ||
				    !tv_put_bool(it, "can_mark", can_mark))
					return false;
			}
			if (!tv_put_bool(cv, "empty", !any))
				return false;
		}
	}
	return true;
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
		    side_css[sides[i]], x, w);
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
	       tv_put_bool(rv, "has_winner", winner != NULL) &&
	       tv_put_str(rv, "winner", winner ? winner : "") &&
	       tv_put_str(rv, "winner_css",
			  r->outcome == OUTCOME_A   ? "side-a"
			  : r->outcome == OUTCOME_B ? "side-b"
						    : "side-none") &&
	       tv_put_bool(rv, "final", closed);
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
		    !tv_put_str(row, "css", side_css[pre]) ||
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
		f.left_css[pre - 1] = side_css[pre];
		for (post = SIDE_A; post <= SIDE_B; post++)
			f.count[pre - 1][post - 1] = t->moves[pre][post];
	}
	for (post = SIDE_A; post <= SIDE_B; post++) {
		f.right[post - 1] = d->label[post];
		f.right_css[post - 1] = side_css[post];
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
		    !tv_put_str(row, "when", when_text(a, p->at)) ||
		    !tv_put_str(row, "when_iso", when_iso(a, p->at)) ||
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
	    !tv_put_bool(rv, "has_votes", r->pre_total + r->post_total > 0) ||
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
	    !tv_put_str(rv, "gain_a",
			r->post_total && r->pre_total
			    ? points(a, r->gain[SIDE_A])
			    : "") ||
	    !tv_put_str(rv, "gain_b",
			r->post_total && r->pre_total
			    ? points(a, r->gain[SIDE_B])
			    : "") ||
	    !put_verdict(a, rv, pd) || !put_moves(a, rv, pd) ||
	    !put_history(a, rv, pd))
		return false;
	return true;
}

/* The voting rules, stated on the page, with the refusals so far. */
static bool
put_rules(struct arena *a, struct tv *dv, const struct page_data *pd,
	  const struct config *cfg)
{
	const struct debate *d = pd->d;
	const struct debate_schedule *s = &d->sched;
	int64_t opens =
	    s->voting_opens ? s->voting_opens : s->round[ROUND_OPENING];
	const char *from = opens
			       ? arena_printf(a, "from %s", when_text(a, opens))
			       : "from when the debate opens";
	const char *pre_until =
	    pd->clk.pre_closes
		? arena_printf(a, "until %s", when_text(a, pd->clk.pre_closes))
	    : s->voting_closes
		? arena_printf(a, "until %s", when_text(a, s->voting_closes))
		: "until voting closes";
	const char *post_from =
	    pd->clk.post_opens
		? arena_printf(a, "from %s", when_text(a, pd->clk.post_opens))
		: from;
	const char *until =
	    s->voting_closes
		? arena_printf(a, "until %s", when_text(a, s->voting_closes))
		: "until the moderator closes voting";
	struct tv *rv = tv_put_obj(dv, "rules");

	return rv &&
	       tv_put_str(rv, "pre_window",
			  arena_printf(a, "%s %s", from, pre_until)) &&
	       tv_put_str(rv, "post_window",
			  arena_printf(a, "%s %s", post_from, until)) &&
	       tv_put_int(rv, "per_minute", cfg->votes_per_minute) &&
	       tv_put_int(rv, "burst", cfg->votes_burst) &&
	       tv_put_bool(rv, "always", cfg->results_always);
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

/* The statements and comments that changed most minds. */
static bool
put_credits(struct arena *a, struct tv *dv, const struct page_data *pd)
{
	struct tv *cv = tv_put_obj(dv, "credits"), *sl, *cl;
	const struct debate_statement *best[CREDITS_MAX] = {NULL};
	size_t i, j, nbest = 0;

	if (cv == NULL || (sl = tv_put_list(cv, "statements")) == NULL ||
	    (cl = tv_put_list(cv, "comments")) == NULL)
		return false;
	/* The few statements with most marks (ties: the earlier one). */
	for (i = 0; i < pd->nstatements; i++) {
		const struct debate_statement *st = &pd->statements[i];

		if (st->minds <= 0)
			continue;
		for (j = nbest; j > 0 && best[j - 1]->minds < st->minds; j--)
			if (j < CREDITS_MAX)
				best[j] = best[j - 1];
		if (j < CREDITS_MAX) {
			best[j] = st;
			if (nbest < CREDITS_MAX)
				nbest++;
		}
	}
	for (i = 0; i < nbest; i++) {
		const struct debate_speaker *sp =
		    speaker_of(pd, best[i]->speaker_id);
		struct tv *it = tv_push(sl);

		if (sp == NULL)
			continue;
		if (it == NULL ||
		    !tv_put_int(it, "statement_id", best[i]->id) ||
		    !tv_put_str(it, "speaker", sp->name) ||
		    !tv_put_str(it, "side_label", pd->d->label[sp->side]) ||
		    !tv_put_str(it, "css", side_css[sp->side]) ||
		    !tv_put_str(it, "round_name",
				debate_round_name(best[i]->round)) ||
		    !tv_put_str(it, "minds_label",
				best[i]->minds == 1
				    ? "1 reader"
				    : arena_printf(a, "%lld readers",
						   (long long)best[i]->minds)))
			return false;
	}
	for (i = 0; i < pd->ntop; i++) {
		const struct comment *c = &pd->top[i];
		struct tv *it = tv_push(cl);

		if (it == NULL || !tv_put_int(it, "comment_id", c->id) ||
		    !tv_put_str(it, "author", c->author) ||
		    !tv_put_bool(it, "has_side", c->side != SIDE_NONE) ||
		    !tv_put_str(it, "side_label", pd->d->label[c->side]) ||
		    !tv_put_str(it, "css", side_css[c->side]) ||
		    !tv_put_str(it, "minds_label",
				c->minds == 1
				    ? "1 reader"
				    : arena_printf(a, "%lld readers",
						   (long long)c->minds)))
			return false;
	}
	return tv_put_bool(cv, "any", nbest > 0 || pd->ntop > 0);
}

/* What every comment of the page shares. */
struct thread_ctx {
	struct arena *a;
	const struct debate *d;
	const struct params *p;
	bool can_mark;
	bool editor; /* feature and unfeature buttons */
};

/* One comment and its replies; every key set on every item (see template.h). */
static bool
put_comment(const struct thread_ctx *x, struct tv *item,
	    const struct thread_node *node)
{
	const struct comment *c = node->c;
	const struct thread_node *ch;
	struct arena *a = x->a;
	struct tv *replies;
	const char *q = params_query(a, x->p, x->p->page);

	if (q == NULL || !tv_put_int(item, "id", c->id) ||
	    !tv_put_str(item, "author", c->author) ||
	    !tv_put_str(item, "url", c->url) ||
	    !tv_put_bool(item, "has_url", c->url[0] != '\0') ||
	    !tv_put_str(item, "avatar", c->avatar) ||
	    !tv_put_str(item, "when", when_text(a, c->created)) ||
	    !tv_put_str(item, "when_iso", when_iso(a, c->created)) ||
	    !tv_put_safe(
		item, "body_html",
		(struct safe_html){c->body_html, strlen(c->body_html)}) ||
	    !tv_put_int(item, "depth", c->depth) ||
	    !tv_put_bool(item, "has_side", c->side != SIDE_NONE) ||
	    !tv_put_str(item, "side_label", x->d->label[c->side]) ||
	    !tv_put_str(item, "side_css", side_css[c->side]) ||
	    !tv_put_int(item, "minds", c->minds) ||
	    !tv_put_bool(item, "has_minds", c->minds > 0) ||
	    !tv_put_str(item, "minds_label",
			c->minds == 1 ? "1 reader"
				      : arena_printf(a, "%lld readers",
						     (long long)c->minds)) ||
	    !tv_put_bool(item, "can_mark", x->can_mark) ||
	    !tv_put_bool(item, "featured", c->featured) ||
	    !tv_put_bool(item, "can_feature", x->editor) ||
	    !tv_put_str(
		item, "reply_href",
		arena_printf(a, "/debates/%s?%s%sreplytocom=%lld#respond",
			     x->d->slug, q, q[0] ? "&" : "", (long long)c->id)))
		return false;
	replies = tv_put_list(item, "replies");
	if (replies == NULL ||
	    !tv_put_bool(item, "has_replies", node->first_child != NULL))
		return false;
	for (ch = node->first_child; ch != NULL; ch = ch->next) {
		struct tv *sub = tv_push(replies);

		if (sub == NULL || !put_comment(x, sub, ch))
			return false;
	}
	return true;
}

/* The comment form: the article form's fields, plus the side. */
static bool
put_form(struct request *req, struct tv *dv, const struct debate *d,
	 const struct form_state *form, int side)
{
	struct arena *a = &req->arena;
	const struct comment_errors *errs = form->errors;
	struct tv *fv = tv_put_obj(dv, "form");

	if (fv == NULL || !tv_put_bool(fv, "open", d->comments_open) ||
	    !tv_put_str(fv, "action",
			arena_printf(a, "/debates/%s/comments", d->slug)) ||
	    !tv_put_int(fv, "parent", form->parent) ||
	    !tv_put_safe(fv, "identity", html_literal(PAGE_HOLE)) ||
	    !tv_put_bool(fv, "side_a", side == SIDE_A) ||
	    !tv_put_bool(fv, "side_b", side == SIDE_B) ||
	    !tv_put_bool(fv, "side_none", side != SIDE_A && side != SIDE_B))
		return false;
	if (form->parent) {
		struct comment c;
		struct tv *rt;

		if (comment_get(req->app, a, form->parent, &c) == ERR_OK &&
		    c.article_id == d->article_id) {
			if ((rt = tv_put_obj(fv, "reply_to")) == NULL ||
			    !tv_put_str(rt, "name", c.author) ||
			    !tv_put_str(rt, "cancel_href",
					arena_printf(a, "/debates/%s#respond",
						     d->slug)))
				return false;
		} else if (!tv_put_int(fv, "parent", 0)) {
			return false;
		}
	}
	if (form->input && !tv_put_str(fv, "body", form->input->body))
		return false;
	if (errs) {
		if ((errs->body &&
		     (!tv_put_str(fv, "body_error", errs->body))) ||
		    (errs->form && !tv_put_str(fv, "form_error", errs->form)) ||
		    !tv_put_bool(fv, "has_errors", true))
			return false;
	}
	return tv_put_str(fv, "body_invalid_attr",
			  errs && errs->body ? "true" : "false");
}

/* The discussion: featured comments, the threads (or columns), paging. */
static bool
put_discussion(struct request *req, struct tv *dv, const struct page_data *pd,
	       const struct params *p, const struct form_state *form, int side)
{
	struct arena *a = &req->arena;
	const struct debate *d = pd->d;
	int per_page = req->app->cfg.per_page;
	struct thread_ctx x = {a, d, p, pd->clk.status == DEBATE_OPEN,
			       is_editor(req)};
	struct tv *feat = tv_put_list(dv, "featured"),
		  *list = tv_put_list(dv, "comments");
	struct tv *cols[3] = {NULL}, *sorts = tv_put_list(dv, "sorts"), *views;
	struct thread_node *node;
	int64_t npages, pg;
	size_t i, neutral = 0;
	int s;

	if (feat == NULL || list == NULL || sorts == NULL ||
	    (views = tv_put_list(dv, "views")) == NULL ||
	    (cols[SIDE_NONE] = tv_put_list(dv, "col_none")) == NULL ||
	    (cols[SIDE_A] = tv_put_list(dv, "col_a")) == NULL ||
	    (cols[SIDE_B] = tv_put_list(dv, "col_b")) == NULL ||
	    !tv_put_int(dv, "comment_count", d->comment_count) ||
	    !tv_put_bool(dv, "has_comments", d->comment_count > 0) ||
	    !tv_put_str(dv, "count_label",
			d->comment_count == 1
			    ? "1 thought"
			    : arena_printf(a, "%lld thoughts",
					   (long long)d->comment_count)) ||
	    !tv_put_bool(dv, "by_side", p->columns) ||
	    !tv_put_bool(dv, "has_featured", pd->nfeatured > 0 && p->page == 1))
		return false;
	for (i = 0; p->page == 1 && i < pd->nfeatured; i++) {
		const struct comment *c = &pd->featured[i];
		struct tv *it = tv_push(feat);

		if (it == NULL || !tv_put_int(it, "id", c->id) ||
		    !tv_put_str(it, "author", c->author) ||
		    !tv_put_str(it, "avatar", c->avatar) ||
		    !tv_put_str(it, "when", when_text(a, c->created)) ||
		    !tv_put_str(it, "when_iso", when_iso(a, c->created)) ||
		    !tv_put_safe(it, "body_html",
				 (struct safe_html){c->body_html,
						    strlen(c->body_html)}) ||
		    !tv_put_bool(it, "has_side", c->side != SIDE_NONE) ||
		    !tv_put_str(it, "side_label", d->label[c->side]) ||
		    !tv_put_str(it, "side_css", side_css[c->side]))
			return false;
	}
	for (node = comment_thread(a, pd->comments, pd->ncomments); node;
	     node = node->next) {
		struct tv *it =
		    tv_push(p->columns ? cols[node->c->side] : list);

		neutral += node->c->side == SIDE_NONE;
		if (it == NULL || !put_comment(&x, it, node))
			return false;
	}
	if (!tv_put_bool(dv, "has_col_none", p->columns && neutral > 0))
		return false;
	for (s = 0; s < SORT__MAX; s++) {
		struct params q = *p;
		struct tv *it = tv_push(sorts);

		q.sort = (enum comment_sort)s;
		if (it == NULL || !tv_put_str(it, "label", sort_labels[s]) ||
		    !tv_put_str(it, "href",
				page_link(a, d->slug, &q, 1, "#comments")) ||
		    !tv_put_bool(it, "current", s == (int)p->sort))
			return false;
	}
	for (s = 0; s < 2; s++) {
		struct params q = *p;
		struct tv *it = tv_push(views);

		q.columns = s == 1;
		if (it == NULL ||
		    !tv_put_str(it, "label", s ? "Side by side" : "Thread") ||
		    !tv_put_str(
			it, "href",
			page_link(a, d->slug, &q, p->page, "#comments")) ||
		    !tv_put_bool(it, "current", q.columns == p->columns))
			return false;
	}
	npages =
	    d->thread_count ? (d->thread_count + per_page - 1) / per_page : 1;
	if (npages > 1) {
		struct tv *pgv = tv_put_obj(dv, "pagination"), *pages;

		if (pgv == NULL ||
		    (pages = tv_put_list(pgv, "pages")) == NULL ||
		    (p->page > 1 &&
		     !tv_put_str(
			 pgv, "prev_href",
			 page_link(a, d->slug, p, p->page - 1, "#comments"))) ||
		    (p->page < npages &&
		     !tv_put_str(
			 pgv, "next_href",
			 page_link(a, d->slug, p, p->page + 1, "#comments"))))
			return false;
		for (pg = 1; pg <= npages; pg++) {
			struct tv *pi;

			if (pg != 1 && pg != npages &&
			    (pg < p->page - 2 || pg > p->page + 2)) {
				if ((pg == p->page - 3 || pg == p->page + 3) &&
				    ((pi = tv_push(pages)) == NULL ||
				     !tv_put_bool(pi, "gap", true)))
					return false;
				continue;
			}
			if ((pi = tv_push(pages)) == NULL ||
			    !tv_put_int(pi, "number", pg) ||
			    !tv_put_bool(pi, "current", pg == p->page) ||
			    !tv_put_str(
				pi, "href",
				page_link(a, d->slug, p, pg, "#comments")))
				return false;
		}
	}
	return put_form(req, dv, d, form, side);
}

/* The whole view of a debate page. */
static struct tv *
debate_view(struct request *req, const struct page_data *pd,
	    const struct params *p, const struct form_state *form, int side)
{
	struct arena *a = &req->arena;
	struct tv *v = page_view(req, pd->d->motion), *dv;

	if (v == NULL || (dv = tv_put_obj(v, "debate")) == NULL ||
	    !put_head(a, dv, pd) || !put_sides(a, dv, pd) ||
	    !put_rounds(a, dv, pd) || !put_rules(a, dv, pd, &req->app->cfg) ||
	    !put_credits(a, dv, pd) ||
	    !put_discussion(req, dv, pd, p, form, side))
		return NULL;
	return v;
}

/* The view of the results: what they show, and the counts of refusals. */
static struct tv *
results_view(struct request *req, const struct results_data *rd)
{
	struct arena *a = &req->arena;
	struct tv *v = tv_obj(a), *dv, *rules;

	if (v == NULL || (dv = tv_put_obj(v, "debate")) == NULL ||
	    (rules = tv_put_obj(dv, "rules")) == NULL ||
	    !tv_put_str(dv, "label_a", rd->d->label[SIDE_A]) ||
	    !tv_put_str(dv, "label_b", rd->d->label[SIDE_B]) ||
	    !tv_put_bool(rules, "always", req->app->cfg.results_always) ||
	    !put_results(a, dv, rd) || !put_integrity(a, dv, rd->d))
		return NULL;
	return v;
}

/* Renders template name with v into the arena; NULL on failure. */
static const char *
render_part(struct request *req, const char *name, const struct tv *v,
	    size_t *len)
{
	struct buf b;
	const char *out = NULL;

	buf_init(&b, LIMIT_PAGE_HTML);
	if (tpl_render(req->app->tpl, name, v, &b))
		out = arena_strndup(&req->arena, buf_cstr(&b), b.len);
	else
		log_warnx("render %s failed", name);
	*len = b.len;
	buf_clear(&b);
	return out;
}

/*
 * Takes the marks out of page; records where each was (SIZE_MAX: absent).
 * False when a mark is there twice: text from a reader or an author that
 * rendered as a mark must never receive another reader's tokens.
 */
static bool
cut_holes(char *page, size_t *len, const char *const *marks, size_t n,
	  size_t *at)
{
	size_t i, j, mlen;

	for (i = 0; i < n; i++) {
		const char *m =
		    *len ? memmem(page, *len, marks[i], strlen(marks[i]))
			 : NULL;

		at[i] = SIZE_MAX;
		if (m == NULL)
			continue;
		mlen = strlen(marks[i]);
		if (memmem(m + mlen, *len - (size_t)(m - page) - mlen, marks[i],
			   mlen) != NULL) {
			log_warnx(
			    "debate page: the mark of a hole appears twice; not served");
			return false;
		}
		at[i] = (size_t)(m - page);
		memmove(page + at[i], page + at[i] + mlen, *len - at[i] - mlen);
		*len -= mlen;
		/* Holes found earlier, later in the page, move up. */
		for (j = 0; j < i; j++)
			if (at[j] != SIZE_MAX && at[j] > at[i])
				at[j] -= mlen;
	}
	return true;
}

static bool
render_page(struct request *req, struct tv *v, struct rendered *r)
{
	static const char *const marks[HOLE__MAX] = {
	    [HOLE_AT_VOTE] = HOLE_VOTE,
	    [HOLE_AT_RESULTS] = HOLE_RESULTS,
	    [HOLE_AT_INTEGRITY] = HOLE_INTEGRITY,
	    [HOLE_AT_IDENTITY] = PAGE_HOLE,
	};
	char *page;

	memset(r, 0, sizeof(*r));
	if (v == NULL ||
	    (page = (char *)render_part(req, "debate", v, &r->len)) == NULL)
		return false;
	r->page = page;
	return cut_holes(page, &r->len, marks, HOLE__MAX, r->hole);
}

/* Renders both versions of the results, and the counts. */
static bool
render_results(struct request *req, struct tv *v, struct results *r)
{
	memset(r, 0, sizeof(*r));
	return v != NULL && tv_put_bool(v, "show_results", true) &&
	       (r->part[PART_SHOWN] = render_part(req, "debate_results", v,
						  &r->len[PART_SHOWN])) &&
	       tv_put_bool(v, "show_results", false) &&
	       (r->part[PART_HIDDEN] = render_part(req, "debate_results", v,
						   &r->len[PART_HIDDEN])) &&
	       (r->part[PART_INTEGRITY] = render_part(
		    req, "debate_integrity", v, &r->len[PART_INTEGRITY]));
}

/* Keeps a header and parts in the cache under key (tagged by the debate's
 * thread). */
static void
cache_put(struct request *req, const char *key, const struct debate *d,
	  uint64_t seq, const void *hdr, size_t hdrlen, const char *const *part,
	  const size_t *len, size_t nparts)
{
	size_t total = hdrlen, i, at;
	struct page_entry *e;
	char *data;

	for (i = 0; i < nparts; i++)
		total += len[i];
	if ((data = malloc(total)) == NULL)
		return;
	memcpy(data, hdr, hdrlen);
	for (i = 0, at = hdrlen; i < nparts; at += len[i], i++)
		memcpy(data + at, part[i], len[i]);
	e = page_cache_put(req->app->cache, key, d->article_id, seq, data,
			   total, 0);
	free(data);
	if (e)
		page_cache_release(req->app->cache, e);
}

static void
cache_put_page(struct request *req, const char *key, const struct debate *d,
	       const struct debate_clock *clk, uint64_t seq,
	       const struct rendered *r)
{
	struct cached_page h;
	size_t i;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, PAGE_MAGIC, sizeof(h.magic));
	h.debate_id = d->id;
	h.version = d->version;
	h.valid_until = clk->next_change;
	h.len = r->len;
	for (i = 0; i < HOLE__MAX; i++)
		h.hole[i] = r->hole[i];
	cache_put(req, key, d, seq, &h, sizeof(h), &r->page, &r->len, 1);
}

static void
cache_put_results(struct request *req, const char *key, const struct debate *d,
		  const struct debate_clock *clk, uint64_t seq,
		  const struct results *r)
{
	struct cached_results h;
	size_t i;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, RESULTS_MAGIC, sizeof(h.magic));
	h.debate_id = d->id;
	h.version = d->version;
	h.activity = d->activity;
	h.valid_until = clk->next_change;
	for (i = 0; i < 3; i++)
		h.len[i] = r->len[i];
	cache_put(req, key, d, seq, &h, sizeof(h), r->part, r->len, 3);
}

/* The page of entry e when it is still what d would render at now. */
static bool
cached_page_view(const struct page_entry *e, const struct debate *d,
		 int64_t now, struct rendered *r)
{
	struct cached_page h;
	size_t i;

	if (e == NULL || e->len < sizeof(h))
		return false;
	memcpy(&h, e->data, sizeof(h));
	if (memcmp(h.magic, PAGE_MAGIC, sizeof(h.magic)) != 0 ||
	    h.debate_id != d->id || h.version != d->version ||
	    (h.valid_until && now >= h.valid_until) ||
	    sizeof(h) + h.len != e->len)
		return false;
	r->page = e->data + sizeof(h);
	r->len = h.len;
	for (i = 0; i < HOLE__MAX; i++)
		r->hole[i] = h.hole[i];
	return true;
}

static bool
cached_results_view(const struct page_entry *e, const struct debate *d,
		    int64_t now, struct results *r)
{
	struct cached_results h;
	size_t i, at;

	if (e == NULL || e->len < sizeof(h))
		return false;
	memcpy(&h, e->data, sizeof(h));
	if (memcmp(h.magic, RESULTS_MAGIC, sizeof(h.magic)) != 0 ||
	    h.debate_id != d->id || h.version != d->version ||
	    h.activity != d->activity ||
	    (h.valid_until && now >= h.valid_until) ||
	    sizeof(h) + h.len[0] + h.len[1] + h.len[2] != e->len)
		return false;
	for (i = 0, at = sizeof(h); i < 3; at += h.len[i], i++) {
		r->part[i] = e->data + at;
		r->len[i] = h.len[i];
	}
	return true;
}

/* The message after a vote or a mark, from the address it came back to. */
static const char *
flash(struct request *req, const struct debate *d)
{
	const char *voted = request_query(req, "voted");
	const char *mind = request_query(req, "mind");

	(void)d;
	if (voted) {
		if (strcmp(voted, "pre") == 0)
			return "Your vote before the debate is counted.";
		if (strcmp(voted, "post") == 0)
			return "Your vote after the debate is counted.";
		if (strcmp(voted, "pre-changed") == 0 ||
		    strcmp(voted, "post-changed") == 0)
			return "Your vote is changed: the new one replaces the old.";
		if (strcmp(voted, "same") == 0)
			return "You had already voted that way; your vote is unchanged.";
	}
	if (mind) {
		if (strcmp(mind, "added") == 0)
			return "Thank you: your change of mind is counted.";
		if (strcmp(mind, "again") == 0)
			return "You had already said that one changed your mind.";
	}
	return NULL;
}

/* The reader's vote panel: their votes, the forms, the mark form. */
static const char *
vote_fill(struct request *req, const struct debate *d,
	  const struct debate_clock *clk, const struct params *p,
	  const char *token, int pre, int post, size_t *len)
{
	struct arena *a = &req->arena;
	const char *note_pre, *note_post, *msg = flash(req, d), *back;
	struct tv *v = tv_obj(a);

	if (clk->pre_open)
		note_pre = clk->pre_closes
			       ? arena_printf(a, "Open until %s.",
					      when_text(a, clk->pre_closes))
			       : "Open while the debate is open.";
	else if (clk->status == DEBATE_SCHEDULED ||
		 (clk->status == DEBATE_OPEN && clk->pre_closes == 0))
		note_pre = "Opens with the debate.";
	else
		note_pre = "Closed: the debate is under way or over.";
	if (clk->post_open)
		note_post =
		    d->sched.voting_closes
			? arena_printf(a, "Open until %s.",
				       when_text(a, d->sched.voting_closes))
			: "Open until the moderator closes voting.";
	else if (clk->status == DEBATE_CLOSED)
		note_post = "Closed: voting has ended.";
	else
		note_post =
		    clk->post_opens
			? arena_printf(a,
				       "Opens %s, with the closing statements.",
				       when_text(a, clk->post_opens))
			: "Opens with the debate.";
	back = params_query(a, p, p->page);
	if (v == NULL || back == NULL || !tv_put_str(v, "slug", d->slug) ||
	    !tv_put_str(v, "label_a", d->label[SIDE_A]) ||
	    !tv_put_str(v, "label_b", d->label[SIDE_B]) ||
	    !tv_put_str(v, "csrf", token) || !tv_put_str(v, "back", back) ||
	    !tv_put_str(v, "action",
			arena_printf(a, "/debates/%s/vote", d->slug)) ||
	    !tv_put_str(v, "mind_action",
			arena_printf(a, "/debates/%s/minds", d->slug)) ||
	    !tv_put_str(v, "feature_action",
			arena_printf(a, "/debates/%s/feature", d->slug)) ||
	    !tv_put_bool(v, "editor", is_editor(req)) ||
	    !tv_put_bool(v, "pre_open", clk->pre_open) ||
	    !tv_put_bool(v, "post_open", clk->post_open) ||
	    !tv_put_bool(v, "closed", clk->status == DEBATE_CLOSED) ||
	    !tv_put_str(v, "pre_note", note_pre) ||
	    !tv_put_str(v, "post_note", note_post) ||
	    !tv_put_bool(v, "pre_a", pre == SIDE_A) ||
	    !tv_put_bool(v, "pre_b", pre == SIDE_B) ||
	    !tv_put_bool(v, "pre_u", pre == SIDE_UNDECIDED) ||
	    !tv_put_bool(v, "post_a", post == SIDE_A) ||
	    !tv_put_bool(v, "post_b", post == SIDE_B) ||
	    !tv_put_bool(v, "voted_pre", pre != 0) ||
	    !tv_put_bool(v, "voted_post", post != 0) ||
	    !tv_put_str(v, "pre_choice",
			pre == SIDE_UNDECIDED ? "Undecided" : d->label[pre]) ||
	    !tv_put_str(v, "post_choice", d->label[post]) ||
	    !tv_put_str(v, "pre_button", pre ? "Change my vote" : "Vote") ||
	    !tv_put_str(v, "post_button", post ? "Change my vote" : "Vote") ||
	    (msg && !tv_put_str(v, "flash", msg)))
		return NULL;
	return render_part(req, "debate_vote", v, len);
}

/* Keeps the light row of d, read when the generation was gen. */
static void
row_put(struct request *req, const struct debate *d, uint64_t gen, uint64_t seq)
{
	struct cached_row h;
	struct page_entry *e;
	const char *key;
	int r;

	if (req->app->debates == NULL || strlen(d->slug) >= sizeof(h.slug) ||
	    strlen(d->label[SIDE_A]) >= sizeof(h.label_a) ||
	    strlen(d->label[SIDE_B]) >= sizeof(h.label_b) ||
	    (key = arena_printf(&req->arena, "debate-row:%s", d->slug)) == NULL)
		return;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, ROW_MAGIC, sizeof(h.magic));
	h.generation = gen;
	h.id = d->id;
	h.article_id = d->article_id;
	h.version = d->version;
	h.activity = d->activity;
	h.thread_count = d->thread_count;
	for (r = 0; r < ROUND__MAX; r++)
		h.round[r] = d->sched.round[r];
	h.voting_opens = d->sched.voting_opens;
	h.voting_closes = d->sched.voting_closes;
	h.pre_closes = d->sched.pre_closes;
	h.post_opens = d->sched.post_opens;
	h.status = (int32_t)d->status;
	h.comments_open = d->comments_open;
	strcpy(h.slug, d->slug);
	strcpy(h.label_a, d->label[SIDE_A]);
	strcpy(h.label_b, d->label[SIDE_B]);
	e = page_cache_put(req->app->cache, key, d->article_id, seq,
			   (const char *)&h, sizeof(h), 0);
	if (e)
		page_cache_release(req->app->cache, e);
}

/* The light row of the debate of slug from the cache, when it still holds. */
static bool
row_get(struct request *req, const char *slug, struct debate *d)
{
	const char *key = arena_printf(&req->arena, "debate-row:%s", slug);
	struct page_entry *e;
	struct cached_row h;
	bool ok;
	int r;

	if (key == NULL || req->app->debates == NULL ||
	    (e = page_cache_get(req->app->cache, key)) == NULL)
		return false;
	ok = e->len == sizeof(h);
	if (ok)
		memcpy(&h, e->data, sizeof(h));
	page_cache_release(req->app->cache, e);
	if (!ok || memcmp(h.magic, ROW_MAGIC, sizeof(h.magic)) != 0 ||
	    h.generation != debate_generation(req->app))
		return false;
	memset(d, 0, sizeof(*d));
	d->id = h.id;
	d->article_id = h.article_id;
	d->version = h.version;
	d->activity = h.activity;
	d->thread_count = h.thread_count;
	for (r = 0; r < ROUND__MAX; r++)
		d->sched.round[r] = h.round[r];
	d->sched.voting_opens = h.voting_opens;
	d->sched.voting_closes = h.voting_closes;
	d->sched.pre_closes = h.pre_closes;
	d->sched.post_opens = h.post_opens;
	d->status = (enum debate_status)h.status;
	d->comments_open = h.comments_open != 0;
	d->slug = arena_strdup(&req->arena, h.slug);
	d->label[SIDE_NONE] = "";
	d->label[SIDE_A] = arena_strdup(&req->arena, h.label_a);
	d->label[SIDE_B] = arena_strdup(&req->arena, h.label_b);
	/* The texts are read with the full row, when a page is rendered. */
	d->motion = d->moderator = d->intro_md = d->intro_html = "";
	return d->slug && d->label[SIDE_A] && d->label[SIDE_B];
}

/* A reader's votes: from the cache when they still hold, else the store. */
static void
reader_votes(struct request *req, const struct debate *d, const char *voter,
	     int *pre, int *post)
{
	const char *key = arena_printf(&req->arena, "debate-voter:%lld:%s",
				       (long long)d->id, voter);
	struct page_cache *cache = req->app->cache;
	struct cached_voter h;
	struct page_entry *e;
	uint64_t gen, seq;

	*pre = *post = 0;
	gen = debate_generation(req->app);
	if (key && req->app->debates &&
	    (e = page_cache_get(cache, key)) != NULL) {
		bool ok = e->len == sizeof(h);

		if (ok)
			memcpy(&h, e->data, sizeof(h));
		page_cache_release(cache, e);
		if (ok && memcmp(h.magic, VOTER_MAGIC, sizeof(h.magic)) == 0 &&
		    h.generation == gen) {
			*pre = h.pre;
			*post = h.post;
			return;
		}
	}
	seq = page_cache_seq(cache);
	if (debate_voter(req->app, d->id, voter, pre, post) != ERR_OK) {
		*pre = *post = 0;
		return;
	}
	if (key == NULL || req->app->debates == NULL)
		return;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, VOTER_MAGIC, sizeof(h.magic));
	h.generation =
	    gen; /* taken before the read: a vote since makes it stale */
	h.pre = *pre;
	h.post = *post;
	if ((e = page_cache_put(cache, key, d->article_id, seq,
				(const char *)&h, sizeof(h), 0)) != NULL)
		page_cache_release(cache, e);
}

/*
 * Serves page r with this reader's parts: their vote panel, the results or
 * the note that hides them, the counts, the comment form's identity.
 */
static void
serve(struct request *req, struct response *res, const struct debate *d,
      const struct debate_clock *clk, const struct params *p,
      const struct rendered *r, const struct results *rs, unsigned status)
{
	const char *had = request_cookie(req, CSRF_COOKIE), *visitor, *token,
		   *who;
	const char *fill[HOLE__MAX];
	size_t len[HOLE__MAX], order[HOLE__MAX], i, j, t, from = 0, total;
	int pre = 0, post = 0;
	bool show, ok = true;

	visitor = csrf_visitor(req, res);
	token = visitor ? csrf_token(req, visitor) : NULL;
	if (token == NULL) {
		error_page(req, res, 503, NULL);
		return;
	}
	/* A browser seen before, or a signed-in reader, may have voted. */
	who = reader_id(req, visitor);
	if (who && (account_user(req) || (had && strcmp(had, visitor) == 0))) {
		char voter[33];

		debate_voter_hash(req->app, d->id, who, voter);
		reader_votes(req, d, voter, &pre, &post);
	}
	show = req->app->cfg.results_always || clk->status == DEBATE_CLOSED ||
	       pre != 0 || post != 0;
	fill[HOLE_AT_VOTE] =
	    vote_fill(req, d, clk, p, token, pre, post, &len[HOLE_AT_VOTE]);
	fill[HOLE_AT_RESULTS] = rs->part[show ? PART_SHOWN : PART_HIDDEN];
	len[HOLE_AT_RESULTS] = rs->len[show ? PART_SHOWN : PART_HIDDEN];
	fill[HOLE_AT_INTEGRITY] = rs->part[PART_INTEGRITY];
	len[HOLE_AT_INTEGRITY] = rs->len[PART_INTEGRITY];
	len[HOLE_AT_IDENTITY] = 0;
	fill[HOLE_AT_IDENTITY] =
	    r->hole[HOLE_AT_IDENTITY] != SIZE_MAX
		? comment_form_fill(req, res, &len[HOLE_AT_IDENTITY])
		: "";
	if (fill[HOLE_AT_VOTE] == NULL || fill[HOLE_AT_IDENTITY] == NULL) {
		error_page(req, res, 503, NULL);
		return;
	}
	/* The holes in page order. */
	for (i = 0; i < HOLE__MAX; i++)
		order[i] = i;
	for (i = 1; i < HOLE__MAX; i++)
		for (j = i; j > 0 && r->hole[order[j - 1]] > r->hole[order[j]];
		     j--) {
			t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	/* One allocation of the exact size: no growing by doubling. */
	total = r->len;
	for (i = 0; i < HOLE__MAX; i++)
		if (r->hole[i] != SIZE_MAX)
			total += len[i];
	buf_clear(&res->body);
	if (total < res->body.max &&
	    (res->body.data = malloc(total + 1)) != NULL)
		res->body.cap = total + 1;
	for (i = 0; i < HOLE__MAX; i++) {
		size_t at = r->hole[order[i]];

		if (at == SIZE_MAX || at > r->len)
			continue;
		ok &= buf_append(&res->body, r->page + from, at - from);
		ok &= buf_append(&res->body, fill[order[i]], len[order[i]]);
		from = at;
	}
	ok &= buf_append(&res->body, r->page + from, r->len - from);
	if (!ok) {
		error_page(req, res, 503, NULL);
		return;
	}
	res->status = status;
	res->content_type = "text/html; charset=utf-8";
	(void)response_header(res, "Cache-Control", "no-cache");
}

/* Loads the public debate of the route's slug; false after an error page. */
static bool
debate_find(struct request *req, struct response *res, struct debate *d)
{
	const char *slug = req->params[0];
	enum err e;

	if (slug == NULL || !slug_valid(slug)) {
		error_page(req, res, 404, NULL);
		return false;
	}
	e = debate_by_slug(req->app, &req->arena, slug, d);
	if (e == ERR_OK && d->status == DEBATE_DRAFT)
		e = ERR_NOTFOUND; /* drafts are not public */
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return false;
	}
	return true;
}

/* Renders the results of d; false after an error page. */
static bool
fresh_results(struct request *req, struct response *res, const struct debate *d,
	      struct results *rs, struct debate_clock *clk)
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

/* Renders the page of d; false after an error page. */
static bool
fresh_page(struct request *req, struct response *res, const struct debate *d,
	   const struct params *p, struct form_state *form, int side,
	   struct rendered *r, struct debate_clock *clk)
{
	struct page_data pd;
	enum err e;

	if ((e = load_page(req, d, p, &pd)) != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return false;
	}
	*clk = pd.clk;
	req->page_state = form;
	if (!render_page(req, debate_view(req, &pd, p, form, side), r)) {
		error_page(req, res, 503, NULL);
		return false;
	}
	return true;
}

/* Renders and serves a page that is not cached (a form shown again). */
static void
serve_fresh(struct request *req, struct response *res, const struct debate *d,
	    const struct params *p, struct form_state *form, int side,
	    unsigned status)
{
	struct debate_clock clk;
	struct rendered r;
	struct results rs;

	if (fresh_results(req, res, d, &rs, &clk) &&
	    fresh_page(req, res, d, p, form, side, &r, &clk))
		serve(req, res, d, &clk, p, &r, &rs, status);
}

/*
 * GET /debates/SLUG[?cpage=N][&sort=oldest|alternate|minds]
 * [&view=thread|columns][&replytocom=ID]: anyone; drafts are 404.
 * The page and its results come from the page cache, each checked against
 * the debate as it is now; a reply form for one comment is not cached.
 */
void
debate_page(struct request *req, struct response *res)
{
	const char *replyto = request_query(req, "replytocom");
	struct form_state *form = arena_zalloc(&req->arena, sizeof(*form));
	struct page_entry *pe = NULL, *re = NULL;
	struct debate_clock clk;
	struct params p;
	struct rendered r;
	struct results rs;
	struct debate d;
	uint64_t seq, gen;
	int64_t now;
	char *pkey, *rkey;
	bool full;

	if (form == NULL) {
		error_page(req, res, 503, NULL);
		return;
	}
	if (!read_params(req, &p)) {
		error_page(
		    req, res, 400,
		    "That address asks for a page, order or view we do not have.");
		return;
	}
	if (replyto && (form->parent = article_page_number(replyto)) == 0) {
		error_page(req, res, 400,
			   "That comment number is not a number.");
		return;
	}
	/* Taken before the reads: a write since keeps what follows uncached. */
	seq = page_cache_seq(req->app->cache);
	gen = debate_generation(req->app);
	if (!slug_valid(req->params[0])) {
		error_page(req, res, 404, NULL);
		return;
	}
	/* The cached row has no texts: a page to render reads the full one. */
	full = !row_get(req, req->params[0], &d);
	if (full) {
		if (!debate_find(req, res, &d))
			return;
		row_put(req, &d, gen, seq);
	}
	if (d.status == DEBATE_DRAFT) {
		error_page(req, res, 404, NULL);
		return;
	}
	if (p.page > 1 &&
	    (p.page - 1) * req->app->cfg.per_page >= d.thread_count) {
		error_page(req, res, 404,
			   "The discussion has no page of that number.");
		return;
	}
	req->page_state = form;
	/* A reply form, or an editor's tools: this reader's page alone. */
	if (replyto || is_editor(req)) {
		if (!full && !debate_find(req, res, &d))
			return;
		form->with_identity = replyto != NULL;
		serve_fresh(req, res, &d, &p, form, SIDE_NONE, 200);
		return;
	}
	pkey = arena_printf(&req->arena, "debate:%s:%lld:%d:%d", d.slug,
			    (long long)p.page, (int)p.sort, p.columns ? 1 : 0);
	rkey = arena_printf(&req->arena, "debate-results:%s", d.slug);
	if (pkey == NULL || rkey == NULL) {
		error_page(req, res, 503, NULL);
		return;
	}
	now = time_now();
	debate_clock_at(&d, now, &clk);
	re = page_cache_get(req->app->cache, rkey);
	pe = page_cache_get(req->app->cache, pkey);
	if (!cached_results_view(re, &d, now, &rs) ||
	    !cached_page_view(pe, &d, now, &r)) {
		/*
		 * Something to render: from the full row, read now.  Whatever
		 * it finds goes with what it renders, so a cached part made
		 * from an older row fails its check below and is made again.
		 */
		if (!full) {
			if (!debate_find(req, res, &d))
				goto done;
			row_put(req, &d, gen, seq);
		}
		if (!cached_results_view(re, &d, now, &rs)) {
			if (!fresh_results(req, res, &d, &rs, &clk))
				goto done;
			cache_put_results(req, rkey, &d, &clk, seq, &rs);
		}
		if (!cached_page_view(pe, &d, now, &r)) {
			if (!fresh_page(req, res, &d, &p, form, SIDE_NONE, &r,
					&clk))
				goto done;
			cache_put_page(req, pkey, &d, &clk, seq, &r);
		}
	}
	serve(req, res, &d, &clk, &p, &r, &rs, 200);
done:
	/* serve() copied the bytes: the entries may go. */
	page_cache_release(req->app->cache, pe);
	page_cache_release(req->app->cache, re);
}

static const char *
field(struct request *req, const char *name)
{
	const struct field *f = request_field(req, name);

	return f && strlen(f->value) == f->len ? f->value : NULL;
}

/* The message for a vote the schedule refuses. */
static const char *
closed_message(struct arena *a, const struct debate_clock *clk, int phase)
{
	if (clk->status == DEBATE_CLOSED)
		return "Voting on this debate has closed; your vote was not counted.";
	if (clk->status == DEBATE_SCHEDULED)
		return "Voting has not opened yet; your vote was not counted.";
	if (phase == PHASE_PRE)
		return arena_printf(
		    a,
		    "The vote before the debate closed%s%s; your "
		    "vote was not counted.%s",
		    clk->pre_closes ? " on " : "",
		    clk->pre_closes ? when_text(a, clk->pre_closes) : "",
		    clk->post_open ? " You can still vote after the debate."
				   : "");
	return arena_printf(
	    a,
	    "The vote after the debate opens%s%s; your vote was "
	    "not counted.",
	    clk->post_opens ? " on " : " later",
	    clk->post_opens ? when_text(a, clk->post_opens) : "");
}

/* 429 with Retry-After. */
static void
too_many(struct request *req, struct response *res, int retry_after)
{
	const char *secs =
	    arena_printf(&req->arena, "%d", retry_after > 0 ? retry_after : 60);

	if (secs)
		(void)response_header(res, "Retry-After", secs);
	error_page(
	    req, res, 429,
	    arena_printf(
		&req->arena,
		"Too many votes have come from your network just now; your "
		"vote was not counted. Please try again in %s seconds.",
		secs ? secs : "60"));
}

/*
 * POST /debates/SLUG/vote: anyone with this site's cookie; CSRF checked
 * by the router.  Fields: phase (pre|post), choice (a|b|undecided).
 * 303 back to the page; 403 when the phase is closed, 429 over the rate.
 */
void
debate_vote_post(struct request *req, struct response *res)
{
	const char *phase = field(req, "phase"), *choice = field(req, "choice");
	const char *visitor = request_cookie(req, CSRF_COOKIE), *who;
	struct debate_clock clk;
	enum vote_result vr;
	struct debate d;
	int ph, ch = SIDE_NONE, retry = 0;
	enum err e;

	if (!debate_find(req, res, &d))
		return;
	ph = phase && strcmp(phase, "pre") == 0	   ? PHASE_PRE
	     : phase && strcmp(phase, "post") == 0 ? PHASE_POST
						   : 0;
	if (choice && strcmp(choice, "a") == 0)
		ch = SIDE_A;
	else if (choice && strcmp(choice, "b") == 0)
		ch = SIDE_B;
	else if (choice && strcmp(choice, "undecided") == 0 && ph == PHASE_PRE)
		ch = SIDE_UNDECIDED;
	if (ph == 0 || ch == SIDE_NONE) {
		error_page(
		    req, res, 422,
		    choice == NULL || choice[0] == '\0'
			? "Please choose one of the options before voting."
			: "That is not one of the choices of this vote.");
		return;
	}
	who = reader_id(req, visitor);
	if (who == NULL) {
		error_page(
		    req, res, 403,
		    "Votes need this site's cookie. Reload the page and vote again.");
		return;
	}
	debate_clock_at(&d, time_now(), &clk);
	e = debate_vote_cast(req->app, &d, who, req->client, ph, ch, time_now(),
			     &vr, &retry);
	switch (e) {
	case ERR_OK:
		response_redirect(
		    res,
		    arena_printf(
			&req->arena, "/debates/%s?voted=%s#vote", d.slug,
			vr == VOTE_SAME ? "same"
			: vr == VOTE_CHANGED
			    ? (ph == PHASE_PRE ? "pre-changed" : "post-changed")
			    : (ph == PHASE_PRE ? "pre" : "post")));
		return;
	case ERR_FORBIDDEN:
		error_page(req, res, 403,
			   closed_message(&req->arena, &clk, ph));
		return;
	case ERR_LIMIT:
		too_many(req, res, retry);
		return;
	case ERR_INVALID:
		error_page(req, res, 422,
			   "That is not one of the choices of this vote.");
		return;
	default:
		log_warnx("vote on %s not stored: %s", d.slug, err_str(e));
		error_page(
		    req, res, err_status(e),
		    "Your vote could not be saved just now. Please try again.");
		return;
	}
}

/*
 * POST /debates/SLUG/feature: editors and admins (the router checks the
 * role and the CSRF token).  Fields: feature=ID or unfeature=ID, a comment
 * of this debate.  303 back to the comment.
 */
void
debate_feature_post(struct request *req, struct response *res)
{
	const char *on = field(req, "feature"), *off = field(req, "unfeature");
	struct debate d;
	int64_t id;
	enum err e;

	if (!debate_find(req, res, &d))
		return;
	id = article_page_number(on ? on : off ? off : "");
	if ((on == NULL) == (off == NULL) || id <= 0) {
		error_page(req, res, 422,
			   "Name one comment to feature or unfeature.");
		return;
	}
	e = debate_feature(req->app, &d, id, on != NULL);
	if (e == ERR_NOTFOUND) {
		error_page(req, res, 404,
			   "That comment is not in this debate.");
		return;
	}
	if (e != ERR_OK) {
		error_page(
		    req, res, err_status(e),
		    "That could not be saved just now. Please try again.");
		return;
	}
	response_redirect(res,
			  arena_printf(&req->arena, "/debates/%s#comment-%lld",
				       d.slug, (long long)id));
}

/* Reads the "back" field into params (defaults when it is not ours). */
static void
read_back(struct request *req, struct params *p)
{
	const char *back = field(req, "back");
	struct fields f;
	const struct field *x;
	int i;

	memset(p, 0, sizeof(*p));
	p->page = 1;
	if (back == NULL ||
	    form_parse(&req->arena, back, strlen(back), 8, &f) != FORM_OK)
		return;
	if ((x = fields_get(&f, "cpage")) && article_page_number(x->value) > 0)
		p->page = article_page_number(x->value);
	if ((x = fields_get(&f, "sort")))
		for (i = 0; i < SORT__MAX; i++)
			if (strcmp(x->value, sort_names[i]) == 0)
				p->sort = (enum comment_sort)i;
	if ((x = fields_get(&f, "view")))
		p->columns = strcmp(x->value, "columns") == 0;
}

/*
 * POST /debates/SLUG/minds: anyone with this site's cookie, while the
 * debate is open; CSRF checked by the router.  Fields: item (sID for a
 * statement, cID for a comment), back (the page's query).  Once per
 * reader and item.  303 back to the item.
 */
void
debate_mind_post(struct request *req, struct response *res)
{
	const char *item = field(req, "item"), *who, *q;
	const char *visitor = request_cookie(req, CSRF_COOKIE);
	struct params p;
	struct debate d;
	int64_t id;
	bool added = false;
	int retry = 0;
	enum err e;

	if (!debate_find(req, res, &d))
		return;
	if (item == NULL || (item[0] != 's' && item[0] != 'c') ||
	    (id = article_page_number(item + 1)) <= 0 || item[1] == '\0') {
		error_page(
		    req, res, 422,
		    "That is not a statement or comment of this debate.");
		return;
	}
	if ((who = reader_id(req, visitor)) == NULL) {
		error_page(
		    req, res, 403,
		    "This needs this site's cookie. Reload the page and try again.");
		return;
	}
	e = debate_mind_mark(req->app, &d, who, req->client, item[0], id,
			     time_now(), &added, &retry);
	switch (e) {
	case ERR_OK:
		read_back(req, &p);
		q = params_query(&req->arena, &p, p.page);
		response_redirect(
		    res,
		    arena_printf(&req->arena, "/debates/%s?%s%smind=%s#%s-%lld",
				 d.slug, q ? q : "", q && q[0] ? "&" : "",
				 added ? "added" : "again",
				 item[0] == 's' ? "statement" : "comment",
				 (long long)id));
		return;
	case ERR_NOTFOUND:
		error_page(
		    req, res, 404,
		    "That is not a statement or comment of this debate.");
		return;
	case ERR_FORBIDDEN:
		error_page(
		    req, res, 403,
		    "Changes of mind are counted while the debate is open.");
		return;
	case ERR_LIMIT:
		too_many(req, res, retry);
		return;
	default:
		error_page(
		    req, res, err_status(e),
		    "That could not be saved just now. Please try again.");
		return;
	}
}

/*
 * POST /debates/SLUG/comments: as POST /articles/SLUG/comments, plus
 * side (a, b, or empty for none).  303 to the new comment.
 */
void
debate_comment_post(struct request *req, struct response *res)
{
	const char *side_field = field(req, "side");
	struct comment_input in;
	struct comment_errors errs;
	struct form_state *form;
	struct article art;
	struct params p;
	struct debate d;
	int64_t id = 0, page = 1;
	int side = SIDE_NONE;
	const struct user *u = account_user(req);
	enum err e;

	if (!debate_find(req, res, &d))
		return;
	if (!d.comments_open) {
		error_page(req, res, 403, "Comments are closed.");
		return;
	}
	e = article_by_id(req->app, &req->arena, d.article_id, &art);
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	if (u == NULL && req->app->cfg.policy == POLICY_SIGNIN) {
		error_page(req, res, 403, "Please sign in to comment.");
		return;
	}
	e = comment_read_form(req->app, &req->arena, comment_form_read(req),
			      &in, &errs);
	if (e == ERR_NOMEM) {
		error_page(req, res, 503, NULL);
		return;
	}
	/* A signed-in reader comments as their account. */
	if (u)
		e = comment_as_user(&in, &errs, u, e);
	if (side_field && strcmp(side_field, "a") == 0)
		side = SIDE_A;
	else if (side_field && strcmp(side_field, "b") == 0)
		side = SIDE_B;
	else if (side_field && side_field[0] != '\0') {
		errs.form = "Choose a side your comment supports, or neither.";
		errs.err = ERR_INVALID;
		e = ERR_INVALID;
	}
	if (e == ERR_OK)
		e = comment_create_side(req->app, &req->arena, &art, &in,
					req->client, side, &id);
	e = comment_refusal(e, id, &in, &errs, "debate");
	if (e == ERR_FORBIDDEN) {
		error_page(req, res, 403, "Comments are closed.");
		return;
	}
	if (e != ERR_OK && e != ERR_INVALID) {
		log_warnx("comment on debate %s not stored: %s", d.slug,
			  err_str(e));
		errs.form =
		    "Your comment could not be saved just now. Please send it again.";
		errs.err = ERR_DB;
	}
	if (e != ERR_OK) {
		if ((form = arena_zalloc(&req->arena, sizeof(*form))) == NULL) {
			error_page(req, res, 503, NULL);
			return;
		}
		form->parent = in.parent;
		form->input = &in;
		form->errors = &errs;
		form->with_identity = true;
		memset(&p, 0, sizeof(p));
		p.page = 1;
		serve_fresh(req, res, &d, &p, form, side,
			    errs.err ? err_status(errs.err) : 422);
		return;
	}
	if (comment_page_of(req->app, &req->arena, d.article_id, id, &page) !=
	    ERR_OK)
		page = 1;
	response_redirect(
	    res, page > 1
		     ? arena_printf(&req->arena,
				    "/debates/%s?cpage=%lld#comment-%lld",
				    d.slug, (long long)page, (long long)id)
		     : arena_printf(&req->arena, "/debates/%s#comment-%lld",
				    d.slug, (long long)id));
}

/* Adds the list item view of a debate: status, dates, winner once closed. */
static bool
put_summary(struct request *req, struct tv *it, const struct debate *d)
{
	struct arena *a = &req->arena;
	struct debate_clock clk;
	struct debate_tally t;
	struct debate_result r;
	const char *winner = "", *outcome = "";
	int64_t now = time_now();
	int64_t opens = d->sched.voting_opens ? d->sched.voting_opens
					      : d->sched.round[ROUND_OPENING];

	debate_clock_at(d, now, &clk);
	if (clk.status == DEBATE_CLOSED) {
		if (debate_tally_get(req->app, d->id, &t) != ERR_OK)
			return false;
		debate_result_of(&t, &r);
		if (r.outcome == OUTCOME_A || r.outcome == OUTCOME_B)
			winner =
			    d->label[r.outcome == OUTCOME_A ? SIDE_A : SIDE_B];
		outcome = r.outcome == OUTCOME_A || r.outcome == OUTCOME_B
			      ? arena_printf(a, "Winner: %s", winner)
			  : r.outcome == OUTCOME_TIE ? "A tie"
						     : "No result";
	}
	return tv_put_str(it, "slug", d->slug) &&
	       tv_put_str(it, "motion", d->motion) &&
	       tv_put_str(it, "status", debate_status_name(clk.status)) &&
	       tv_put_str(it, "status_label", status_label(clk.status)) &&
	       tv_put_str(it, "outcome", outcome) &&
	       tv_put_bool(it, "has_outcome", outcome[0] != '\0') &&
	       tv_put_str(it, "label_a", d->label[SIDE_A]) &&
	       tv_put_str(it, "label_b", d->label[SIDE_B]) &&
	       tv_put_str(
		   it, "dates",
		   clk.status == DEBATE_SCHEDULED && opens
		       ? arena_printf(a, "Opens %s", when_text(a, opens))
		   : clk.status == DEBATE_OPEN && d->sched.voting_closes
		       ? arena_printf(a, "Voting closes %s",
				      when_text(a, d->sched.voting_closes))
		       : "") &&
	       tv_put_int(it, "comment_count", d->comment_count);
}

bool
debate_home_view(struct request *req, struct tv *v, int limit)
{
	struct debate *list = NULL;
	struct tv *items;
	size_t n = 0, i;

	/* One more than shown tells whether there are more. */
	if (debate_list(req->app, &req->arena, false, limit + 1, &list, &n) !=
		ERR_OK ||
	    (items = tv_put_list(v, "debates")) == NULL ||
	    !tv_put_bool(v, "has_debates", n > 0) ||
	    !tv_put_bool(v, "debates_more", n > (size_t)limit))
		return false;
	if (n > (size_t)limit)
		n = (size_t)limit;
	for (i = 0; i < n; i++) {
		struct tv *it = tv_push(items);

		if (it == NULL || !put_summary(req, it, &list[i]))
			return false;
	}
	return true;
}

/* The front page's key, kept in the cache until a debate changes. */
struct cached_epoch {
	char magic[8];
	uint64_t generation;
	int64_t valid_until;
	char key[96];
};

const char *
debate_home_key(struct request *req)
{
	struct page_cache *cache = req->app->cache;
	uint64_t gen = debate_generation(req->app), seq = page_cache_seq(cache);
	int64_t now = time_now(), e[4];
	struct cached_epoch h;
	struct page_entry *pe;

	if (req->app->debates &&
	    (pe = page_cache_get(cache, "debates-epoch")) != NULL) {
		bool ok = pe->len == sizeof(h);

		if (ok)
			memcpy(&h, pe->data, sizeof(h));
		page_cache_release(cache, pe);
		if (ok && h.generation == gen &&
		    (h.valid_until == 0 || now < h.valid_until))
			return arena_strdup(&req->arena, h.key);
	}
	if (debate_home_epoch(req->app, now, e) != ERR_OK)
		return NULL;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, "PDEBEP01", sizeof(h.magic));
	h.generation = gen;
	h.valid_until = e[3];
	snprintf(h.key, sizeof(h.key), "%lld.%lld.%lld", (long long)e[0],
		 (long long)e[1], (long long)e[2]);
	/* Tag 0, like the front page: any write to an article drops it too. */
	if (req->app->debates &&
	    (pe = page_cache_put(cache, "debates-epoch", 0, seq,
				 (const char *)&h, sizeof(h), 0)) != NULL)
		page_cache_release(cache, pe);
	return arena_strdup(&req->arena, h.key);
}

/* GET /debates: anyone.  Every public debate, newest first. */
void
debate_list_page(struct request *req, struct response *res)
{
	struct tv *v = page_view(req, "Debates");

	if (v == NULL || !debate_home_view(req, v, 200)) {
		error_page(req, res, 503, NULL);
		return;
	}
	page_render(req, res, 200, "debates", v);
}
