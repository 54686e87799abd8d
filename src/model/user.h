/*
 * user: the rules of accounts: what a name, an email and a password may
 * be, argon2id hashing, one-time tokens sent by email (verify, reset,
 * change of email), sign-up and sign-in without telling anyone whether
 * an address has an account, sign-in limits, roles, and deletion.
 * No HTTP here: the handlers in web/account.c call these.
 */
#ifndef PARLEY_MODEL_USER_H
#define PARLEY_MODEL_USER_H

#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"

struct app;

#define USER_NAME_MAX	  60   /* characters */
#define USER_PASSWORD_MIN 8    /* characters */
#define USER_PASSWORD_MAX 1024 /* bytes */
#define USER_HASH_BYTES	  crypto_pwhash_STRBYTES
#define USER_TOKEN_LEN	  43 /* 32 bytes, base64url unpadded */

/* Token lifetimes, in seconds. */
#define TTL_VERIFY (3 * 24 * 3600)
#define TTL_RESET  3600
#define TTL_EMAIL  (24 * 3600)
#define TTL_LINK   3600
#define TTL_SETUP  (24 * 3600)

const char *role_name(enum role r);
bool role_parse(const char *s, enum role *out);

/* Argon2id (libsodium's crypto_pwhash_str); false when out of memory. */
__attribute__((warn_unused_result)) bool
user_password_hash(const char *password, char out[USER_HASH_BYTES]);

/*
 * True when password matches hash.  An empty hash (no account, or no
 * password) costs the same time and is false, so timing tells nothing.
 */
bool user_password_check(const char *hash, const char *password);

#define USER_NAME_BUF (USER_NAME_MAX * 4 + 1)
/*
 * A display name without the characters that reorder text (U+202E and
 * friends, see str_strip_bidi), trimmed, in buf; name itself when it is
 * too long to be a name anyway (user_check_name refuses it).
 */
const char *user_name_clean(const char *name, char buf[USER_NAME_BUF]);

/* A reason the value is refused, or NULL when it is fine. */
const char *user_check_name(const char *s);
const char *user_check_email(const char *s);
const char *user_check_password(const char *s);

/* A token as sent (43 base64url characters)? */
bool user_token_valid(const char *s);
/* The hex SHA-256 of a token: what the store keeps. */
void user_token_hash(const char *token, char out[65]);
/* A fresh token and its hash, in the arena; false when out of memory. */
bool user_token_new(struct arena *a, const char **token, const char **hash);

/*
 * Stores a one-time token for purpose and queues an email to `to` whose
 * body is intro, the link BASE_URL + path + "?token=TOKEN", and outro.
 * With token_out, the token is also handed back (for the CLI's links).
 */
enum err user_send_link(struct app *app, struct arena *a, const char *purpose,
			int64_t user_id, const char *data, int ttl,
			const char *to, const char *subject, const char *intro,
			const char *path, const char *outro,
			const char **token_out);

/* Queues a plain email. */
enum err user_send_mail(struct app *app, const char *to, const char *subject,
			const char *body);

/*
 * Creates an account directly (the CLI, the first admin): verified,
 * with password (may be "" for none).  ERR_CONFLICT when the email is taken.
 */
enum err user_create(struct app *app, const char *name, const char *email,
		     const char *password, enum role role, int64_t *id);

/*
 * Sign-up: checks and stores an unverified account and emails a link
 * to verify it.  When the address already has an account, its owner
 * gets an email saying so instead; the answer is the same either way.
 */
enum err user_signup(struct app *app, struct arena *a, const char *name,
		     const char *email, const char *password,
		     const char *client, int *retry_after);

/*
 * The user an emailed link's token of purpose ("verify", "email") is
 * for, without using it up: the page the link opens asks before acting.
 */
enum err user_link_peek(struct app *app, struct arena *a, const char *purpose,
			const char *token, struct user *out);

/* Uses a verify link: marks the address verified; the user in out. */
enum err user_verify(struct app *app, struct arena *a, const char *token,
		     struct user *out);

