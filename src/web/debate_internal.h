/*
 * debate_internal: what the files of the debate pages share (web/
 * debate_page.c, debate_results.c, debate_comments.c, debate_vote.c,
 * debate_cache.c, debate_list.c).  Not for other modules: they use web.h.
 */
#ifndef PARLEY_WEB_DEBATE_INTERNAL_H
#define PARLEY_WEB_DEBATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/request.h"
#include "model/comment.h"
#include "model/debate.h"
#include "web/web.h"

struct arena;
struct config;
struct form_state;
struct tv;

/* What a debate page shows: page, order and view of the discussion. */
struct debate_params {
	int64_t page;
	enum comment_sort sort;
	bool columns;
};

/*
 * The rendered results: shown to readers who may see them, the note that
 * hides them from the others, and the counts of changed and refused votes.
 */
struct debate_results_parts {
	const char *part[3];
	size_t len[3];
};
enum { PART_SHOWN, PART_HIDDEN, PART_INTEGRITY };

/* Everything the page shows, read before it is rendered. */
struct debate_page_data {
	const struct debate *d;
	struct debate_clock clk;
	int64_t now;
	struct debate_speaker *speakers;
	size_t nspeakers;
	struct debate_statement *statements;
	size_t nstatements;
	struct comment *comments, *featured, *top;
	size_t ncomments, nfeatured, ntop;
};

/* debate_page.c: the page, its view, and the helpers the others use. */

/* The names of the discussion's orders in addresses, and their labels. */
extern const char *const debate_page_sort_names[SORT__MAX];
extern const char *const debate_page_sort_labels[SORT__MAX];
/* The CSS class of each side (SIDE_NONE, SIDE_A, SIDE_B, SIDE_UNDECIDED). */
extern const char *const debate_page_side_css[4];

/* The query of a page of the discussion ("" for the defaults), without '?'. */
const char *debate_page_query(struct arena *a, const struct debate_params *p,
			      int64_t page);
/* "22 November 2026 at 18:00 UTC", in the arena. */
const char *debate_page_when(struct arena *a, int64_t t);
/* The ISO 8601 form of t, in the arena. */
const char *debate_page_when_iso(struct arena *a, int64_t t);
/* "Scheduled", "Open", "Closed" or "Draft". */
const char *debate_page_status_label(enum debate_status s);
/* True for a signed-in editor (or admin): the page shows their tools. */
bool debate_page_is_editor(struct request *req);
/* The reader as votes and marks know them: their account, or this browser. */
const char *debate_page_reader_id(struct request *req, const char *visitor);
/* Renders template name with v into the arena; NULL on failure. */
const char *debate_page_render_part(struct request *req, const char *name,
				    const struct tv *v, size_t *len);
/* Loads the public debate of the route's slug; false after an error page. */
bool debate_page_find(struct request *req, struct response *res,
		      struct debate *d);
/* Renders and serves a page that is not cached (a form shown again). */
void debate_page_serve_fresh(struct request *req, struct response *res,
			     const struct debate *d,
			     const struct debate_params *p,
			     struct form_state *form, int side,
			     unsigned status);
/*
 * The posted field name (declared by the route) when it holds no NUL
 * byte, else NULL.
 */
const char *debate_page_field(struct request *req, const char *name);

/* debate_results.c: the results, the charts and the refusals. */

/* Renders the results of d; false after an error page. */
bool debate_results_fresh(struct request *req, struct response *res,
			  const struct debate *d,
			  struct debate_results_parts *rs,
			  struct debate_clock *clk);

/* debate_comments.c: the discussion of a debate. */

/* The discussion: featured comments, the threads (or columns), paging. */
bool debate_comments_put_discussion(struct request *req, struct tv *dv,
				    const struct debate_page_data *pd,
				    const struct debate_params *p,
				    const struct form_state *form, int side);

/* debate_vote.c: votes and "this changed my mind" marks. */

/* The reader's vote panel: their votes, the forms, the mark form. */
const char *debate_vote_fill(struct request *req, const struct debate *d,
			     const struct debate_clock *clk,
			     const struct debate_params *p, const char *token,
			     int pre, int post, size_t *len);

/* debate_cache.c: a debate page's holes and its results in the page cache. */

/* What fills the holes of a debate page for one reader. */
struct debate_fill {
	struct page_fill fill; /* fill.arg is this struct */
	const struct debate *d;
	const struct debate_clock *clk;
	const struct debate_params *p;
	const char *token; /* the forms' CSRF token */
	int pre, post;	   /* the reader's votes (0: none) */
	bool show;	   /* whether they may see the results */
	const struct debate_results_parts *rs;
};

/*
 * Sets f up for this reader: their token, their votes (read from the
 * model), whether they see the results.  False after an error page.
 */
bool debate_cache_reader(struct request *req, struct response *res,
			 const struct debate *d, const struct debate_clock *clk,
			 const struct debate_params *p, struct debate_fill *f);
/*
 * The debate of slug (without its texts: motion, moderator and
 * introduction are "") and its results, from the entry kept for it, when
 * no debate write of this process came since it was kept (gen:
 * debate_generation()) and its schedule has not changed.  The results
 * point into the entry, which the response holds until it is sent.
 */
bool debate_cache_get(struct request *req, struct response *res,
		      const char *slug, uint64_t gen, struct debate *d,
		      struct debate_results_parts *rs);
/*
 * Renders the results of d (the full row, read after gen and seq were
 * taken) into rs and keeps them with the row; false after an error page.
 */
bool debate_cache_put(struct request *req, struct response *res,
		      const struct debate *d, const struct debate_clock *clk,
		      uint64_t gen, uint64_t seq,
		      struct debate_results_parts *rs);
/* The key of the page of d for p, built without printf. */
const char *debate_cache_page_key(struct request *req, const struct debate *d,
				  const struct debate_params *p);

#endif
