/*
 * throttle: what accounts may cost.  Password work (each check or new
 * hash takes 64 MiB and tens of milliseconds) has a budget per network
 * (an IPv4 address, an IPv6 /64); failed sign-ins make the next try of
 * that account wait, twice as long each time (per account and network,
 * and, for browsers the account never signed in from, per account);
 * emails have budgets per network, per recipient and overall; external
 * sign-ins begun have one per network and overall.  No HTTP here.
 */
#ifndef PARLEY_MODEL_THROTTLE_H
#define PARLEY_MODEL_THROTTLE_H

#include <stdbool.h>

#include "core/config.h"
#include "core/err.h"

struct app;
struct throttle;

/* NULL when out of memory. */
struct throttle *throttle_new(const struct config *cfg);
void throttle_free(struct throttle *t);

/* One password check or hash for client: ERR_LIMIT with *retry seconds. */
enum err throttle_password(struct app *app, const char *client, int *retry);

/*
 * Before checking a password for account (its email as typed): ERR_LIMIT
 * with *retry while failures make it wait.  known: the browser signed in
 * to this very account before, and waits for nobody else's failures.
 */
enum err throttle_signin_wait(struct app *app, const char *client,
			      const char *account, bool known, int *retry);
/* A wrong password for account from client. */
void throttle_signin_failed(struct app *app, const char *client,
			    const char *account, bool known);
/* A right one: client's failures for account are forgotten. */
void throttle_signin_ok(struct app *app, const char *client,
			const char *account);

/*
 * One email that client asks for, to recipient (an address), on behalf of
 * account ("user:ID", or NULL when nobody is signed in): ERR_LIMIT with
 * *retry when the network's, the recipient's, the account's or the
 * site's budget is spent.
 */
enum err throttle_mail(struct app *app, const char *client,
		       const char *recipient, const char *account, int *retry);

/* One external sign-in begun by client. */
enum err throttle_external(struct app *app, const char *client, int *retry);

#endif
