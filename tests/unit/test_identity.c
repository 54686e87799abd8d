/*
 * Identity: argon2id passwords, one-time tokens, sessions (rotation,
 * sign out everywhere, disabled accounts, expiry) on a real store, the
 * rate limiter, PKCE, ID tokens signed here with OpenSSL keys (RS256 and
 * ES256: good, bad signature, wrong issuer and audience, expired, nonce
 * mismatch, alg none and HS256, unknown key), provider JSON, and the
 * email the sender builds.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

#include "app.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/util.h"
#include "http/cache.h"
#include "core/ratelimit.h"
#include "jobs/mail.h"
#include "model/oidc.h"
#include "model/session.h"
#include "model/throttle.h"
#include "model/user.h"
#include "store/store.h"
#include "test.h"
#include "store_fixture.h"

#define ISS "https://id.example.org"
#define AUD "parley-client"

static char *
b64url(const unsigned char *p, size_t n)
{
	size_t len = sodium_base64_ENCODED_LEN(
	    n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = malloc(len);

	sodium_bin2base64(out, len, p, n,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

static char *
b64url_str(const char *s)
{
	return b64url((const unsigned char *)s, strlen(s));
}

static char *
bn_b64(const BIGNUM *bn, int pad)
{
	unsigned char buf[512];
	int n = pad ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf);

	return b64url(buf, (size_t)n);
}

static EVP_PKEY *
gen_rsa(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
}

static EVP_PKEY *
gen_ec(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* The JWK of key's public half, as JSON text. */
static char *
jwk(EVP_PKEY *key, const char *kid)
{
	struct buf b;
	char *out;

	buf_init(&b, 8192);
	if (EVP_PKEY_is_a(key, "RSA")) {
		BIGNUM *n = NULL, *e = NULL;
		char *ns, *es;

		EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n);
		EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
		ns = bn_b64(n, 0);
		es = bn_b64(e, 0);
		CHECK(buf_printf(
		    &b,
		    "{\"kty\":\"RSA\",\"kid\":\"%s\",\"use\":\"sig\","
		    "\"alg\":\"RS256\",\"n\":\"%s\",\"e\":\"%s\"}",
		    kid, ns, es));
		free(ns);
		free(es);
		BN_free(n);
		BN_free(e);
	} else {
		BIGNUM *x = NULL, *y = NULL;
		char *xs, *ys;

		EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x);
		EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y);
		xs = bn_b64(x, 32);
		ys = bn_b64(y, 32);
		CHECK(buf_printf(
		    &b,
		    "{\"kty\":\"EC\",\"kid\":\"%s\",\"crv\":\"P-256\","
		    "\"x\":\"%s\",\"y\":\"%s\"}",
		    kid, xs, ys));
		free(xs);
		free(ys);
		BN_free(x);
		BN_free(y);
	}
	out = strdup(buf_cstr(&b));
	buf_clear(&b);
	return out;
}

/* A compact JWS of payload signed by key (RS256 or ES256). */
static char *
sign_jwt(EVP_PKEY *key, const char *kid, const char *alg, const char *payload)
{
	char header[256], *h, *p, *s, *out;
	unsigned char sig[512], raw[64];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	struct buf in;

	snprintf(header, sizeof(header),
		 "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}", alg, kid);
	h = b64url_str(header);
	p = b64url_str(payload);
	buf_init(&in, 1 << 16);
	CHECK(buf_printf(&in, "%s.%s", h, p));
	CHECK(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1);
	CHECK(EVP_DigestSign(md, sig, &siglen, (const unsigned char *)in.data,
			     in.len) == 1);
	if (EVP_PKEY_is_a(key, "EC")) {
		const unsigned char *q = sig;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)siglen);
		const BIGNUM *r, *sv;

		ECDSA_SIG_get0(es, &r, &sv);
		BN_bn2binpad(r, raw, 32);
		BN_bn2binpad(sv, raw + 32, 32);
		ECDSA_SIG_free(es);
		s = b64url(raw, 64);
	} else {
		s = b64url(sig, siglen);
	}
	CHECK(buf_printf(&in, ".%s", s));
	out = strdup(buf_cstr(&in));
	buf_clear(&in);
	free(h);
	free(p);
	free(s);
	EVP_MD_CTX_free(md);
	return out;
}

