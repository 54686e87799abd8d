/*
 * ban: commenters banned by account, email, address or network, for a
 * time or for good.  A banned commenter's new comments go straight to
 * spam (model/moderation.c).  An IPv6 address is banned with its /64:
 * one subscriber holds a whole /64.
 */
#ifndef PARLEY_MODEL_BAN_H
#define PARLEY_MODEL_BAN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"

struct app;

/* "account", "email", "address", "network"; and back (false: unknown). */
const char *ban_kind_name(int kind);
bool ban_kind_parse(const char *s, int *kind);

/*
 * The value a ban of kind stores for what a moderator typed: an account
 * id, an email in lower case, an address (an IPv6 one as its /64), a
 * network as CIDR.  NULL when it is not one, with the reason in *why.
 */
const char *ban_normal_value(struct arena *a, int kind, const char *value,
			     const char **why);

/*
 * Bans value (see ban_normal_value) for seconds (0: for good), logged
 * as who's.  ERR_INVALID with *why for a value that is not one.
 */
enum err ban_add(struct app *app, struct arena *a, int kind, const char *value,
		 const char *reason, int64_t seconds,
		 const struct mod_actor *who, int64_t *id, const char **why);

/* The bans in force, newest first. */
enum err ban_list(struct app *app, struct arena *a, struct ban **out,
		  size_t *n);

/* Lifts ban id (ERR_NOTFOUND when there is none), logged as who's. */
enum err ban_remove(struct app *app, int64_t id, const struct mod_actor *who);

/*
 * Whether a ban in force covers a commenter known by account (0: none),
 * email ("" : none) and address; *what names the ban's kind when it does.
 */
enum err ban_covers(struct app *app, struct arena *a, int64_t user_id,
		    const char *email, const char *ip, bool *banned,
		    const char **what);

#endif
