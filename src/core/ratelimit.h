/*
 * ratelimit: token buckets keyed by a string (an address, an account).
 * Each key may spend burst tokens at once, refilled at rate per second.
 * A fixed table: memory does not grow with the number of keys; when it
 * is full the key seen longest ago is forgotten.  Thread-safe.
 *
 * Several processes serving one site share their buckets through a hook
 * (ratelimit_set_shared): a bucket with a name is then spent in the
 * process's own table first (a flood at one process never reaches the
 * shared one) and in the shared one after, so a reader who spreads
 * requests over the processes meets the same budget.
 */
#ifndef PARLEY_RATELIMIT_H
#define PARLEY_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>

struct ratelimit;

/*
 * NULL when out of memory.  name (a literal, or NULL for a bucket only
 * this process uses) names the bucket in the shared table.
 */
struct ratelimit *ratelimit_new(const char *name, double burst, double rate,
				size_t slots);

/*
 * Where named buckets are shared.  take answers for the shared bucket
 * name + key: 1 a token was spent, 0 none was left (*retry_after set), -1
 * no answer (the shared table is unreachable: this process's answer
 * stands).  reset gives it its full burst.  Set once, before the buckets
 * are used; NULL shares nothing.
 */
struct ratelimit_shared {
	int (*take)(void *arg, const char *name, const char *key, double burst,
		    double rate, double now, int *retry_after);
	void (*reset)(void *arg, const char *name, const char *key);
	void *arg;
};
void ratelimit_set_shared(const struct ratelimit_shared *sh);
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
