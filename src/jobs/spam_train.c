#include "jobs/spam_train.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "app.h"
#include "core/log.h"
#include "model/moderation.h"
#include "model/spam_live.h"

/* A round at least this often, in case a wake was missed. */
#define TRAIN_IDLE_SECONDS 60

struct spam_trainer {
	struct app *app;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool woken, stopping;
	int64_t after; /* the last log line learnt from */
};

static void
trainer_wake(void *arg)
{
	struct spam_trainer *t = arg;

	pthread_mutex_lock(&t->lock);
	t->woken = true;
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
}

static void *
trainer_main(void *arg)
{
	struct spam_trainer *t = arg;
	int learnt;

	pthread_mutex_lock(&t->lock);
	while (!t->stopping) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += TRAIN_IDLE_SECONDS;
		while (!t->woken && !t->stopping)
			if (pthread_cond_timedwait(&t->wake, &t->lock,
						   &until) != 0)
				break;
		if (t->stopping)
			break;
		t->woken = false;
		pthread_mutex_unlock(&t->lock);
		do {
			if (spam_live_learn(t->app->spam, t->app, &t->after,
					    &learnt) != ERR_OK) {
				log_warnx(
				    "spam model: learning from "
				    "decisions failed; tried again later");
				break;
			}
			if (learnt > 0)
				log_info("spam model: learnt from %d "
					 "decisions",
					 learnt);
		} while (learnt > 0);
		pthread_mutex_lock(&t->lock);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

struct spam_trainer *
spam_train_start(struct app *app)
{
	struct spam_trainer *t = calloc(1, sizeof(*t));
	struct mod_log_entry *last;
	struct arena a;
	size_t n = 0;

	if (t == NULL || app->spam == NULL) {
		free(t);
		log_warnx("spam model: no background learner");
		return NULL;
	}
	t->app = app;
	/* Decisions from now on; the model saved holds the earlier ones. */
	arena_init(&a);
	if (moderation_log(app, &a, 0, 1, &last, &n) == ERR_OK && n == 1)
		t->after = last[0].id;
	arena_clear(&a);
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->wake, NULL);
	if (pthread_create(&t->thread, NULL, trainer_main, t) != 0) {
		pthread_mutex_destroy(&t->lock);
		pthread_cond_destroy(&t->wake);
		free(t);
		log_warnx("spam model: cannot start the background learner");
		return NULL;
	}
	app->spam_wake_arg = t;
	app->spam_wake = trainer_wake;
	return t;
}

void
spam_train_stop(struct spam_trainer *t)
{
	if (t == NULL)
		return;
	t->app->spam_wake = NULL;
	pthread_mutex_lock(&t->lock);
	t->stopping = true;
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->wake);
	free(t);
}
