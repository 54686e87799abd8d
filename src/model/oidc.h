/*
 * oidc: external sign-in.  OpenID Connect providers (discovery, the
 * authorization code flow with PKCE, state and nonce, ID tokens whose
 * RS256 or ES256 signature is checked against the provider's JWKS, and
 * whose issuer, audience, expiry and nonce are checked), and OAuth 2
 * providers that are not OpenID Connect (GitHub, WordPress.com), read
 * through their user endpoints.
 *
 * The parsing and checking functions are pure (no network, no store):
 * unit-tested and fuzzed.  The registry holds the configured providers
 * with their discovery documents and keys, fetched on first use and
 * kept for an hour.
 */
#ifndef PARLEY_MODEL_OIDC_H
#define PARLEY_MODEL_OIDC_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

struct app;
struct config;

#define OIDC_JWT_MAX (16 * 1024) /* an ID token, in bytes */
#define OIDC_SKEW    60		 /* seconds of clock difference allowed */

enum oidc_kind { OIDC_CONNECT, OIDC_GITHUB, OIDC_WORDPRESS };

/* What sign-in learns about the external account. */
struct oidc_claims {
	const char *sub;   /* the provider's id for the account */
	const char *email; /* "" when none */
	bool email_verified;
	const char *name;  /* "" when none */
	const char *nonce; /* ID tokens only */
	int64_t exp;
};

/* Endpoints, from discovery (OpenID Connect) or the config (OAuth 2). */
struct oidc_endpoints {
	const char *issuer;
	const char *authorize;
	const char *token;
	const char *userinfo; /* may be "" for OpenID Connect */
	const char *jwks;     /* OpenID Connect only */
	const char *emails;   /* GitHub only */
};

/*
 * A document fetched from a provider and kept.  One request fetches it
 * at a time, with no lock held: the others use the copy kept, or are
 * told the provider is unavailable at once rather than wait.  A failed
 * fetch is not tried again before retry_at, later after each failure.
 */
struct oidc_fetched {
	char *text; /* as fetched, or NULL */
	int64_t fetched;
	bool fetching;	  /* a request is fetching it now */
	int64_t retry_at; /* after a failure: no fetch before this */
	int backoff;	  /* seconds to wait after the next failure */
};

struct oidc_provider {
	const char *name; /* [oidc.NAME] */
	const char *label;
	enum oidc_kind kind;
	const char *issuer;
	const char *client_id;
	const char *client_secret;
	const char *scopes;
	struct oidc_endpoints fixed; /* OAuth 2, or overrides */
	/* Fetched on first use; guarded by lock, never held while fetching. */
	pthread_mutex_t lock;
	struct oidc_fetched doc;  /* the discovery document */
	struct oidc_fetched jwks; /* the JWKS document */
};

struct oidc_registry {
	size_t n;
	struct oidc_provider p[];
};

/* Resolves the config's [oidc.NAME] sections with their presets. */
bool oidc_registry_open(struct app *app, struct buf *err);
void oidc_registry_free(struct oidc_registry *r);

/*
 * The checks oidc_registry_open() makes of the providers in cfg, for
 * `parley config check`: false, with the reason in err (empty before),
 * exactly when serving with cfg would refuse them.
 */
bool oidc_config_check(const struct config *cfg, struct buf *err);
/* The provider called name, or NULL. */
struct oidc_provider *oidc_find(struct app *app, const char *name);

/*
 * The provider's endpoints (fetching discovery when needed), copied into
 * the arena.  ERR_DB when the provider cannot be reached or its document
 * is wrong (why in err).
 */
enum err oidc_endpoints(struct oidc_provider *p, struct arena *a,
			struct oidc_endpoints *out, struct buf *err);

/*
 * Checks an ID token with the provider's keys (refetched once when the
 * token names a key we do not have), then its claims.
 */
enum err oidc_check_id_token(struct oidc_provider *p, struct arena *a,
			     const struct oidc_endpoints *ep, const char *jwt,
			     const char *nonce, int64_t now,
			     struct oidc_claims *out, struct buf *why);

/* Pure parts. */

/* The S256 PKCE challenge of verifier: base64url(SHA-256), 43 characters. */
void oidc_pkce_challenge(const char *verifier, char out[44]);

/* Decodes unpadded base64url; false when it is not that. */
bool oidc_b64url_decode(struct arena *a, const char *s, size_t n,
			unsigned char **out, size_t *outlen);

/*
 * Reads a discovery document: its issuer must be exactly issuer, and its
 * endpoints allowed URLs (https, or http to a loopback address).
 */
enum err oidc_parse_discovery(struct arena *a, const char *json, size_t len,
			      const char *issuer, struct oidc_endpoints *out,
			      struct buf *why);

/*
 * Verifies a compact JWS ID token against a JWKS document: alg RS256
 * (RSA of 2048 bits or more) or ES256 (P-256), the signature, then iss,
 * aud (and azp), exp, iat and nonce.  ERR_NOTFOUND when no key in jwks
 * fits the token (a refetch may help), ERR_FORBIDDEN when the token is
 * refused (why says which check), ERR_INVALID when it is malformed.
 */
enum err oidc_verify_jwt(struct arena *a, const char *jwt, const char *jwks,
			 const char *issuer, const char *client_id,
			 const char *nonce, int64_t now,
			 struct oidc_claims *out, struct buf *why);

/* Reads a token response: access_token, and id_token ("" when none). */
enum err oidc_parse_token(struct arena *a, const char *json, size_t len,
			  const char **access, const char **id_token,
			  struct buf *why);

/* Reads a user endpoint's answer (userinfo, GitHub /user, WordPress /me). */
enum err oidc_parse_user(struct arena *a, enum oidc_kind kind, const char *json,
			 size_t len, struct oidc_claims *out);

/* GitHub's /user/emails: the primary verified address, or NULL. */
const char *oidc_parse_github_emails(struct arena *a, const char *json,
				     size_t len);

/* The local account an external one (provider, subject) is linked to. */
enum err oidc_identity_user(struct app *app, const char *provider,
			    const char *subject, int64_t *user_id);
/* Links the external account to user_id; ERR_CONFLICT when it is linked. */
enum err oidc_identity_link(struct app *app, const char *provider,
			    const char *subject, int64_t user_id,
			    const char *email);
/*
 * Creates the account u linked to the external one in one commit; a
 * taken email or identity is ERR_CONFLICT.
 */
struct user;
enum err oidc_user_create(struct app *app, const struct user *u,
			  const char *provider, const char *subject,
			  int64_t *id);

/*
 * An external account whose provider vouches for the email of an account
 * here that was never confirmed: that account becomes the external
 * account's.  Its password (set by whoever signed up, unproven) is
 * removed, its sessions end, the external account is linked, and the
 * address is told.  ERR_INVALID when the account is confirmed already.
 */
enum err oidc_claim_unverified(struct app *app, struct arena *a,
			       const struct user *owner, const char *provider,
			       const char *label, const char *subject);

#endif
