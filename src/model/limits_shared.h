/* limits_shared: rate limits every node of a site shares, in its database. */
#ifndef PARLEY_MODEL_LIMITS_SHARED_H
#define PARLEY_MODEL_LIMITS_SHARED_H

#include <stdbool.h>

struct app;

/*
 * Shares the named rate limits (core/ratelimit.h) through app's store when
 * it keeps them (PostgreSQL, several nodes); false when it does not,
 * and each process keeps its own.  Call once, before serving.
 */
bool limits_share(struct app *app);

#endif
