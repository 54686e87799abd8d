/*
 * debate_page: GET /debates/SLUG, the page of one debate: its view (head,
 * sides, rounds, rules, credits), rendering with holes, and the path
 * through the cache (see debate_cache.c); and the small helpers the
 * other debate files share (debate_internal.h).
 */
#include <string.h>

#include "app.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/util.h"
#include "http/cache.h"
#include "render/template.h"
#include "web/account.h"
#include "web/article.h"
#include "web/debate_internal.h"
#include "web/discussion.h"
#include "web/held.h"
#include "web/moderate.h"
#include "web/web.h"

#define FEATURED_MAX 10
#define CREDITS_MAX  3

const char *const debate_page_sort_names[SORT__MAX] = {
    [SORT_OLDEST] = "oldest",
    [SORT_ALTERNATE] = "alternate",
    [SORT_MINDS] = "minds",
};

const char *const debate_page_sort_labels[SORT__MAX] = {
    [SORT_OLDEST] = "Oldest first",
    [SORT_ALTERNATE] = "Sides in turn",
    [SORT_MINDS] = "Changed most minds",
};

const char *const debate_page_side_css[4] = {"side-none", "side-a", "side-b",
					     "side-u"};

/* A declared query field of the page, or NULL when absent. */
static const char *
query(struct request *req, const char *name)
{
	return req_has(req, name) ? req_text(req, name) : NULL;
}

/* Reads cpage, sort and view; false when one is malformed. */
static bool
read_params(struct request *req, struct debate_params *p)
{
	const char *sort = query(req, "sort");
	const char *view = query(req, "view");
	int i;

	memset(p, 0, sizeof(*p));
	p->page = article_page_number(query(req, "cpage"));
	if (p->page == 0)
		return false;
	p->sort = SORT_OLDEST;
	if (sort) {
		for (i = 0; i < SORT__MAX; i++)
			if (strcmp(sort, debate_page_sort_names[i]) == 0)
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
const char *
debate_page_query(struct arena *a, const struct debate_params *p, int64_t page)
{
	return discussion_query(
	    a, page,
	    p->sort != SORT_OLDEST ? debate_page_sort_names[p->sort] : NULL,
	    p->columns);
}

/* "22 November 2026 at 18:00 UTC", in the arena. */
const char *
debate_page_when(struct arena *a, int64_t t)
{
	char when[64];

	time_format_human(t, when, sizeof(when));
	return arena_printf(a, "%s UTC", when);
}

const char *
debate_page_when_iso(struct arena *a, int64_t t)
{
	char iso[32];

	time_format_iso(t, iso, sizeof(iso));
	return arena_strdup(a, iso);
}

const char *
debate_page_status_label(enum debate_status s)
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
bool
debate_page_is_editor(struct request *req)
{
	const struct user *u = account_user(req);

	return u != NULL && u->role >= ROLE_EDITOR;
}

/* The reader as votes and marks know them: their account, or this browser. */
const char *
debate_page_reader_id(struct request *req, const char *visitor)
{
	const struct user *u = account_user(req);

	if (u != NULL)
		return arena_printf(&req->arena, "u:%lld", (long long)u->id);
	return visitor ? arena_printf(&req->arena, "v:%s", visitor) : NULL;
}

static enum err
load_page(struct request *req, const struct debate *d,
	  const struct debate_params *p, struct debate_page_data *pd)
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
	    (e = comment_page(req->app, a, d->article_id, p->sort,
			      (int)((p->page - 1) * per_page), per_page,
			      &pd->comments, &pd->ncomments)) != ERR_OK ||
	    (e = debate_featured(req->app, a, d->article_id, FEATURED_MAX,
				 &pd->featured, &pd->nfeatured)) != ERR_OK ||
	    (e = debate_top_comments(req->app, a, d->article_id, CREDITS_MAX,
				     &pd->top, &pd->ntop)) != ERR_OK)
		return e;
	return ERR_OK;
}

static const struct debate_speaker *
speaker_of(const struct debate_page_data *pd, int64_t id)
{
	size_t i;

	for (i = 0; i < pd->nspeakers; i++)
		if (pd->speakers[i].id == id)
			return &pd->speakers[i];
	return NULL;
}

