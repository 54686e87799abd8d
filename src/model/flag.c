#include "model/flag.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/change.h"
#include "core/cidr.h"
#include "core/config.h"
#include "core/limits.h"
#include "core/mac.h"
#include "core/ratelimit.h"
#include "core/util.h"

/* Keys remembered per table: a fixed size, whatever comes. */
#define WHO_SLOTS 16384

const struct flag_reason flag_reasons[FLAG_REASONS] = {
    {"spam", "Spam"},
    {"abuse", "Abuse or harassment"},
    {"off-topic", "Off-topic"},
    {"other", "Something else"},
};

struct flag_limits {
	/* Addresses and accounts ("a:", "u:"). */
	struct ratelimit *who;	  /* per minute, with a burst */
	struct ratelimit *hourly; /* per hour */
	struct ratelimit *site;	  /* one key: every flag */
};

const char *
flag_reason_label(const char *name)
{
	size_t i;

	for (i = 0; name && i < FLAG_REASONS; i++)
		if (strcmp(name, flag_reasons[i].name) == 0)
			return flag_reasons[i].label;
	return "";
}

struct flag_limits *
flag_limits_new(const struct config *cfg)
{
	struct flag_limits *fl = calloc(1, sizeof(*fl));

	if (fl == NULL)
		return NULL;
	fl->who =
	    ratelimit_new("flags", (double)cfg->flags_burst,
			  (double)cfg->flags_per_minute / 60.0, WHO_SLOTS);
	fl->hourly =
	    ratelimit_new("flags_hourly", (double)cfg->flags_per_hour,
			  (double)cfg->flags_per_hour / 3600.0, WHO_SLOTS);
	fl->site =
	    ratelimit_new("flags_site", (double)cfg->site_flags_per_minute,
			  (double)cfg->site_flags_per_minute / 60.0, 8);
	if (fl->who == NULL || fl->hourly == NULL || fl->site == NULL) {
		flag_limits_free(fl);
		return NULL;
	}
	return fl;
}

void
flag_limits_free(struct flag_limits *fl)
{
	if (fl == NULL)
		return;
	ratelimit_free(fl->who);
	ratelimit_free(fl->hourly);
	ratelimit_free(fl->site);
	free(fl);
}

/*
 * The keyed hash (hex) that stands for a reader among a comment's flags:
 * their account when signed in, else their browser's visitor id; NULL
 * when neither is known or out of memory.
 */
static const char *
flag_reader(const struct app *app, struct arena *a, int64_t user_id,
	    const char *visitor_id)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	const char *who;
	char hex[33];

	if (user_id > 0)
		who = arena_printf(a, "u:%lld", (long long)user_id);
	else if (visitor_id != NULL && visitor_id[0] != '\0')
		who = arena_printf(a, "v:%s", visitor_id);
	else
		return NULL;
	if (who == NULL)
		return NULL;
	mac_start(&st, app->secret);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"flag:", 5);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)who,
				      strlen(who));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, 16);
	return arena_strdup(a, hex);
}

/* The budget a flag was refused by. */
enum budget { BUDGET_NONE, BUDGET_WHO, BUDGET_SITE };

static bool
take_who(struct flag_limits *fl, const char *key, double now, int *retry)
{
	return ratelimit_take(fl->who, key, now, retry) &&
	       ratelimit_take(fl->hourly, key, now, retry);
}

/* Takes a flag from each budget in turn; the first that refuses it. */
static enum budget
take_all(struct flag_limits *fl, const struct flag_request *r, int *retry)
{
	double now = (double)time_now_usec() / 1e6;
	char key[96], net[80];

	/* One address is an IPv4 address or an IPv6 /64. */
	cidr_network_key(r->client ? r->client : "", 32, 64, net, sizeof(net));
	snprintf(key, sizeof(key), "a:%s", net);
	if (!take_who(fl, key, now, retry))
		return BUDGET_WHO;
	if (r->user_id > 0) {
		snprintf(key, sizeof(key), "u:%lld", (long long)r->user_id);
		if (!take_who(fl, key, now, retry))
			return BUDGET_WHO;
	}
	if (!ratelimit_take(fl->site, "site", now, retry))
		return BUDGET_SITE;
	return BUDGET_NONE;
}

/* The reason and note as the form sent them: NULL when fine. */
static const char *
refused(const struct flag_request *r)
{
	size_t chars = 0;

	if (r->reason == NULL || r->reason[0] == '\0')
		return "Choose why this comment should not be shown.";
	if (flag_reason_label(r->reason)[0] == '\0')
		return "That is not one of the reasons offered.";
	if (!utf8_valid(r->note, r->note_len, &chars) ||
	    strlen(r->note) != r->note_len)
		return "The note has characters we cannot store.";
	if (chars > LIMIT_FLAG_NOTE)
		return "The note is longer than 500 characters.";
	return NULL;
}

enum err
flag_comment(struct app *app, struct arena *a, const struct flag_request *r,
	     enum flag_result *res, const char **why, int *retry_after)
{
	const struct config *cfg = &app->cfg;
	struct flag_input in;
	char network[80];
	const char *wait;
	int64_t article_id = 0;
	bool held = false;
	enum budget b;
	enum err e;

	*why = refused(r);
	if (*why != NULL)
		return ERR_INVALID;
	memset(&in, 0, sizeof(in));
	in.reader = flag_reader(app, a, r->user_id, r->visitor_id);
	if (in.reader == NULL) {
		*why = "Flags need this site's cookie. Reload the page and "
		       "try again.";
		return ERR_FORBIDDEN;
	}
	*retry_after = 1;
	b = app->flag_limits ? take_all(app->flag_limits, r, retry_after)
			     : BUDGET_NONE;
	if (b != BUDGET_NONE) {
		wait = *retry_after == 1
			   ? "1 second"
			   : arena_printf(a, "%d seconds", *retry_after);
		*why = arena_printf(
		    a,
		    b == BUDGET_SITE
			? "The site is taking many flags just now: wait %s, "
			  "then send your flag again."
			: "You are flagging too fast: wait %s, then send your "
			  "flag again.",
		    wait ? wait : "a little");
		if (*why == NULL)
			*why = "Too many flags just now: please wait a little, "
			       "then send your flag again.";
		return ERR_LIMIT;
	}
	in.comment_id = r->comment_id;
	cidr_network_key(r->client ? r->client : "", 32, 64, network,
			 sizeof(network));
	in.network = network;
	in.reason = r->reason;
	in.note = r->note;
	in.now = time_now();
	in.hold_at = cfg->flags_to_hold;
	/* A comment keeps at least the flags that hold it. */
	in.cap = cfg->flags_per_comment > cfg->flags_to_hold
		     ? cfg->flags_per_comment
		     : cfg->flags_to_hold;
	e = app->store->ops->flag_add(app->store, &in, res, &held, &article_id);
	if (e == ERR_OK && held)
		change_publish_one(app->changes, CHANGE_ARTICLE, article_id);
	return e;
}

enum err
flag_open_count(struct app *app, int64_t *n)
{
	return app->store->ops->flag_open_count(app->store, n);
}
