#include "http/csrf.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "app.h"
#include "core/mac.h"

#define VISITOR_BYTES 16
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

/*
 * A visitor id is ID.MAC: 16 random bytes and the first 16 bytes of their
 * HMAC under the site's secret, both base64url.  Only the server can make
 * one, so a browser cannot pick the id a token is made for.
 */
#define VISITOR_PART 22 /* 16 bytes, base64url without padding */
#define VISITOR_LEN  (2 * VISITOR_PART + 1)

static bool
b64url_chars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '_'))
			return false;
	return true;
}

/* The MAC part of a visitor id for its random part id (VISITOR_PART). */
static void
visitor_mac(const struct request *req, const char *id,
	    char out[VISITOR_PART + 1])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;

	mac_start(&st, req->app->secret);
	crypto_auth_hmacsha256_update(&st,
				      (const unsigned char *)"visitor:", 8);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id,
				      VISITOR_PART);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, VISITOR_PART + 1, mac, VISITOR_BYTES,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
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

/* Whether visitor's token under secret is in this thread's table. */
static bool
token_remembered(const unsigned char *secret, const char *visitor)
{
	const struct token_slot *slot = token_slot_of(visitor);

	return strcmp(slot->visitor, visitor) == 0 &&
	       sodium_memcmp(slot->secret, secret, APP_SECRET_BYTES) == 0;
}

static bool
visitor_valid(const struct request *req, const char *v)
{
	char want[VISITOR_PART + 1];

	if (strlen(v) != VISITOR_LEN || v[VISITOR_PART] != '.' ||
	    !b64url_chars(v, VISITOR_PART) ||
	    !b64url_chars(v + VISITOR_PART + 1, VISITOR_PART))
		return false;
	/* A token is remembered only for an id found valid: no MAC again. */
	if (token_remembered(req->app->secret, v))
		return true;
	visitor_mac(req, v, want);
	return sodium_memcmp(want, v + VISITOR_PART + 1, VISITOR_PART) == 0;
}

const char *
csrf_visitor_id(struct request *req)
{
	const char *v = request_site_cookie(req, CSRF_COOKIE);

	return v && visitor_valid(req, v) ? v : NULL;
}

/* Makes a new visitor id, sets its cookie, and puts it first among the
 * request's cookies, so later calls in this request see it. */
static const char *
visitor_make(struct request *req, struct response *res)
{
	const char *id = random_token(&req->arena, VISITOR_BYTES);
	const char *name = request_cookie_name(req, CSRF_COOKIE);
	char mac[VISITOR_PART + 1];
	char *fresh, *cookie;
	struct fields *c = &req->cookies;
	struct field *items;

	if (id == NULL || strlen(id) != VISITOR_PART)
		return NULL;
	visitor_mac(req, id, mac);
	fresh = arena_printf(&req->arena, "%s.%s", id, mac);
	if (fresh == NULL)
		return NULL;
	cookie =
	    arena_printf(&req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s",
			 name, fresh, request_secure(req) ? "; Secure" : "");
	if (cookie == NULL || !response_header(res, "Set-Cookie", cookie))
		return NULL;
	(void)request_cookie(req, name); /* parses them */
	items = arena_alloc(&req->arena, (c->count + 1) * sizeof(*items));
	if (items == NULL)
		return NULL;
	/* The new id first: fields_get finds the first of a name. */
	items[0].name = name;
	items[0].value = fresh;
	items[0].len = strlen(fresh);
	if (c->count)
		memcpy(items + 1, c->items, c->count * sizeof(*items));
	c->items = items;
	c->count++;
	req->csrf_for = NULL;
	req->csrf_token = NULL;
	return fresh;
}

const char *
csrf_visitor(struct request *req, struct response *res)
{
	const char *v = csrf_visitor_id(req);

	return v ? v : visitor_make(req, res);
}

const char *
csrf_rotate(struct request *req, struct response *res)
{
	return visitor_make(req, res);
}

/* The token of visitor under secret, into out (TOKEN_LEN + 1 bytes). */
static void
token_make(const unsigned char *secret, const char *visitor, char *out)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;

	mac_start(&st, secret);
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
	const char *v = csrf_visitor_id(req);
	const struct field *f = request_field(req, "csrf");
	const char *want;

	if (v == NULL || f == NULL)
		return false;
	want = csrf_token(req, v);
	if (want == NULL || strlen(want) != f->len)
		return false;
	return sodium_memcmp(want, f->value, f->len) == 0;
}
