#include "model/comment_limits.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/cidr.h"
#include "core/limits.h"
#include "core/mac.h"
#include "core/ratelimit.h"
#include "core/util.h"

/* Keys remembered per table: about 400 KB each, whatever comes. */
#define WHO_SLOTS    16384
#define THREAD_SLOTS 4096

/* A stamp: when (8 bytes, big-endian milliseconds) and its MAC (16). */
#define STAMP_TIME  8
#define STAMP_MAC   16
#define STAMP_BYTES (STAMP_TIME + STAMP_MAC)

struct comment_limits {
	/* Addresses, accounts and verified emails ("a:", "u:", "e:"). */
	struct ratelimit *who;	  /* per minute, with a burst */
	struct ratelimit *hourly; /* per hour */
	struct ratelimit *thread; /* per discussion */
	struct ratelimit *site;	  /* one key: every post */
};

struct comment_limits *
comment_limits_new(const struct config *cfg)
{
	struct comment_limits *cl = calloc(1, sizeof(*cl));

	if (cl == NULL)
		return NULL;
	cl->who =
	    ratelimit_new("posts", (double)cfg->posts_burst,
			  (double)cfg->posts_per_minute / 60.0, WHO_SLOTS);
	cl->hourly =
	    ratelimit_new("posts_hourly", (double)cfg->posts_per_hour,
			  (double)cfg->posts_per_hour / 3600.0, WHO_SLOTS);
	cl->thread = ratelimit_new(
	    "posts_thread", (double)cfg->thread_posts_per_minute,
	    (double)cfg->thread_posts_per_minute / 60.0, THREAD_SLOTS);
	cl->site =
	    ratelimit_new("posts_site", (double)cfg->site_posts_per_minute,
			  (double)cfg->site_posts_per_minute / 60.0, 8);
	if (cl->who == NULL || cl->hourly == NULL || cl->thread == NULL ||
	    cl->site == NULL) {
		comment_limits_free(cl);
		return NULL;
	}
	return cl;
}

void
comment_limits_free(struct comment_limits *cl)
{
	if (cl == NULL)
		return;
	ratelimit_free(cl->who);
	ratelimit_free(cl->hourly);
	ratelimit_free(cl->thread);
	ratelimit_free(cl->site);
	free(cl);
}

/* The MAC of a stamp's time under key. */
static void
stamp_mac(const struct app *app, const unsigned char when[STAMP_TIME],
	  const char *key, unsigned char out[STAMP_MAC])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;

	mac_start(&st, app->secret);
	crypto_auth_hmacsha256_update(&st,
				      (const unsigned char *)"form-stamp:", 11);
	crypto_auth_hmacsha256_update(&st, when, STAMP_TIME);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)key,
				      strlen(key));
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, mac, STAMP_MAC);
}

