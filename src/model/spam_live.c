#include "model/spam_live.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"
#include "store/store.h"

/* Feature buffers kept for reuse: each is large (spam.h). */
#define SPARE_FEATURES 4
/* Features shown to moderators with a score. */
#define SPAM_SHOWN 5
/* Comments read from the store at once while training. */
#define TRAIN_BATCH 1000
/* A whole retraining: passes over the examples, and its seed. */
#define TRAIN_EPOCHS 10
#define TRAIN_SEED   20261207

struct spam_live {
	pthread_rwlock_t lock; /* the model: shared to score, alone to swap */
	struct spam_model *model;
	pthread_mutex_t spare_lock;
	struct spam_features *spare[SPARE_FEATURES];
	int nspare;
};

struct spam_live *
spam_live_new(void)
{
	struct spam_live *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	pthread_rwlock_init(&l->lock, NULL);
	pthread_mutex_init(&l->spare_lock, NULL);
	return l;
}

void
spam_live_free(struct spam_live *l)
{
	int i;

	if (l == NULL)
		return;
	spam_model_free(l->model);
	for (i = 0; i < l->nspare; i++)
		spam_features_free(l->spare[i]);
	pthread_rwlock_destroy(&l->lock);
	pthread_mutex_destroy(&l->spare_lock);
	free(l);
}

void
spam_live_swap(struct spam_live *l, struct spam_model *m)
{
	struct spam_model *old;

	pthread_rwlock_wrlock(&l->lock);
	old = l->model;
	l->model = m;
	pthread_rwlock_unlock(&l->lock);
	spam_model_free(old);
}

/* The model saved in the store in *out, or NULL when none loads. */
static enum err
stored_model(struct app *app, struct spam_model **out)
{
	const void *data;
	struct arena a;
	struct buf why;
	size_t len;
	enum err e;

	*out = NULL;
	arena_init(&a);
	e = app->store->ops->spam_model_get(app->store, &a, &data, &len);
	if (e == ERR_OK && len > 0) {
		buf_init(&why, 256);
		if (spam_model_load(data, len, out, &why) != ERR_OK)
			log_warnx("spam model not loaded: %s; comments are "
				  "not scored until `parley spam train`",
				  buf_cstr(&why));
		buf_clear(&why);
	}
	arena_clear(&a);
	return e;
}

enum err
spam_live_load(struct spam_live *l, struct app *app)
{
	struct spam_model *m;
	enum err e = stored_model(app, &m);

	if (m != NULL)
		spam_live_swap(l, m);
	return e;
}

static struct spam_features *
features_take(struct spam_live *l)
{
	struct spam_features *f = NULL;

	pthread_mutex_lock(&l->spare_lock);
	if (l->nspare > 0)
		f = l->spare[--l->nspare];
	pthread_mutex_unlock(&l->spare_lock);
	return f ? f : spam_features_new();
}

static void
features_give(struct spam_live *l, struct spam_features *f)
{
	pthread_mutex_lock(&l->spare_lock);
	if (l->nspare < SPARE_FEATURES) {
		l->spare[l->nspare++] = f;
		f = NULL;
	}
	pthread_mutex_unlock(&l->spare_lock);
	spam_features_free(f);
}

bool
spam_live_score(struct spam_live *l, struct arena *a, const char *text,
		double *score, const char **features)
{
	struct spam_reason why[SPAM_SHOWN];
	struct spam_features *f;
	struct buf out;
	size_t n = 0, i;
	bool ok = false;

	*score = -1;
	*features = "";
	if (l == NULL)
		return false;
	/* No model yet (none trained): nothing to score, no features made. */
	pthread_rwlock_rdlock(&l->lock);
	ok = l->model != NULL && spam_model_examples(l->model, NULL) > 0;
	pthread_rwlock_unlock(&l->lock);
	if (!ok || (f = features_take(l)) == NULL)
		return false;
	ok = false;
	spam_features_of(f, text, strlen(text), NULL);
	pthread_rwlock_rdlock(&l->lock);
	if (l->model != NULL && spam_model_examples(l->model, NULL) > 0) {
		*score = spam_score(l->model, f);
		n = spam_explain(l->model, f, why, SPAM_SHOWN);
		ok = true;
	}
	pthread_rwlock_unlock(&l->lock);
	features_give(l, f);
	if (!ok)
		return false;
	buf_init(&out, 1024);
	for (i = 0; i < n; i++)
		if (!buf_printf(&out, "%s %+.3f\n", why[i].name, why[i].weight))
			break;
	*features = arena_strndup(a, buf_cstr(&out), out.len);
	buf_clear(&out);
	if (*features == NULL)
		*features = "";
	return true;
}

