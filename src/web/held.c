#include "web/held.h"

#include <string.h>

#include "app.h"
#include "core/util.h"
#include "http/csrf.h"
#include "model/article.h"
#include "model/comment.h"
#include "model/comment_own.h"
#include "model/moderation.h"
#include "web/account.h"
#include "web/discussion.h"
#include "web/web.h"

bool
held_maybe(struct request *req)
{
	return request_cookie(req, HELD_COOKIE) != NULL ||
	       request_cookie(req, HELD_OWN_COOKIE) != NULL ||
	       account_user(req) != NULL;
}

/* The held comments of this reader on article_id (n 0: none). */
static enum err
own_held(struct request *req, int64_t article_id, struct comment **out,
	 size_t *n)
{
	const struct user *u = account_user(req);

	*out = NULL;
	*n = 0;
	if (u == NULL && request_cookie(req, HELD_COOKIE) == NULL)
		return ERR_OK;
	return moderation_own_pending(req->app, &req->arena, article_id,
				      u ? u->id : 0, csrf_visitor_id(req), out,
				      n);
}

bool
held_changeable(struct request *req, int64_t article_id, int64_t **ids,
		size_t *n)
{
	const struct user *u = account_user(req);
	struct comment_owner who = {u, NULL};

	*ids = NULL;
	*n = 0;
	if (u == NULL && request_cookie(req, HELD_OWN_COOKIE) == NULL)
		return true;
	who.visitor_id = csrf_visitor_id(req);
	return comment_own_recent(req->app, &req->arena, article_id, &who,
				  time_now(), ids, n) == ERR_OK;
}

void
held_remember_own(struct request *req, struct response *res)
{
	const char *secure =
	    strncmp(req->app->base_url, "https:", 6) == 0 ? "; Secure" : "";
	int minutes = req->app->cfg.edit_minutes;

	if (minutes == 0 || account_user(req) != NULL)
		return;
	(void)response_header(
	    res, "Set-Cookie",
	    arena_printf(&req->arena,
			 "%s=1; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s",
			 HELD_OWN_COOKIE, minutes * 60, secure));
}

bool
held_here(struct request *req, int64_t article_id)
{
	struct comment *list;
	int64_t *ids;
	size_t n;

	return (own_held(req, article_id, &list, &n) == ERR_OK && n > 0) ||
	       (held_changeable(req, article_id, &ids, &n) && n > 0);
}

/* The last page of a discussion of threads threads. */
static int64_t
last_page(int64_t threads, int per_page)
{
	return threads > 0 ? (threads + per_page - 1) / per_page : 1;
}

bool
held_merge(struct request *req, const struct discussion *d,
	   const struct comment **list, size_t *n)
{
	const struct comment *in = *list;
	struct comment *held, *out;
	size_t nheld, i = 0, j, k = 0, run;
	bool last =
	    d->page == last_page(d->thread_count, req->app->cfg.per_page);

	if (own_held(req, d->article_id, &held, &nheld) != ERR_OK)
		return false;
	if (nheld == 0)
		return true;
	out = arena_alloc(&req->arena, (*n + nheld) * sizeof(*out));
	if (out == NULL)
		return false;
	/*
	 * Each thread of the page is a run of one root, ids growing: a held
	 * reply joins its thread's run in id order, so a parent still comes
	 * before its replies (comment_thread() relies on it).
	 */
	while (i < *n) {
		int64_t root = in[i].root_id;

		for (run = i; run < *n && in[run].root_id == root; run++)
			;
		for (; i < run; i++) {
			for (j = 0; j < nheld; j++)
				if (held[j].root_id == root &&
				    held[j].parent_id != 0 &&
				    held[j].id < in[i].id && held[j].id > 0) {
					out[k++] = held[j];
					held[j].id = -held[j].id; /* used */
				}
			out[k++] = in[i];
		}
		for (j = 0; j < nheld; j++)
			if (held[j].root_id == root && held[j].parent_id != 0 &&
			    held[j].id > 0) {
				out[k++] = held[j];
				held[j].id = -held[j].id;
			}
	}
	/* A new thread waits at the end of the discussion. */
	for (j = 0; last && j < nheld; j++)
		if (held[j].parent_id == 0 && held[j].id > 0)
			out[k++] = held[j];
	*list = out;
	*n = k;
	return true;
}

bool
held_answer(struct request *req, struct response *res,
	    const struct article *art, const char *base, int64_t id,
	    int64_t parent)
{
	struct article fresh;
	int status;
	int64_t page = 1;
	const char *secure =
	    strncmp(req->app->base_url, "https:", 6) == 0 ? "; Secure" : "";

	/*
	 * The comment's row alone: a post's answer must not cost what the
	 * moderation page's view of a comment does (its author's history).
	 */
	if (moderation_status(req->app, id, &status) != ERR_OK ||
	    status == STATUS_APPROVED)
		return false;
	if (status != STATUS_PENDING) {
		/* Spam is not announced: that would teach its sender. */
		response_redirect(
		    res, arena_printf(&req->arena, "%s#comments", base));
		return true;
	}
	if (parent == 0 || comment_page_of(req->app, &req->arena, art->id,
					   parent, &page) != ERR_OK) {
		if (article_by_id(req->app, &req->arena, art->id, &fresh) ==
		    ERR_OK)
			page = last_page(fresh.thread_count,
					 req->app->cfg.per_page);
	}
	(void)response_header(
	    res, "Set-Cookie",
	    arena_printf(&req->arena,
			 "%s=1; Path=/; Max-Age=2592000; HttpOnly;"
			 " SameSite=Lax%s",
			 HELD_COOKIE, secure));
	response_redirect(res,
			  discussion_comment_href(&req->arena, base, page, id));
	return true;
}
