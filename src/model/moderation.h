/*
 * moderation: the status of every comment (pending, approved, spam,
 * trash), decided when it is posted (the site's policy, the rules of
 * model/rules.c, bans, the spam classifier) and changed by moderators,
 * every change logged.  One module for every discussion: articles and
 * debates alike.
 */
#ifndef PARLEY_MODEL_MODERATION_H
#define PARLEY_MODEL_MODERATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "model/comment.h"
#include "store/store.h"

struct app;

/* Comments a moderation page or command shows at once, at most. */
#define MODERATION_PAGE_MAX 100
/* Comments one action may change at once: a queue page, which a form holds. */
#define MODERATION_BULK_MAX 50

/* "pending", "approved", "spam", "trash"; and back (false: unknown). */
const char *moderation_status_name(int status);
bool moderation_status_parse(const char *s, int *status);

/* Whether role may moderate (moderators, editors, admins). */
bool moderation_allowed(enum role role);

/*
 * The keyed hash a held comment keeps of the browser that posted it (its
 * visitor id), so that browser alone is shown the comment; "" for none.
 */
const char *moderation_visitor(const struct app *app, struct arena *a,
			       const char *visitor_id);

/*
 * A refused word in the comment (refuse_words): ERR_INVALID with the
 * message in errs->body; ERR_OK otherwise.
 */
enum err moderation_refuse(const struct app *app, struct arena *a,
			   const struct comment_input *in,
			   struct comment_errors *errs);

/*
 * Decides the status of a new comment c (rendered, its fields set from
 * in and ip): blocked or banned senders and a spam score at or above
 * spam_percent go to spam; a rule, an uncertain score or the site's
 * policy hold it; else it is approved.  Sets c's status, reason, score,
 * features and visitor.  Scoring only: nothing learns here.
 */
enum err moderation_judge(struct app *app, struct arena *a,
			  const struct comment_input *in, struct comment *c);

/*
 * Judges c again after its author changed its text (c as stored, with
 * the new text rendered): the rules, bans and classifier as for a new
 * comment, but not the site's policy (hold all, first comments).  The
 * status only worsens: new text may hold an approved comment or make any
 * spam, never approve a held one.  Sets c's status, reason (when it
 * changed), score and features.
 */
enum err moderation_rejudge(struct app *app, struct arena *a,
			    struct comment *c);

/*
 * Sets the status of ids[0..n) (at most MODERATION_BULK_MAX) as action
 * (approve, spam, trash, restore) by who: logged, the discussions'
 * counts made again and their change published; the classifier learns
 * from approvals and spam in the background.  *changed counts the
 * comments whose status changed.
 */
enum err moderation_set(struct app *app, struct arena *a, const int64_t *ids,
			size_t n, int status, const char *action,
			const struct mod_actor *who, size_t *changed);

/*
 * The status that action (approve, spam, trash, restore) gives; false for
 * another word.  restore gives pending: a moderator decides again.
 */
bool moderation_action_status(const char *action, int *status);

/*
 * Replaces a comment's text with body, rendered by the readers' Markdown
 * renderer; logged with the text before and after.  ERR_INVALID with
 * *why for a body that is empty, too long or too intricate.
 */
enum err moderation_edit(struct app *app, struct arena *a, int64_t id,
			 const char *body, const struct mod_actor *who,
			 const char **why);

/* Deletes spam and trash older than days (see store.h), logged. */
enum err moderation_purge(struct app *app, int days,
			  const struct mod_actor *who, int64_t *n);

/* A comment's status (enum comment_status) alone, whatever it is. */
enum err moderation_status(struct app *app, int64_t id, int *status);

enum err moderation_get(struct app *app, struct arena *a, int64_t id,
			struct mod_item *out);
enum err moderation_list(struct app *app, struct arena *a,
			 const struct mod_filter *f, struct mod_item **out,
			 size_t *n);
enum err moderation_counts(struct app *app, int64_t counts[STATUS__MAX]);
/* The comments waiting for a moderator: one count along an index. */
enum err moderation_pending(struct app *app, int64_t *n);
enum err moderation_log(struct app *app, struct arena *a, int64_t comment_id,
			int limit, struct mod_log_entry **out, size_t *n);

/*
 * A reader's own held comments on a discussion, known by their account
 * (0: none) or their browser's visitor id (NULL: none).
 */
enum err moderation_own_pending(struct app *app, struct arena *a,
				int64_t article_id, int64_t user_id,
				const char *visitor_id, struct comment **out,
				size_t *n);

/* Wakes the background learner after a decision (jobs/spam_train.c). */
void moderation_decided(struct app *app);

#endif
