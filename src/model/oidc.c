#include "model/oidc.h"

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/change.h"
#include "core/fetch.h"
#include "core/log.h"
#include "core/util.h"
#include "model/user.h"
#include "store/store.h"

#define DOC_TTL		 3600 /* discovery and keys are kept an hour */
#define JWKS_REFETCH	 60   /* an unknown key refetches at most this often */
#define OIDC_RETRY_FIRST 5   /* seconds before fetching again after a failure */
#define OIDC_RETRY_MAX	 300 /* ... doubling after each, to this */

/* Providers whose addresses Parley knows. */
struct preset {
	const char *name;
	const char *label;
	enum oidc_kind kind;
	const char *issuer;
	const char *scopes;
	struct oidc_endpoints ep;
};

static const struct preset presets[] = {
    {"google",
     "Google",
     OIDC_CONNECT,
     "https://accounts.google.com",
     "openid email profile",
     {NULL, NULL, NULL, NULL, NULL, NULL}},
    /* Personal Microsoft accounts; a work tenant sets its own issuer. */
    {"microsoft",
     "Microsoft",
     OIDC_CONNECT,
     "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
     "openid email profile",
     {NULL, NULL, NULL, NULL, NULL, NULL}},
    {"gitlab",
     "GitLab",
     OIDC_CONNECT,
     "https://gitlab.com",
     "openid email profile",
     {NULL, NULL, NULL, NULL, NULL, NULL}},
    {"github",
     "GitHub",
     OIDC_GITHUB,
     NULL,
     "read:user user:email",
     {NULL, "https://github.com/login/oauth/authorize",
      "https://github.com/login/oauth/access_token",
      "https://api.github.com/user", NULL,
      "https://api.github.com/user/emails"}},
    {"wordpress",
     "WordPress.com",
     OIDC_WORDPRESS,
     NULL,
     "auth",
     {NULL, "https://public-api.wordpress.com/oauth2/authorize",
      "https://public-api.wordpress.com/oauth2/token",
      "https://public-api.wordpress.com/rest/v1/me", NULL, NULL}},
};

static const char *
pick(const char *cfg, const char *preset)
{
	return cfg && cfg[0] ? cfg : preset;
}

/* The providers of cfg (at least one), checked; NULL after saying why. */
static struct oidc_registry *
registry_build(const struct config *cfg, struct buf *err)
{
	struct oidc_registry *r;
	int i;
	size_t j;

	r = calloc(1, sizeof(*r) + (size_t)cfg->nproviders * sizeof(r->p[0]));
	if (r == NULL) {
		buf_seterr(err, "%s", "out of memory");
		return NULL;
	}
	for (i = 0; i < cfg->nproviders; i++) {
		const struct config_provider *c = &cfg->providers[i];
		struct oidc_provider *p = &r->p[r->n];
		const struct preset *ps = NULL;

		for (j = 0;
		     c->preset && j < sizeof(presets) / sizeof(presets[0]); j++)
			if (strcmp(c->preset, presets[j].name) == 0)
				ps = &presets[j];
		if (c->preset && ps == NULL) {
			buf_seterr(err,
				   "[oidc.%s] preset %s: not one of google, "
				   "microsoft, gitlab, github, wordpress",
				   c->name, c->preset);
			oidc_registry_free(r);
			return NULL;
		}
		p->name = c->name;
		p->kind =
		    ps ? ps->kind : (c->issuer ? OIDC_CONNECT : OIDC_GITHUB);
		if (ps == NULL && c->issuer == NULL) {
			buf_seterr(err,
				   "[oidc.%s] needs an issuer (OpenID Connect) "
				   "or a preset",
				   c->name);
			oidc_registry_free(r);
			return NULL;
		}
		p->label = pick(c->label, ps ? ps->label : c->name);
		p->issuer = pick(c->issuer, ps ? ps->issuer : NULL);
		p->client_id = c->client_id;
		p->client_secret = pick(c->client_secret, "");
		p->scopes =
		    pick(c->scopes, ps ? ps->scopes : "openid email profile");
		p->fixed.authorize =
		    pick(c->authorize_url, ps ? ps->ep.authorize : NULL);
		p->fixed.token = pick(c->token_url, ps ? ps->ep.token : NULL);
		p->fixed.userinfo =
		    pick(c->userinfo_url, ps ? ps->ep.userinfo : NULL);
		p->fixed.emails =
		    pick(c->emails_url, ps ? ps->ep.emails : NULL);
		if (p->kind != OIDC_CONNECT &&
		    (!p->fixed.authorize || !p->fixed.token ||
		     !p->fixed.userinfo)) {
			buf_seterr(err,
				   "[oidc.%s] needs authorize_url, token_url "
				   "and userinfo_url",
				   c->name);
			oidc_registry_free(r);
			return NULL;
		}
		pthread_mutex_init(&p->lock, NULL);
		r->n++;
	}
	return r;
}