const char *
comment_limits_stamp(const struct app *app, struct arena *a, const char *key,
		     int64_t now_ms)
{
	unsigned char raw[STAMP_BYTES];
	size_t len = sodium_base64_ENCODED_LEN(
	    STAMP_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	uint64_t t = (uint64_t)now_ms;
	char *out;
	int i;

	for (i = STAMP_TIME - 1; i >= 0; i--, t >>= 8)
		raw[i] = (unsigned char)(t & 0xff);
	stamp_mac(app, raw, key, raw + STAMP_TIME);
	if ((out = arena_alloc(a, len)) == NULL)
		return NULL;
	sodium_bin2base64(out, len, raw, STAMP_BYTES,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

/*
 * When the stamp s (len bytes, as sent) was made for key, in
 * milliseconds; false when it is not one this site made for that key.
 */
static bool
stamp_read(const struct app *app, const char *s, size_t len, const char *key,
	   int64_t *made)
{
	unsigned char raw[STAMP_BYTES], mac[STAMP_MAC];
	size_t n = 0;
	uint64_t t = 0;
	int i;

	if (s == NULL || len == 0 || len > 64 ||
	    sodium_base642bin(raw, sizeof(raw), s, len, NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != STAMP_BYTES)
		return false;
	stamp_mac(app, raw, key, mac);
	if (sodium_memcmp(mac, raw + STAMP_TIME, STAMP_MAC) != 0)
		return false;
	for (i = 0; i < STAMP_TIME; i++)
		t = t << 8 | raw[i];
	*made = (int64_t)t;
	return true;
}

enum err
comment_limits_form(const struct app *app, struct arena *a,
		    const struct comment_field *stamp, struct comment_input *in,
		    struct comment_errors *errs, int64_t now_ms)
{
	int64_t min_ms = (int64_t)app->cfg.min_fill_seconds * 1000, when = 0;
	bool signed_ok;

	in->stamp = "";
	if (in->key[0] == '\0') {
		/* The form shown again gets a key: sending it then works. */
		errs->form = "This form was incomplete: your text is below; "
			     "please send it again.";
		errs->err = ERR_INVALID;
		return ERR_INVALID;
	}
	signed_ok =
	    stamp && stamp_read(app, stamp->value, stamp->len, in->key, &when);
	if (signed_ok)
		in->stamp = arena_strndup(a, stamp->value, stamp->len);
	if (in->stamp == NULL)
		return ERR_NOMEM;
	if (min_ms == 0)
		return ERR_OK;
	/*
	 * A stamp from the future (a clock set back) cannot be waited out:
	 * like a missing one, it is replaced with the key it belongs to.
	 */
	if (!signed_ok || when > now_ms) {
		in->key = in->stamp = "";
	} else if (now_ms - when >= min_ms) {
		return ERR_OK;
	}
	errs->form =
	    "That was quick: please check your comment and send it again.";
	errs->err = ERR_INVALID;
	return ERR_INVALID;
}

/* The budget a post was refused by. */
enum budget { BUDGET_NONE, BUDGET_WHO, BUDGET_THREAD, BUDGET_SITE };

/*
 * Takes a token of key from the per-minute and the hourly bucket; false
 * with *retry_after when either is empty.
 */
static bool
take_who(struct comment_limits *cl, const char *key, double now,
	 int *retry_after)
{
	return ratelimit_take(cl->who, key, now, retry_after) &&
	       ratelimit_take(cl->hourly, key, now, retry_after);
}

/* Takes a post from each budget in turn; the first that refuses it. */
static enum budget
take_all(const struct app *app, struct comment_limits *cl, const struct user *u,
	 const char *client, int64_t article_id, int *retry_after)
{
	double now = (double)time_now_usec() / 1e6;
	char key[LIMIT_EMAIL + 8], net[80];
	size_t i;

	cidr_network_key(client, app->cfg.posts_ipv4_prefix,
			 app->cfg.posts_ipv6_prefix, net, sizeof(net));
	snprintf(key, sizeof(key), "a:%s", net);
	if (!take_who(cl, key, now, retry_after))
		return BUDGET_WHO;
	if (u != NULL) {
		snprintf(key, sizeof(key), "u:%lld", (long long)u->id);
		if (!take_who(cl, key, now, retry_after))
			return BUDGET_WHO;
	}
	/*
	 * Only a verified email counts: else anyone could use up a
	 * stranger's budget by typing their address.
	 */
	if (u != NULL && u->email_verified && u->email[0]) {
		snprintf(key, sizeof(key), "e:%s", u->email);
		for (i = 2; key[i]; i++)
			key[i] = (char)tolower((unsigned char)key[i]);
		if (!take_who(cl, key, now, retry_after))
			return BUDGET_WHO;
	}
	snprintf(key, sizeof(key), "t:%lld", (long long)article_id);
	if (!ratelimit_take(cl->thread, key, now, retry_after))
		return BUDGET_THREAD;
	if (!ratelimit_take(cl->site, "site", now, retry_after))
		return BUDGET_SITE;
	return BUDGET_NONE;
}

enum err
comment_limits_take(struct app *app, struct arena *a, const struct user *u,
		    const char *client, int64_t article_id,
		    struct comment_errors *errs, int *retry_after)
{
	enum budget b;
	const char *wait;

	if (app->comment_limits == NULL)
		return ERR_OK; /* the CLI */
	*retry_after = 1;
	b = take_all(app, app->comment_limits, u, client, article_id,
		     retry_after);
	if (b == BUDGET_NONE)
		return ERR_OK;
	wait = *retry_after == 1 ? "1 second"
				 : arena_printf(a, "%d seconds", *retry_after);
	if (wait == NULL)
		wait = "a little";
	errs->form =
	    b == BUDGET_THREAD
		? arena_printf(a,
			       "This discussion is busy just now: wait %s, "
			       "then send your comment again.",
			       wait)
	    : b == BUDGET_SITE
		? arena_printf(a,
			       "The site is taking many comments just now: "
			       "wait %s, then send your comment again.",
			       wait)
		: arena_printf(a,
			       "You are commenting too fast: wait %s, then "
			       "send your comment again.",
			       wait);
	if (errs->form == NULL)
		errs->form = "Too many comments just now: please wait a "
			     "little, then send your comment again.";
	errs->err = ERR_LIMIT;
	return ERR_LIMIT;
}

void
comment_limits_mark(const struct app *app, struct arena *a, struct comment *c,
		    const char *client, bool imported)
{
	unsigned char h[8];
	char net[80];
	uint64_t v = 0;
	int i;

	cidr_network_key(client ? client : "", app->cfg.posts_ipv4_prefix,
			 app->cfg.posts_ipv6_prefix, net, sizeof(net));
	c->network = arena_strdup(a, net);
	/* Keyed: nobody can aim many texts at one hash. */
	crypto_generichash(h, sizeof(h), (const unsigned char *)c->body_md,
			   strlen(c->body_md), app->secret,
			   sizeof(app->secret));
	for (i = 0; i < 8; i++)
		v = v << 8 | h[i];
	c->body_hash = (int64_t)(v >> 2) + 1; /* never 0: 0 is none */
	c->repeat_since = 0;
	if (!imported && app->cfg.duplicate_minutes > 0)
		c->repeat_since =
		    c->created - (int64_t)app->cfg.duplicate_minutes * 60;
}
