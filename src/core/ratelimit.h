/*
 * ratelimit: token buckets keyed by a string (an address, an account).
 * Each key may spend burst tokens at once, refilled at rate per second.
 * A fixed table: memory does not grow with the number of keys; when it
 * is full the key seen longest ago is forgotten.  Thread-safe.
 */
#ifndef PARLEY_RATELIMIT_H
#define PARLEY_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>

struct ratelimit;

/* NULL when out of memory. */
struct ratelimit *ratelimit_new(double burst, double rate, size_t slots);
void ratelimit_free(struct ratelimit *rl);

/*
 * Spends one token of key at time now (seconds).  True when there was
 * one; otherwise false with *retry_after, the whole seconds until there
 * is one again (at least 1).
 */
bool ratelimit_take(struct ratelimit *rl, const char *key, double now,
		    int *retry_after);

/* The keys remembered now: never more than the table's slots. */
size_t ratelimit_used(struct ratelimit *rl);

/* Gives key its full burst again (after a success that should not count). */
void ratelimit_reset(struct ratelimit *rl, const char *key);

#endif
