/* article: the article page; its discussion is web/discussion.c's. */
#include "web/article.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/parse.h"
#include "core/util.h"
#include "http/cache.h"
#include "model/article.h"
#include "model/comment.h"
#include "render/template.h"
#include "web/discussion.h"
#include "web/held.h"
#include "web/moderate.h"

/*
 * Reads a positive page number below a billion; 1 when absent, 0 when
 * malformed.  For the handlers that do not declare their fields yet.
 */
int64_t
article_page_number(const char *s)
{
	int64_t v;

	if (s == NULL)
		return 1;
	return parse_int_str(s, 1, 999999999, &v) ? v : 0;
}

struct tv *
article_view(struct request *req, const struct article *art, int64_t page,
	     const struct form_state *form)
{
	struct arena *a = &req->arena;
	const struct config *cfg = &req->app->cfg;
	struct tv *v = page_view(req, art->title), *av;
	struct comment *comments = NULL;
	struct discussion disc;
	size_t n = 0;
	char when[64], iso[32];

	if (v == NULL || (av = tv_put_obj(v, "article")) == NULL)
		return NULL;
	memset(&disc, 0, sizeof(disc));
	time_format_human(art->published, when, sizeof(when));
	time_format_iso(art->published, iso, sizeof(iso));
	if (!tv_put_str(av, "title", art->title) ||
	    !tv_put_str(av, "author", art->author) ||
	    !tv_put_str(av, "date", arena_strdup(a, when)) ||
	    !tv_put_str(av, "date_iso", arena_strdup(a, iso)) ||
	    !tv_put_str(av, "image", art->image) ||
	    !tv_put_bool(av, "has_image", art->image[0] != '\0') ||
	    !tv_put_str(av, "caption", art->caption) ||
	    !tv_put_safe(
		av, "body_html",
		(struct safe_html){art->body_html, strlen(art->body_html)}) ||
	    !tv_put_bool(av, "open", art->comments_open))
		return NULL;
	if (art->tags[0]) {
		char *tags = arena_strdup(a, art->tags), *save = NULL, *t;
		struct tv *tl = tv_put_list(av, "tags");

		if (tags == NULL || tl == NULL ||
		    !tv_put_bool(av, "has_tags", true))
			return NULL;
		for (t = strtok_r(tags, ",", &save); t;
		     t = strtok_r(NULL, ",", &save)) {
			struct tv *ti = tv_push(tl);

			if (ti == NULL || !tv_put_str(ti, "tag", str_trim(t)))
				return NULL;
		}
	}

	if (comment_page(req->app, a, art->id, SORT_OLDEST,
			 (int)((page - 1) * cfg->per_page), cfg->per_page,
			 &comments, &n) != ERR_OK)
		return NULL;
	disc.base = arena_printf(a, "/articles/%s", art->slug);
	disc.title = art->title;
	disc.article_id = art->id;
	disc.comment_count = art->comment_count;
	disc.thread_count = art->thread_count;
	disc.open = art->comments_open;
	disc.page = page;
	disc.comments = comments;
	disc.ncomments = n;
	disc.when_suffix = "";
	if (disc.base == NULL || !discussion_put(req, av, &disc, form))
		return NULL;
	return v;
}

/*
 * GET /articles/SLUG[?cpage=N][&replytocom=ID]: anyone.  The plain pages
 * are served from the page cache; a reply form for one comment is not.
 */
void
article_page(struct request *req, struct response *res)
{
	const char *slug = req_text(req, "slug");
	/* The router refused page or comment numbers that are not ones. */
	bool replyto = req_has(req, "replytocom");
	struct form_state form;
	struct article art;
	int64_t page = req_has(req, "cpage") ? req_int(req, "cpage") : 1;
	uint64_t seq;
	char *key;
	bool maybe_held, mine;
	enum err e;

	if (!slug_valid(slug)) {
		error_page(req, res, 404, NULL);
		return;
	}
	memset(&form, 0, sizeof(form));
	form.page = page;
	if (replyto)
		form.parent = req_int(req, "replytocom");
	key =
	    arena_printf(&req->arena, "article:%s:%lld", slug, (long long)page);
	if (key == NULL) {
		error_page(req, res, 503, NULL);
		return;
	}
	/* A reader who may have held comments is looked at first. */
	maybe_held = held_maybe(req);
	if (!replyto && !maybe_held && page_from_cache(req, res, key))
		return;
	seq = page_cache_seq(req->app->cache);
	e = article_by_slug(req->app, &req->arena, slug, &art);
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	if (page > 1 &&
	    (page - 1) * req->app->cfg.per_page >= art.thread_count) {
		error_page(req, res, 404,
			   "The discussion has no page of that number.");
		return;
	}
	/*
	 * Their own held comments, or a moderator's buttons, make the page
	 * theirs alone: not cached.
	 */
	form.staff = maybe_held && moderate_is_staff(req);
	mine = maybe_held && held_here(req, art.id);
	if (maybe_held && !replyto && !mine && !form.staff &&
	    page_from_cache(req, res, key))
		return;
	if (replyto || mine || form.staff) {
		struct tv *v;

		form.with_identity = true;
		form.own_held = true;
		v = article_view(req, &art, page, &form);
		page_render(req, res, 200, "article", v);
		return;
	}
	page_render_cached(req, res, key, art.id, seq, "article",
			   article_view(req, &art, page, &form));
}