bool
oidc_registry_open(struct app *app, struct buf *err)
{
	app->oidc = NULL;
	if (app->cfg.nproviders == 0)
		return true;
	app->oidc = registry_build(&app->cfg, err);
	return app->oidc != NULL;
}

bool
oidc_config_check(const struct config *cfg, struct buf *err)
{
	struct oidc_registry *r;
	bool ok;

	if (cfg->nproviders == 0)
		return true;

	r = registry_build(cfg, err);
	ok = r != NULL;
	oidc_registry_free(r);
	return ok;
}

void
oidc_registry_free(struct oidc_registry *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		pthread_mutex_destroy(&r->p[i].lock);
		free(r->p[i].doc.text);
		free(r->p[i].jwks.text);
	}
	free(r);
}

struct oidc_provider *
oidc_find(struct app *app, const char *name)
{
	size_t i;

	for (i = 0; app->oidc && i < app->oidc->n; i++)
		if (strcmp(app->oidc->p[i].name, name) == 0)
			return &app->oidc->p[i];
	return NULL;
}

void
oidc_pkce_challenge(const char *verifier, char out[44])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)verifier,
			   strlen(verifier));
	sodium_bin2base64(out, 44, h, sizeof(h),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool
oidc_b64url_decode(struct arena *a, const char *s, size_t n,
		   unsigned char **out, size_t *outlen)
{
	unsigned char *bin = arena_alloc(a, n * 3 / 4 + 1);
	const char *end = NULL;

	if (bin == NULL)
		return false;
	if (sodium_base642bin(bin, n * 3 / 4 + 1, s, n, NULL, outlen, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    end != s + n)
		return false;
	*out = bin;
	return true;
}

/* A string member copied into the arena, or NULL when absent or not a string.
 */
static const char *
jstr(struct arena *a, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		return NULL;
	return arena_strndup(a, json_string_value(v), json_string_length(v));
}

static json_t *
jload(const char *json, size_t len)
{
	json_error_t e;

	return json_loadb(json, len, JSON_REJECT_DUPLICATES, &e);
}

enum err
oidc_parse_discovery(struct arena *a, const char *json, size_t len,
		     const char *issuer, struct oidc_endpoints *out,
		     struct buf *why)
{
	json_t *doc = jload(json, len);
	enum err e = ERR_INVALID;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(doc)) {
		buf_seterr(why, "%s",
			   "the discovery document is not a JSON object");
		goto done;
	}
	out->issuer = jstr(a, doc, "issuer");
	out->authorize = jstr(a, doc, "authorization_endpoint");
	out->token = jstr(a, doc, "token_endpoint");
	out->jwks = jstr(a, doc, "jwks_uri");
	out->userinfo = jstr(a, doc, "userinfo_endpoint");
	if (!out->issuer || !out->authorize || !out->token || !out->jwks) {
		buf_seterr(why, "%s",
			   "the discovery document lacks an endpoint");
		goto done;
	}
	if (strcmp(out->issuer, issuer) != 0) {
		buf_seterr(why, "%s",
			   "the discovery document names another issuer");
		goto done;
	}
	if (!config_url_allowed(out->authorize) ||
	    !config_url_allowed(out->token) || !config_url_allowed(out->jwks) ||
	    (out->userinfo && !config_url_allowed(out->userinfo))) {
		buf_seterr(why, "%s", "an endpoint is not https");
		goto done;
	}
	if (out->userinfo == NULL)
		out->userinfo = "";
	e = ERR_OK;
done:
	json_decref(doc);
	return e;
}

/*
 * A copy in a of the document in f, fetched from url first when older
 * than ttl (lock is p's, not held on entry).  Returns the kept copy, stale
 * or not, when a fetch fails, is under way in another request, or waits
 * out its backoff; NULL, with why in err, when there is none.
 */
static char *
refresh(pthread_mutex_t *lock, struct oidc_fetched *f, struct arena *a,
	const char *url, int64_t ttl, struct buf *err)
{
	struct fetch_result r;
	char *copy = NULL, *fresh = NULL;
	int64_t now = time_now();
	bool ok;

	pthread_mutex_lock(lock);
	if ((f->text && now - f->fetched < ttl) || f->fetching ||
	    now < f->retry_at) {
		copy = f->text ? arena_strdup(a, f->text) : NULL;
		pthread_mutex_unlock(lock);
		if (copy == NULL && err->len == 0)
			buf_seterr(err, "%s", "not answering just now");
		return copy;
	}
	f->fetching = true;
	pthread_mutex_unlock(lock);

	ok = fetch_url(a, url, NULL, NULL, NULL, NULL, &r, err);
	if (ok && r.status != 200) {
		buf_seterr(err, "%s answered %ld", url, r.status);
		ok = false;
	}
	if (ok && (fresh = strdup(r.body)) == NULL)
		ok = false;

	pthread_mutex_lock(lock);
	f->fetching = false;
	if (ok) {
		free(f->text);
		f->text = fresh;
		f->fetched = time_now();
		f->retry_at = 0;
		f->backoff = 0;
	} else {
		free(fresh); /* NULL: no copy was made */
		/* 5 s after a first failure, doubling to 5 minutes. */
		f->backoff = f->backoff ? f->backoff * 2 : OIDC_RETRY_FIRST;
		if (f->backoff > OIDC_RETRY_MAX)
			f->backoff = OIDC_RETRY_MAX;
		f->retry_at = time_now() + f->backoff;
	}
	copy = f->text ? arena_strdup(a, f->text) : NULL;
	pthread_mutex_unlock(lock);
	return copy;
}

enum err
oidc_endpoints(struct oidc_provider *p, struct arena *a,
	       struct oidc_endpoints *out, struct buf *err)
{
	char *url, *doc = NULL;
	enum err e;

	if (p->kind != OIDC_CONNECT) {
		*out = p->fixed;
		if (out->userinfo == NULL)
			out->userinfo = "";
		return ERR_OK;
	}
	url = arena_printf(a, "%s%s.well-known/openid-configuration", p->issuer,
			   p->issuer[strlen(p->issuer) - 1] == '/' ? "" : "/");
	if (url == NULL)
		return ERR_NOMEM;
	doc = refresh(&p->lock, &p->doc, a, url, DOC_TTL, err);
	if (doc == NULL) {
		if (err->len == 0)
			buf_seterr(err, "%s", "no discovery document");
		return ERR_DB;
	}
	e = oidc_parse_discovery(a, doc, strlen(doc), p->issuer, out, err);
	if (e != ERR_OK)
		return ERR_DB;
	/* Configured endpoints win over discovered ones. */
	if (p->fixed.authorize)
		out->authorize = p->fixed.authorize;
	if (p->fixed.token)
		out->token = p->fixed.token;
	if (p->fixed.userinfo)
		out->userinfo = p->fixed.userinfo;
	return ERR_OK;
}

/* Decodes a base64url member of a JWK. */
static bool
jwk_bytes(struct arena *a, json_t *key, const char *name, unsigned char **out,
	  size_t *len)
{
	json_t *v = json_object_get(key, name);

	return json_is_string(v) &&
	       oidc_b64url_decode(a, json_string_value(v),
				  json_string_length(v), out, len) &&
	       *len > 0;
}

static EVP_PKEY *
key_from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (params && (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) &&
	    EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

/* The public key of a JWK that fits alg; NULL when it does not. */
static EVP_PKEY *
jwk_key(struct arena *a, json_t *key, bool rsa)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	unsigned char *x, *y, pub[65];
	size_t xl, yl;
	BIGNUM *n = NULL, *e = NULL;
	EVP_PKEY *pkey = NULL;

	if (bld == NULL)
		return NULL;
	if (rsa) {
		if (jwk_bytes(a, key, "n", &x, &xl) &&
		    jwk_bytes(a, key, "e", &y, &yl) && xl <= 1024 && yl <= 8 &&
		    (n = BN_bin2bn(x, (int)xl, NULL)) &&
		    (e = BN_bin2bn(y, (int)yl, NULL)) &&
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			pkey = key_from_params("RSA", bld);
		if (pkey && EVP_PKEY_get_bits(pkey) < 2048) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
	} else {
		json_t *crv = json_object_get(key, "crv");

		if (json_is_string(crv) &&
		    strcmp(json_string_value(crv), "P-256") == 0 &&
		    jwk_bytes(a, key, "x", &x, &xl) &&
		    jwk_bytes(a, key, "y", &y, &yl) && xl == 32 && yl == 32) {
			pub[0] = 0x04;
			memcpy(pub + 1, x, 32);
			memcpy(pub + 33, y, 32);
			if (OSSL_PARAM_BLD_push_utf8_string(
				bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1",
				0) &&
			    OSSL_PARAM_BLD_push_octet_string(
				bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)))
				pkey = key_from_params("EC", bld);
		}
	}
	BN_free(n);
	BN_free(e);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* Checks sig over data with key; ES256's raw r||s is turned into DER. */
static bool
verify_sig(EVP_PKEY *key, bool rsa, const unsigned char *data, size_t dlen,
	   const unsigned char *sig, size_t slen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *der = NULL;
	ECDSA_SIG *es = NULL;
	bool ok = false;
	int derlen = 0;

	if (md == NULL)
		return false;
	if (!rsa) {
		BIGNUM *r, *s;

		if (slen != 64)
			goto done;
		r = BN_bin2bn(sig, 32, NULL);
		s = BN_bin2bn(sig + 32, 32, NULL);
		if ((es = ECDSA_SIG_new()) == NULL || r == NULL || s == NULL ||
		    ECDSA_SIG_set0(es, r, s) != 1) {
			BN_free(r);
			BN_free(s);
			goto done;
		}
		if ((derlen = i2d_ECDSA_SIG(es, &der)) <= 0)
			goto done;
		sig = der;
		slen = (size_t)derlen;
	}
	ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	     EVP_DigestVerify(md, sig, slen, data, dlen) == 1;
done:
	ECDSA_SIG_free(es);
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	return ok;
}

/* Is client_id the token's audience (a string, or in a list)? */
static bool
audience_ok(json_t *claims, const char *client_id)
{
	json_t *aud = json_object_get(claims, "aud"), *azp, *v;
	size_t i;
	bool found = false;

	if (json_is_string(aud))
		return strcmp(json_string_value(aud), client_id) == 0;
	if (!json_is_array(aud))
		return false;
	json_array_foreach(aud, i, v) if (json_is_string(v) &&
					  strcmp(json_string_value(v),
						 client_id) == 0) found = true;
	/* Several audiences: the party it was issued to must be us. */
	azp = json_object_get(claims, "azp");
	if (found && json_array_size(aud) > 1)
		return json_is_string(azp) &&
		       strcmp(json_string_value(azp), client_id) == 0;
	if (found && azp)
		return json_is_string(azp) &&
		       strcmp(json_string_value(azp), client_id) == 0;
	return found;
}

/* email_verified may come as true or as "true" (some providers). */
static bool
jtrue(json_t *v)
{
	return json_is_true(v) ||
	       (json_is_string(v) && strcmp(json_string_value(v), "true") == 0);
}

enum err
oidc_verify_jwt(struct arena *a, const char *jwt, const char *jwks,
		const char *issuer, const char *client_id, const char *nonce,
		int64_t now, struct oidc_claims *out, struct buf *why)
{
	const char *dot1, *dot2;
	unsigned char *hdr_raw, *body_raw, *sig;
	size_t hlen, blen, slen, i;
	json_t *hdr = NULL, *claims = NULL, *keys = NULL, *k, *v;
	const char *alg, *kid;
	bool rsa, tried = false, good = false;
	enum err e = ERR_INVALID;
	int64_t exp, iat;

	memset(out, 0, sizeof(*out));
	if (strlen(jwt) > OIDC_JWT_MAX || (dot1 = strchr(jwt, '.')) == NULL ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL || strchr(dot2 + 1, '.')) {
		buf_seterr(why, "%s", "the ID token is not a signed JWT");
		return ERR_INVALID;
	}
	if (!oidc_b64url_decode(a, jwt, (size_t)(dot1 - jwt), &hdr_raw,
				&hlen) ||
	    !oidc_b64url_decode(a, dot1 + 1, (size_t)(dot2 - dot1 - 1),
				&body_raw, &blen) ||
	    !oidc_b64url_decode(a, dot2 + 1, strlen(dot2 + 1), &sig, &slen)) {
		buf_seterr(why, "%s", "the ID token is not base64url");
		return ERR_INVALID;
	}
	hdr = jload((const char *)hdr_raw, hlen);
	claims = jload((const char *)body_raw, blen);
	if (!json_is_object(hdr) || !json_is_object(claims)) {
		buf_seterr(why, "%s", "the ID token is not JSON");
		goto done;
	}
	alg = json_string_value(json_object_get(hdr, "alg"));
	kid = json_string_value(json_object_get(hdr, "kid"));
	if (alg == NULL ||
	    (strcmp(alg, "RS256") != 0 && strcmp(alg, "ES256") != 0)) {
		buf_seterr(why, "%s",
			   "the ID token's algorithm is not RS256 or ES256");
		e = ERR_FORBIDDEN;
		goto done;
	}
	rsa = strcmp(alg, "RS256") == 0;
	if (json_object_get(hdr, "crit")) {
		buf_seterr(why, "%s", "the ID token has critical extensions");
		e = ERR_FORBIDDEN;
		goto done;
	}
	keys = jload(jwks, strlen(jwks));
	json_array_foreach(json_object_get(keys, "keys"), i, k)
	{
		const char *kty = json_string_value(json_object_get(k, "kty"));
		const char *use = json_string_value(json_object_get(k, "use"));
		const char *kalg = json_string_value(json_object_get(k, "alg"));
		const char *kkid = json_string_value(json_object_get(k, "kid"));
		EVP_PKEY *key;

		if (!json_is_object(k) || kty == NULL ||
		    strcmp(kty, rsa ? "RSA" : "EC") != 0 ||
		    (use && strcmp(use, "sig") != 0) ||
		    (kalg && strcmp(kalg, alg) != 0) ||
		    (kid && (kkid == NULL || strcmp(kid, kkid) != 0)))
			continue;
		if ((key = jwk_key(a, k, rsa)) == NULL)
			continue;
		tried = true;
		good = verify_sig(key, rsa, (const unsigned char *)jwt,
				  (size_t)(dot2 - jwt), sig, slen);
		EVP_PKEY_free(key);
		if (good)
			break;
	}
	if (!tried) {
		buf_seterr(why, "%s",
			   "no key of the provider fits the ID token");
		e = ERR_NOTFOUND;
		goto done;
	}
	e = ERR_FORBIDDEN;
	if (!good) {
		buf_seterr(why, "%s", "the ID token's signature is wrong");
		goto done;
	}
	v = json_object_get(claims, "iss");
	if (!json_is_string(v) || strcmp(json_string_value(v), issuer) != 0) {
		buf_seterr(why, "%s", "the ID token is from another issuer");
		goto done;
	}
	if (!audience_ok(claims, client_id)) {
		buf_seterr(why, "%s", "the ID token is for another audience");
		goto done;
	}
	v = json_object_get(claims, "exp");
	exp = json_is_integer(v) ? json_integer_value(v)
	      : json_is_real(v)	 ? (int64_t)json_real_value(v)
				 : 0;
	if (exp == 0 || now > exp + OIDC_SKEW) {
		buf_seterr(why, "%s", "the ID token has expired");
		goto done;
	}
	v = json_object_get(claims, "iat");
	iat = json_is_integer(v) ? json_integer_value(v) : 0;
	if (iat > now + OIDC_SKEW) {
		buf_seterr(why, "%s", "the ID token was issued in the future");
		goto done;
	}
	v = json_object_get(claims, "nonce");
	if (!json_is_string(v) || nonce == NULL ||
	    strlen(nonce) != json_string_length(v) ||
	    sodium_memcmp(json_string_value(v), nonce, strlen(nonce)) != 0) {
		buf_seterr(why, "%s", "the ID token's nonce is not ours");
		goto done;
	}
	out->sub = jstr(a, claims, "sub");
	if (out->sub == NULL || out->sub[0] == '\0' || strlen(out->sub) > 255) {
		buf_seterr(why, "%s", "the ID token names no subject");
		e = ERR_INVALID;
		goto done;
	}
	out->email = jstr(a, claims, "email");
	out->email_verified = jtrue(json_object_get(claims, "email_verified"));
	out->name = jstr(a, claims, "name");
	if (out->name == NULL)
		out->name = jstr(a, claims, "preferred_username");
	if (out->email == NULL)
		out->email = "";
	if (out->name == NULL)
		out->name = "";
	out->nonce = nonce;
	out->exp = exp;
	e = ERR_OK;
done:
	json_decref(hdr);
	json_decref(claims);
	json_decref(keys);
	return e;
}

enum err
oidc_check_id_token(struct oidc_provider *p, struct arena *a,
		    const struct oidc_endpoints *ep, const char *jwt,
		    const char *nonce, int64_t now, struct oidc_claims *out,
		    struct buf *why)
{
	char *jwks = NULL;
	enum err e = ERR_DB;
	int round;

	for (round = 0; round < 2; round++) {
		int64_t fetched;

		/* The second round: the keys may have rotated. */
		pthread_mutex_lock(&p->lock);
		fetched = p->jwks.fetched;
		pthread_mutex_unlock(&p->lock);
		if (round == 1 && time_now() - fetched < JWKS_REFETCH)
			break;
		jwks = refresh(&p->lock, &p->jwks, a, ep->jwks,
			       round == 0 ? DOC_TTL : 0, why);
		if (jwks == NULL)
			return ERR_DB;
		e = oidc_verify_jwt(a, jwt, jwks, p->issuer, p->client_id,
				    nonce, now, out, why);
		if (e != ERR_NOTFOUND)
			break;
	}
	return e == ERR_NOTFOUND ? ERR_FORBIDDEN : e;
}

enum err
oidc_parse_token(struct arena *a, const char *json, size_t len,
		 const char **access, const char **id_token, struct buf *why)
{
	json_t *doc = jload(json, len);
	enum err e = ERR_INVALID;

	*access = *id_token = NULL;
	if (!json_is_object(doc)) {
		buf_seterr(why, "%s", "the token answer is not a JSON object");
		goto done;
	}
	if (json_object_get(doc, "error")) {
		const char *err =
		    json_string_value(json_object_get(doc, "error"));
		char clean[80];

		buf_seterr(why, "the provider refused the code: %s",
			   log_clean(clean, sizeof(clean), err ? err : "?"));
		e = ERR_FORBIDDEN;
		goto done;
	}
	*access = jstr(a, doc, "access_token");
	*id_token = jstr(a, doc, "id_token");
	if (*access == NULL || (*access)[0] == '\0') {
		buf_seterr(why, "%s", "the token answer has no access token");
		goto done;
	}
	if (*id_token == NULL)
		*id_token = "";
	e = ERR_OK;
done:
	json_decref(doc);
	return e;
}

enum err
oidc_parse_user(struct arena *a, enum oidc_kind kind, const char *json,
		size_t len, struct oidc_claims *out)
{
	json_t *doc = jload(json, len), *id;
	enum err e = ERR_INVALID;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(doc))
		goto done;
	id = json_object_get(doc, kind == OIDC_CONNECT	? "sub"
				  : kind == OIDC_GITHUB ? "id"
							: "ID");
	if (json_is_integer(id))
		out->sub =
		    arena_printf(a, "%lld", (long long)json_integer_value(id));
	else if (json_is_string(id) && json_string_length(id) > 0 &&
		 json_string_length(id) <= 255)
		out->sub = jstr(a, doc,
				kind == OIDC_CONNECT  ? "sub"
				: kind == OIDC_GITHUB ? "id"
						      : "ID");
	if (out->sub == NULL)
		goto done;
	out->email = jstr(a, doc, "email");
	switch (kind) {
	case OIDC_CONNECT:
		out->email_verified =
		    jtrue(json_object_get(doc, "email_verified"));
		out->name = jstr(a, doc, "name");
		if (out->name == NULL)
			out->name = jstr(a, doc, "preferred_username");
		break;
	case OIDC_GITHUB:
		/* GitHub's public email is not known to be verified. */
		out->email_verified = false;
		out->name = jstr(a, doc, "name");
		if (out->name == NULL || out->name[0] == '\0')
			out->name = jstr(a, doc, "login");
		break;
	case OIDC_WORDPRESS:
		out->email_verified =
		    jtrue(json_object_get(doc, "email_verified"));
		out->name = jstr(a, doc, "display_name");
		if (out->name == NULL || out->name[0] == '\0')
			out->name = jstr(a, doc, "username");
		break;
	}
	if (out->email == NULL)
		out->email = "";
	if (out->name == NULL)
		out->name = "";
	e = ERR_OK;
done:
	json_decref(doc);
	return e;
}

const char *
oidc_parse_github_emails(struct arena *a, const char *json, size_t len)
{
	json_t *doc = jload(json, len), *v;
	const char *found = NULL;
	size_t i;

	json_array_foreach(doc, i, v)
	{
		if (json_is_true(json_object_get(v, "primary")) &&
		    json_is_true(json_object_get(v, "verified")))
			found = jstr(a, v, "email");
	}
	json_decref(doc);
	return found;
}

enum err
oidc_identity_user(struct app *app, const char *provider, const char *subject,
		   int64_t *user_id)
{
	return app->store->ops->identity_user(app->store, provider, subject,
					      user_id);
}

enum err
oidc_identity_link(struct app *app, const char *provider, const char *subject,
		   int64_t user_id, const char *email)
{
	enum err e = app->store->ops->identity_insert(app->store, provider,
						      subject, user_id, email);

	if (e == ERR_OK)
		change_publish_one(app->changes, CHANGE_USER, user_id);
	return e;
}

enum err
oidc_user_create(struct app *app, const struct user *u, const char *provider,
		 const char *subject, int64_t *id)
{
	char clean[USER_NAME_BUF];
	struct user v = *u;
	enum err e;

	/* The provider's name for them, without reordering characters. */
	v.name = user_name_clean(u->name, clean);
	e = app->store->ops->user_insert(app->store, &v, provider, subject, id);

	if (e == ERR_OK)
		change_publish_one(app->changes, CHANGE_USER, *id);
	return e;
}

enum err
oidc_claim_unverified(struct app *app, struct arena *a,
		      const struct user *owner, const char *provider,
		      const char *label, const char *subject)
{
	struct user u = *owner;
	enum err e;

	if (owner->email_verified)
		return ERR_INVALID;
	/*
	 * Whoever set the password never proved the address: it goes, so
	 * that no one but the provider's account can sign in.
	 */
	u.password_hash = "";
	u.email_verified = true;
	if ((e = app->store->ops->user_update(app->store, &u)) != ERR_OK ||
	    (e = app->store->ops->session_delete_user(app->store, u.id)) !=
		ERR_OK ||
	    (e = oidc_identity_link(app, provider, subject, u.id, u.email)) !=
		ERR_OK)
		return e;
	/* No name in it: the name was chosen by whoever signed up. */
	(void)user_send_mail(
	    app, u.email,
	    arena_printf(a, "Your account at %s", app->cfg.site_title),
	    arena_printf(a,
			 "Hello,\n\nYou signed in at %s with your %s account, "
			 "which confirmed this address. An account was "
			 "waiting for this address to be confirmed: it is now "
			 "yours, and the password someone set on it when it "
			 "was made is removed. To set a password of your own: "
			 "%s/account/reset\n",
			 app->cfg.site_title, label, app->base_url));
	return ERR_OK;
}
