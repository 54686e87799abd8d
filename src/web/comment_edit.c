/*
 * comment_edit: a commenter's own comment, to edit or remove in the
 * minutes after posting it (model/comment_own.h).  Its page is the
 * owner's alone and never cached, and so are the discussion's pages that
 * link to it (web/held.h); the shared ones show every reader the same
 * thread, with "(edited)" where its author edited a comment.
 */
#include <string.h>

#include "app.h"
#include "core/util.h"
#include "http/csrf.h"
#include "model/comment_own.h"
#include "render/template.h"
#include "web/account.h"
#include "web/discussion.h"
#include "web/held.h"
#include "web/web.h"

/* The reader asking: their account, and their browser. */
static struct comment_owner
owner(struct request *req)
{
	struct comment_owner who = {account_user(req), csrf_visitor_id(req)};

	return who;
}

/* "/articles/SLUG" or "/debates/SLUG": where the comment is shown. */
static const char *
base_of(struct arena *a, const struct mod_item *m)
{
	return arena_printf(a, "/%ss/%s", m->article_kind, m->article_slug);
}

/*
 * The page of the reader's comment o: its text in a form while they may
 * edit it (or body, a refused edit's text, with its message in errs) and
 * the button that removes it.
 */
static void
edit_render(struct request *req, struct response *res, unsigned status,
	    const struct comment_own *o, const char *body,
	    const struct comment_errors *errs)
{
	struct arena *a = &req->arena;
	const struct comment *c = &o->m.c;
	char when[64], until[64];
	struct tv *v;

	time_format_human(c->created, when, sizeof(when));
	time_format_human(o->edit_until, until, sizeof(until));
	v = account_view(req, res, "Your comment", ACCOUNT_CSRF);
	if (v == NULL || !tv_put_int(v, "id", c->id) ||
	    !tv_put_str(v, "article_title", o->m.article_title) ||
	    !tv_put_str(v, "comment_href",
			arena_printf(a, "/comments/%lld", (long long)c->id)) ||
	    !tv_put_str(v, "when", arena_strdup(a, when)) ||
	    !tv_put_str(v, "until", arena_strdup(a, until)) ||
	    !tv_put_bool(v, "can_edit", o->can_edit) ||
	    !tv_put_bool(v, "show_form", o->can_edit || body != NULL) ||
	    !tv_put_bool(v, "can_remove", o->can_remove) ||
	    !tv_put_str(v, "body", body ? body : c->body_md) ||
	    !tv_put_str(v, "body_error", errs ? errs->body : NULL) ||
	    !tv_put_str(v, "body_invalid_attr",
			errs && errs->body ? "true" : "false") ||
	    !tv_put_str(v, "form_error", errs ? errs->form : NULL) ||
	    !tv_put_safe(
		v, "body_html",
		(struct safe_html){c->body_html, strlen(c->body_html)}))
		v = NULL;
	page_render(req, res, status, "comment_edit", v);
}

/* Answers a lookup or change that failed before anything was stored. */
static void
own_refused(struct request *req, struct response *res, enum err e,
	    const struct comment_own *o, const char *body,
	    const struct comment_errors *errs, int retry_after)
{
	if (e == ERR_FORBIDDEN && !o->mine) {
		error_page(req, res, 403,
			   "This comment is not yours to change.");
		return;
	}
	if (e == ERR_NOTFOUND || e == ERR_NOMEM || e == ERR_DB ||
	    o->m.c.id == 0) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	if (e == ERR_LIMIT)
		(void)response_header(
		    res, "Retry-After",
		    arena_printf(&req->arena, "%d", retry_after));
	edit_render(req, res, err_status(errs->err ? errs->err : e), o, body,
		    errs);
}

/*
 * After a change: to the comment in its thread, or, held again by its
 * new text, where its author alone is shown it.
 */
static void
own_done(struct request *req, struct response *res, const struct comment_own *o)
{
	const struct comment *c = &o->m.c;
	const char *base = base_of(&req->arena, &o->m);
	struct article art = {.id = c->article_id, .slug = o->m.article_slug};
	int64_t page;

	if (base == NULL) {
		error_page(req, res, 503, NULL);
		return;
	}
	if (held_answer(req, res, &art, base, c->id, c->parent_id))
		return;
	if (comment_page_of(req->app, &req->arena, c->article_id, c->id,
			    &page) != ERR_OK)
		page = 1;
	response_redirect(
	    res, discussion_comment_href(&req->arena, base, page, c->id));
}

/*
 * GET /comments/ID/edit: the comment's author (its account, or the
 * browser that posted it), else 403.  The text to edit while the window
 * is open, and the button that removes it.
 */
void
comment_edit_page(struct request *req, struct response *res)
{
	struct comment_owner who = owner(req);
	struct comment_own o;
	enum err e = comment_own_get(req->app, &req->arena, req_id(req, "id"),
				     &who, time_now(), &o);

	if (e != ERR_OK) {
		own_refused(req, res, e, &o, NULL,
			    &(struct comment_errors){.err = e}, 0);
		return;
	}
	edit_render(req, res, 200, &o, NULL, NULL);
}

/*
 * POST /comments/ID/edit: its author, within the window; CSRF.  Field:
 * body.  303 to the comment; refused: the page again with the text kept
 * (403 late or not theirs, 413/422 bad text, 429 over a budget).
 */
void
comment_edit_post(struct request *req, struct response *res)
{
	struct comment_owner who = owner(req);
	struct comment_field body;
	struct comment_errors errs;
	struct comment_own o;
	const char *text = NULL;
	int retry_after = 1;
	enum err e;

	body.value = req_raw(req, "body", &body.len);
	e = comment_own_edit(req->app, &req->arena, req_id(req, "id"), &who,
			     req->client, &body, &text, &o, &errs,
			     &retry_after);
	if (e != ERR_OK) {
		own_refused(req, res, e, &o, text ? text : "", &errs,
			    retry_after);
		return;
	}
	own_done(req, res, &o);
}

/*
 * POST /comments/ID/delete: its author, within the window (a signed-in
 * author at any time); CSRF.  303 to its place in the thread, which
 * shows it removed, the replies under it kept.
 */
void
comment_remove_post(struct request *req, struct response *res)
{
	struct comment_owner who = owner(req);
	struct comment_errors errs;
	struct comment_own o;
	int retry_after = 1;
	enum err e;

	e = comment_own_remove(req->app, &req->arena, req_id(req, "id"), &who,
			       req->client, &o, &errs, &retry_after);
	if (e != ERR_OK) {
		own_refused(req, res, e, &o, NULL, &errs, retry_after);
		return;
	}
	own_done(req, res, &o);
}
