#include "model/user.h"

#include <ctype.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "core/change.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/util.h"
#include "jobs/mail.h"
#include "model/throttle.h"

static const char *const role_names[ROLE__MAX] = {
    [ROLE_READER] = "reader",
    [ROLE_MODERATOR] = "moderator",
    [ROLE_EDITOR] = "editor",
    [ROLE_ADMIN] = "admin",
};

const char *
role_name(enum role r)
{
	return (unsigned)r < ROLE__MAX ? role_names[r] : "reader";
}

bool
role_parse(const char *s, enum role *out)
{
	int i;

	for (i = 0; i < ROLE__MAX; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum role)i;
			return true;
		}
	return false;
}

/*
 * Each argon2id hash takes 64 MiB: at most PWHASH_AT_ONCE run together,
 * so a burst of sign-ins waits instead of taking the machine's memory.
 */
#define PWHASH_AT_ONCE 2
static pthread_mutex_t pwhash_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pwhash_free = PTHREAD_COND_INITIALIZER;
static int pwhash_running;

static void
pwhash_enter(void)
{
	pthread_mutex_lock(&pwhash_lock);
	while (pwhash_running >= PWHASH_AT_ONCE)
		pthread_cond_wait(&pwhash_free, &pwhash_lock);
	pwhash_running++;
	pthread_mutex_unlock(&pwhash_lock);
}

static void
pwhash_leave(void)
{
	pthread_mutex_lock(&pwhash_lock);
	pwhash_running--;
	pthread_cond_signal(&pwhash_free);
	pthread_mutex_unlock(&pwhash_lock);
}

