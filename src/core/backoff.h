/*
 * backoff: failures counted per key (an account and a network): once
 * free_failures are reached, the next try waits 2 s, and each further
 * failure doubles the wait, up to a cap, instead of locking the key out for a
 * fixed time.  A success forgets the key; so does a quiet hour.  A fixed table:
 * memory does not grow with the number of keys; when it is full the key that
 * failed longest ago is forgotten.  Thread-safe.
 */
#ifndef PARLEY_BACKOFF_H
#define PARLEY_BACKOFF_H

#include <stddef.h>

struct backoff;

/*
 * free_failures: failures without a wait after them; cap: the longest
 * wait in seconds.  NULL when out of memory.
 */
struct backoff *backoff_new(int free_failures, int cap, size_t slots);
void backoff_free(struct backoff *b);

/* Seconds key must still wait at time now (seconds); 0: it may try. */
int backoff_wait(struct backoff *b, const char *key, double now);
/* Counts a failure of key at time now. */
void backoff_fail(struct backoff *b, const char *key, double now);
/* Forgets key's failures (after a success). */
void backoff_clear(struct backoff *b, const char *key);

#endif
