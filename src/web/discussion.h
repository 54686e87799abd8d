/*
 * discussion: the reader discussion of any page that has one (an article,
 * a debate): the thread view with its pages, orders and form, and the
 * comment post flow on the handler's side.  A page describes what differs
 * (its address, its sides, its orders, its featured comments) as data in
 * struct discussion or struct discussion_post; the rules are written once
 * here, so every discussion behaves the same.
 */
#ifndef PARLEY_WEB_DISCUSSION_H
#define PARLEY_WEB_DISCUSSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/request.h"
#include "model/comment.h"
#include "store/store.h"

struct tv;

/* The cookie that remembers a reader's name, email and website. */
#define DISCUSSION_WHO_COOKIE "parley_who"

/* The comment form as it is to be shown. */
struct form_state {
	int64_t parent; /* replying to this comment, or 0 */
	int64_t page;	/* the page of the discussion shown */
	int side;	/* the side picked (enum side), where sides apply */
	/* True: render the reader's part in place (not cacheable). */
	bool with_identity;
	/*
	 * True: the page is rendered for this reader alone (never cached),
	 * so their own held comments are shown in it, and the links to
	 * change the comments they still may (web/held.h).
	 */
	bool own_held;
	/*
	 * True: a moderator's page (never cached): each comment has their
	 * buttons (spam, trash, and a link to ban or edit it).
	 */
	bool staff;
	/* After a refused post: what was sent, and why it was refused. */
	const struct comment_input *input;
	const struct comment_errors *errors;
};

/* One page of a discussion as it is to be shown. */
struct discussion {
	const char *base;  /* the page's address: "/articles/SLUG" */
	const char *title; /* for "N thoughts on “TITLE”" */
	int64_t article_id;
	int64_t comment_count, thread_count;
	bool open; /* comments may be posted */
	int64_t page;
	/* The page's comments, by thread (see comment_thread()). */
	const struct comment *comments;
	size_t ncomments;
	/* After each comment's time ("" or " UTC"). */
	const char *when_suffix;
	/*
	 * Sides (a debate): labels and CSS classes indexed by enum side;
	 * NULL where the discussion has none, and then everything below is
	 * unused.
	 */
	const char *const *side_labels;
	const char *const *side_css;
	/* Orders offered (names in addresses, labels), and the one shown. */
	const char *const *sort_names;
	const char *const *sort_labels;
	int nsorts;
	int sort;
	bool columns; /* one column per side */
	/* Editors' picks, shown on the first page. */
	const struct comment *featured;
	size_t nfeatured;
	bool can_mark;	  /* "This changed my mind" buttons */
	bool can_feature; /* an editor's feature buttons */
};

/*
 * The query of a page of a discussion without '?' ("" for the first page
 * in the default order and view): cpage, sort (NULL: the default) and
 * view.  In the arena a; NULL when out of memory.
 */
const char *discussion_query(struct arena *a, int64_t page,
			     const char *sort_name, bool columns);

/*
 * The address of comment id on page of the discussion at base; where a
 * post lands and a permalink points.
 */
const char *discussion_comment_href(struct arena *a, const char *base,
				    int64_t page, int64_t id);

/*
 * Puts the discussion d under v: its heading, the comments (threaded, or
 * in one column per side), the pagination, the orders and views where
 * they apply, the featured comments, and the form ("form") as form says.
 * False when out of memory.
 */
bool discussion_put(struct request *req, struct tv *v,
		    const struct discussion *d, const struct form_state *form);

/* What a comment post needs to know of the page it is posted to. */
struct discussion_post {
	const struct article *art; /* the discussion's row */
	/* The page's address ("/articles/SLUG"); NULL (out of memory): 503. */
	const char *base;
	const char *place; /* "article", "debate": for messages */
	bool open;	   /* comments may be posted */
	bool sides;	   /* the form carries a side */
	/*
	 * Shows the page again with the refused form (its page, side, text
	 * and messages in form), answering status.
	 */
	void (*refused)(struct request *req, struct response *res,
			const void *ctx, struct form_state *form,
			unsigned status);
	const void *ctx; /* for refused */
	/*
	 * The size of *ctx: the post is answered after the caller has
	 * returned, so ctx is copied (shallow) into the request's arena.
	 */
	size_t ctx_size;
};

/*
 * Runs a comment post: who may comment, the form's checks, the durable
 * write, then a 303 to the new comment, or the page again with the form
 * refused (a refused reply on the page of the comment it answers).  The
 * request waits for the write's commit suspended (request_suspend), so
 * no server thread waits on the disk; p, its article and its ctx are
 * copied first.
 */
void discussion_post(struct request *req, struct response *res,
		     const struct discussion_post *p);

/*
 * The answer to a comment post that could not be saved because the
 * database could not be reached or failed: 503 with Retry-After, and the
 * reader's text in a form to send again (to base + "/comments", with its
 * form key, so it is stored once), on a page of its own, since the
 * discussion cannot be read either.  sides: the form has a side field.
 */
void discussion_unsaved(struct request *req, struct response *res,
			const char *base, bool sides,
			const struct comment_input *in, const char *message);

/* Reads the side a debate's comment supports (a, b, or none) into in;
 * false, errs set, for any other value. */
bool discussion_read_side(struct request *req, struct comment_input *in,
			  struct comment_errors *errs);

/* As discussion_unsaved, for a post refused before its discussion could
 * be read (its article's lookup failed): the form read from the request. */
void discussion_unsaved_form(struct request *req, struct response *res,
			     const char *base, bool sides);

#endif
