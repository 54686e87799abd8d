#include "model/session.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/mac.h"
#include "core/util.h"
#include "model/user.h"

bool
session_token_valid(const char *s)
{
	return s != NULL && user_token_valid(s);
}

enum err
session_start(struct app *app, struct arena *a, int64_t user_id,
	      const char *old_token, const char **token)
{
	const char *hash;
	char old[65];
	int64_t now = time_now();

	if (!user_token_new(a, token, &hash))
		return ERR_NOMEM;
	if (session_token_valid(old_token))
		user_token_hash(old_token, old);
	return app->store->ops->session_insert(
	    app->store, hash, user_id, now,
	    now + (int64_t)app->cfg.session_days * 86400,
	    session_token_valid(old_token) ? old : NULL);
}

enum err
session_user(struct app *app, struct arena *a, const char *token,
	     struct user *out)
{
	char hash[65];

	if (!session_token_valid(token))
		return ERR_NOTFOUND;
	user_token_hash(token, hash);
	return app->store->ops->session_user(app->store, a, hash, time_now(),
					     out);
}

enum err
session_end(struct app *app, const char *token)
{
	char hash[65];

	if (!session_token_valid(token))
		return ERR_OK;
	user_token_hash(token, hash);
	return app->store->ops->session_delete(app->store, hash);
}

enum err
session_end_all(struct app *app, int64_t user_id)
{
	return app->store->ops->session_delete_user(app->store, user_id);
}

/* The MAC part of a device mark for its first part, "ID.RANDOM". */
static void
device_mac(const struct app *app, const char *head, size_t n, char out[23])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;

	mac_start(&st, app->secret);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"device:", 7);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)head, n);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, 23, mac, 16,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

const char *
session_device_mark(struct app *app, struct arena *a, int64_t user_id)
{
	unsigned char raw[16];
	char rnd[23], mac[23], *head;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(rnd, sizeof(rnd), raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	head = arena_printf(a, "%" PRId64 ".%s", user_id, rnd);
	if (head == NULL)
		return NULL;
	device_mac(app, head, strlen(head), mac);
	return arena_printf(a, "%s.%s", head, mac);
}

int64_t
session_device_user(struct app *app, const char *mark)
{
	const char *dot;
	char want[23], *end;
	long long id;
	size_t n;

	if (mark == NULL || strlen(mark) > 64 ||
	    (dot = strrchr(mark, '.')) == NULL || strlen(dot + 1) != 22)
		return 0;
	n = (size_t)(dot - mark);
	device_mac(app, mark, n, want);
	if (sodium_memcmp(want, dot + 1, 22) != 0)
		return 0;
	id = strtoll(mark, &end, 10);
	return end != mark && *end == '.' && id > 0 ? (int64_t)id : 0;
}
