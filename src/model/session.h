/*
 * session: who a browser is signed in as.  A session is a random 256-bit
 * token that only the browser holds (in an HttpOnly cookie); the store
 * keeps its SHA-256, so a copy of the database signs nobody in.  Each
 * sign-in makes a new token (the old one, if any, is ended): a token
 * planted before sign-in is worth nothing after it.
 */
#ifndef PARLEY_MODEL_SESSION_H
#define PARLEY_MODEL_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"

struct app;

#define SESSION_COOKIE "parley_s"
/* The mark of a browser that signed in to an account (see below). */
#define DEVICE_COOKIE "parley_d"
#define DEVICE_DAYS   365

/* Is s shaped like a session token (before any lookup)? */
bool session_token_valid(const char *s);

/*
 * Starts a session for user_id lasting [accounts] session_days; ends
 * old_token's session (may be NULL).  The new token in *token (arena).
 */
enum err session_start(struct app *app, struct arena *a, int64_t user_id,
		       const char *old_token, const char **token);

/* The enabled user of a live session; ERR_NOTFOUND otherwise. */
enum err session_user(struct app *app, struct arena *a, const char *token,
		      struct user *out);

enum err session_end(struct app *app, const char *token);
/* Signs the user out everywhere. */
enum err session_end_all(struct app *app, int64_t user_id);

/*
 * A known-device mark: the browser that signed in to user_id keeps it, so
 * others' failed sign-ins never hold it up.  "ID.RANDOM.MAC", signed with
 * the site's secret; in the arena, NULL when out of memory.
 */
const char *session_device_mark(struct app *app, struct arena *a,
				int64_t user_id);
/* The user a mark was made for, or 0 when it is not one we signed. */
int64_t session_device_user(struct app *app, const char *mark);

#endif
