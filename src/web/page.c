/* page: the frame every HTML page shares, error pages, and cached pages. */
#include "web/web.h"

#include <string.h>

#include "app.h"
#include "core/log.h"
#include "core/util.h"
#include "http/cache.h"
#include "render/template.h"
#include "web/moderate.h"

static const unsigned err_statuses[ERR__MAX] = {
    [ERR_OK] = 200,	   [ERR_NOMEM] = 503,	 [ERR_DB] = 503,
    [ERR_NOTFOUND] = 404,  [ERR_CONFLICT] = 409, [ERR_INVALID] = 422,
    [ERR_FORBIDDEN] = 403, [ERR_LIMIT] = 429,	 [ERR_TOOLARGE] = 413,
    [ERR_DUPLICATE] = 422, [ERR_UNSURE] = 503,
};

unsigned
err_status(enum err e)
{
	return (unsigned)e < ERR__MAX ? err_statuses[e] : 500;
}

/* The root view without the staff's count. */
static struct tv *
page_view_bare(struct request *req, const char *title)
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

/*
 * Every page a moderator sees while signed in shows how many comments
 * wait for them (one count along an index), so no page of theirs is
 * served from the cache or kept there (page_serve_kept(),
 * page_render_kept()).
 */
struct tv *
page_view(struct request *req, const char *title)
{
	struct tv *v = page_view_bare(req, title);

	if (v != NULL && !moderate_put_pending(req, v))
		return NULL;
	return v;
}

/*
 * Whether this request's pages are its own: a moderator's carry the
 * pending count.  The session is looked up only when a cookie names one.
 */
