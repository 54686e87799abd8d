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
#include "store/store.h"

struct app;

/* A comment form as the reader sent it, trimmed; never NULL fields. */
struct comment_input {
	const char *author;
	const char *email;
	const char *url;
	const char *body;
	const char *key;   /* one-time form key against double posts */
	const char *stamp; /* the form's stamp (comment_limits.h), or "" */
	int64_t parent;
	bool remember;
	int64_t created; /* 0: now; set by imports */
	int64_t user_id; /* the signed-in author, or 0 */
	/*
	 * The browser that posts (its signed visitor id), or NULL: an
	 * anonymous commenter's avatar is keyed by it, never by an email
	 * nobody proved, and it alone is shown its comment while held.
	 */
	const char *visitor;
	/*
	 * The side the comment supports (enum side), in a discussion that
	 * has sides (a debate); SIDE_NONE elsewhere.  Being featured and
	 * changing readers' minds come later, from editors and readers, so
	 * they are attributes of the stored comment, not of what is posted.
	 */
	int side;
};

/* One field of a comment form as sent; value NULL when it was not sent. */
struct comment_field {
	const char *value; /* NUL-terminated; may hold other NULs */
	size_t len;	   /* of value */
};

/*
 * A comment form's fields as the request carried them, before any check.
 * The handler fills it in: the model does not know how requests are read.
 */
struct comment_form {
	struct comment_field author, email, url, body, key, parent;
	struct comment_field honeypot; /* website_confirm, for robots */
	struct comment_field stamp;    /* when the form was shown, signed */
	bool remember;
};

/* One message per field; NULL where the field is fine. */
struct comment_errors {
	const char *author;
	const char *email;
	const char *url;
	const char *body;
	const char *form; /* not about one field */
	/*
	 * ERR_OK, or why the form is refused: ERR_INVALID, ERR_TOOLARGE (the
	 * body is over the length limit), ERR_DB (not saved just now).
	 */
	enum err err;
};

/*
 * Reads and checks the comment fields of form against the site's policy.
 * Returns ERR_OK, or ERR_INVALID with errs filled in; in both cases in
 * holds what the reader sent (for showing the form again).  A NULL form
 * (the handler ran out of memory reading it) is ERR_NOMEM.
 */
enum err comment_read_form(const struct app *app, struct arena *a,
			   const struct comment_form *form,
			   struct comment_input *in,
			   struct comment_errors *errs);

/*
 * Reads and checks a comment's text f as comment_read_form() does, for
 * every form that takes one: characters we can store, not empty, at most
 * max_length characters (errs->err ERR_TOOLARGE).  *body: the text as
 * sent, in a.  ERR_OK, ERR_INVALID with errs->body, or ERR_NOMEM.
 */
enum err comment_read_body(const struct app *app, struct arena *a,
			   const struct comment_field *f, const char **body,
			   struct comment_errors *errs);

/*
 * For a signed-in author: the name and email come from the account (no
 * website), whatever the form said, and the form's errors about those
 * fields no longer count.  Takes and returns comment_read_form()'s result.
 */
enum err comment_as_user(struct comment_input *in, struct comment_errors *errs,
			 const struct user *u, enum err e);

/*
 * For an anonymous commenter: the name of a member (an enabled account
 * with a verified email, in any case) or a member's verified email is
 * theirs alone, so that nobody comments as them; ERR_INVALID with the
 * field's message in errs, saying to sign in.
 */
enum err comment_not_a_member(struct app *app, const struct comment_input *in,
			      struct comment_errors *errs);

/*
 * Stores a checked comment on article (an article's or a debate's
 * discussion, with in->side for the latter): a reply too deep attaches at the
 * deepest level allowed; a parent on another article is ERR_INVALID;
 * comments closed is ERR_FORBIDDEN; a body the Markdown renderer refuses
 * (see markdown.h) is ERR_LIMIT.  A form key already used is ERR_OK
 * with the earlier id when the form is the same (one comment however
 * often it is sent), else ERR_CONFLICT (see comment_refusal()).
 * Durable when it returns ERR_OK; the change to the article is published
 * (core/change.h) before it returns, so its cached pages are gone.
 */
enum err comment_create(struct app *app, struct arena *a,
			const struct article *art,
			const struct comment_input *in, const char *ip,
			int64_t *id);

/*
 * comment_create without waiting for the disk: the checks and the
 * rendering happen now, and a refusal among them is returned now (done is
 * then never called).  ERR_OK: the comment is queued, and done(arg, e, id)
 * is called later, exactly once, with what comment_create would have
 * returned, once the commit is durable or known failed; the change is
 * published before.  done runs on the store's writer thread: it must be
 * quick.  a and in must live until done is called.
 */
enum err comment_submit(struct app *app, struct arena *a,
			const struct article *art,
			const struct comment_input *in, const char *ip,
			void (*done)(void *arg, enum err e, int64_t id),
			void *arg);

/*
 * Turns the refusals of comment_create() that the reader can mend (a
 * body the renderer refuses, a parent not on this page's thread, a form
 * key already used, the same text said again) into messages in errs,
 * returning ERR_INVALID for them and e unchanged otherwise.  earlier is
 * the id comment_create() left: for ERR_CONFLICT, the comment the key
 * made on this page (the reader's text differs from it), or 0 for a key
 * from another page.  A used key is dropped from in, so the form shown
 * again gets a fresh one.
 * place ends the parent message: "article", "debate".
 */
enum err comment_refusal(enum err e, int64_t earlier, struct comment_input *in,
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

/*
 * The avatar name of a comment: a keyed hash of its account, else of the
 * browser that posted it (in->visitor), else (imports) of its email or name.
 */
void comment_avatar_name(const struct app *app, const struct comment_input *in,
			 char out[33]);

/* The page (from 1) that shows top-level comment number index (from 0). */
int64_t comment_page_for(int64_t index, int per_page);

/* Reads for handlers: records in the arena a. */
enum err comment_get(struct app *app, struct arena *a, int64_t id,
		     struct comment *out);
/*
 * A page of a discussion's threads in order sort (an article's is always
 * SORT_OLDEST; a debate offers the others): each root, then its replies by
 * id (see comment_thread()).
 */
enum err comment_page(struct app *app, struct arena *a, int64_t article_id,
		      enum comment_sort sort, int offset, int limit,
		      struct comment **out, size_t *n);
/* The index (from 0) of the thread root_id among the article's threads. */
enum err comment_thread_index(struct app *app, int64_t article_id,
			      int64_t root_id, int64_t *index);

/*
 * The page (from 1) of article_id's discussion that shows comment id;
 * ERR_NOTFOUND when the comment is not in that discussion.
 */
enum err comment_page_of(struct app *app, struct arena *a, int64_t article_id,
			 int64_t id, int64_t *page);

/*
 * What a comment's author is shown as beside their name: nothing for an
 * anonymous commenter (whatever name they typed) or an account that is
 * gone or disabled; a member; or staff (moderator, editor, admin).  Taken
 * from the account's role when the comment is read, so a demoted author
 * loses the badge on the next render.
 */
enum comment_badge { BADGE_NONE, BADGE_MEMBER, BADGE_STAFF, BADGE__MAX };
enum comment_badge comment_badge(const struct comment *c);

#endif