/* The head: motion, status, moderator, introduction, schedule. */
static bool
put_head(struct arena *a, struct tv *dv, const struct debate_page_data *pd)
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
	    !tv_put_str(dv, "status_label",
			debate_page_status_label(pd->clk.status)) ||
	    !tv_put_str(dv, "label_a", d->label[SIDE_A]) ||
	    !tv_put_str(dv, "label_b", d->label[SIDE_B]) ||
	    !tv_put_safe(dv, "vote_hole", html_literal(PAGE_HOLE_VOTE_MARK)) ||
	    !tv_put_safe(dv, "results_hole",
			 html_literal(PAGE_HOLE_RESULTS_MARK)) ||
	    !tv_put_safe(dv, "integrity_hole",
			 html_literal(PAGE_HOLE_INTEGRITY_MARK)))
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
		    !tv_put_str(it, "when", debate_page_when(a, items[i].t)) ||
		    !tv_put_str(it, "when_iso",
				debate_page_when_iso(a, items[i].t)) ||
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
put_sides(struct arena *a, struct tv *dv, const struct debate_page_data *pd)
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
		    !tv_put_str(sv, "css", debate_page_side_css[side]) ||
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
put_rounds(struct arena *a, struct tv *dv, const struct debate_page_data *pd)
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
		    !tv_put_str(rv, "opens", t ? debate_page_when(a, t) : "") ||
		    !tv_put_str(rv, "opens_iso",
				t ? debate_page_when_iso(a, t) : "") ||
		    !tv_put_bool(rv, "has_opens", t != 0) ||
		    (cols = tv_put_list(rv, "columns")) == NULL)
			return false;
		for (side = SIDE_A; side <= SIDE_B; side++) {
			struct tv *cv = tv_push(cols), *list;
			bool any = false;

			if (cv == NULL ||
			    !tv_put_str(cv, "label", pd->d->label[side]) ||
			    !tv_put_str(cv, "css",
					debate_page_side_css[side]) ||
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

/* The voting rules, stated on the page, with the refusals so far. */
static bool
put_rules(struct arena *a, struct tv *dv, const struct debate_page_data *pd,
	  const struct config *cfg)
{
	const struct debate *d = pd->d;
	const struct debate_schedule *s = &d->sched;
	int64_t opens =
	    s->voting_opens ? s->voting_opens : s->round[ROUND_OPENING];
	const char *from =
	    opens ? arena_printf(a, "from %s", debate_page_when(a, opens))
		  : "from when the debate opens";
	const char *pre_until =
	    pd->clk.pre_closes
		? arena_printf(a, "until %s",
			       debate_page_when(a, pd->clk.pre_closes))
	    : s->voting_closes
		? arena_printf(a, "until %s",
			       debate_page_when(a, s->voting_closes))
		: "until voting closes";
	const char *post_from =
	    pd->clk.post_opens
		? arena_printf(a, "from %s",
			       debate_page_when(a, pd->clk.post_opens))
		: from;
	const char *until =
	    s->voting_closes
		? arena_printf(a, "until %s",
			       debate_page_when(a, s->voting_closes))
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

/* The statements and comments that changed most minds. */
static bool
put_credits(struct arena *a, struct tv *dv, const struct debate_page_data *pd)
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
		    !tv_put_str(it, "css", debate_page_side_css[sp->side]) ||
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
		    !tv_put_str(it, "css", debate_page_side_css[c->side]) ||
		    !tv_put_str(it, "minds_label",
				c->minds == 1
				    ? "1 reader"
				    : arena_printf(a, "%lld readers",
						   (long long)c->minds)))
			return false;
	}
	return tv_put_bool(cv, "any", nbest > 0 || pd->ntop > 0);
}

/* The whole view of a debate page. */
static struct tv *
debate_view(struct request *req, const struct debate_page_data *pd,
	    const struct debate_params *p, const struct form_state *form,
	    int side)
{
	struct arena *a = &req->arena;
	struct tv *v = page_view(req, pd->d->motion), *dv;

	if (v == NULL || (dv = tv_put_obj(v, "debate")) == NULL ||
	    !put_head(a, dv, pd) || !put_sides(a, dv, pd) ||
	    !put_rounds(a, dv, pd) || !put_rules(a, dv, pd, &req->app->cfg) ||
	    !put_credits(a, dv, pd) ||
	    !debate_comments_put_discussion(req, dv, pd, p, form, side))
		return NULL;
	return v;
}

/* Renders template name with v into the arena; NULL on failure. */
const char *
debate_page_render_part(struct request *req, const char *name,
			const struct tv *v, size_t *len)
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

