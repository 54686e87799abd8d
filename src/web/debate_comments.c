/*
 * debate_comments: the discussion of a debate (the article comment code,
 * plus sides): its view, the comment post, and editors' picks.
 */
#include <string.h>

#include "app.h"
#include "core/log.h"
#include "model/article.h"
#include "render/template.h"
#include "web/account.h"
#include "web/article.h"
#include "web/debate_internal.h"
#include "web/web.h"

static const char *
page_link(struct arena *a, const char *slug, const struct debate_params *p,
	  int64_t page, const char *anchor)
{
	const char *q = debate_page_query(a, p, page);

	if (q == NULL)
		return NULL;
	return arena_printf(a, "/debates/%s%s%s%s", slug, q[0] ? "?" : "", q,
			    anchor ? anchor : "");
}

/* What every comment of the page shares. */
struct thread_ctx {
	struct arena *a;
	const struct debate *d;
	const struct debate_params *p;
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
	const char *q = debate_page_query(a, x->p, x->p->page);

	if (q == NULL || !tv_put_int(item, "id", c->id) ||
	    !tv_put_str(item, "author", c->author) ||
	    !tv_put_str(item, "url", c->url) ||
	    !tv_put_bool(item, "has_url", c->url[0] != '\0') ||
	    !tv_put_str(item, "avatar", c->avatar) ||
	    !tv_put_str(item, "when", debate_page_when(a, c->created)) ||
	    !tv_put_str(item, "when_iso",
			debate_page_when_iso(a, c->created)) ||
	    !tv_put_safe(
		item, "body_html",
		(struct safe_html){c->body_html, strlen(c->body_html)}) ||
	    !tv_put_int(item, "depth", c->depth) ||
	    !tv_put_bool(item, "has_side", c->side != SIDE_NONE) ||
	    !tv_put_str(item, "side_label", x->d->label[c->side]) ||
	    !tv_put_str(item, "side_css", debate_page_side_css[c->side]) ||
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
bool
debate_comments_put_discussion(struct request *req, struct tv *dv,
			       const struct debate_page_data *pd,
			       const struct debate_params *p,
			       const struct form_state *form, int side)
{
	struct arena *a = &req->arena;
	const struct debate *d = pd->d;
	int per_page = req->app->cfg.per_page;
	struct thread_ctx x = {a, d, p, pd->clk.status == DEBATE_OPEN,
			       debate_page_is_editor(req)};
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
		    !tv_put_str(it, "when", debate_page_when(a, c->created)) ||
		    !tv_put_str(it, "when_iso",
				debate_page_when_iso(a, c->created)) ||
		    !tv_put_safe(it, "body_html",
				 (struct safe_html){c->body_html,
						    strlen(c->body_html)}) ||
		    !tv_put_bool(it, "has_side", c->side != SIDE_NONE) ||
		    !tv_put_str(it, "side_label", d->label[c->side]) ||
		    !tv_put_str(it, "side_css", debate_page_side_css[c->side]))
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
		struct debate_params q = *p;
		struct tv *it = tv_push(sorts);

		q.sort = (enum comment_sort)s;
		if (it == NULL ||
		    !tv_put_str(it, "label", debate_page_sort_labels[s]) ||
		    !tv_put_str(it, "href",
				page_link(a, d->slug, &q, 1, "#comments")) ||
		    !tv_put_bool(it, "current", s == (int)p->sort))
			return false;
	}
	for (s = 0; s < 2; s++) {
		struct debate_params q = *p;
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

/*
 * POST /debates/SLUG/feature: editors and admins (the router checks the
 * role and the CSRF token).  Fields: feature=ID or unfeature=ID, a comment
 * of this debate.  303 back to the comment.
 */
void
debate_feature_post(struct request *req, struct response *res)
{
	const char *on = debate_page_field(req, "feature"),
		   *off = debate_page_field(req, "unfeature");
	struct debate d;
	int64_t id;
	enum err e;

	if (!debate_page_find(req, res, &d))
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

/*
 * POST /debates/SLUG/comments: as POST /articles/SLUG/comments, plus
 * side (a, b, or empty for none).  303 to the new comment.
 */
void
debate_comment_post(struct request *req, struct response *res)
{
	const char *side_field = debate_page_field(req, "side");
	struct comment_input in;
	struct comment_errors errs;
	struct form_state *form;
	struct article art;
	struct debate_params p;
	struct debate d;
	int64_t id = 0, page = 1;
	int side = SIDE_NONE;
	const struct user *u = account_user(req);
	enum err e;

	if (!debate_page_find(req, res, &d))
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
		debate_page_serve_fresh(req, res, &d, &p, form, side,
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
