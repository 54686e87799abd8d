/*
 * held: a reader's own comments that wait for a moderator, and those they
 * may still edit or remove (model/comment_own.h).  The first are shown to
 * that reader alone (known by their account, or by the browser that
 * posted them), marked "Your comment is awaiting moderation"; the second
 * carry Edit and Delete links for them alone; both on a page rendered for
 * them and never cached: a cached page is everyone's.
 */
#ifndef PARLEY_WEB_HELD_H
#define PARLEY_WEB_HELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/request.h"
#include "store/store.h"

struct discussion;

/* The cookie that tells the server this browser has posted a held comment. */
#define HELD_COOKIE "parley_held"

/*
 * The cookie that tells the server this browser has posted a comment it
 * may still change; it lasts as long as the window ([comments]
 * edit_minutes).
 */
#define HELD_OWN_COOKIE "parley_own"

/*
 * Whether this reader may have held or changeable comments anywhere
 * (signed in, or their browser posted one): no store read.
 */
bool held_maybe(struct request *req);

/*
 * Whether this reader has held comments, or comments they may still
 * change, on the discussion article_id: true only for a signed-in reader
 * or a browser that posted one, so every other reader costs nothing and
 * gets the cached page.
 */
bool held_here(struct request *req, int64_t article_id);

/*
 * The page's comments (list[0..*n), by thread) with the reader's own
 * held comments of d merged in: a reply under its thread, a new thread
 * on the last page.  The list is replaced by one in the arena.  False
 * when out of memory or the store fails.
 */
bool held_merge(struct request *req, const struct discussion *d,
		const struct comment **list, size_t *n);

/*
 * The ids (*n, in the request's arena) of the reader's comments on
 * article_id they may still change; false when the store fails.
 */
bool held_changeable(struct request *req, int64_t article_id, int64_t **ids,
		     size_t *n);

/*
 * Remembers, for edit_minutes, that this anonymous reader's browser
 * posted a comment it may change (a signed-in reader is looked up anyway).
 */
void held_remember_own(struct request *req, struct response *res);

/*
 * The answer to a post whose comment id was held or spammed, instead of
 * the 303 to the shown comment: a held one is shown to its reader on
 * the page where it will appear (parent 0: a new thread), the browser
 * remembered; false when the comment was approved (the usual answer).
 */
bool held_answer(struct request *req, struct response *res,
		 const struct article *art, const char *base, int64_t id,
		 int64_t parent);

#endif