/* Loads the public debate of the route's slug; false after an error page. */
bool
debate_page_find(struct request *req, struct response *res, struct debate *d)
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

/* The view of the page of d for p; NULL after an error page. */
static struct tv *
page_of(struct request *req, struct response *res, const struct debate *d,
	const struct debate_params *p, struct form_state *form, int side)
{
	struct debate_page_data pd;
	struct tv *v;
	enum err e;

	if ((e = load_page(req, d, p, &pd)) != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return NULL;
	}
	req->page_state = form;
	if ((v = debate_view(req, &pd, p, form, side)) == NULL)
		error_page(req, res, 503, NULL);
	return v;
}

/* Renders and serves a page that is not cached (a form shown again). */
void
debate_page_serve_fresh(struct request *req, struct response *res,
			const struct debate *d, const struct debate_params *p,
			struct form_state *form, int side, unsigned status)
{
	struct debate_clock clk;
	struct debate_results_parts rs;
	struct debate_fill f;
	struct tv *v;

	debate_clock_at(d, time_now(), &clk);
	if (!debate_cache_reader(req, res, d, &clk, p, &f) ||
	    !debate_results_fresh(req, res, d, &rs, &clk) ||
	    (v = page_of(req, res, d, p, form, side)) == NULL)
		return;
	f.rs = &rs;
	page_render_filled(req, res, status, "debate", v, &f.fill);
}

/*
 * GET /debates/SLUG[?cpage=N][&sort=oldest|alternate|minds]
 * [&view=thread|columns][&replytocom=ID]: anyone; drafts are 404.
 * The page and its results come from the page cache while the debate's
 * version (and, for the results, activity) and schedule are what they
 * were made from; a reply form for one comment is not cached.
 */
void
debate_page(struct request *req, struct response *res)
{
	const char *replyto = query(req, "replytocom");
	struct form_state *form = arena_zalloc(&req->arena, sizeof(*form));
	struct debate_clock clk;
	struct debate_params p;
	struct debate_results_parts rs;
	struct debate_fill f;
	struct page_keep k;
	struct debate d;
	struct tv *v;
	uint64_t seq, gen;
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
	/* The kept row has no texts: a page to render reads the full one. */
	full = !debate_cache_get(req, res, req->params[0], gen, &d, &rs);
	if (full && !debate_page_find(req, res, &d))
		return;
	if (p.page > 1 &&
	    (p.page - 1) * req->app->cfg.per_page >= d.thread_count) {
		error_page(req, res, 404,
			   "The discussion has no page of that number.");
		return;
	}
	req->page_state = form;
	/*
	 * A reply form, an editor's tools, or the reader's own held
	 * comments: this reader's page alone.
	 */
	form->staff = moderate_is_staff(req);
	if (replyto || debate_page_is_editor(req) || form->staff ||
	    held_here(req, d.article_id)) {
		if (!full && !debate_page_find(req, res, &d))
			return;
		form->with_identity = replyto != NULL;
		form->own_held = true;
		debate_page_serve_fresh(req, res, &d, &p, form, SIDE_NONE, 200);
		return;
	}
	debate_clock_at(&d, time_now(), &clk);
	if (!debate_cache_reader(req, res, &d, &clk, &p, &f) ||
	    (full && !debate_cache_put(req, res, &d, &clk, gen, seq, &rs)))
		return;
	f.rs = &rs;
	/* One page per debate and view, for every reader: nothing of theirs. */
	k.key = debate_cache_page_key(req, &d, &p);
	k.tag = d.article_id;
	k.seq = seq;
	k.stamp = (uint64_t)d.version;
	k.expires = clk.next_change;
	if (k.key == NULL) {
		error_page(req, res, 503, NULL);
		return;
	}
	if (page_serve_kept(req, res, &k, &f.fill))
		return;
	if (!full) {
		/* What is rendered is stamped with the row it is made from. */
		if (!debate_page_find(req, res, &d))
			return;
		k.stamp = (uint64_t)d.version;
	}
	if ((v = page_of(req, res, &d, &p, form, SIDE_NONE)) != NULL)
		page_render_kept(req, res, &k, "debate", v, &f.fill);
}

const char *
debate_page_field(struct request *req, const char *name)
{
	size_t n;
	const char *v = req_raw(req, name, &n);

	return v && strlen(v) == n ? v : NULL;
}
