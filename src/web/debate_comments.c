/*
 * debate_comments: what a debate's discussion adds to web/discussion.c's:
 * its sides, orders and views as data, and the editors' picks.
 */
#include <string.h>

#include "app.h"
#include "model/article.h"
#include "web/article.h"
#include "web/debate_internal.h"
#include "web/discussion.h"
#include "web/web.h"

/* The discussion of a debate: sides, orders, views, featured comments. */
bool
debate_comments_put_discussion(struct request *req, struct tv *dv,
			       const struct debate_page_data *pd,
			       const struct debate_params *p,
			       const struct form_state *form, int side)
{
	const struct debate *d = pd->d;
	struct form_state *shown = arena_alloc(&req->arena, sizeof(*shown));
	struct discussion disc;

	memset(&disc, 0, sizeof(disc));
	disc.base = arena_printf(&req->arena, "/debates/%s", d->slug);
	disc.title = d->motion;
	disc.article_id = d->article_id;
	disc.comment_count = d->comment_count;
	disc.thread_count = d->thread_count;
	disc.open = d->comments_open;
	disc.page = p->page;
	disc.comments = pd->comments;
	disc.ncomments = pd->ncomments;
	disc.when_suffix = " UTC";
	disc.side_labels = d->label;
	disc.side_css = debate_page_side_css;
	disc.sort_names = debate_page_sort_names;
	disc.sort_labels = debate_page_sort_labels;
	disc.nsorts = SORT__MAX;
	disc.sort = (int)p->sort;
	disc.columns = p->columns;
	disc.featured = pd->featured;
	disc.nfeatured = pd->nfeatured;
	disc.can_mark = pd->clk.status == DEBATE_OPEN;
	disc.can_feature = debate_page_is_editor(req);
	if (shown == NULL || disc.base == NULL)
		return false;
	/* The page's reader part reads the form as shown (web/comment.c). */
	*shown = *form;
	shown->side = side;
	return discussion_put(req, dv, &disc, shown);
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
	int64_t id, page;
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
	/* Back to the comment where it is, as a post's answer would be. */
	if (comment_page_of(req->app, &req->arena, d.article_id, id, &page) !=
	    ERR_OK)
		page = 1;
	response_redirect(res,
			  discussion_comment_href(
			      &req->arena,
			      arena_printf(&req->arena, "/debates/%s", d.slug),
			      page, id));
}

/* Shows the debate again with the refused form, on the form's page. */
static void
debate_refused(struct request *req, struct response *res, const void *ctx,
	       struct form_state *form, unsigned status)
{
	struct debate_params p;

	memset(&p, 0, sizeof(p));
	p.page = form->page;
	debate_page_serve_fresh(req, res, ctx, &p, form, form->side, status);
}

/*
 * POST /debates/SLUG/comments: as POST /articles/SLUG/comments, plus
 * side (a, b, or empty for none).  303 to the new comment.
 */
void
debate_comment_post(struct request *req, struct response *res)
{
	struct article art;
	struct debate d;
	enum err e;

	if (!debate_page_find(req, res, &d))
		return;
	e = article_by_id(req->app, &req->arena, d.article_id, &art);
	if (e == ERR_DB) {
		discussion_unsaved_form(
		    req, res, arena_printf(&req->arena, "/debates/%s", d.slug),
		    true);
		return;
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	discussion_post(
	    req, res,
	    &(const struct discussion_post){
		.art = &art,
		.base = arena_printf(&req->arena, "/debates/%s", d.slug),
		.place = "debate",
		.open = d.comments_open,
		.sides = true,
		.refused = debate_refused,
		.ctx = &d,
		.ctx_size = sizeof(d)});
}
