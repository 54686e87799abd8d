/*
 * limits_shared: rate limits every node of a site shares.  A bucket is
 * named in the database by a MAC of its name and key under the site's
 * key: the table never holds a reader's address.
 */
#include "model/limits_shared.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/mac.h"
#include "core/ratelimit.h"
#include "store/store.h"

/* The hex MAC naming name + key; out holds 33 bytes. */
static void
bucket_name(const struct app *app, const char *name, const char *key,
	    char out[33])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	mac_start(&st, app->secret);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"limit:", 6);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)name,
				      strlen(name) + 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)key,
				      strlen(key));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, 33, mac, 16);
}

static int
shared_take(void *arg, const char *name, const char *key, double burst,
	    double rate, double now, int *retry_after)
{
	struct app *app = arg;
	char bucket[33];
	bool ok = true;
	int64_t wait_ms = 0;

	bucket_name(app, name, key, bucket);
	if (app->store->ops->limit_take(app->store, bucket, burst, rate,
					(int64_t)(now * 1000), &ok,
					&wait_ms) != ERR_OK)
		return -1;
	if (!ok)
		*retry_after = (int)((wait_ms + 999) / 1000);
	return ok ? 1 : 0;
}

static void
shared_reset(void *arg, const char *name, const char *key)
{
	struct app *app = arg;
	char bucket[33];

	bucket_name(app, name, key, bucket);
	(void)app->store->ops->limit_reset(app->store, bucket);
}

bool
limits_share(struct app *app)
{
	static struct ratelimit_shared hook;

	if (app->store->ops->limit_take == NULL) {
		ratelimit_set_shared(NULL);
		return false;
	}
	hook.take = shared_take;
	hook.reset = shared_reset;
	hook.arg = app;
	ratelimit_set_shared(&hook);
	return true;
}
