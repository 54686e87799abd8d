/* home: the front page, the latest articles, paginated. */
#include <stdint.h>
#include <string.h>

#include "app.h"
#include "core/util.h"
#include "http/cache.h"
#include "model/article.h"
#include "render/template.h"
#include "web/article.h"

/* GET /[?page=N]: anyone.  Cached; any write drops it. */
void
home_page(struct request *req, struct response *res)
{
	const struct config *cfg = &req->app->cfg;
	struct arena *a = &req->arena;
	/* 1 when absent; the router refused anything but 1 to PAGE_MAX. */
	int64_t page = req_has(req, "page") ? req_int(req, "page") : 1;
	int64_t total = 0, npages;
	struct article *list = NULL;
	struct tv *v, *items;
	uint64_t seq;
	const char *dkey;
	char *key;
	size_t n = 0, i;
	enum err e;

	/* The debates' list changes with their schedules, not only with writes.
	 */
	dkey = debate_home_key(req);
	key = dkey ? arena_printf(a, "home:%lld:%s", (long long)page, dkey)
		   : NULL;
	if (key == NULL) {
		error_page(req, res, 503, NULL);
		return;
	}
	if (page_from_cache(req, res, key))
		return;
	if ((page - 1) * cfg->front_per_page > INT32_MAX) {
		error_page(req, res, 404, "There is no page of that number.");
		return;
	}
	seq = page_cache_seq(req->app->cache);
	e = article_list(req->app, a, (int)((page - 1) * cfg->front_per_page),
			 cfg->front_per_page, &list, &n, &total);
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	if (page > 1 && n == 0) {
		error_page(req, res, 404, "There is no page of that number.");
		return;
	}
	v = page_view(req, NULL);
	if (v == NULL || (items = tv_put_list(v, "articles")) == NULL ||
	    (page == 1 && !debate_home_view(req, v, 5))) {
		error_page(req, res, 503, NULL);
		return;
	}
	for (i = 0; i < n; i++) {
		struct tv *it = tv_push(items);
		char when[64];

		time_format_human(list[i].published, when, sizeof(when));
		if (it == NULL || !tv_put_str(it, "slug", list[i].slug) ||
		    !tv_put_str(it, "title", list[i].title) ||
		    !tv_put_str(it, "author", list[i].author) ||
		    !tv_put_str(it, "date", arena_strdup(a, when)) ||
		    !tv_put_str(it, "image", list[i].image) ||
		    !tv_put_bool(it, "has_image", list[i].image[0] != '\0') ||
		    !tv_put_str(
			it, "count_label",
			list[i].comment_count == 0 ? "No comments yet"
			: list[i].comment_count == 1
			    ? "1 comment"
			    : arena_printf(a, "%lld comments",
					   (long long)list[i].comment_count))) {
			error_page(req, res, 503, NULL);
			return;
		}
	}
	npages = (total + cfg->front_per_page - 1) / cfg->front_per_page;
	if ((page > 1 &&
	     !tv_put_str(v, "newer_href",
			 page == 2 ? "/"
				   : arena_printf(a, "/?page=%lld",
						  (long long)(page - 1)))) ||
	    (page < npages &&
	     !tv_put_str(
		 v, "older_href",
		 arena_printf(a, "/?page=%lld", (long long)(page + 1)))) ||
	    !tv_put_bool(v, "empty", total == 0)) {
		error_page(req, res, 503, NULL);
		return;
	}
	page_render_cached(req, res, key, 0, seq, "home", v);
}