/*
 * Sign-in.  ERR_LIMIT (with *retry_after seconds) when the network has
 * spent its password checks, or while failures make this account wait
 * (model/throttle.h); device_user, the account this browser signed in to
 * before (0: none), waits for nobody.  ERR_FORBIDDEN for a wrong address
 * or password (the same answer, in the same time); ERR_INVALID when the
 * password is right but the address is not verified yet (a new link is
 * sent).  ERR_OK with the user in out.
 */
enum err user_signin(struct app *app, struct arena *a, const char *email,
		     const char *password, const char *client,
		     int64_t device_user, struct user *out, int *retry_after);

/* Emails a reset link when the address has an account; always ERR_OK. */
enum err user_reset_request(struct app *app, struct arena *a, const char *email,
			    const char *client, int *retry_after);
/* The user a reset token is for, without using it up. */
enum err user_reset_peek(struct app *app, struct arena *a, const char *token,
			 struct user *out);
/* Sets a new password with a reset token; every session is ended. */
enum err user_reset(struct app *app, struct arena *a, const char *token,
		    const char *password, struct user *out);

/*
 * Checks a signed-in user's own password (ERR_OK when the account has
 * none): ERR_FORBIDDEN when wrong, ERR_LIMIT (*retry_after) when the
 * network's checks are spent or failures make the account wait.
 */
enum err user_own_password(struct app *app, const struct user *u,
			   const char *password, const char *client,
			   int *retry_after);
/* Changes the password, after checking the current one (if it has one). */
enum err user_change_password(struct app *app, struct arena *a,
			      const struct user *u, const char *current,
			      const char *password, const char *client,
			      int *retry_after);
/*
 * Emails a link to the new address; the change is made when it is used.
 * ERR_LIMIT when the email budgets (the account's, the address's, the
 * network's) are spent.
 */
enum err user_change_email(struct app *app, struct arena *a,
			   const struct user *u, const char *password,
			   const char *email, const char *client,
			   int *retry_after);
enum err user_confirm_email(struct app *app, struct arena *a, const char *token,
			    struct user *out);
/* Renames; the name on the user's comments follows. */
enum err user_rename(struct app *app, struct arena *a, const struct user *u,
		     const char *name);
/* Deletes the account; comments as the site's on_delete says. */
enum err user_delete(struct app *app, struct arena *a, const struct user *u);

/* Sets a role (the last enabled admin cannot be demoted: ERR_CONFLICT). */
enum err user_set_role(struct app *app, struct arena *a, int64_t id,
		       enum role role);
/* Disables or enables an account; disabling ends its sessions. */
enum err user_set_disabled(struct app *app, struct arena *a, int64_t id,
			   bool disabled);

/*
 * When no admin exists: a one-time link (absolute) to create the first
 * one, replacing any earlier such link; NULL when an admin exists.
 */
const char *user_setup_link(struct app *app, struct arena *a);
/*
 * The setup token with hash, read (or, with take, used up) only while
 * no admin exists: once any admin exists, by that link or any other way
 * (`parley user add ... admin`), it is void, and a token presented then
 * is deleted, so it stays void.  ERR_NOTFOUND when it does not count.
 */
enum err user_setup_token(struct app *app, struct arena *a, const char *hash,
			  bool take, struct user_token *out);

/* Reads for handlers and commands: records in the arena a. */
enum err user_get(struct app *app, struct arena *a, int64_t id,
		  struct user *out);
enum err user_by_email(struct app *app, struct arena *a, const char *email,
		       struct user *out);
enum err user_list(struct app *app, struct arena *a, struct user **out,
		   size_t *n);
/* A user's latest approved comments, newest first. */
enum err user_comments(struct app *app, struct arena *a, int64_t id, int limit,
		       struct user_comment **out, size_t *n);

/* A live one-time token of purpose by its hash; with take, used up (once). */
enum err user_token_get(struct app *app, struct arena *a, const char *hash,
			const char *purpose, int64_t now, bool take,
			struct user_token *out);
/* Stores a one-time token (its hash only; see user_token_hash()). */
enum err user_token_put(struct app *app, const struct user_token *t);

#endif
