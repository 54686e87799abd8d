/* article: the article page, with its discussion and the reply form. */
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

static const char *
page_href(struct arena *a, const char *slug, int64_t page)
{
	if (page <= 1)
		return arena_printf(a, "/articles/%s#comments", slug);
	return arena_printf(a, "/articles/%s?cpage=%lld#comments", slug,
			    (long long)page);
}

static bool
put_comment(struct arena *a, struct tv *item, const struct thread_node *node,
	    const char *slug, int64_t page, int depth_max)
{
	const struct comment *c = node->c;
	const struct thread_node *ch;
	char when[64], iso[32];
	struct tv *replies;

	time_format_human(c->created, when, sizeof(when));
	time_format_iso(c->created, iso, sizeof(iso));
	if (!tv_put_int(item, "id", c->id) ||
	    !tv_put_str(item, "author", c->author) ||
	    !tv_put_str(item, "url", c->url) ||
	    !tv_put_bool(item, "has_url", c->url[0] != '\0') ||
	    !tv_put_str(item, "avatar", c->avatar) ||
	    !tv_put_str(item, "when", arena_strdup(a, when)) ||
	    !tv_put_str(item, "when_iso", arena_strdup(a, iso)) ||
	    !tv_put_safe(
		item, "body_html",
		(struct safe_html){c->body_html, strlen(c->body_html)}) ||
	    !tv_put_int(item, "depth", c->depth) ||
	    !tv_put_str(
		item, "reply_href",
		page > 1
		    ? arena_printf(
			  a, "/articles/%s?cpage=%lld&replytocom=%lld#respond",
			  slug, (long long)page, (long long)c->id)
		    : arena_printf(a, "/articles/%s?replytocom=%lld#respond",
				   slug, (long long)c->id)))
		return false;
	(void)depth_max;
	/*
	 * Always set, even when empty: a name missing here would be looked
	 * up in the parent comment's scope and repeat its replies.
	 */
	replies = tv_put_list(item, "replies");
	if (replies == NULL ||
	    !tv_put_bool(item, "has_replies", node->first_child != NULL))
		return false;
	for (ch = node->first_child; ch != NULL; ch = ch->next) {
		struct tv *sub = tv_push(replies);

		if (sub == NULL ||
		    !put_comment(a, sub, ch, slug, page, depth_max))
			return false;
	}
	return true;
}

/* "No comments yet", "1 thought", "12 thoughts". */
static bool
put_count(struct arena *a, struct tv *v, int64_t n)
{
	if (!tv_put_int(v, "comment_count", n) ||
	    !tv_put_bool(v, "has_comments", n > 0))
		return false;
	return tv_put_str(v, "count_label",
			  n == 1
			      ? "1 thought"
			      : arena_printf(a, "%lld thoughts", (long long)n));
}

struct tv *
article_view(struct request *req, const struct article *art, int64_t page,
	     const struct form_state *form)
{
	struct arena *a = &req->arena;
	const struct config *cfg = &req->app->cfg;
	struct tv *v = page_view(req, art->title), *av, *list, *pages;
	struct comment *comments = NULL;
	struct thread_node *node;
	int64_t npages, p;
	size_t n = 0;
	char when[64], iso[32];

	if (v == NULL || (av = tv_put_obj(v, "article")) == NULL)
		return NULL;
	time_format_human(art->published, when, sizeof(when));
	time_format_iso(art->published, iso, sizeof(iso));
	if (!tv_put_str(av, "slug", art->slug) ||
	    !tv_put_str(av, "title", art->title) ||
	    !tv_put_str(av, "author", art->author) ||
	    !tv_put_str(av, "date", arena_strdup(a, when)) ||
	    !tv_put_str(av, "date_iso", arena_strdup(a, iso)) ||
	    !tv_put_str(av, "image", art->image) ||
	    !tv_put_bool(av, "has_image", art->image[0] != '\0') ||
	    !tv_put_str(av, "caption", art->caption) ||
	    !tv_put_safe(
		av, "body_html",
		(struct safe_html){art->body_html, strlen(art->body_html)}) ||
	    !tv_put_bool(av, "open", art->comments_open) ||
	    !put_count(a, av, art->comment_count))
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

	if (comment_page(req->app, a, art->id,
			 (int)((page - 1) * cfg->per_page), cfg->per_page,
			 &comments, &n) != ERR_OK)
		return NULL;
	list = tv_put_list(av, "comments");
	if (list == NULL)
		return NULL;
	for (node = comment_thread(a, comments, n); node; node = node->next) {
		struct tv *item = tv_push(list);

		if (item == NULL ||
		    !put_comment(a, item, node, art->slug, page, cfg->depth))
			return NULL;
	}

	npages = art->thread_count
		     ? (art->thread_count + cfg->per_page - 1) / cfg->per_page
		     : 1;
	if (npages > 1) {
		struct tv *pg = tv_put_obj(av, "pagination");

		if (pg == NULL || (pages = tv_put_list(pg, "pages")) == NULL)
			return NULL;
		if (page > 1 && !tv_put_str(pg, "prev_href",
					    page_href(a, art->slug, page - 1)))
			return NULL;
		if (page < npages &&
		    !tv_put_str(pg, "next_href",
				page_href(a, art->slug, page + 1)))
			return NULL;
		for (p = 1; p <= npages; p++) {
			struct tv *pi;

			/* Around the current page, and the ends; gaps elided.
			 */
			if (p != 1 && p != npages &&
			    (p < page - 2 || p > page + 2)) {
				if (p == page - 3 || p == page + 3) {
					if ((pi = tv_push(pages)) == NULL ||
					    !tv_put_bool(pi, "gap", true))
						return NULL;
				}
				continue;
			}
			if ((pi = tv_push(pages)) == NULL ||
			    !tv_put_int(pi, "number", p) ||
			    !tv_put_bool(pi, "current", p == page) ||
			    !tv_put_str(pi, "href", page_href(a, art->slug, p)))
				return NULL;
		}
	}
	if (!comment_form_view(req, av, art, form))
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
	if (!replyto && page_from_cache(req, res, key))
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
	if (replyto) {
		struct tv *v;

		form.with_identity = true;
		v = article_view(req, &art, page, &form);
		page_render(req, res, 200, "article", v);
		return;
	}
	page_render_cached(req, res, key, art.id, seq, "article",
			   article_view(req, &art, page, &form));
}
