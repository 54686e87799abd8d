/* page: the frame every HTML page shares, error pages, and cached pages. */
#include "web/web.h"

#include <string.h>

#include "app.h"
#include "core/log.h"
#include "core/util.h"
#include "http/cache.h"
#include "render/template.h"

static const unsigned err_statuses[ERR__MAX] = {
    [ERR_OK] = 200,	   [ERR_NOMEM] = 503,	 [ERR_DB] = 503,
    [ERR_NOTFOUND] = 404,  [ERR_CONFLICT] = 409, [ERR_INVALID] = 422,
    [ERR_FORBIDDEN] = 403, [ERR_LIMIT] = 429,	 [ERR_TOOLARGE] = 413,
};

unsigned
err_status(enum err e)
{
	return (unsigned)e < ERR__MAX ? err_statuses[e] : 500;
}

struct tv *
page_view(struct request *req, const char *title)
{
	const struct config *cfg = &req->app->cfg;
	struct tv *v = tv_obj(&req->arena);
	char year[8];

	if (v == NULL)
		return NULL;
	snprintf(year, sizeof(year), "%d", (int)(1970 + time_now() / 31556952));
	if (!tv_put_str(v, "site_title", cfg->site_title) ||
	    !tv_put_str(v, "site_tagline", cfg->site_tagline) ||
	    !tv_put_str(v, "page_title", title ? title : cfg->site_title) ||
	    !tv_put_bool(v, "has_title", title != NULL))
		return NULL;
	return v;
}

/* A bare page for when even rendering fails. */
static void
page_fallback(struct response *res, unsigned status)
{
	buf_reset(&res->body);
	res->status = status;
	res->content_type = "text/plain; charset=utf-8";
	buf_seterr(&res->body, "The site cannot show this page right now.\n");
}

/* Replaces body[at..) with fill + body[at..). */
static bool
splice_fill(struct request *req, struct response *res, size_t at)
{
	size_t len = 0;
	const char *fill = comment_form_fill(req, res, &len);
	struct buf out;

	if (fill == NULL)
		return false;
	buf_init(&out, res->body.len + len + 1);
	if (!buf_append(&out, res->body.data, at) ||
	    !buf_append(&out, fill, len) ||
	    !buf_append(&out, res->body.data + at, res->body.len - at)) {
		buf_clear(&out);
		return false;
	}
	buf_clear(&res->body);
	res->body = out;
	return true;
}

/* Renders; takes the hole mark out and returns where it was (or len). */
static bool
render_raw(struct request *req, struct response *res, const char *name,
	   struct tv *view, size_t *at)
{
	size_t holelen = strlen(PAGE_HOLE);
	const char *hole;

	buf_reset(&res->body);
	if (view == NULL ||
	    !tpl_render(req->app->tpl, name, view, &res->body)) {
		log_warnx("render %s failed", name);
		page_fallback(res, 503);
		return false;
	}
	/*
	 * The last mark is the hole: everything a reader wrote comes before
	 * the form, so even a mark smuggled into a comment cannot move it.
	 */
	hole = NULL;
	for (const char *p = res->body.data, *end = p + res->body.len;
	     p < end;) {
		const char *m =
		    memmem(p, (size_t)(end - p), PAGE_HOLE, holelen);

		if (m == NULL)
			break;
		hole = m;
		p = m + holelen;
	}
	*at = hole ? (size_t)(hole - res->body.data) : res->body.len;
	if (hole) {
		memmove(res->body.data + *at, res->body.data + *at + holelen,
			res->body.len - *at - holelen + 1);
		res->body.len -= holelen;
	}
	return true;
}

static void
html_headers(struct response *res, unsigned status)
{
	res->status = status;
	res->content_type = "text/html; charset=utf-8";
	(void)response_header(res, "Cache-Control", "no-cache");
}

void
page_render(struct request *req, struct response *res, unsigned status,
	    const char *name, struct tv *view)
{
	size_t at;

	if (!render_raw(req, res, name, view, &at))
		return;
	if (at < res->body.len && !splice_fill(req, res, at)) {
		page_fallback(res, 503);
		return;
	}
	html_headers(res, status);
}

void
error_page(struct request *req, struct response *res, unsigned status,
	   const char *message)
{
	const char *title;
	struct tv *v;

	switch (status) {
	case 400:
		title = "Bad request";
		break;
	case 403:
		title = "Not allowed";
		break;
	case 404:
		title = "Page not found";
		break;
	case 405:
		title = "Method not allowed";
		break;
	case 413:
		title = "Too large";
		break;
	case 415:
		title = "Unsupported form";
		break;
	case 429:
		title = "Too many requests";
		break;
	default:
		title = "Something went wrong";
		break;
	}
	if (message == NULL && status == 404)
		message =
		    "There is nothing at this address. It may have moved, "
		    "or never existed.";
	v = page_view(req, title);
	if (v && (!tv_put_int(v, "status", status) ||
		  !tv_put_str(v, "message", message ? message : "")))
		v = NULL;
	page_render(req, res, status, "error", v);
}

/* Serves entry with this reader's fill in its hole. */
static void
page_serve(struct request *req, struct response *res, struct page_entry *e)
{
	size_t len = 0;
	const char *fill = "";

	if (e->hole < e->len)
		fill = comment_form_fill(req, res, &len);
	if (fill == NULL) {
		page_cache_release(req->app->cache, e);
		page_fallback(res, 503);
		return;
	}
	html_headers(res, 200);
	res->page = e;
	res->hole_fill = fill;
	res->hole_len = len;
}

bool
page_from_cache(struct request *req, struct response *res, const char *key)
{
	struct page_entry *e = page_cache_get(req->app->cache, key);

	if (e == NULL)
		return false;
	page_serve(req, res, e);
	return true;
}

void
page_render_cached(struct request *req, struct response *res, const char *key,
		   int64_t tag, uint64_t seq, const char *name, struct tv *view)
{
	struct page_entry *e;
	size_t at;

	if (!render_raw(req, res, name, view, &at))
		return;
	e = page_cache_put(req->app->cache, key, tag, seq, res->body.data,
			   res->body.len, at);
	if (e != NULL) {
		buf_reset(&res->body);
		page_serve(req, res, e);
		return;
	}
	/* Not kept (a write since seq, or no room): serve it as it is. */
	if (at < res->body.len && !splice_fill(req, res, at)) {
		page_fallback(res, 503);
		return;
	}
	html_headers(res, 200);
}
