/*
 * comment: the rules of reader comments: which fields a comment form
 * takes and how each is checked, where a reply attaches, how a page of
 * comments is threaded, and what is stored.
 */
#ifndef PARLEY_MODEL_COMMENT_H
#define PARLEY_MODEL_COMMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "http/form.h"
#include "store/store.h"

struct app;

/* A comment form as the reader sent it, trimmed; never NULL fields. */
struct comment_input {
	const char *author;
	const char *email;
	const char *url;
	const char *body;
	const char *key;	/* one-time form key against double posts */
	int64_t parent;
	bool remember;
	int64_t created;	/* 0: now; set by imports */
	int64_t user_id;	/* the signed-in author, or 0 */
};

/* One message per field; NULL where the field is fine. */
struct comment_errors {
	const char *author;
	const char *email;
	const char *url;
	const char *body;
	const char *form;	/* not about one field */
	unsigned status;	/* 400, 413 or 422 when anything is wrong */
};

/*
 * Reads and checks the comment fields of form against the site's policy.
 * Returns ERR_OK, or ERR_INVALID with errs filled in; in both cases in
 * holds what the reader sent (for showing the form again).
 */
enum err comment_read_form(const struct app *app, struct arena *a,
			   const struct fields *form, struct comment_input *in,
			   struct comment_errors *errs);

/*
 * For a signed-in author: the name and email come from the account (no
 * website), whatever the form said, and the form's errors about those
 * fields no longer count.  Takes and returns comment_read_form()'s result.
 */
enum err comment_as_user(struct comment_input *in, struct comment_errors *errs,
			 const struct user *u, enum err e);

/*
 * Stores a checked comment on article: a reply too deep attaches at the
 * deepest level allowed; a parent on another article is ERR_INVALID;
 * comments closed is ERR_FORBIDDEN; a body the Markdown renderer refuses
 * (see markdown.h) is ERR_LIMIT.  Durable when it returns ERR_OK;
 * the article's cached pages are dropped before it returns.
 */
enum err comment_create(struct app *app, struct arena *a,
			const struct article *art,
			const struct comment_input *in, const char *ip,
			int64_t *id);

/* comment_create in a debate's discussion: the comment supports side. */
enum err comment_create_side(struct app *app, struct arena *a,
			     const struct article *art,
			     const struct comment_input *in, const char *ip,
			     int side, int64_t *id);

/*
 * Turns the refusals of comment_create() that the reader can mend (a
 * body the renderer refuses, a parent not on this page's thread, a form
 * key already used elsewhere) into messages in errs, returning
 * ERR_INVALID for them and e unchanged otherwise.  place ends the parent
 * message: "article", "debate".
 */
enum err comment_refusal(enum err e, struct comment_input *in,
			 struct comment_errors *errs, const char *place);

/* A comment with its replies, for rendering a thread. */
struct thread_node {
	const struct comment *c;
	struct thread_node *first_child, *last_child, *next;
};

/*
 * Threads a page of comments (as the store returns them: by root, then
 * id) into a list of top-level nodes, in the arena.
 */
struct thread_node *comment_thread(struct arena *a, const struct comment *list,
				   size_t n);

/* The avatar name for an email (or a name when there is no email). */
void comment_avatar_name(const struct app *app, const char *email,
			 const char *author, char out[33]);

/* The page (from 1) that shows top-level comment number index (from 0). */
int64_t comment_page_for(int64_t index, int per_page);

#endif
