/*
 * debate_vote: the reader's vote panel, votes before and after the
 * debate, and "this changed my mind" marks.
 */
#include <string.h>

#include "app.h"
#include "core/log.h"
#include "core/util.h"
#include "http/csrf.h"
#include "http/form.h"
#include "render/template.h"
#include "web/article.h"
#include "web/debate_internal.h"
#include "web/web.h"

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

/*
 * The key of a vote panel kept for every reader who sees the same one
 * (web/part_memo.c): all its view holds but the token.
 */
static char *
panel_key(struct arena *a, const struct debate *d, const char *back,
	  bool editor, const struct debate_clock *clk, const char *note_pre,
	  const char *note_post, int pre, int post)
{
	const char *texts[] = {"vote",		 d->slug, d->label[SIDE_A],
			       d->label[SIDE_B], back,	  note_pre,
			       note_post};
	const long long nums[] = {editor, clk->pre_open, clk->post_open, pre,
				  post};

	return part_memo_key(a, texts, sizeof(texts) / sizeof(texts[0]), nums,
			     sizeof(nums) / sizeof(nums[0]));
}

/* The reader's vote panel: their votes, the forms, the mark form. */
const char *
debate_vote_fill(struct request *req, const struct debate *d,
		 const struct debate_clock *clk, const struct debate_params *p,
		 const char *token, int pre, int post, size_t *len)
{
	struct arena *a = &req->arena;
	const char *note_pre, *note_post, *msg = flash(req, d), *back, *html;
	bool editor = debate_page_is_editor(req);
	char *key = NULL;
	struct tv *v;

	if (clk->pre_open)
		note_pre =
		    clk->pre_closes
			? arena_printf(a, "Open until %s.",
				       debate_page_when(a, clk->pre_closes))
			: "Open while the debate is open.";
	else if (clk->status == DEBATE_SCHEDULED ||
		 (clk->status == DEBATE_OPEN && clk->pre_closes == 0))
		note_pre = "Opens with the debate.";
	else
		note_pre = "Closed: the debate is under way or over.";
	if (clk->post_open)
		note_post = d->sched.voting_closes
				? arena_printf(a, "Open until %s.",
					       debate_page_when(
						   a, d->sched.voting_closes))
				: "Open until the moderator closes voting.";
	else if (clk->status == DEBATE_CLOSED)
		note_post = "Closed: voting has ended.";
	else
		note_post =
		    clk->post_opens
			? arena_printf(a,
				       "Opens %s, with the closing statements.",
				       debate_page_when(a, clk->post_opens))
			: "Opens with the debate.";
	back = debate_page_query(a, p, p->page);
	if (back == NULL)
		return NULL;
	/* A panel with a message after a vote is that reader's alone. */
	if (msg == NULL && token != NULL &&
	    (key = panel_key(a, d, back, editor, clk, note_pre, note_post, pre,
			     post)) != NULL &&
	    (html = part_memo_get(req->app->parts, a, key,
				  (const char *const[]){token}, 1, len)) !=
		NULL)
		return html;
	v = tv_obj(a);
	if (v == NULL || !tv_put_str(v, "label_a", d->label[SIDE_A]) ||
	    !tv_put_str(v, "label_b", d->label[SIDE_B]) ||
	    !tv_put_str(v, "csrf", token) || !tv_put_str(v, "back", back) ||
	    !tv_put_str(v, "action",
			arena_printf(a, "/debates/%s/vote", d->slug)) ||
	    !tv_put_str(v, "mind_action",
			arena_printf(a, "/debates/%s/minds", d->slug)) ||
	    !tv_put_str(v, "feature_action",
			arena_printf(a, "/debates/%s/feature", d->slug)) ||
	    !tv_put_bool(v, "editor", editor) ||
	    !tv_put_bool(v, "pre_open", clk->pre_open) ||
	    !tv_put_bool(v, "post_open", clk->post_open) ||
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
	html = debate_page_render_part(req, "debate_vote", v, len);
	if (html && key)
		part_memo_put(req->app->parts, key, html, *len,
			      (const char *const[]){token}, 1);
	return html;
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
		    clk->pre_closes ? debate_page_when(a, clk->pre_closes) : "",
		    clk->post_open ? " You can still vote after the debate."
				   : "");
	return arena_printf(
	    a,
	    "The vote after the debate opens%s%s; your vote was "
	    "not counted.",
	    clk->post_opens ? " on " : " later",
	    clk->post_opens ? debate_page_when(a, clk->post_opens) : "");
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

/* A vote between its submission and its answer. */
struct vote_post {
	struct request *req;
	struct debate d;
	struct debate_clock clk;
	struct debate_ballot b;
	enum vote_result vr;
	enum err e;
	int ph, retry;
};

/* The store's report, on its writer thread: wakes the suspended vote. */
static void
vote_post_stored(void *arg)
{
	struct vote_post *vp = arg;

	request_resume(vp->req);
}

/* Answers a vote once it is written, or refused before. */
static void
vote_post_answer(struct request *req, struct response *res, void *arg)
{
	struct vote_post *vp = arg;
	enum err e = vp->b.queued
			 ? debate_vote_finish(req->app, &vp->b, &vp->vr)
			 : vp->e;
	int ph = vp->ph;

	switch (e) {
	case ERR_OK:
		response_redirect(
		    res,
		    arena_printf(
			&req->arena, "/debates/%s?voted=%s#vote", vp->d.slug,
			vp->vr == VOTE_SAME ? "same"
			: vp->vr == VOTE_CHANGED
			    ? (ph == PHASE_PRE ? "pre-changed" : "post-changed")
			    : (ph == PHASE_PRE ? "pre" : "post")));
		return;
	case ERR_FORBIDDEN:
		error_page(req, res, 403,
			   closed_message(&req->arena, &vp->clk, ph));
		return;
	case ERR_LIMIT:
		too_many(req, res, vp->retry);
		return;
	case ERR_INVALID:
		error_page(req, res, 422,
			   "That is not one of the choices of this vote.");
		return;
	default:
		log_warnx("vote on %s not stored: %s", vp->d.slug, err_str(e));
		error_page(
		    req, res, err_status(e),
		    "Your vote could not be saved just now. Please try again.");
		return;
	}
}

/*
 * POST /debates/SLUG/vote: anyone with this site's cookie; CSRF checked
 * by the router.  Fields: phase (pre|post), choice (a|b|undecided).
 * 303 back to the page once the vote is durable (the request waits
 * suspended, holding no thread); 403 when the phase is closed, 429 over
 * the rate.
 */
void
debate_vote_post(struct request *req, struct response *res)
{
	const char *phase = debate_page_field(req, "phase"),
		   *choice = debate_page_field(req, "choice");
	const char *visitor = csrf_visitor_id(req), *who;
	struct vote_post *vp = arena_zalloc(&req->arena, sizeof(*vp));
	int ch = SIDE_NONE;

	if (vp == NULL) {
		error_page(req, res, 503, NULL);
		return;
	}
	vp->req = req;
	if (!debate_page_find(req, res, &vp->d))
		return;
	vp->ph = phase && strcmp(phase, "pre") == 0    ? PHASE_PRE
		 : phase && strcmp(phase, "post") == 0 ? PHASE_POST
						       : 0;
	if (choice && strcmp(choice, "a") == 0)
		ch = SIDE_A;
	else if (choice && strcmp(choice, "b") == 0)
		ch = SIDE_B;
	else if (choice && strcmp(choice, "undecided") == 0 &&
		 vp->ph == PHASE_PRE)
		ch = SIDE_UNDECIDED;
	if (vp->ph == 0 || ch == SIDE_NONE) {
		error_page(
		    req, res, 422,
		    choice == NULL || choice[0] == '\0'
			? "Please choose one of the options before voting."
			: "That is not one of the choices of this vote.");
		return;
	}
	who = debate_page_reader_id(req, visitor);
	if (who == NULL) {
		error_page(
		    req, res, 403,
		    "Votes need this site's cookie. Reload the page and vote again.");
		return;
	}
	debate_clock_at(&vp->d, time_now(), &vp->clk);
	vp->e = debate_vote_submit(req->app, &vp->d, who, req->client, vp->ph,
				   ch, time_now(), &vp->b, &vp->vr, &vp->retry,
				   vote_post_stored, vp);
	if (vp->b.queued) {
		request_suspend(req, vote_post_answer, vp);
		return;
	}
	vote_post_answer(req, res, vp);
}

/* Reads the "back" field into params (defaults when it is not ours). */
static void
read_back(struct request *req, struct debate_params *p)
{
	const char *back = debate_page_field(req, "back");
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
			if (strcmp(x->value, debate_page_sort_names[i]) == 0)
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
	const char *item = debate_page_field(req, "item"), *who, *q;
	const char *visitor = csrf_visitor_id(req);
	struct debate_params p;
	struct debate d;
	int64_t id;
	bool added = false;
	int retry = 0;
	enum err e;

	if (!debate_page_find(req, res, &d))
		return;
	if (item == NULL || (item[0] != 's' && item[0] != 'c') ||
	    (id = article_page_number(item + 1)) <= 0 || item[1] == '\0') {
		error_page(
		    req, res, 422,
		    "That is not a statement or comment of this debate.");
		return;
	}
	if ((who = debate_page_reader_id(req, visitor)) == NULL) {
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
		q = debate_page_query(&req->arena, &p, p.page);
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