static char *
claims(const char *iss, const char *aud, int64_t exp, const char *nonce)
{
	char *out = malloc(1024);

	snprintf(
	    out, 1024,
	    "{\"iss\":\"%s\",\"sub\":\"user-42\",\"aud\":%s,"
	    "\"exp\":%lld,\"iat\":%lld,\"nonce\":\"%s\",\"email\":\"ada@example.org\","
	    "\"email_verified\":true,\"name\":\"Ada\"}",
	    iss, aud, (long long)exp, (long long)(exp - 600), nonce);
	return out;
}

/* Verifies jwt against jwks as Parley would; returns the result. */
static enum err
verify(const char *jwt, const char *jwks, const char *nonce, int64_t now)
{
	struct arena a;
	struct oidc_claims c;
	struct buf why;
	enum err e;

	arena_init(&a);
	buf_init(&why, 256);
	e = oidc_verify_jwt(&a, jwt, jwks, ISS, AUD, nonce, now, &c, &why);
	if (e == ERR_OK)
		CHECK(strcmp(c.sub, "user-42") == 0 && c.email_verified &&
		      strcmp(c.email, "ada@example.org") == 0);
	buf_clear(&why);
	arena_clear(&a);
	return e;
}

static void
test_jwt(void)
{
	EVP_PKEY *rsa = gen_rsa(), *ec = gen_ec(), *other = gen_rsa();
	char *jr = jwk(rsa, "r1"), *je = jwk(ec, "e1"), *jo = jwk(other, "r1");
	char jwks[8192], jwks_other[4096], *c, *t, *bad;
	int64_t now = time_now();
	size_t n;

	CHECK(rsa && ec && other);
	snprintf(jwks, sizeof(jwks), "{\"keys\":[%s,%s]}", jr, je);
	snprintf(jwks_other, sizeof(jwks_other), "{\"keys\":[%s]}", jo);

	/* RS256 and ES256, good. */
	c = claims(ISS, "\"" AUD "\"", now + 600, "n0nce");
	t = sign_jwt(rsa, "r1", "RS256", c);
	CHECK(verify(t, jwks, "n0nce", now) == ERR_OK);
	/* The same token against another key with the same kid. */
	CHECK(verify(t, jwks_other, "n0nce", now) == ERR_FORBIDDEN);
	/* One bit of the signature flipped. */
	bad = strdup(t);
	n = strlen(bad);
	bad[n - 5] = bad[n - 5] == 'A' ? 'B' : 'A';
	CHECK(verify(bad, jwks, "n0nce", now) == ERR_FORBIDDEN);
	free(bad);
	/* The payload changed after signing. */
	{
		char *c2 = claims(ISS, "\"" AUD "\"", now + 99999, "n0nce");
		char *p2 = b64url_str(c2), *dot1 = strchr(t, '.'),
		     *dot2 = strrchr(t, '.');
		char forged[8192];

		snprintf(forged, sizeof(forged), "%.*s.%s%s", (int)(dot1 - t),
			 t, p2, dot2);
		CHECK(verify(forged, jwks, "n0nce", now) == ERR_FORBIDDEN);
		free(c2);
		free(p2);
	}
	/* Nonce mismatch, expired, not yet valid skew allowed. */
	CHECK(verify(t, jwks, "other", now) == ERR_FORBIDDEN);
	CHECK(verify(t, jwks, NULL, now) == ERR_FORBIDDEN);
	CHECK(verify(t, jwks, "n0nce", now + 600 + OIDC_SKEW + 1) ==
	      ERR_FORBIDDEN);
	CHECK(verify(t, jwks, "n0nce", now + 600 + OIDC_SKEW - 1) == ERR_OK);
	/* Issued in the future (beyond the skew). */
	CHECK(verify(t, jwks, "n0nce", now - 600 - OIDC_SKEW - 1) ==
	      ERR_FORBIDDEN);
	free(t);
	free(c);

	c = claims(ISS, "\"" AUD "\"", now + 600, "n0nce");
	t = sign_jwt(ec, "e1", "ES256", c);
	CHECK(verify(t, jwks, "n0nce", now) == ERR_OK);
	bad = strdup(t);
	n = strlen(bad);
	bad[n - 3] = bad[n - 3] == 'A' ? 'B' : 'A';
	CHECK(verify(bad, jwks, "n0nce", now) == ERR_FORBIDDEN);
	free(bad);
	free(t);
	/* An ES256 header over an RSA key's signature: no EC key "r1". */
	t = sign_jwt(rsa, "r1", "ES256", c);
	CHECK(verify(t, jwks, "n0nce", now) != ERR_OK);
	free(t);
	/* A kid we do not have: a refetch might help. */
	t = sign_jwt(rsa, "r9", "RS256", c);
	CHECK(verify(t, jwks, "n0nce", now) == ERR_NOTFOUND);
	free(t);
	free(c);

	/* Wrong issuer, wrong audience, audience lists. */
	c = claims("https://evil.example", "\"" AUD "\"", now + 600, "n0nce");
	t = sign_jwt(rsa, "r1", "RS256", c);
	CHECK(verify(t, jwks, "n0nce", now) == ERR_FORBIDDEN);
	free(t);
	free(c);
	c = claims(ISS, "\"someone-else\"", now + 600, "n0nce");
	t = sign_jwt(rsa, "r1", "RS256", c);
	CHECK(verify(t, jwks, "n0nce", now) == ERR_FORBIDDEN);
	free(t);
	free(c);
	c = claims(ISS, "[\"someone-else\",\"" AUD "\"]", now + 600, "n0nce");
	t = sign_jwt(rsa, "r1", "RS256", c);
	CHECK(verify(t, jwks, "n0nce", now) == ERR_FORBIDDEN); /* no azp */
	free(t);
	free(c);
	c = claims(ISS, "[\"" AUD "\"]", now + 600, "n0nce");
	t = sign_jwt(rsa, "r1", "RS256", c);
	CHECK(verify(t, jwks, "n0nce", now) == ERR_OK);
	free(t);
	free(c);

	/* alg none and HS256 (keyed with the public key) are refused. */
	{
		char *h = b64url_str("{\"alg\":\"none\"}");
		char *p = b64url_str("{\"iss\":\"" ISS "\"}"), tok[1024];

		snprintf(tok, sizeof(tok), "%s.%s.", h, p);
		CHECK(verify(tok, jwks, "n0nce", now) != ERR_OK);
		free(h);
		h = b64url_str("{\"alg\":\"HS256\",\"kid\":\"r1\"}");
		snprintf(tok, sizeof(tok), "%s.%s.AAAA", h, p);
		CHECK(verify(tok, jwks, "n0nce", now) == ERR_FORBIDDEN);
		free(h);
		free(p);
	}
	/* Garbage. */
	CHECK(verify("", jwks, "n", now) == ERR_INVALID);
	CHECK(verify("a.b.c.d", jwks, "n", now) == ERR_INVALID);
	CHECK(verify("!!.!!.!!", jwks, "n", now) == ERR_INVALID);
	CHECK(verify("e30.e30.", "not json", "n", now) != ERR_OK);

	free(jr);
	free(je);
	free(jo);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(other);
}

