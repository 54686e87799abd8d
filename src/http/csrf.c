#include "http/csrf.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "app.h"

#define VISITOR_BYTES 16
/* A visitor id as text: 16 bytes, base64url without padding. */
#define VISITOR_LEN 22
#define TOKEN_LEN                                                              \
	(sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES,               \
				   sodium_base64_VARIANT_URLSAFE_NO_PADDING) - \
	 1)

/*
 * Random bytes taken from the system a pool at a time, per thread: every
 * page with a comment form takes a fresh key, and a system call for each
 * costs more than the rest of the key.  Bytes handed out are wiped from
 * the pool, so what is left there says nothing of what was given.
 */
#define RANDOM_POOL 256
static _Thread_local unsigned char random_pool[RANDOM_POOL];
static _Thread_local size_t random_left;

/* n random bytes into out; n at most RANDOM_POOL. */
static void
random_bytes(unsigned char *out, size_t n)
{
	unsigned char *from;

	if (n > random_left) {
		randombytes_buf(random_pool, RANDOM_POOL);
		random_left = RANDOM_POOL;
	}
	from = random_pool + RANDOM_POOL - random_left;
	memcpy(out, from, n);
	sodium_memzero(from, n);
	random_left -= n;
}

char *
random_token(struct arena *a, size_t bytes)
{
	unsigned char raw[64];
	size_t len;
	char *out;

	_Static_assert(sizeof(raw) <= RANDOM_POOL, "a token fits the pool");
	if (bytes > sizeof(raw))
		return NULL;
	random_bytes(raw, bytes);
	len = sodium_base64_ENCODED_LEN(
	    bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	out = arena_alloc(a, len);
	if (out == NULL)
		return NULL;
	sodium_bin2base64(out, len, raw, bytes,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

static bool
visitor_valid(const char *v)
{
	size_t i, n = strlen(v);

	if (n != VISITOR_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') ||
		      (v[i] >= 'A' && v[i] <= 'Z') ||
		      (v[i] >= '0' && v[i] <= '9') || v[i] == '-' ||
		      v[i] == '_'))
			return false;
	return true;
}

const char *
csrf_visitor(struct request *req, struct response *res)
{
	const char *v = request_cookie(req, CSRF_COOKIE);
	char *fresh, *cookie;

	if (v && visitor_valid(v))
		return v;
	fresh = random_token(&req->arena, VISITOR_BYTES);
	if (fresh == NULL)
		return NULL;
	cookie = arena_printf(
	    &req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s", CSRF_COOKIE,
	    fresh,
	    strncmp(req->app->base_url, "https:", 6) == 0 ? "; Secure" : "");
	if (cookie == NULL || !response_header(res, "Set-Cookie", cookie))
		return NULL;
	/*
	 * Later calls in this request see the new id, beside the other
	 * cookies it came with (a session, a remembered name).
	 */
	{
		struct fields *c = &req->cookies;
		struct field *items;

		(void)request_cookie(req, CSRF_COOKIE); /* parses them */
		items =
		    arena_alloc(&req->arena, (c->count + 1) * sizeof(*items));
		if (items == NULL)
			return NULL;
		/* The new id first: fields_get finds the first of a name. */
		items[0].name = CSRF_COOKIE;
		items[0].value = fresh;
		items[0].len = strlen(fresh);
		if (c->count)
			memcpy(items + 1, c->items, c->count * sizeof(*items));
		c->items = items;
		c->count++;
	}
	return fresh;
}

/*
 * Tokens made lately, per thread: a reader's every page needs the HMAC of
 * the same visitor id, which costs more than the rest of a cached page's
 * answer.  A slot holds the secret it was made under too, so two sites in
 * one process never share a token.  Readers who rotate ids only overwrite
 * slots: the table never grows.
 */
#define TOKEN_SLOTS 64

struct token_slot {
	unsigned char secret[APP_SECRET_BYTES];
	char visitor[VISITOR_LEN + 1]; /* "": empty */
	char token[TOKEN_LEN + 1];
};

static _Thread_local struct token_slot token_slots[TOKEN_SLOTS];

static struct token_slot *
token_slot_of(const char *visitor)
{
	uint32_t h = 2166136261u;

	while (*visitor)
		h = (h ^ (unsigned char)*visitor++) * 16777619u;
	return &token_slots[h % TOKEN_SLOTS];
}

/* The token of visitor under secret, into out (TOKEN_LEN + 1 bytes). */
static void
token_make(const unsigned char *secret, const char *visitor, char *out)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, secret, APP_SECRET_BYTES);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"csrf:", 5);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)visitor,
				      strlen(visitor));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, TOKEN_LEN + 1, mac, sizeof(mac),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

const char *
csrf_token(struct request *req, const char *visitor)
{
	const unsigned char *secret = req->app->secret;
	struct token_slot *slot = NULL;
	char *out;

	if (req->csrf_token && strcmp(req->csrf_for, visitor) == 0)
		return req->csrf_token;
	if ((out = arena_alloc(&req->arena, TOKEN_LEN + 1)) == NULL)
		return NULL;
	/* Only ids of the one length we issue are kept. */
	if (strlen(visitor) == VISITOR_LEN)
		slot = token_slot_of(visitor);
	if (slot && strcmp(slot->visitor, visitor) == 0 &&
	    sodium_memcmp(slot->secret, secret, APP_SECRET_BYTES) == 0) {
		memcpy(out, slot->token, TOKEN_LEN + 1);
	} else {
		token_make(secret, visitor, out);
		if (slot) {
			memcpy(slot->secret, secret, APP_SECRET_BYTES);
			memcpy(slot->visitor, visitor, VISITOR_LEN + 1);
			memcpy(slot->token, out, TOKEN_LEN + 1);
		}
	}
	req->csrf_for = visitor;
	req->csrf_token = out;
	return out;
}

bool
csrf_check(struct request *req)
{
	const char *v = request_cookie(req, CSRF_COOKIE);
	const struct field *f = request_field(req, "csrf");
	const char *want;

	if (v == NULL || !visitor_valid(v) || f == NULL)
		return false;
	want = csrf_token(req, v);
	if (want == NULL || strlen(want) != f->len)
		return false;
	return sodium_memcmp(want, f->value, f->len) == 0;
}
