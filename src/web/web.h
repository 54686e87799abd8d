/*
 * web: the HTML handlers, one file per resource, and what they share:
 * the page frame, error pages, and the cached-page path.
 */
#ifndef PARLEY_WEB_H
#define PARLEY_WEB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "http/request.h"
#include "http/route.h"

struct tv;

/* Handlers, one per route (see web/routes.c). */
void home_page(struct request *req, struct response *res);
void article_page(struct request *req, struct response *res);
void comment_post(struct request *req, struct response *res);
void comment_permalink(struct request *req, struct response *res);
void static_file(struct request *req, struct response *res);
void static_demo_file(struct request *req, struct response *res);
void avatar_image(struct request *req, struct response *res);
void health_check(struct request *req, struct response *res);

/* Debates (web/debate_page.c, _vote.c, _comments.c, _list.c). */
void debate_page(struct request *req, struct response *res);
void debate_list_page(struct request *req, struct response *res);
void debate_vote_post(struct request *req, struct response *res);
void debate_mind_post(struct request *req, struct response *res);
void debate_comment_post(struct request *req, struct response *res);
void debate_feature_post(struct request *req, struct response *res);
/* Adds "debates" (at most limit) and "has_debates" to a page's view. */
bool debate_home_view(struct request *req, struct tv *v, int limit);
/* What the front page's debate list depends on, for its cache key. */
const char *debate_home_key(struct request *req);

/* THE route table (web/routes.c), which the app hands to the router. */
struct route_table;
extern const struct route_table web_routes;

/* The HTML error page for status, with an optional sentence. */
void error_page(struct request *req, struct response *res, unsigned status,
		const char *message);

/* The status code for a model or store error. */
unsigned err_status(enum err e);

/*
 * The root view of every page: site name, tagline, page title, and the
 * current year.  NULL when out of memory.
 */
struct tv *page_view(struct request *req, const char *title);

/* Renders template name with view into res as an HTML page of status. */
void page_render(struct request *req, struct response *res, unsigned status,
		 const char *name, struct tv *view);

/*
 * The mark a template prints where each reader's own part of a cached
 * page goes (the comment form's tokens and remembered name).
 */
#define PAGE_HOLE "\x01parley-hole\x01"

/*
 * Serves the cached page under key, filling its hole with fill(req, res);
 * true when it was found.
 */
bool page_from_cache(struct request *req, struct response *res,
		     const char *key);

/*
 * Renders template name with view, serves it, and keeps it in the cache
 * under key with tag when the store has not changed since seq.
 */
void page_render_cached(struct request *req, struct response *res,
			const char *key, int64_t tag, uint64_t seq,
			const char *name, struct tv *view);

/* The reader's own part of the comment form: tokens, remembered name. */
const char *comment_form_fill(struct request *req, struct response *res,
			      size_t *len);

#endif
