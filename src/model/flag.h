/*
 * flag: readers' flags on comments, of articles and debates alike.  A
 * reader (signed in or not) says why a comment should not be shown, with
 * an optional note; each reader counts once per comment, and enough
 * readers ([moderation] flags_to_hold) hold an approved comment for
 * review.  Flags have budgets per address (an IPv4 address, an IPv6 /64),
 * per account and for the whole site; a comment keeps at most
 * flags_per_comment.  Moderators resolve them (model/moderation.c).  No
 * HTTP here.
 */
#ifndef PARLEY_MODEL_FLAG_H
#define PARLEY_MODEL_FLAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"

struct app;
struct config;
struct flag_limits;

/* A reason a reader may give: its stored name and the form's label. */
struct flag_reason {
	const char *name;
	const char *label;
};

/* The reasons, in the form's order. */
#define FLAG_REASONS 4
extern const struct flag_reason flag_reasons[FLAG_REASONS];

/* The label of a reason's name ("" for none of them). */
const char *flag_reason_label(const char *name);

/* The budgets, from [moderation]; NULL when out of memory. */
struct flag_limits *flag_limits_new(const struct config *cfg);
void flag_limits_free(struct flag_limits *fl);

/* A reader's flag as sent. */
struct flag_request {
	int64_t comment_id;
	int64_t user_id;	/* the signed-in reader, or 0 */
	const char *visitor_id; /* the browser's signed visitor id, or NULL */
	const char *client;	/* the address it came from */
	const char *reason;	/* one of flag_reasons' names */
	const char *note;	/* may be "" */
	size_t note_len;	/* bytes of note */
};

/*
 * Flags a comment for the reader of r.  ERR_OK with *res (FLAG_AGAIN: the
 * reader had flagged it; counted once).  ERR_INVALID with *why for a
 * reason not offered or a note too long or unstorable; ERR_FORBIDDEN
 * when the reader is known by neither account nor visitor id; ERR_LIMIT
 * with *why and *retry_after seconds past a budget; ERR_NOTFOUND for a
 * comment that is not shown to readers.  A hold publishes its
 * discussion's change.
 */
enum err flag_comment(struct app *app, struct arena *a,
		      const struct flag_request *r, enum flag_result *res,
		      const char **why, int *retry_after);

/* Comments with open flags, for the flagged queue's count. */
enum err flag_open_count(struct app *app, int64_t *n);

#endif
