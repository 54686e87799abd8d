#include "model/throttle.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/backoff.h"
#include "core/cidr.h"
#include "core/ratelimit.h"
#include "core/util.h"

#define SLOTS	     8192
#define KEY_MAX	     400
#define ACCOUNT_WIDE 4 /* failures from all networks, per one network's */

struct throttle {
	struct ratelimit *password; /* per network, per 15 minutes */
	struct backoff *pair;	    /* account + network */
	struct backoff *account;    /* account, for unknown browsers */
	struct ratelimit *mail_network, *mail_recipient, *mail_all;
	struct ratelimit *external_network, *external_all;
};

struct throttle *
throttle_new(const struct config *cfg)
{
	struct throttle *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->password = ratelimit_new("signin_address", cfg->signin_per_address,
				    cfg->signin_per_address / 900.0, SLOTS);
	t->pair =
	    backoff_new(cfg->signin_per_account, cfg->signin_wait_max, SLOTS);
	t->account = backoff_new(cfg->signin_per_account * ACCOUNT_WIDE,
				 cfg->signin_wait_max, SLOTS);
	t->mail_network = ratelimit_new("mail_address", cfg->mail_per_address,
					cfg->mail_per_address / 3600.0, SLOTS);
	t->mail_recipient =
	    ratelimit_new("mail_recipient", cfg->mail_per_recipient,
			  cfg->mail_per_recipient / 3600.0, SLOTS);
	t->mail_all = ratelimit_new("mail_all", cfg->mail_per_hour,
				    cfg->mail_per_hour / 3600.0, 8);
	t->external_network =
	    ratelimit_new("external_address", cfg->external_per_address,
			  cfg->external_per_address / 600.0, SLOTS);
	t->external_all = ratelimit_new("external_all", cfg->external_total,
					cfg->external_total / 600.0, 8);
	if (t->password == NULL || t->pair == NULL || t->account == NULL ||
	    t->mail_network == NULL || t->mail_recipient == NULL ||
	    t->mail_all == NULL || t->external_network == NULL ||
	    t->external_all == NULL) {
		throttle_free(t);
		return NULL;
	}
	return t;
}

void
throttle_free(struct throttle *t)
{
	if (t == NULL)
		return;
	ratelimit_free(t->password);
	backoff_free(t->pair);
	backoff_free(t->account);
	ratelimit_free(t->mail_network);
	ratelimit_free(t->mail_recipient);
	ratelimit_free(t->mail_all);
	ratelimit_free(t->external_network);
	ratelimit_free(t->external_all);
	free(t);
}

static double
now_seconds(void)
{
	return (double)time_now_usec() / 1e6;
}

/* The network of client: an IPv4 address or an IPv6 /64. */
static void
network(const char *client, char *out, size_t outsz)
{
	cidr_network_key(client, 32, 64, out, outsz);
}

/* "account\nnetwork", the account case-folded. */
static void
pair_key(const char *client, const char *account, char *out, size_t outsz)
{
	size_t n;
	char *p;

	network(client, out, outsz);
	n = strlen(out);
	snprintf(out + n, outsz - n, "\n%s", account);
	for (p = out + n; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

static void
account_key(const char *account, char *out, size_t outsz)
{
	char *p;

	snprintf(out, outsz, "%s", account);
	for (p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

enum err
throttle_password(struct app *app, const char *client, int *retry)
{
	char key[KEY_MAX];

	network(client, key, sizeof(key));
	return ratelimit_take(app->throttle->password, key, now_seconds(),
			      retry)
		   ? ERR_OK
		   : ERR_LIMIT;
}

enum err
throttle_signin_wait(struct app *app, const char *client, const char *account,
		     bool known, int *retry)
{
	struct throttle *t = app->throttle;
	double now = now_seconds();
	char key[KEY_MAX];
	int wait;

	if (known)
		return ERR_OK;
	pair_key(client, account, key, sizeof(key));
	wait = backoff_wait(t->pair, key, now);
	account_key(account, key, sizeof(key));
	if (backoff_wait(t->account, key, now) > wait)
		wait = backoff_wait(t->account, key, now);
	if (wait <= 0)
		return ERR_OK;
	*retry = wait;
	return ERR_LIMIT;
}

void
throttle_signin_failed(struct app *app, const char *client, const char *account,
		       bool known)
{
	struct throttle *t = app->throttle;
	double now = now_seconds();
	char key[KEY_MAX];

	/* A known browser's typos hold up neither it nor anyone else. */
	if (known)
		return;
	pair_key(client, account, key, sizeof(key));
	backoff_fail(t->pair, key, now);
	account_key(account, key, sizeof(key));
	backoff_fail(t->account, key, now);
}

void
throttle_signin_ok(struct app *app, const char *client, const char *account)
{
	char key[KEY_MAX];

	pair_key(client, account, key, sizeof(key));
	backoff_clear(app->throttle->pair, key);
}

enum err
throttle_mail(struct app *app, const char *client, const char *recipient,
	      const char *account, int *retry)
{
	struct throttle *t = app->throttle;
	double now = now_seconds();
	char key[KEY_MAX];

	network(client, key, sizeof(key));
	if (!ratelimit_take(t->mail_network, key, now, retry))
		return ERR_LIMIT;
	account_key(recipient, key, sizeof(key));
	if (!ratelimit_take(t->mail_recipient, key, now, retry))
		return ERR_LIMIT;
	account_key(account ? account : "", key, sizeof(key));
	if (account && !ratelimit_take(t->mail_recipient, key, now, retry))
		return ERR_LIMIT;
	return ratelimit_take(t->mail_all, "all", now, retry) ? ERR_OK
							      : ERR_LIMIT;
}

enum err
throttle_external(struct app *app, const char *client, int *retry)
{
	struct throttle *t = app->throttle;
	double now = now_seconds();
	char key[KEY_MAX];

	network(client, key, sizeof(key));
	if (!ratelimit_take(t->external_network, key, now, retry))
		return ERR_LIMIT;
	return ratelimit_take(t->external_all, "all", now, retry) ? ERR_OK
								  : ERR_LIMIT;
}
