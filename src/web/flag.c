/*
 * flag: a reader's flag on a comment (model/flag.h), on articles and
 * debates alike: the small form page each comment's "Flag" link opens,
 * and its post.  It works with JavaScript off; only the POST, which
 * carries the CSRF token (checked by the router), changes anything.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/limits.h"
#include "core/util.h"
#include "http/csrf.h"
#include "model/comment.h"
#include "model/flag.h"
#include "model/moderation.h"
#include "render/template.h"
#include "web/account.h"
#include "web/web.h"

/* What a flag sent became, as its answer's query names it. */
static const struct {
	const char *done;
	const char *message;
} answers[] = {
    {"added", "Thank you: the moderators will look at this comment."},
    {"again", "You had already flagged this comment: it counts once, "
	      "and the moderators will look at it."},
    {"noted", "Thank you: the moderators have been told about this "
	      "comment already."},
};

/*
 * Shows the form for comment c (shown to readers, so approved), with
 * the reason, note and message of a flag refused.
 */
static void
flag_form(struct request *req, struct response *res, unsigned status,
	  const struct comment *c, const char *reason, const char *note,
	  const char *error)
{
	struct arena *a = &req->arena;
	struct tv *v = account_view(req, res, "Flag a comment", ACCOUNT_CSRF);
	struct tv *list;
	size_t i;

	if (v == NULL || !tv_put_int(v, "id", c->id) ||
	    !tv_put_str(v, "author", c->author) ||
	    !tv_put_safe(
		v, "body_html",
		(struct safe_html){c->body_html, strlen(c->body_html)}) ||
	    !tv_put_str(v, "note", note) || !tv_put_str(v, "error", error) ||
	    !tv_put_int(v, "note_max", LIMIT_FLAG_NOTE) ||
	    !tv_put_str(v, "back_href",
			arena_printf(a, "/comments/%lld", (long long)c->id)) ||
	    (list = tv_put_list(v, "reasons")) == NULL)
		v = NULL;
	for (i = 0; v && i < FLAG_REASONS; i++) {
		struct tv *it = tv_push(list);

		if (it == NULL ||
		    !tv_put_str(it, "name", flag_reasons[i].name) ||
		    !tv_put_str(it, "label", flag_reasons[i].label) ||
		    !tv_put_bool(it, "checked",
				 reason &&
				     strcmp(reason, flag_reasons[i].name) == 0))
			v = NULL;
	}
	page_render(req, res, status, "flag", v);
}

/*
 * The thanks after a flag: back to the discussion the comment is in,
 * which it may have left (held by the flags).
 */
static void
flag_thanks(struct request *req, struct response *res, int64_t id,
	    const char *message)
{
	struct arena *a = &req->arena;
	const char *href = "/";
	struct mod_item m;

	if (moderation_get(req->app, a, id, &m) == ERR_OK)
		href =
		    arena_printf(a, "/%ss/%s", m.article_kind, m.article_slug);
	account_notice(req, res, 200, "Thank you", message, href ? href : "/",
		       "Back to the discussion");
}

/*
 * GET /comments/ID/flag[?done=added|again|noted]: anyone.  The form to
 * flag a comment shown to readers (else 404), or the thanks after one.
 */
void
flag_page(struct request *req, struct response *res)
{
	int64_t id = req_id(req, "id");
	const char *done = req_text(req, "done");
	struct comment c;
	enum err e;
	size_t i;

	for (i = 0; done[0] && i < sizeof(answers) / sizeof(answers[0]); i++)
		if (strcmp(done, answers[i].done) == 0) {
			flag_thanks(req, res, id, answers[i].message);
			return;
		}
	e = comment_get(req->app, &req->arena, id, &c);
	/* Its author removed it: nothing of theirs is left to flag. */
	if (e == ERR_OK && c.removed)
		e = ERR_NOTFOUND;
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	flag_form(req, res, 200, &c, NULL, "", NULL);
}

/*
 * POST /comments/ID/flag: anyone with this site's cookie; CSRF checked
 * by the router.  Fields: reason (spam, abuse, off-topic, other), note
 * (optional, at most LIMIT_FLAG_NOTE characters).  303 to the thanks; a
 * comment not shown to readers 404; a bad field 422 and past a budget
 * 429 with Retry-After, the form again with the note kept.
 */
void
flag_post(struct request *req, struct response *res)
{
	const struct user *u = account_user(req);
	struct flag_request r;
	enum flag_result done = FLAG_ADDED;
	const char *why = NULL, *note;
	struct comment c;
	size_t len = 0;
	int retry = 1;
	char secs[16];
	enum err e;

	memset(&r, 0, sizeof(r));
	r.comment_id = req_id(req, "id");
	e = comment_get(req->app, &req->arena, r.comment_id, &c);
	if (e == ERR_OK && c.removed)
		e = ERR_NOTFOUND;
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	note = req_raw(req, "note", &len);
	r.user_id = u ? u->id : 0;
	r.visitor_id = csrf_visitor_id(req);
	r.client = req->client;
	r.reason = req_has(req, "reason") ? req_text(req, "reason") : "";
	r.note = note ? note : "";
	r.note_len = note ? len : 0;
	e = flag_comment(req->app, &req->arena, &r, &done, &why, &retry);
	switch (e) {
	case ERR_OK:
		response_redirect(res,
				  arena_printf(&req->arena,
					       "/comments/%lld/flag?done=%s",
					       (long long)r.comment_id,
					       answers[done == FLAG_AGAIN  ? 1
						       : done == FLAG_FULL ? 2
									   : 0]
						   .done));
		return;
	case ERR_INVALID:
		flag_form(req, res, 422, &c, r.reason,
			  strlen(r.note) == r.note_len ? r.note : "", why);
		return;
	case ERR_LIMIT:
		snprintf(secs, sizeof(secs), "%d", retry > 0 ? retry : 1);
		(void)response_header(res, "Retry-After", secs);
		flag_form(req, res, 429, &c, r.reason, r.note, why);
		return;
	case ERR_FORBIDDEN:
		error_page(req, res, 403, why);
		return;
	default:
		error_page(req, res, err_status(e), NULL);
		return;
	}
}