static void
test_pure(void)
{
	char ch[44], hash[65];
	struct arena a;
	struct oidc_endpoints ep;
	struct oidc_claims c;
	struct buf why, mail;
	const char *tok, *th, *access, *idt;

	/* RFC 7636, appendix B. */
	oidc_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", ch);
	CHECK_STR(ch, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");

	arena_init(&a);
	buf_init(&why, 256);
	CHECK(user_token_new(&a, &tok, &th));
	CHECK(user_token_valid(tok) && strlen(th) == 64);
	user_token_hash(tok, hash);
	CHECK_STR(hash, th);
	CHECK(!user_token_valid("short"));
	CHECK(!user_token_valid("0123456789012345678901234567890123456789+/="));
	CHECK(session_token_valid(tok) && !session_token_valid(NULL));

	{
		const char *good =
		    "{\"issuer\":\"" ISS "\",\"authorization_endpoint\":"
		    "\"" ISS "/auth\",\"token_endpoint\":\"" ISS "/token\","
		    "\"jwks_uri\":\"" ISS "/jwks\"}";
		const char *evil =
		    "{\"issuer\":\"https://evil\",\"authorization_endpoint\":"
		    "\"" ISS "/auth\",\"token_endpoint\":\"" ISS "/token\","
		    "\"jwks_uri\":\"" ISS "/jwks\"}";

		CHECK(oidc_parse_discovery(&a, good, strlen(good), ISS, &ep,
					   &why) == ERR_OK);
		CHECK(oidc_parse_discovery(&a, evil, strlen(evil), ISS, &ep,
					   &why) == ERR_INVALID);
	}
	{
		const char *d =
		    "{\"issuer\":\"" ISS "\",\"authorization_endpoint\":"
		    "\"http://id.example.org/auth\",\"token_endpoint\":\"" ISS
		    "/t\","
		    "\"jwks_uri\":\"" ISS "/j\"}";

		CHECK(oidc_parse_discovery(&a, d, strlen(d), ISS, &ep, &why) ==
		      ERR_INVALID);
	}
	CHECK(oidc_parse_discovery(&a, "[1,2", 4, ISS, &ep, &why) ==
	      ERR_INVALID);

	CHECK(oidc_parse_token(
		  &a, "{\"access_token\":\"at\",\"id_token\":\"x.y.z\"}", 40,
		  &access, &idt, &why) == ERR_OK &&
	      strcmp(idt, "x.y.z") == 0);
	CHECK(oidc_parse_token(&a, "{\"error\":\"invalid_grant\"}", 25, &access,
			       &idt, &why) == ERR_FORBIDDEN);

	{
		const char *gh =
		    "{\"id\":1234,\"login\":\"octo\",\"name\":null,\"email\":\"o@x.org\"}";
		const char *wp =
		    "{\"ID\":77,\"display_name\":\"Wordy\",\"email\":\"w@x.org\","
		    "\"email_verified\":true}";
		const char *em =
		    "[{\"email\":\"a@x.org\",\"primary\":false,\"verified\":true},"
		    "{\"email\":\"p@x.org\",\"primary\":true,\"verified\":true}]";

		CHECK(oidc_parse_user(&a, OIDC_GITHUB, gh, strlen(gh), &c) ==
			  ERR_OK &&
		      strcmp(c.sub, "1234") == 0 &&
		      strcmp(c.name, "octo") == 0 && !c.email_verified);
		CHECK(oidc_parse_user(&a, OIDC_WORDPRESS, wp, strlen(wp), &c) ==
			  ERR_OK &&
		      strcmp(c.sub, "77") == 0 &&
		      strcmp(c.name, "Wordy") == 0 && c.email_verified);
		CHECK_STR(oidc_parse_github_emails(&a, em, strlen(em)),
			  "p@x.org");
		CHECK(oidc_parse_user(&a, OIDC_GITHUB, "{}", 2, &c) ==
		      ERR_INVALID);
	}

	CHECK(config_url_allowed("https://id.example.org/x"));
	CHECK(config_url_allowed("http://127.0.0.1:9000/x"));
	CHECK(config_url_allowed("http://localhost:9000"));
	CHECK(config_url_allowed("http://[::1]:80/"));
	CHECK(!config_url_allowed("http://127.0.0.1.evil.org/"));
	CHECK(!config_url_allowed("http://localhost.evil.org/"));
	CHECK(!config_url_allowed("http://id.example.org/"));
	CHECK(!config_url_allowed("ftp://x"));

	/* The email: CRLF, an encoded subject, refused header injection. */
	buf_init(&mail, 65536);
	CHECK(mail_build(&mail, "parley@x.org", "ada@example.org", "Grüße",
			 "line one\nline two\n", 0, "id@x.org"));
	CHECK(strstr(buf_cstr(&mail),
		     "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n") != NULL);
	CHECK(strstr(buf_cstr(&mail), "\r\n\r\nline one\r\nline two\r\n") !=
	      NULL);
	CHECK(strstr(buf_cstr(&mail),
		     "Content-Type: text/plain; charset=utf-8\r\n") != NULL);
	buf_reset(&mail);
	CHECK(!mail_build(&mail, "parley@x.org", "a@x.org\r\nBcc: b@x.org", "s",
			  "b", 0, "i"));
	CHECK(!mail_build(&mail, "parley@x.org", "a@x.org", "s\nBcc: x", "b", 0,
			  "i"));
	buf_clear(&mail);
	CHECK(mail_backoff(1, 60) == 60 && mail_backoff(2, 60) == 120 &&
	      mail_backoff(3, 60) == 240 && mail_backoff(40, 60) == 21600);

	buf_clear(&why);
	arena_clear(&a);
}

static void
test_passwords(void)
{
	char hash[USER_HASH_BYTES];

	CHECK(user_password_hash("correct horse", hash));
	CHECK(strncmp(hash, "$argon2id$", 10) == 0);
	CHECK(user_password_check(hash, "correct horse"));
	CHECK(!user_password_check(hash, "correct horsE"));
	CHECK(!user_password_check("", "correct horse"));
	CHECK(!user_password_check("plain", "plain"));
	CHECK(user_check_password("short") != NULL);
	CHECK(user_check_password("long enough") == NULL);
	CHECK(user_check_name("") != NULL && user_check_name("A\nB") != NULL);
	CHECK(user_check_name("Ada") == NULL);
	CHECK(user_check_email("a@b.org") == NULL &&
	      user_check_email("a@b.org\r\n") != NULL);
	CHECK(user_check_email("<a@b.org>") != NULL);
}

static void
test_ratelimit(void)
{
	struct ratelimit *rl = ratelimit_new(NULL, 3, 1.0 / 60, 64);
	int retry = 0, i, ok = 0;

	for (i = 0; i < 3; i++)
		ok += ratelimit_take(rl, "10.0.0.1", 1000.0, &retry);
	CHECK(ok == 3);
	CHECK(!ratelimit_take(rl, "10.0.0.1", 1000.0, &retry));
	CHECK(retry == 60);
	CHECK(ratelimit_take(rl, "10.0.0.2", 1000.0, &retry)); /* another key */
	CHECK(!ratelimit_take(rl, "10.0.0.1", 1030.0, &retry) && retry == 30);
	CHECK(ratelimit_take(rl, "10.0.0.1", 1061.0, &retry));
	ratelimit_reset(rl, "10.0.0.1");
	CHECK(ratelimit_take(rl, "10.0.0.1", 1061.0, &retry));
	/* Many keys: the table stays bounded and keeps working. */
	for (i = 0; i < 10000; i++) {
		char key[32];

		snprintf(key, sizeof(key), "k%d", i);
		(void)ratelimit_take(rl, key, 2000.0, &retry);
	}
	CHECK(ratelimit_take(rl, "fresh", 2000.0, &retry));
	ratelimit_free(rl);
}

static void
test_sessions(void)
{
	char dir[512], path[600];
	struct app app;
	struct arena a;
	struct buf err;
	struct user u;
	const char *t1, *t2, *t3;
	int64_t id, id2;

	memset(&app, 0, sizeof(app));
	config_defaults(&app.cfg);
	snprintf(app.base_url, sizeof(app.base_url), "http://127.0.0.1:1");
	CHECK(test_scratch_dir(dir, sizeof(dir), "identity") != NULL);
	CHECK(fixture_db_path(dir, "t", path, sizeof(path)));
	buf_init(&err, 256);
	app.store = store_open(path, &err);
	CHECK(app.store != NULL);
	app.cache = page_cache_new(0);
	arena_init(&a);

	CHECK(user_create(&app, "Ada", "ada@example.org", "correct horse",
			  ROLE_ADMIN, &id) == ERR_OK);
	CHECK(user_create(&app, "Ada 2", "ADA@example.org", "", ROLE_READER,
			  &id2) == ERR_CONFLICT);
	CHECK(user_create(&app, "Bob", "bob@example.org", "", ROLE_READER,
			  &id2) == ERR_OK);

	CHECK(session_start(&app, &a, id, NULL, &t1) == ERR_OK);
	CHECK(session_user(&app, &a, t1, &u) == ERR_OK && u.id == id &&
	      u.role == ROLE_ADMIN);
	/* Rotation: a new sign-in ends the browser's old session. */
	CHECK(session_start(&app, &a, id, t1, &t2) == ERR_OK);
	CHECK(strcmp(t1, t2) != 0);
	CHECK(session_user(&app, &a, t1, &u) == ERR_NOTFOUND);
	CHECK(session_user(&app, &a, t2, &u) == ERR_OK);
	/* A made-up or malformed token is nobody. */
	CHECK(session_user(&app, &a,
			   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			   &u) == ERR_NOTFOUND);
	CHECK(session_user(&app, &a, "x'; DROP TABLE users; --", &u) ==
	      ERR_NOTFOUND);
	/* Sign out everywhere. */
	CHECK(session_start(&app, &a, id, NULL, &t3) == ERR_OK);
	CHECK(session_end_all(&app, id) == ERR_OK);
	CHECK(session_user(&app, &a, t2, &u) == ERR_NOTFOUND);
	CHECK(session_user(&app, &a, t3, &u) == ERR_NOTFOUND);
	/* A disabled account's sessions end; it cannot start new ones that
	 * work. */
	CHECK(session_start(&app, &a, id2, NULL, &t1) == ERR_OK);
	CHECK(user_set_disabled(&app, &a, id2, true) == ERR_OK);
	CHECK(session_user(&app, &a, t1, &u) == ERR_NOTFOUND);
	CHECK(session_start(&app, &a, id2, NULL, &t1) == ERR_OK);
	CHECK(session_user(&app, &a, t1, &u) == ERR_NOTFOUND);
	/* Expiry. */
	app.cfg.session_days = 1;
	CHECK(session_start(&app, &a, id, NULL, &t1) == ERR_OK);
	CHECK(app.store->ops->session_user(app.store, &a, "nope", time_now(),
					   &u) == ERR_NOTFOUND);
	{
		char h[65];

		user_token_hash(t1, h);
		CHECK(app.store->ops->session_user(app.store, &a, h,
						   time_now() + 86401,
						   &u) == ERR_NOTFOUND);
		CHECK(app.store->ops->session_user(
			  app.store, &a, h, time_now() + 60, &u) == ERR_OK);
	}
	/* The last admin stays admin. */
	CHECK(user_set_role(&app, &a, id, ROLE_READER) == ERR_CONFLICT);
	CHECK(user_set_role(&app, &a, id2, ROLE_MODERATOR) == ERR_OK);
	/* Tokens are taken once. */
	{
		const char *tok;

		CHECK(user_send_link(
			  &app, &a, "reset", id, "", 60, "ada@example.org", "s",
			  "intro", "/account/reset", "outro", &tok) == ERR_OK);
		CHECK(user_reset_peek(&app, &a, tok, &u) == ERR_OK &&
		      u.id == id);
		CHECK(user_reset(&app, &a, tok, "new password!", &u) == ERR_OK);
		CHECK(user_reset(&app, &a, tok, "new password!", &u) ==
		      ERR_NOTFOUND);
	}
	/* A token is good for its own purpose only: a verify link cannot reset
	 * a password, a reset link cannot confirm an address. */
	{
		const char *tok;

		CHECK(user_send_link(&app, &a, "verify", id, "", 60,
				     "ada@example.org", "s", "intro",
				     "/account/verify", "outro",
				     &tok) == ERR_OK);
		CHECK(user_reset_peek(&app, &a, tok, &u) == ERR_NOTFOUND);
		CHECK(user_reset(&app, &a, tok, "hijacked password", &u) ==
		      ERR_NOTFOUND);
		CHECK(user_verify(&app, &a, tok, &u) == ERR_OK && u.id == id);
		CHECK(user_send_link(
			  &app, &a, "reset", id, "", 60, "ada@example.org", "s",
			  "intro", "/account/reset", "outro", &tok) == ERR_OK);
		CHECK(user_verify(&app, &a, tok, &u) == ERR_NOTFOUND);
		CHECK(user_reset_peek(&app, &a, tok, &u) == ERR_OK &&
		      u.id == id);
	}
	/* Sign-in: right, wrong, limited. */
	{
		int retry = 0, i;
		enum err e = ERR_OK;

		app.cfg.signin_per_address = 100;
		app.cfg.signin_per_account = 3;
		app.throttle = throttle_new(&app.cfg);
		CHECK(app.throttle != NULL);
		CHECK(user_signin(&app, &a, "ada@example.org", "new password!",
				  "1.2.3.4", 0, &u, &retry) == ERR_OK);
		CHECK(user_signin(&app, &a, "ada@example.org", "wrong",
				  "1.2.3.4", 0, &u, &retry) == ERR_FORBIDDEN);
		CHECK(user_signin(&app, &a, "nobody@example.org", "wrong",
				  "1.2.3.4", 0, &u, &retry) == ERR_FORBIDDEN);
		/* A disabled account cannot sign in, even with the right
		 * password. */
		{
			int64_t id3;

			CHECK(user_create(&app, "Cy", "cy@example.org",
					  "cy's password", ROLE_READER,
					  &id3) == ERR_OK);
			CHECK(user_signin(&app, &a, "cy@example.org",
					  "cy's password", "1.2.3.4", 0, &u,
					  &retry) == ERR_OK);
			CHECK(user_set_disabled(&app, &a, id3, true) == ERR_OK);
			CHECK(user_signin(&app, &a, "cy@example.org",
					  "cy's password", "1.2.3.4", 0, &u,
					  &retry) == ERR_FORBIDDEN);
		}
		for (i = 0; i < 5 && e != ERR_LIMIT; i++)
			e = user_signin(&app, &a, "ADA@example.org", "wrong",
					"1.2.3.4", 0, &u, &retry);
		CHECK(e == ERR_LIMIT && retry > 0);
		/* Another network is not held up by these failures... */
		CHECK(user_signin(&app, &a, "ada@example.org", "new password!",
				  "5.6.7.8", 0, &u, &retry) == ERR_OK);
		/* A mark of another account is no help. */
		CHECK(user_signin(&app, &a, "ada@example.org", "new password!",
				  "1.2.3.4", id + 1000, &u,
				  &retry) == ERR_LIMIT);
		/* ...nor is the browser that signed in to the account. */
		CHECK(user_signin(&app, &a, "ada@example.org", "new password!",
				  "1.2.3.4", id, &u, &retry) == ERR_OK);
		/* A right password forgets its network's failures. */
		for (i = 0; i < 2; i++)
			CHECK(user_signin(&app, &a, "ada@example.org", "wrong",
					  "9.9.9.9", 0, &u,
					  &retry) == ERR_FORBIDDEN);
		CHECK(user_signin(&app, &a, "ada@example.org", "new password!",
				  "9.9.9.9", 0, &u, &retry) == ERR_OK);
		for (i = 0; i < 2; i++)
			CHECK(user_signin(&app, &a, "ada@example.org", "wrong",
					  "9.9.9.9", 0, &u,
					  &retry) == ERR_FORBIDDEN);
		CHECK(user_signin(&app, &a, "ada@example.org", "new password!",
				  "9.9.9.9", 0, &u, &retry) == ERR_OK);
		throttle_free(app.throttle);
		app.throttle = NULL;
	}
	/* Known-device marks: ours, for one account, not forgeable. */
	{
		const char *m = session_device_mark(&app, &a, 42);
		char *bad;

		CHECK(m != NULL && session_device_user(&app, m) == 42);
		bad = arena_strdup(&a, m);
		bad[0] = '4';
		bad[1] = '3';
		CHECK(session_device_user(&app, bad) == 0);
		CHECK(session_device_user(&app, "42.x.y") == 0);
		CHECK(session_device_user(&app, NULL) == 0);
	}

	arena_clear(&a);
	buf_clear(&err);
	store_close(app.store);
	page_cache_free(app.cache);
	config_clear(&app.cfg);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK(system(path) == 0);
}

int
main(void)
{
	CHECK(sodium_init() >= 0);
	test_pure();
	test_passwords();
	test_ratelimit();
	test_jwt();
	fixture_each_backend(test_sessions);
	TEST_DONE();
}