struct spam_model *
spam_live_copy(struct spam_live *l)
{
	struct spam_model *m = NULL;
	struct buf saved;

	buf_init(&saved, (size_t)64 << 20);
	pthread_rwlock_rdlock(&l->lock);
	if (l->model != NULL && spam_model_save(l->model, &saved) != ERR_OK)
		saved.len = 0;
	pthread_rwlock_unlock(&l->lock);
	if (saved.len > 0 &&
	    spam_model_load(saved.data, saved.len, &m, NULL) != ERR_OK)
		m = NULL;
	buf_clear(&saved);
	return m;
}

/* Saves m in the store. */
static enum err
model_save(struct app *app, const struct spam_model *m)
{
	uint64_t examples = spam_model_examples(m, NULL);
	struct buf saved;
	enum err e;

	buf_init(&saved, (size_t)64 << 20);
	e = spam_model_save(m, &saved);
	if (e == ERR_OK)
		e = app->store->ops->spam_model_put(
		    app->store, saved.data, saved.len, (int64_t)examples,
		    time_now());
	buf_clear(&saved);
	return e;
}

enum err
spam_live_learn(struct spam_live *l, struct app *app, int64_t *after,
		int *learnt)
{
	struct spam_features *f;
	struct spam_model *m;
	struct spam_row *rows;
	struct arena a;
	size_t n = 0, i;
	enum err e;

	*learnt = 0;
	/*
	 * Learning starts from the model saved, which `parley spam train`
	 * may have replaced: it is taken up, never written over.
	 */
	if ((e = stored_model(app, &m)) != ERR_OK)
		return e;
	arena_init(&a);
	e = app->store->ops->spam_rows(app->store, &a, true, *after,
				       TRAIN_BATCH, &rows, &n);
	if (e != ERR_OK || n == 0) {
		if (e == ERR_OK && m != NULL)
			spam_live_swap(l, m);
		else
			spam_model_free(m);
		arena_clear(&a);
		return e;
	}
	if (m == NULL)
		m = spam_model_new();
	f = features_take(l);
	if (m == NULL || f == NULL) {
		spam_model_free(m);
		spam_features_free(f);
		arena_clear(&a);
		return ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		spam_features_of(f, rows[i].body_md, strlen(rows[i].body_md),
				 NULL);
		spam_learn(m, f, rows[i].spam);
	}
	features_give(l, f);
	*after = rows[n - 1].id;
	*learnt = (int)n;
	arena_clear(&a);
	e = model_save(app, m);
	if (e != ERR_OK) {
		spam_model_free(m);
		return e;
	}
	spam_live_swap(l, m);
	return ERR_OK;
}

enum err
spam_live_train_all(struct app *app, int64_t *examples, int64_t *spam)
{
	struct spam_example *ex = NULL;
	struct spam_model *m;
	struct spam_row *rows;
	struct arena a;
	size_t n, cap = 0, len = 0, i;
	int64_t after = 0;
	enum err e;

	*examples = *spam = 0;
	arena_init(&a);
	do {
		e = app->store->ops->spam_rows(app->store, &a, false, after,
					       TRAIN_BATCH, &rows, &n);
		for (i = 0; e == ERR_OK && i < n; i++) {
			if (len == cap) {
				struct spam_example *more = arena_alloc(
				    &a, (cap ? cap * 2 : 1024) * sizeof(*more));

				if (more == NULL) {
					e = ERR_NOMEM;
					break;
				}
				if (len)
					memcpy(more, ex, len * sizeof(*more));
				ex = more;
				cap = cap ? cap * 2 : 1024;
			}
			memset(&ex[len], 0, sizeof(ex[len]));
			ex[len].text = rows[i].body_md;
			ex[len].len = strlen(rows[i].body_md);
			ex[len].spam = rows[i].spam;
			*spam += rows[i].spam;
			len++;
			after = rows[i].id;
		}
	} while (e == ERR_OK && n == TRAIN_BATCH);
	/* Nothing to learn from: the model saved, if any, stays. */
	if (e == ERR_OK && len == 0) {
		arena_clear(&a);
		return ERR_OK;
	}
	if (e == ERR_OK && (m = spam_model_new()) == NULL)
		e = ERR_NOMEM;
	if (e == ERR_OK) {
		e = spam_train(m, ex, len, TRAIN_EPOCHS, TRAIN_SEED);
		if (e == ERR_OK)
			e = model_save(app, m);
		spam_model_free(m);
	}
	*examples = (int64_t)len;
	arena_clear(&a);
	return e;
}
