#include "http/csrf.h"

#include <sodium.h>
#include <string.h>

#include "app.h"

#define VISITOR_BYTES 16

char *
random_token(struct arena *a, size_t bytes)
{
	unsigned char raw[64];
	size_t len;
	char *out;

	if (bytes > sizeof(raw))
		return NULL;
	randombytes_buf(raw, bytes);
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

	if (n != 22) /* 16 bytes, base64url without padding */
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

const char *
csrf_token(struct request *req, const char *visitor)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	size_t len = sodium_base64_ENCODED_LEN(
	    sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out;

	if (req->csrf_token && strcmp(req->csrf_for, visitor) == 0)
		return req->csrf_token;
	if ((out = arena_alloc(&req->arena, len)) == NULL)
		return NULL;
	crypto_auth_hmacsha256_init(&st, req->app->secret,
				    sizeof(req->app->secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"csrf:", 5);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)visitor,
				      strlen(visitor));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, len, mac, sizeof(mac),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
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
