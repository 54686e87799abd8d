/*
 * held: a reader's own comments that wait for a moderator.  They are
 * shown to that reader alone (known by their account, or by the browser
 * that posted them), marked "Your comment is awaiting moderation", on a
 * page rendered for them and never cached: a cached page is everyone's.
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
 * Whether this reader may have held comments anywhere (signed in, or
 * their browser posted one): no store read.
 */
bool held_maybe(struct request *req);

/*
 * Whether this reader has held comments on the discussion article_id:
 * true only for a signed-in reader or a browser that posted one, so
 * every other reader costs nothing and gets the cached page.
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
 * The answer to a post whose comment id was held or spammed, instead of
 * the 303 to the shown comment: a held one is shown to its reader on
 * the page where it will appear (parent 0: a new thread), the browser
 * remembered; false when the comment was approved (the usual answer).
 */
bool held_answer(struct request *req, struct response *res,
		 const struct article *art, const char *base, int64_t id,
		 int64_t parent);

#endif
