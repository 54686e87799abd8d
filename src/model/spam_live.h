/*
 * spam_live: the spam model a running server scores new comments with.
 * Scoring (cheap) happens on the request path under a shared lock; a new
 * model, learnt elsewhere (jobs/spam_train.c, `parley spam train`), is
 * swapped in whole, so no request ever waits for learning.
 */
#ifndef PARLEY_MODEL_SPAM_LIVE_H
#define PARLEY_MODEL_SPAM_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "model/spam.h"

struct app;
struct spam_live;

/* NULL when out of memory; free accepts NULL. */
struct spam_live *spam_live_new(void);
void spam_live_free(struct spam_live *l);

/*
 * Loads the model saved in the store, if any.  A model that does not
 * load (another version, damaged) is logged and left out: comments are
 * then not scored.
 */
enum err spam_live_load(struct spam_live *l, struct app *app);

/*
 * Scores text: true with the score and the features that weighed most
 * ("name weight" lines, in the arena), or false when there is no trained
 * model (or memory ran out): the comment is then not scored.
 */
bool spam_live_score(struct spam_live *l, struct arena *a, const char *text,
		     double *score, const char **features);

/* A copy of the model in use for learning on (NULL: none, or no memory). */
struct spam_model *spam_live_copy(struct spam_live *l);

/* Puts m in use (taking it) and frees the one it replaces. */
void spam_live_swap(struct spam_live *l, struct spam_model *m);

/*
 * Learns from the moderators' decisions logged after *after (a log id,
 * updated), starting from the model saved in the store, saves it and
 * puts it in use; with no new decision, puts the saved model in use (one
 * `parley spam train` made meanwhile).  *learnt counts the decisions.
 * Runs off the request path (jobs/spam_train.c).
 */
enum err spam_live_learn(struct spam_live *l, struct app *app, int64_t *after,
			 int *learnt);

/*
 * Trains a new model on every approved (ham) and spam comment of the
 * store and saves it; *examples counts them.  For `parley spam train`.
 */
enum err spam_live_train_all(struct app *app, int64_t *examples, int64_t *spam);

#endif