static bool
page_is_staffs(struct request *req)
{
	return moderate_is_staff(req);
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

/* Each kind makes at most one hole: a page's holes fit in a response. */
_Static_assert(PAGE_HOLE__MAX <= PAGE_HOLES_MAX, "too many kinds of holes");

static const char *const hole_marks[PAGE_HOLE__MAX] = {
    [PAGE_HOLE_FORM] = PAGE_HOLE,
    [PAGE_HOLE_VOTE] = PAGE_HOLE_VOTE_MARK,
    [PAGE_HOLE_RESULTS] = PAGE_HOLE_RESULTS_MARK,
    [PAGE_HOLE_INTEGRITY] = PAGE_HOLE_INTEGRITY_MARK,
};

/* The kind of the mark at p (end: the page's end), or -1. */
static int
mark_at(const char *p, const char *end, size_t *mlen)
{
	int k;

	for (k = 0; k < PAGE_HOLE__MAX; k++) {
		size_t n = strlen(hole_marks[k]);

		if ((size_t)(end - p) >= n &&
		    memcmp(p, hole_marks[k], n) == 0) {
			*mlen = n;
			return k;
		}
	}
	return -1;
}

bool
page_cut_holes(char *page, size_t *len, struct page_hole *holes, size_t *n)
{
	const size_t lead = strlen(PAGE_MARK_LEAD);
	char *end = page + *len, *out = page, *p = page, *m;
	unsigned seen[PAGE_HOLE__MAX] = {0};
	size_t i, j, mlen, found = 0;
	bool ok = true;
	int k;

	/*
	 * One pass: bytes move down over the marks taken out.  A mark starts
	 * with a control byte no page has otherwise, so memchr() finds the
	 * candidates at memory speed; nothing moves before the first mark.
	 */
	while ((m = memchr(p, PAGE_MARK_LEAD[0], (size_t)(end - p))) != NULL) {
		if ((size_t)(end - m) < lead ||
		    memcmp(m, PAGE_MARK_LEAD, lead) != 0) {
			m++;
			if (out != p)
				memmove(out, p, (size_t)(m - p));
			out += m - p;
			p = m;
			continue;
		}
		if (out != p)
			memmove(out, p, (size_t)(m - p));
		out += m - p;
		if ((k = mark_at(m, end, &mlen)) < 0) {
			/* Not one of ours: kept as it is. */
			memmove(out, m, lead);
			out += lead;
			p = m + lead;
			continue;
		}
		p = m + mlen;
		if (seen[k]++ == 0) {
			holes[found].at = (size_t)(out - page);
			holes[found++].kind = k;
		}
	}
	if (out != p)
		memmove(out, p, (size_t)(end - p));
	out += end - p;
	*len = (size_t)(out - page);
	/* A mark seen twice makes no hole at all. */
	for (i = j = 0; i < found; i++)
		if (seen[holes[i].kind] == 1)
			holes[j++] = holes[i];
		else
			ok = false;
	*n = j;
	if (!ok)
		log_warnx("a page has a hole's mark twice; it is not cached");
	return ok;
}

/* The comment form's filler: the only hole of most pages. */
static const char *
form_fill(struct request *req, struct response *res, enum page_hole_kind kind,
	  void *arg, size_t *len)
{
	(void)arg;
	*len = 0;
	if (kind != PAGE_HOLE_FORM)
		return "";
	return comment_form_fill(req, res, len);
}

static const struct page_fill default_fill = {form_fill, NULL};

/*
 * Fills every hole of a page (holes in page order) into fill[] and len[],
 * arrays in the arena; false when a filler fails.
 */
static bool
fill_holes(struct request *req, struct response *res,
	   const struct page_hole *holes, size_t n, const struct page_fill *f,
	   const char ***fill, size_t **len)
{
	size_t i;

	if (f == NULL)
		f = &default_fill;
	*fill = arena_alloc(&req->arena, (n ? n : 1) * sizeof(**fill));
	*len = arena_alloc(&req->arena, (n ? n : 1) * sizeof(**len));
	if (*fill == NULL || *len == NULL)
		return false;
	for (i = 0; i < n; i++) {
		(*len)[i] = 0;
		(*fill)[i] = f->fn(req, res, (enum page_hole_kind)holes[i].kind,
				   f->arg, &(*len)[i]);
		if ((*fill)[i] == NULL)
			return false;
	}
	return true;
}

/* Replaces res->body with its pieces and fills, in page order. */
static bool
splice_fills(struct response *res, const struct page_hole *holes, size_t n,
	     const char *const *fill, const size_t *len)
{
	size_t i, from = 0, total = res->body.len;
	struct buf out;
	bool ok = true;

	for (i = 0; i < n; i++)
		total += len[i];
	buf_init(&out, total + 1);
	for (i = 0; i < n; i++) {
		ok = ok &&
		     buf_append(&out, res->body.data + from,
				holes[i].at - from) &&
		     buf_append(&out, fill[i], len[i]);
		from = holes[i].at;
	}
	ok =
	    ok && buf_append(&out, res->body.data + from, res->body.len - from);
	if (!ok) {
		buf_clear(&out);
		return false;
	}
	buf_clear(&res->body);
	res->body = out;
	return true;
}

/*
 * Renders into res->body and takes the marks out; *cacheable is false
 * when a mark was there twice.
 */
static bool
render_raw(struct request *req, struct response *res, const char *name,
	   struct tv *view, struct page_hole *holes, size_t *n, bool *cacheable)
{
	buf_reset(&res->body);
	if (view == NULL ||
	    !tpl_render(req->app->tpl, name, view, &res->body)) {
		log_warnx("render %s failed", name);
		page_fallback(res, 503);
		return false;
	}
	*cacheable = page_cut_holes(res->body.data, &res->body.len, holes, n);
	if (res->body.data)
		res->body.data[res->body.len] = '\0';
	return true;
}

static void
html_headers(struct response *res, unsigned status)
{
	res->status = status;
	res->content_type = "text/html; charset=utf-8";
	(void)response_header(res, "Cache-Control", "no-cache");
}

/* Serves res->body, just rendered, with its holes filled. */
static void
serve_fresh(struct request *req, struct response *res, unsigned status,
	    const struct page_hole *holes, size_t n, const struct page_fill *f)
{
	const char **fill;
	size_t *len;

	if (!fill_holes(req, res, holes, n, f, &fill, &len) ||
	    !splice_fills(res, holes, n, fill, len)) {
		page_fallback(res, 503);
		return;
	}
	html_headers(res, status);
}

void
page_render_filled(struct request *req, struct response *res, unsigned status,
		   const char *name, struct tv *view, const struct page_fill *f)
{
	struct page_hole holes[PAGE_HOLES_MAX];
	size_t n;
	bool cacheable;

	if (render_raw(req, res, name, view, holes, &n, &cacheable))
		serve_fresh(req, res, status, holes, n, f);
}

void
page_render(struct request *req, struct response *res, unsigned status,
	    const char *name, struct tv *view)
{
	page_render_filled(req, res, status, name, view, NULL);
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
	/*
	 * Refusing load or failing costs nothing more: no count there, nor
	 * the session lookup it needs.
	 */
	v = status == 429 || status >= 500 ? page_view_bare(req, title)
					   : page_view(req, title);
	if (v && (!tv_put_int(v, "status", status) ||
		  !tv_put_str(v, "message", message ? message : "")))
		v = NULL;
	page_render(req, res, status, "error", v);
}

/* Serves entry e with this reader's parts in its holes; takes e. */
static void
page_serve(struct request *req, struct response *res, struct page_entry *e,
	   const struct page_fill *f, const char *how)
{
	const char **fill;
	size_t *len;

	if (!fill_holes(req, res, e->holes, e->nholes, f, &fill, &len)) {
		page_cache_release(req->app->cache, e);
		page_fallback(res, 503);
		return;
	}
	html_headers(res, 200);
	/* Whether the page came from the cache, for tests and operators. */
	(void)response_header(res, "X-Cache", how);
	res->page = e;
	res->fill = fill;
	res->fill_len = len;
}

bool
page_serve_kept(struct request *req, struct response *res,
		const struct page_keep *k, const struct page_fill *f)
{
	struct page_entry *e;

	/* A reader's page is not a moderator's: theirs is made afresh. */
	if (page_is_staffs(req))
		return false;
	e = page_cache_get_fresh(req->app->cache, k->key, k->stamp, time_now());
	if (e == NULL)
		return false;
	page_serve(req, res, e, f, "hit");
	return true;
}

void
page_render_kept(struct request *req, struct response *res,
		 const struct page_keep *k, const char *name, struct tv *view,
		 const struct page_fill *f)
{
	struct page_hole holes[PAGE_HOLES_MAX];
	struct page_entry *e = NULL;
	size_t n;
	bool cacheable;

	if (!render_raw(req, res, name, view, holes, &n, &cacheable))
		return;
	/* A moderator's page holds their count: never kept for readers. */
	if (cacheable && !page_is_staffs(req)) {
		struct page_item it = {
		    k->key,	    k->tag,	   k->stamp, k->expires,
		    res->body.data, res->body.len, holes,    n};

		e = page_cache_put(req->app->cache, k->seq, &it);
	}
	if (e != NULL) {
		buf_reset(&res->body);
		page_serve(req, res, e, f, "miss");
		return;
	}
	/*
	 * Not kept (a moderator's, a write since seq, no room, a mark
	 * twice): as it is.
	 */
	serve_fresh(req, res, 200, holes, n, f);
	(void)response_header(res, "X-Cache", "miss");
}

bool
page_from_cache(struct request *req, struct response *res, const char *key)
{
	struct page_keep k = {key, 0, 0, 0, 0};

	return page_serve_kept(req, res, &k, NULL);
}

void
page_render_cached(struct request *req, struct response *res, const char *key,
		   int64_t tag, uint64_t seq, const char *name, struct tv *view)
{
	struct page_keep k = {key, tag, seq, 0, 0};

	page_render_kept(req, res, &k, name, view, NULL);
}
