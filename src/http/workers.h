/*
 * workers: a few threads that run slow work (password hashes) for
 * requests whose connections wait suspended, so no server thread waits
 * on it.  The queue is bounded: when it is full a request is refused at
 * once (503) rather than left to wait without end.
 */
#ifndef PARLEY_WORKERS_H
#define PARLEY_WORKERS_H

#include <stdbool.h>

struct workers;

/* Starts threads threads with room for queue jobs; NULL on failure. */
struct workers *workers_new(int threads, int queue);
/* Runs every job still queued, then stops the threads.  NULL is fine. */
void workers_free(struct workers *w);

/*
 * Takes a place in the queue for one job: false when it is full.  A
 * place taken must be used by workers_push.
 */
bool workers_reserve(struct workers *w);
/* Queues fn(arg) in the place reserved; a worker thread runs it. */
void workers_push(struct workers *w, void (*fn)(void *arg), void *arg);

#endif
