#include "http/workers.h"

#include <pthread.h>
#include <stdlib.h>

struct job {
	void (*fn)(void *arg);
	void *arg;
};

struct workers {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	struct job *ring;
	int cap, head, count; /* jobs queued, from ring[head] */
	int reserved;	      /* places taken and not yet pushed */
	bool stopping;
	int nthreads;
	pthread_t threads[];
};

static void *
worker_main(void *arg)
{
	struct workers *w = arg;

	for (;;) {
		struct job j;

		pthread_mutex_lock(&w->lock);
		while (w->count == 0 && !(w->stopping && w->reserved == 0))
			pthread_cond_wait(&w->ready, &w->lock);
		if (w->count == 0) {
			pthread_mutex_unlock(&w->lock);
			return NULL;
		}
		j = w->ring[w->head];
		w->head = (w->head + 1) % w->cap;
		w->count--;
		pthread_mutex_unlock(&w->lock);
		j.fn(j.arg);
	}
}

struct workers *
workers_new(int threads, int queue)
{
	struct workers *w;
	int i;

	if (threads < 1 || queue < 1)
		return NULL;
	w = calloc(1, sizeof(*w) + (size_t)threads * sizeof(pthread_t));
	if (w == NULL)
		return NULL;
	w->ring = calloc((size_t)queue, sizeof(*w->ring));
	if (w->ring == NULL) {
		free(w);
		return NULL;
	}
	w->cap = queue;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->ready, NULL);
	for (i = 0; i < threads; i++) {
		if (pthread_create(&w->threads[i], NULL, worker_main, w) != 0)
			break;
		w->nthreads++;
	}
	if (w->nthreads < threads) {
		workers_free(w);
		return NULL;
	}
	return w;
}

void
workers_free(struct workers *w)
{
	int i;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->ready);
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	pthread_cond_destroy(&w->ready);
	pthread_mutex_destroy(&w->lock);
	free(w->ring);
	free(w);
}

bool
workers_reserve(struct workers *w)
{
	bool ok;

	pthread_mutex_lock(&w->lock);
	ok = !w->stopping && w->count + w->reserved < w->cap;
	if (ok)
		w->reserved++;
	pthread_mutex_unlock(&w->lock);
	return ok;
}

void
workers_push(struct workers *w, void (*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&w->lock);
	w->ring[(w->head + w->count) % w->cap] = (struct job){fn, arg};
	w->count++;
	w->reserved--;
	pthread_cond_signal(&w->ready);
	pthread_mutex_unlock(&w->lock);
}
