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
void comment_edit_page(struct request *req, struct response *res);
void comment_edit_post(struct request *req, struct response *res);
void comment_remove_post(struct request *req, struct response *res);
/* Readers' flags on comments (web/flag.c). */
void flag_page(struct request *req, struct response *res);
void flag_post(struct request *req, struct response *res);
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
/*
 * The table of readers' votes that debate pages remember (bounded; safe
 * to share between threads), created at start and freed at exit; free
 * accepts NULL.  NULL when out of memory.
 */
struct debate_voters *debate_voters_new(void);
void debate_voters_free(struct debate_voters *t);

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
 * The holes of a page: the places where each reader's own parts go, so
 * that one rendered page, cached once, serves every reader.  A template
 * prints a hole's mark; page_cut_holes() takes the marks out and records
 * where they were; a filler the handler names fills each per response.
 */
enum page_hole_kind {
	PAGE_HOLE_FORM,	     /* the comment form: tokens, name, identity */
	PAGE_HOLE_VOTE,	     /* a debate reader's vote panel */
	PAGE_HOLE_RESULTS,   /* a debate's results, or the note hiding them */
	PAGE_HOLE_INTEGRITY, /* a debate's changed and refused votes */
	PAGE_HOLE__MAX
};

/* The marks, one per kind; every mark starts with PAGE_MARK_LEAD. */
#define PAGE_MARK_LEAD		 "\x01parley-"
#define PAGE_HOLE		 PAGE_MARK_LEAD "hole\x01"
#define PAGE_HOLE_VOTE_MARK	 PAGE_MARK_LEAD "vote\x01"
#define PAGE_HOLE_RESULTS_MARK	 PAGE_MARK_LEAD "results\x01"
#define PAGE_HOLE_INTEGRITY_MARK PAGE_MARK_LEAD "integrity\x01"

struct page_hole;

/*
 * Takes every mark out of page[0..*len) (*len shrinks) and records the
 * holes in page order in holes[0..*n): one per kind at most, so holes
 * needs PAGE_HOLE__MAX places.  A mark found twice (text from a reader or
 * an author that rendered as a mark) is taken out everywhere and makes no
 * hole: false then, and the page must not be cached, so no reader's part
 * ever lands where another reader's text put it.
 */
bool page_cut_holes(char *page, size_t *len, struct page_hole *holes,
		    size_t *n);

/*
 * Fills a hole of kind for this request: bytes living at least as long
 * as the request's arena, their length in *len; NULL when it cannot (the
 * page is then not served).  arg is the handler's own.
 */
struct page_fill {
	const char *(*fn)(struct request *req, struct response *res,
			  enum page_hole_kind kind, void *arg, size_t *len);
	void *arg;
};

/*
 * Where and how a page is kept: key, tag, the seq taken before reading
 * the store, the stamp it is made from and when it expires (0: never).
 */
struct page_keep {
	const char *key;
	int64_t tag;
	uint64_t seq, stamp;
	int64_t expires;
};

/*
 * Renders template name with view and serves it with status, its holes
 * filled by fill (NULL: the comment form's filler).
 */
void page_render_filled(struct request *req, struct response *res,
			unsigned status, const char *name, struct tv *view,
			const struct page_fill *fill);

/*
 * Serves the page kept under k->key when it was made from k->stamp and has
 * not expired, its holes filled by fill (NULL: the comment form's filler);
 * true when it was found.
 */
bool page_serve_kept(struct request *req, struct response *res,
		     const struct page_keep *k, const struct page_fill *fill);

/*
 * Renders template name with view, serves it (status 200) with its holes
 * filled, and keeps it as k says when the store has not changed since
 * k->seq and no mark was there twice.
 */
void page_render_kept(struct request *req, struct response *res,
		      const struct page_keep *k, const char *name,
		      struct tv *view, const struct page_fill *fill);

/*
 * Serves the cached page under key, filling its hole with the comment
 * form; true when it was found.
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

/*
 * Parts of a page rendered once and copied for each reader with their own
 * values put back (web/part_memo.c): bounded, safe to share between
 * threads, created at start and freed at exit; free accepts NULL, and so
 * do get and put (nothing kept).
 */
#define PART_VALUES_MAX 3
struct part_memo;
struct part_memo *part_memo_new(void);
void part_memo_free(struct part_memo *m);
/*
 * The part kept under key with values[0..n) put back, in arena a (*len
 * bytes, NUL-terminated); NULL when none is kept with n values.
 */
/*
 * A key for a part: texts[0..nt), each after its length, then nums[0..nn),
 * so that no two lists share one; in arena a, NULL when out of memory.
 */
char *part_memo_key(struct arena *a, const char *const *texts, size_t nt,
		    const long long *nums, size_t nn);
char *part_memo_get(struct part_memo *m, struct arena *a, const char *key,
		    const char *const *values, size_t n, size_t *len);
/*
 * Keeps html, the part rendered with values[0..n) (at most
 * PART_VALUES_MAX), under key, which must name everything else its view
 * holds; kept only when each value is found in html, and not in key.
 */
void part_memo_put(struct part_memo *m, const char *key, const char *html,
		   size_t len, const char *const *values, size_t n);

#endif
