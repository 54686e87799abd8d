/*
 * comment_limits: what a comment post may cost, apart from what it says.
 * Budgets in token buckets (per address, per account, per verified email,
 * per discussion and for the whole site), the form's key and the time it
 * took to fill in, and the same text said twice.  Tables of fixed size:
 * memory does not grow with the number of addresses seen.  No HTTP here.
 */
#ifndef PARLEY_MODEL_COMMENT_LIMITS_H
#define PARLEY_MODEL_COMMENT_LIMITS_H

#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "model/comment.h"
#include "store/store.h"

struct app;
struct config;
struct comment_limits;

/* The buckets, from [comments]; NULL when out of memory. */
struct comment_limits *comment_limits_new(const struct config *cfg);
void comment_limits_free(struct comment_limits *cl);

/*
 * The stamp of a comment form shown now (milliseconds) under key: when it
 * was shown, signed with the site's secret and tied to the key, so it
 * cannot be made up or moved to another form.  In the arena; NULL when
 * out of memory.
 */
const char *comment_limits_stamp(const struct app *app, struct arena *a,
				 const char *key, int64_t now_ms);

/*
 * Checks what a post says of its own form: a key (required: without one
 * a form sent twice would be two comments), and, when min_fill_seconds
 * is set, its stamp (as sent; NULL when absent) at least that
 * old.  ERR_OK with in->stamp set; else ERR_INVALID with errs->form.  A
 * post sent too soon keeps its key and stamp, so sending it again later
 * succeeds; a missing or forged one gets fresh ones (in->key and
 * in->stamp "").
 */
enum err comment_limits_form(const struct app *app, struct arena *a,
			     const struct comment_field *stamp,
			     struct comment_input *in,
			     struct comment_errors *errs, int64_t now_ms);

/*
 * Takes one post from every budget it counts against: the address
 * (client's network, see posts_ipv4_prefix), the account u (or NULL),
 * its email when verified, the discussion article_id, the site.  ERR_OK;
 * else ERR_LIMIT with errs->form saying which and when to try again, and
 * errs->err ERR_LIMIT, *retry_after the seconds.  Not serving (the CLI):
 * always ERR_OK.
 */
enum err comment_limits_take(struct app *app, struct arena *a,
			     const struct user *u, const char *client,
			     int64_t article_id, struct comment_errors *errs,
			     int *retry_after);

/*
 * Fills what the store's check of a repeated comment needs (see
 * store.h): c's network from client, the hash of c->body_md, and the
 * window back from c->created; none for an imported comment (created
 * given: its time is not now).
 */
void comment_limits_mark(const struct app *app, struct arena *a,
			 struct comment *c, const char *client, bool imported);

/* The message for a repeated comment (ERR_DUPLICATE from the store). */
#define COMMENT_LIMITS_REPEAT "You already said that."

#endif