bool
user_password_hash(const char *password, char out[USER_HASH_BYTES])
{
	bool ok;

	pwhash_enter();
	ok = crypto_pwhash_str(out, password, strlen(password),
			       crypto_pwhash_OPSLIMIT_INTERACTIVE,
			       crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
	pwhash_leave();
	return ok;
}

/* Checks password against hash, within the limit above. */
static bool
pwhash_verify(const char *hash, const char *password)
{
	bool ok;

	pwhash_enter();
	ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	pwhash_leave();
	return ok;
}

/* A real hash of nothing, checked when there is no account. */
static char dummy_hash[USER_HASH_BYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
dummy_make(void)
{
	if (!user_password_hash("parley: no such account", dummy_hash))
		dummy_hash[0] = '\0';
}

bool
user_password_check(const char *hash, const char *password)
{
	bool real = hash && strncmp(hash, "$argon2id$", 10) == 0;

	if (!real) {
		pthread_once(&dummy_once, dummy_make);
		if (dummy_hash[0] && pwhash_verify(dummy_hash, password))
			return false; /* never true: the time is the point */
		return false;
	}
	return pwhash_verify(hash, password);
}

const char *
user_name_clean(const char *name, char buf[USER_NAME_BUF])
{
	size_t n = strlen(name);

	if (n >= USER_NAME_BUF)
		return name;
	memcpy(buf, name, n + 1);
	(void)str_strip_bidi(buf);
	return str_trim(buf);
}

const char *
user_check_name(const char *s)
{
	size_t chars;

	if (!utf8_valid(s, strlen(s), &chars) || strpbrk(s, "\t\r\n"))
		return "The name has characters we cannot use.";
	if (chars == 0)
		return "Please give a name to show with your comments.";
	if (chars > USER_NAME_MAX)
		return "A name may be at most 60 characters.";
	return NULL;
}

const char *
user_check_email(const char *s)
{
	if (s[0] == '\0')
		return "Please give your email address.";
	if (strlen(s) > LIMIT_EMAIL || !email_valid(s) ||
	    !utf8_valid(s, strlen(s), NULL) || strpbrk(s, "\t\r\n<>,;\"\\"))
		return "That does not look like an email address.";
	return NULL;
}

const char *
user_check_password(const char *s)
{
	size_t chars;

	if (!utf8_valid(s, strlen(s), &chars))
		return "The password has characters we cannot use.";
	if (chars < USER_PASSWORD_MIN)
		return "A password needs at least 8 characters.";
	if (strlen(s) > USER_PASSWORD_MAX)
		return "A password may be at most 1024 bytes.";
	return NULL;
}

bool
user_token_valid(const char *s)
{
	size_t n = strlen(s);

	return n == USER_TOKEN_LEN &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789-_") == n;
}

void
user_token_hash(const char *token, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

bool
user_token_new(struct arena *a, const char **token, const char **hash)
{
	unsigned char raw[32];
	char *t = arena_alloc(a, USER_TOKEN_LEN + 1), *h = arena_alloc(a, 65);

	if (t == NULL || h == NULL)
		return false;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(t, USER_TOKEN_LEN + 1, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	user_token_hash(t, h);
	*token = t;
	*hash = h;
	return true;
}

enum err
user_send_link(struct app *app, struct arena *a, const char *purpose,
	       int64_t user_id, const char *data, int ttl, const char *to,
	       const char *subject, const char *intro, const char *path,
	       const char *outro, const char **token_out)
{
	struct user_token t;
	struct mail m;
	const char *token, *hash;
	enum err e;

	if (!user_token_new(a, &token, &hash))
		return ERR_NOMEM;
	memset(&t, 0, sizeof(t));
	t.hash = hash;
	t.purpose = purpose;
	t.user_id = user_id;
	t.data = data ? data : "";
	t.expires = time_now() + ttl;
	memset(&m, 0, sizeof(m));
	m.to = to;
	m.subject = subject;
	/* Links are built from the configured base_url, never a request. */
	m.body = arena_printf(a, "%s\n\n%s%s?token=%s\n\n%s\n\n-- \n%s\n%s/\n",
			      intro, app->base_url, path, token, outro,
			      app->cfg.site_title, app->base_url);
	if (m.body == NULL)
		return ERR_NOMEM;
	e = app->store->ops->token_insert(app->store, &t, to ? &m : NULL, true);
	if (e == ERR_OK) {
		mail_kick(app->mailer);
		if (token_out)
			*token_out = token;
	}
	return e;
}

enum err
user_send_mail(struct app *app, const char *to, const char *subject,
	       const char *body)
{
	struct mail m;
	enum err e;

	memset(&m, 0, sizeof(m));
	m.to = to;
	m.subject = subject;
	m.body = body;
	e = app->store->ops->mail_insert(app->store, &m);
	if (e == ERR_OK)
		mail_kick(app->mailer);
	return e;
}

enum err
user_create(struct app *app, const char *name, const char *email,
	    const char *password, enum role role, int64_t *id)
{
	char hash[USER_HASH_BYTES] = "", clean[USER_NAME_BUF];
	struct user u;

	name = user_name_clean(name, clean);
	if (user_check_name(name) || user_check_email(email) ||
	    (password[0] && user_check_password(password)))
		return ERR_INVALID;
	if (password[0] && !user_password_hash(password, hash))
		return ERR_NOMEM;
	memset(&u, 0, sizeof(u));
	u.name = name;
	u.email = email;
	u.password_hash = hash;
	u.email_verified = true;
	u.role = role;
	u.created = time_now();
	return app->store->ops->user_insert(app->store, &u, NULL, NULL, id);
}

/*
 * "Hello NAME," only to the address of the account that proved it: a
 * name is text its chooser would otherwise mail to any address.
 */
static const char *
greeting(struct arena *a, const struct user *u)
{
	return u->email_verified ? arena_printf(a, "Hello %s,", u->name)
				 : "Hello,";
}

static enum err
send_verify(struct app *app, struct arena *a, const struct user *u)
{
	/* No name: whoever signed up chose it, and the address is unproven. */
	const char *intro =
	    arena_printf(a,
			 "Hello,\n\nPlease confirm your "
			 "email address for %s by opening this link:",
			 app->cfg.site_title);

	if (intro == NULL)
		return ERR_NOMEM;
	return user_send_link(
	    app, a, "verify", u->id, "", TTL_VERIFY, u->email,
	    arena_printf(a, "Confirm your email for %s", app->cfg.site_title),
	    intro, "/account/verify",
	    "The link works for 3 days. If you did not sign up, "
	    "you can ignore this email.",
	    NULL);
}

enum err
user_signup(struct app *app, struct arena *a, const char *name,
	    const char *email, const char *password, const char *client,
	    int *retry_after)
{
	char hash[USER_HASH_BYTES], clean[USER_NAME_BUF];
	struct user u, old;
	int64_t id;
	enum err e;

	name = user_name_clean(name, clean);
	if (user_check_name(name) || user_check_email(email) ||
	    user_check_password(password))
		return ERR_INVALID;
	/* Either way a hash is made and an email sent: both budgets. */
	if ((e = throttle_password(app, client, retry_after)) != ERR_OK ||
	    (e = throttle_mail(app, client, email, NULL, retry_after)) !=
		ERR_OK)
		return e;
	e = app->store->ops->user_by_email(app->store, a, email, &old);
	if (e == ERR_NOTFOUND) {
		if (!user_password_hash(password, hash))
			return ERR_NOMEM;
		memset(&u, 0, sizeof(u));
		u.name = name;
		u.email = email;
		u.password_hash = hash;
		u.role = ROLE_READER;
		u.created = time_now();
		e = app->store->ops->user_insert(app->store, &u, NULL, NULL,
						 &id);
		sodium_memzero(hash, sizeof(hash));
		if (e == ERR_OK) {
			u.id = id;
			return send_verify(app, a, &u);
		}
		if (e != ERR_CONFLICT)
			return e;
		e = app->store->ops->user_by_email(app->store, a, email, &old);
	} else {
		/* The same work as a new account, so timing tells nothing. */
		(void)user_password_check("", password);
	}
	if (e != ERR_OK)
		return e;
	return user_send_mail(
	    app, old.email,
	    arena_printf(a, "Your account at %s", app->cfg.site_title),
	    arena_printf(a,
			 "%s\n\nSomeone, maybe you, tried to "
			 "create an account at %s with this address. It "
			 "already has one.\n\nSign in: %s/account/signin\n"
			 "Forgot your password? %s/account/reset\n\nIf it "
			 "was not you, you can ignore this email.\n",
			 greeting(a, &old), app->cfg.site_title, app->base_url,
			 app->base_url));
}

/* Takes a token of purpose and reads its user. */
static enum err
take_token(struct app *app, struct arena *a, const char *token,
	   const char *purpose, bool take, struct user_token *t,
	   struct user *out)
{
	char hash[65];
	enum err e;

	if (!user_token_valid(token))
		return ERR_NOTFOUND;
	user_token_hash(token, hash);
	e = app->store->ops->token_get(app->store, a, hash, purpose, time_now(),
				       take, t);
	if (e != ERR_OK)
		return e;
	if (out == NULL)
		return ERR_OK;
	return app->store->ops->user_get(app->store, a, t->user_id, out);
}

enum err
user_link_peek(struct app *app, struct arena *a, const char *purpose,
	       const char *token, struct user *out)
{
	struct user_token t;

	return take_token(app, a, token, purpose, false, &t, out);
}

enum err
user_verify(struct app *app, struct arena *a, const char *token,
	    struct user *out)
{
	struct user_token t;
	enum err e = take_token(app, a, token, "verify", true, &t, out);

	if (e != ERR_OK)
		return e;
	out->email_verified = true;
	return app->store->ops->user_update(app->store, out);
}

enum err
user_signin(struct app *app, struct arena *a, const char *email,
	    const char *password, const char *client, int64_t device_user,
	    struct user *out, int *retry_after)
{
	bool found, known;
	enum err e;

	if ((e = throttle_password(app, client, retry_after)) != ERR_OK)
		return e;
	if (user_check_email(email) || strlen(password) > USER_PASSWORD_MAX) {
		(void)user_password_check("", password);
		return ERR_FORBIDDEN;
	}
	e = app->store->ops->user_by_email(app->store, a, email, out);
	if (e != ERR_OK && e != ERR_NOTFOUND)
		return e;
	found = e == ERR_OK;
	/* The browser that signed in to this account before waits for
	 * nobody's failures. */
	known = found && device_user > 0 && device_user == out->id;
	e = throttle_signin_wait(app, client, email, known, retry_after);
	if (e != ERR_OK)
		return e;
	if (!user_password_check(found ? out->password_hash : "", password) ||
	    !found || out->disabled) {
		throttle_signin_failed(app, client, email, known);
		return ERR_FORBIDDEN;
	}
	throttle_signin_ok(app, client, email);
	if (!out->email_verified) {
		/* A new link, within the email budgets (the answer is the
		 * same when they are spent: the older link still works). */
		if (throttle_mail(app, client, out->email, NULL, retry_after) ==
		    ERR_OK)
			(void)send_verify(app, a, out);
		return ERR_INVALID;
	}
	return ERR_OK;
}

enum err
user_reset_request(struct app *app, struct arena *a, const char *email,
		   const char *client, int *retry_after)
{
	struct user u;
	enum err e;

	if (user_check_email(email))
		return ERR_INVALID;
	/* Emails only: failed sign-ins never hold up a reset. */
	if ((e = throttle_mail(app, client, email, NULL, retry_after)) !=
	    ERR_OK)
		return e;
	e = app->store->ops->user_by_email(app->store, a, email, &u);
	if (e == ERR_NOTFOUND || (e == ERR_OK && u.disabled))
		return ERR_OK; /* the same answer as for an account */
	if (e != ERR_OK)
		return e;
	return user_send_link(
	    app, a, "reset", u.id, "", TTL_RESET, u.email,
	    arena_printf(a, "Reset your password at %s", app->cfg.site_title),
	    arena_printf(a,
			 "%s\n\nTo choose a new password for %s, "
			 "open this link:",
			 greeting(a, &u), app->cfg.site_title),
	    "/account/reset",
	    "The link works for one hour, once. If you did not ask for "
	    "it, you can ignore this email: your password stays as it is.",
	    NULL);
}

enum err
user_reset_peek(struct app *app, struct arena *a, const char *token,
		struct user *out)
{
	struct user_token t;

	return take_token(app, a, token, "reset", false, &t, out);
}

enum err
user_reset(struct app *app, struct arena *a, const char *token,
	   const char *password, struct user *out)
{
	char hash[USER_HASH_BYTES];
	struct user_token t;
	enum err e;

	if (user_check_password(password))
		return ERR_INVALID;
	if ((e = take_token(app, a, token, "reset", true, &t, out)) != ERR_OK)
		return e;
	if (!user_password_hash(password, hash))
		return ERR_NOMEM;
	out->password_hash = arena_strdup(a, hash);
	sodium_memzero(hash, sizeof(hash));
	if (out->password_hash == NULL)
		return ERR_NOMEM;
	/* The link came by email: the address is proven. */
	out->email_verified = true;
	if ((e = app->store->ops->user_update(app->store, out)) != ERR_OK)
		return e;
	return app->store->ops->session_delete_user(app->store, out->id);
}

enum err
user_own_password(struct app *app, const struct user *u, const char *password,
		  const char *client, int *retry_after)
{
	char account[32];
	enum err e;

	if (u->password_hash[0] == '\0')
		return ERR_OK;
	/* Per account (a stolen session guessing) and per network. */
	snprintf(account, sizeof(account), "user:%lld", (long long)u->id);
	if ((e = throttle_signin_wait(app, client, account, false,
				      retry_after)) != ERR_OK ||
	    (e = throttle_password(app, client, retry_after)) != ERR_OK)
		return e;
	if (!user_password_check(u->password_hash, password)) {
		throttle_signin_failed(app, client, account, false);
		return ERR_FORBIDDEN;
	}
	throttle_signin_ok(app, client, account);
	return ERR_OK;
}

enum err
user_change_password(struct app *app, struct arena *a, const struct user *u,
		     const char *current, const char *password,
		     const char *client, int *retry_after)
{
	char hash[USER_HASH_BYTES];
	struct user v = *u;
	enum err e;

	if ((e = user_own_password(app, u, current, client, retry_after)) !=
	    ERR_OK)
		return e;
	if (user_check_password(password))
		return ERR_INVALID;
	if (!user_password_hash(password, hash))
		return ERR_NOMEM;
	v.password_hash = arena_strdup(a, hash);
	sodium_memzero(hash, sizeof(hash));
	if (v.password_hash == NULL)
		return ERR_NOMEM;
	return app->store->ops->user_update(app->store, &v);
}

enum err
user_change_email(struct app *app, struct arena *a, const struct user *u,
		  const char *password, const char *email, const char *client,
		  int *retry_after)
{
	char account[32];
	enum err e;

	if ((e = user_own_password(app, u, password, client, retry_after)) !=
	    ERR_OK)
		return e;
	if (user_check_email(email))
		return ERR_INVALID;
	snprintf(account, sizeof(account), "user:%lld", (long long)u->id);
	if ((e = throttle_mail(app, client, email, account, retry_after)) !=
	    ERR_OK)
		return e;
	/*
	 * The address is not proven yet: the email says nothing the account
	 * chose (not even its name), and its one link is ours.
	 */
	return user_send_link(
	    app, a, "email", u->id, email, TTL_EMAIL, email,
	    arena_printf(a, "Confirm your new email for %s",
			 app->cfg.site_title),
	    arena_printf(a,
			 "Hello,\n\nTo use this address for your "
			 "account at %s, open this link:",
			 app->cfg.site_title),
	    "/account/email",
	    "The link works for one day. If you did not ask for this, you "
	    "can ignore this email.",
	    NULL);
}

/*
 * Publishes that user id changed, with every article of ids[0..n) (those
 * the user commented on, whose pages show their name).  The write is
 * committed already, so this cannot fail: short of memory for one event,
 * it publishes one per article.
 */
static void
publish_user_change(struct app *app, struct arena *a, int64_t id,
		    const int64_t *ids, size_t n)
{
	struct change_tag *tags = arena_alloc(a, (n + 1) * sizeof(*tags));
	size_t i;

	if (tags == NULL) {
		change_publish_one(app->changes, CHANGE_USER, id);
		for (i = 0; i < n; i++)
			change_publish_one(app->changes, CHANGE_ARTICLE,
					   ids[i]);
		return;
	}
	tags[0].kind = CHANGE_USER;
	tags[0].id = id;
	for (i = 0; i < n; i++) {
		tags[i + 1].kind = CHANGE_ARTICLE;
		tags[i + 1].id = ids[i];
	}
	change_publish(app->changes, tags, n + 1);
}

/* Publishes the change of a user's account and of the pages of their comments.
 */
static enum err
invalidate_user_pages(struct app *app, struct arena *a, int64_t id)
{
	int64_t *ids;
	size_t n;
	enum err e =
	    app->store->ops->user_articles(app->store, a, id, &ids, &n);

	if (e != ERR_OK)
		return e;
	publish_user_change(app, a, id, ids, n);
	return ERR_OK;
}

enum err
user_confirm_email(struct app *app, struct arena *a, const char *token,
		   struct user *out)
{
	struct user_token t;
	const char *old;
	bool was_verified;
	enum err e;

	if ((e = take_token(app, a, token, "email", true, &t, out)) != ERR_OK)
		return e;
	old = out->email;
	was_verified = out->email_verified;
	out->email = t.data;
	out->email_verified = true;
	if ((e = app->store->ops->user_update(app->store, out)) != ERR_OK)
		return e;
	if (old[0] && strcasecmp(old, out->email) != 0)
		(void)user_send_mail(
		    app, old,
		    arena_printf(a, "Your email at %s was changed",
				 app->cfg.site_title),
		    arena_printf(
			a,
			"Hello,\n\nThe email address of your "
			"account at %s was changed. If you did not do "
			"this, reset your password: %s/account/reset\n",
			app->cfg.site_title, app->base_url));
	/* A first confirmed address gives the account's comments a profile. */
	return was_verified ? ERR_OK : invalidate_user_pages(app, a, out->id);
}

enum err
user_rename(struct app *app, struct arena *a, const struct user *u,
	    const char *name)
{
	struct user v = *u;
	enum err e;

	if ((name = arena_strdup(a, name)) == NULL)
		return ERR_NOMEM;
	(void)str_strip_bidi((char *)name);
	name = str_trim((char *)name);
	if (user_check_name(name))
		return ERR_INVALID;
	v.name = name;
	if ((e = app->store->ops->user_update(app->store, &v)) != ERR_OK)
		return e;
	return invalidate_user_pages(app, a, u->id);
}

enum err
user_delete(struct app *app, struct arena *a, const struct user *u)
{
	int64_t *ids, admins = 0;
	size_t n;
	enum err e;

	if (u->role == ROLE_ADMIN &&
	    app->store->ops->user_count_role(app->store, ROLE_ADMIN, &admins) ==
		ERR_OK &&
	    admins <= 1)
		return ERR_CONFLICT; /* a site keeps one admin */
	if ((e = app->store->ops->user_articles(app->store, a, u->id, &ids,
						&n)) != ERR_OK)
		return e;
	e = app->store->ops->user_delete(app->store, u->id,
					 app->cfg.on_delete == DELETE_REMOVE);
	if (e != ERR_OK)
		return e;
	publish_user_change(app, a, u->id, ids, n);
	return ERR_OK;
}

enum err
user_set_role(struct app *app, struct arena *a, int64_t id, enum role role)
{
	struct user u;
	int64_t admins = 0;
	enum err e = app->store->ops->user_get(app->store, a, id, &u);

	if (e != ERR_OK)
		return e;
	if (u.role == ROLE_ADMIN && role != ROLE_ADMIN && !u.disabled) {
		if ((e = app->store->ops->user_count_role(
			 app->store, ROLE_ADMIN, &admins)) != ERR_OK)
			return e;
		if (admins <= 1)
			return ERR_CONFLICT;
	}
	if (u.role == role)
		return ERR_OK;
	u.role = role;
	if ((e = app->store->ops->user_update(app->store, &u)) != ERR_OK)
		return e;
	/* Their comments' badges follow the role (comment_badge()). */
	return invalidate_user_pages(app, a, id);
}

enum err
user_set_disabled(struct app *app, struct arena *a, int64_t id, bool disabled)
{
	struct user u;
	enum err e = app->store->ops->user_get(app->store, a, id, &u);

	if (e != ERR_OK)
		return e;
	u.disabled = disabled;
	if ((e = app->store->ops->user_update(app->store, &u)) != ERR_OK)
		return e;
	if (disabled && (e = app->store->ops->session_delete_user(
			     app->store, id)) != ERR_OK)
		return e;
	/* A disabled account's comments show no badge (comment_badge()). */
	return invalidate_user_pages(app, a, id);
}

const char *
user_setup_link(struct app *app, struct arena *a)
{
	struct user_token t;
	const char *token, *hash;
	int64_t admins = 0;

	if (app->store->ops->user_count_role(app->store, ROLE_ADMIN, &admins) !=
		ERR_OK ||
	    admins > 0 || !user_token_new(a, &token, &hash))
		return NULL;
	memset(&t, 0, sizeof(t));
	t.hash = hash;
	t.purpose = "setup";
	t.data = "";
	t.expires = time_now() + TTL_SETUP;
	if (app->store->ops->token_insert(app->store, &t, NULL, true) != ERR_OK)
		return NULL;
	return arena_printf(a, "%s/account/setup?token=%s", app->base_url,
			    token);
}

enum err
user_setup_token(struct app *app, struct arena *a, const char *hash, bool take,
		 struct user_token *out)
{
	int64_t admins = 0;
	enum err e;

	e = app->store->ops->user_count_role(app->store, ROLE_ADMIN, &admins);
	if (e != ERR_OK)
		return e;
	if (admins > 0) {
		/*
		 * The link was for a site with no admin.  Spend it, so that
		 * it does not come back to life should the admins go.
		 */
		(void)app->store->ops->token_get(app->store, a, hash, "setup",
						 time_now(), true, out);
		return ERR_NOTFOUND;
	}
	return app->store->ops->token_get(app->store, a, hash, "setup",
					  time_now(), take, out);
}

enum err
user_get(struct app *app, struct arena *a, int64_t id, struct user *out)
{
	return app->store->ops->user_get(app->store, a, id, out);
}

enum err
user_by_email(struct app *app, struct arena *a, const char *email,
	      struct user *out)
{
	return app->store->ops->user_by_email(app->store, a, email, out);
}

enum err
user_list(struct app *app, struct arena *a, struct user **out, size_t *n)
{
	return app->store->ops->user_list(app->store, a, out, n);
}

enum err
user_comments(struct app *app, struct arena *a, int64_t id, int limit,
	      struct user_comment **out, size_t *n)
{
	return app->store->ops->user_comments(app->store, a, id, limit, out, n);
}

enum err
user_token_get(struct app *app, struct arena *a, const char *hash,
	       const char *purpose, int64_t now, bool take,
	       struct user_token *out)
{
	return app->store->ops->token_get(app->store, a, hash, purpose, now,
					  take, out);
}

enum err
user_token_put(struct app *app, const struct user_token *t)
{
	return app->store->ops->token_insert(app->store, t, NULL, false);
}
