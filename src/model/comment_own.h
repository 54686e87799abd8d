/*
 * comment_own: what commenters may do to their own comments after
 * posting them: edit the text, or remove it, for edit_minutes after
 * posting ([comments] edit_minutes; 0: never).  A comment is its
 * author's account's (signed in when it was posted), or else the
 * browser's that posted it (its signed visitor id).  A signed-in author
 * may remove theirs at any time, as deleting their account could.
 *
 * An edit goes through the same checks, caps, renderer and moderation
 * rules as a new comment, is marked "edited" for every reader, and is
 * logged with the text before it for moderators (author_edit).  A removal
 * keeps the comment's place, so the replies under it stay, shows "removed
 * by its author" instead of its text, drops it from the counts, and is
 * logged with the text it had (author_remove).
 */
#ifndef PARLEY_MODEL_COMMENT_OWN_H
#define PARLEY_MODEL_COMMENT_OWN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "model/comment.h"
#include "store/store.h"

struct app;

/* The reader asking: their account (NULL: none) and browser. */
struct comment_owner {
	const struct user *user;
	const char *visitor_id; /* the signed visitor id, or NULL */
};

/* A comment as its author may change it. */
struct comment_own {
	struct mod_item m;  /* the comment as stored, with its discussion */
	bool mine;	    /* the reader wrote it */
	bool can_edit;	    /* ... and the window is open */
	bool can_remove;    /* ... or they are signed in as its author */
	int64_t edit_until; /* when the window closes (seconds, UTC) */
};

/*
 * Comment id as the reader who may change it sees it, at now.  ERR_NOTFOUND
 * for no comment, one no reader is shown (spam, trash) and one already
 * removed; ERR_FORBIDDEN when it is not the reader's.
 */
enum err comment_own_get(struct app *app, struct arena *a, int64_t id,
			 const struct comment_owner *who, int64_t now,
			 struct comment_own *out);

/*
 * The ids (*n of them, in a) of the reader's comments on the discussion
 * article_id that they may still edit at now, for the links shown to them
 * alone; none when edit_minutes is 0.
 */
enum err comment_own_recent(struct app *app, struct arena *a,
			    int64_t article_id, const struct comment_owner *who,
			    int64_t now, int64_t **ids, size_t *n);

/*
 * Replaces the text of comment id, the reader's, with body, checked as a
 * new comment's is (comment_read_body(), refused words, the renderer's
 * limits) and judged again (moderation_rejudge()), then one post from the
 * reader's budgets (comment_limits_take(): client is their address).
 * ERR_OK: stored, the discussion's change published, *o as before the
 * edit.  Refusals: ERR_FORBIDDEN (not theirs, or the window closed: the
 * message in errs->form), ERR_INVALID and ERR_TOOLARGE (errs->body),
 * ERR_LIMIT (errs->form, *retry_after seconds); *text is what was sent.
 */
enum err comment_own_edit(struct app *app, struct arena *a, int64_t id,
			  const struct comment_owner *who, const char *client,
			  const struct comment_field *body, const char **text,
			  struct comment_own *o, struct comment_errors *errs,
			  int *retry_after);

/*
 * Removes the text of comment id, the reader's, within the window (any
 * time for a signed-in author).  ERR_OK: stored, the change published,
 * *o as before.  ERR_FORBIDDEN with errs->form as comment_own_edit;
 * ERR_LIMIT likewise.
 */
enum err comment_own_remove(struct app *app, struct arena *a, int64_t id,
			    const struct comment_owner *who, const char *client,
			    struct comment_own *o, struct comment_errors *errs,
			    int *retry_after);

#endif
