/*
 * oidc: external sign-in handlers.  /auth/NAME/start sends the browser
 * to the provider with a fresh state, nonce and PKCE verifier (kept in
 * the store, the state also in a cookie of this browser);
 * /auth/NAME/callback takes them back once, exchanges the code, checks
 * the ID token (or reads the OAuth 2 user endpoint) and signs in, links,
 * or creates the account.  An external account whose verified email is
 * that of an existing account is linked only when that account's owner
 * confirms by the emailed link (/account/link).
 */
#include "web/account.h"

#include <sodium.h>
#include <string.h>

#include "app.h"
#include "core/fetch.h"
#include "core/log.h"
#include "core/util.h"
#include "model/oidc.h"
#include "model/throttle.h"
#include "model/user.h"
#include "render/template.h"
#include "web/web.h"

#define STATE_COOKIE "parley_oidc"
#define STATE_TTL    600 /* seconds to come back from the provider */
#define CODE_MAX     2048

bool
oidc_put_providers(struct request *req, struct tv *v, const char *next)
{
	struct oidc_registry *r = req->app->oidc;
	const char *enc = url_encode(&req->arena, next ? next : "/");
	struct tv *list;
	size_t i;

	if (!tv_put_bool(v, "has_providers", r != NULL && r->n > 0))
		return false;
	if (r == NULL || r->n == 0)
		return true;
	if (enc == NULL || (list = tv_put_list(v, "providers")) == NULL)
		return false;
	for (i = 0; i < r->n; i++) {
		struct tv *it = tv_push(list);

		if (it == NULL || !tv_put_str(it, "name", r->p[i].name) ||
		    !tv_put_str(it, "label", r->p[i].label) ||
		    !tv_put_str(it, "href",
				arena_printf(&req->arena,
					     "/auth/%s/start?next=%s",
					     r->p[i].name, enc)))
			return false;
	}
	return true;
}

static bool
state_cookie(struct request *req, struct response *res, const char *state)
{
	const char *secure =
	    strncmp(req->app->base_url, "https:", 6) == 0 ? "; Secure" : "";
	char *c =
	    state ? arena_printf(&req->arena,
				 "%s=%s; Path=/auth/; Max-Age=%d; HttpOnly; "
				 "SameSite=Lax%s",
				 STATE_COOKIE, state, STATE_TTL, secure)
		  : arena_printf(&req->arena,
				 "%s=; Path=/auth/; Max-Age=0; HttpOnly; "
				 "SameSite=Lax%s",
				 STATE_COOKIE, secure);

	return c != NULL && response_header(res, "Set-Cookie", c);
}

static void
provider_down(struct request *req, struct response *res,
	      const struct oidc_provider *p, struct buf *why)
{
	char clean[200];

	log_warnx("sign-in with %s: %s", p->name,
		  log_clean(clean, sizeof(clean), buf_cstr(why)));
	account_notice(req, res, 502, "Sign-in is not working",
		       arena_printf(&req->arena,
				    "%s cannot be reached just now. "
				    "Please try again later.",
				    p->label),
		       "/account/signin", "Sign in another way");
}

static const char *
redirect_uri(struct request *req, const struct oidc_provider *p)
{
	return arena_printf(&req->arena, "%s/auth/%s/callback",
			    req->app->base_url, p->name);
}

/* GET /auth/NAME/start[?next=PATH]: anyone.  Off to the provider. */
void
oidc_start(struct request *req, struct response *res)
{
	struct oidc_provider *p =
	    oidc_find(req->app, req_text(req, "provider"));
	struct arena *a = &req->arena;
	const char *state, *state_hash, *nonce, *nh, *verifier, *vh, *url;
	const struct user *u = account_user(req);
	struct oidc_endpoints ep;
	struct user_token t;
	char challenge[44];
	struct buf why;
	int retry = 60;
	enum err e;

	if (p == NULL) {
		error_page(req, res, 404, NULL);
		return;
	}
	/* Each start stores a state: a budget per network and overall. */
	if (throttle_external(req->app, req->client, &retry) != ERR_OK) {
		account_too_many(req, res, retry);
		return;
	}
	buf_init(&why, 512);
	e = oidc_endpoints(p, a, &ep, &why);
	if (e != ERR_OK) {
		provider_down(req, res, p, &why);
		buf_clear(&why);
		return;
	}
	buf_clear(&why);
	if (!user_token_new(a, &state, &state_hash) ||
	    !user_token_new(a, &nonce, &nh) ||
	    !user_token_new(a, &verifier, &vh)) {
		error_page(req, res, 503, NULL);
		return;
	}
	oidc_pkce_challenge(verifier, challenge);
	memset(&t, 0, sizeof(t));
	t.hash = state_hash;
	t.purpose = "oidc";
	/* Started while signed in: the external account is to be linked. */
	t.user_id = u ? u->id : 0;
	t.data = arena_printf(a, "%s\n%s\n%s\n%s", p->name, nonce, verifier,
			      account_next(req_text(req, "next")));
	t.expires = time_now() + STATE_TTL;
	url = arena_printf(a,
			   "%s%sresponse_type=code&client_id=%s&redirect_uri=%s"
			   "&scope=%s&state=%s&code_challenge=%s"
			   "&code_challenge_method=S256%s%s",
			   ep.authorize, strchr(ep.authorize, '?') ? "&" : "?",
			   url_encode(a, p->client_id),
			   url_encode(a, redirect_uri(req, p)),
			   url_encode(a, p->scopes), state, challenge,
			   p->kind == OIDC_CONNECT ? "&nonce=" : "",
			   p->kind == OIDC_CONNECT ? nonce : "");
	if (t.data == NULL || url == NULL) {
		error_page(req, res, 503, NULL);
		return;
	}
	e = user_token_put(req->app, &t);
	if (e != ERR_OK || !state_cookie(req, res, state)) {
		error_page(req, res, e != ERR_OK ? err_status(e) : 503, NULL);
		return;
	}
	response_redirect(res, url);
}

/* The state's parts: provider, nonce, verifier, next. */
struct flow {
	const char *provider, *nonce, *verifier, *next;
	int64_t link_user;
};

static bool
flow_parse(struct arena *a, const struct user_token *t, struct flow *f)
{
	char *d = arena_strdup(a, t->data), *save = NULL;

	if (d == NULL)
		return false;
	f->provider = strtok_r(d, "\n", &save);
	f->nonce = strtok_r(NULL, "\n", &save);
	f->verifier = strtok_r(NULL, "\n", &save);
	f->next = strtok_r(NULL, "\n", &save);
	f->link_user = t->user_id;
	return f->provider && f->nonce && f->verifier && f->next;
}

static void
refused(struct request *req, struct response *res, unsigned status,
	const struct oidc_provider *p, const char *why)
{
	char clean[200];

	log_warnx("sign-in with %s refused: %s", p->name,
		  log_clean(clean, sizeof(clean), why));
	account_notice(
	    req, res, status, "Sign-in failed",
	    status == 400
		? "This sign-in did not start in this browser, has expired, "
		  "or was already used. Please start again."
		: arena_printf(&req->arena,
			       "The answer from %s could not be "
			       "accepted. Please try again.",
			       p->label),
	    "/account/signin", "Sign in");
}

/* Exchanges the code; fills claims from the ID token or the user endpoint. */
static enum err
exchange(struct request *req, struct oidc_provider *p,
	 const struct oidc_endpoints *ep, const char *code,
	 const struct flow *f, struct oidc_claims *c, struct buf *why)
{
	struct arena *a = &req->arena;
	const char *access, *id_token, *form;
	struct fetch_result r;
	bool basic = p->kind == OIDC_CONNECT;
	enum err e;

	form = arena_printf(
	    a,
	    "grant_type=authorization_code&code=%s&redirect_uri=%s"
	    "&code_verifier=%s&client_id=%s%s%s",
	    url_encode(a, code), url_encode(a, redirect_uri(req, p)),
	    f->verifier, url_encode(a, p->client_id),
	    basic ? "" : "&client_secret=",
	    basic ? "" : url_encode(a, p->client_secret));
	if (form == NULL)
		return ERR_NOMEM;
	if (!fetch_url(a, ep->token, NULL, form,
		       basic ? url_encode(a, p->client_id) : NULL,
		       basic ? url_encode(a, p->client_secret) : NULL, &r, why))
		return ERR_DB;
	e = oidc_parse_token(a, r.body, r.len, &access, &id_token, why);
	if (e == ERR_OK && r.status != 200) {
		buf_seterr(why, "the token endpoint answered %ld", r.status);
		e = ERR_FORBIDDEN;
	}
	if (e != ERR_OK)
		return e == ERR_INVALID ? ERR_DB : e;
	if (p->kind == OIDC_CONNECT) {
		struct oidc_claims ui;

		if (id_token[0] == '\0') {
			buf_seterr(why, "%s", "no ID token came with the code");
			return ERR_FORBIDDEN;
		}
		e = oidc_check_id_token(p, a, ep, id_token, f->nonce,
					time_now(), c, why);
		if (e != ERR_OK)
			return e;
		/* Claims not in the ID token come from userinfo, same subject
		 * only. */
		if ((c->email[0] == '\0' || c->name[0] == '\0') &&
		    ep->userinfo[0] &&
		    fetch_url(a, ep->userinfo, access, NULL, NULL, NULL, &r,
			      why) &&
		    r.status == 200 &&
		    oidc_parse_user(a, OIDC_CONNECT, r.body, r.len, &ui) ==
			ERR_OK &&
		    strcmp(ui.sub, c->sub) == 0) {
			if (c->email[0] == '\0') {
				c->email = ui.email;
				c->email_verified = ui.email_verified;
			}
			if (c->name[0] == '\0')
				c->name = ui.name;
		}
		return ERR_OK;
	}
	if (!fetch_url(a, ep->userinfo, access, NULL, NULL, NULL, &r, why))
		return ERR_DB;
	if (r.status != 200 ||
	    oidc_parse_user(a, p->kind, r.body, r.len, c) != ERR_OK) {
		buf_seterr(why, "the user endpoint answered %ld", r.status);
		return ERR_FORBIDDEN;
	}
	if (p->kind == OIDC_GITHUB && ep->emails && ep->emails[0] &&
	    fetch_url(a, ep->emails, access, NULL, NULL, NULL, &r, why) &&
	    r.status == 200) {
		const char *email = oidc_parse_github_emails(a, r.body, r.len);

		if (email) {
			c->email = email;
			c->email_verified = true;
		}
	}
	return ERR_OK;
}

/* Signs in, links, asks the owner to confirm, or creates the account. */
static void
finish(struct request *req, struct response *res, struct oidc_provider *p,
       const struct oidc_claims *c, const struct flow *f)
{
	struct arena *a = &req->arena;
	const struct user *me = account_user(req);
	bool email_ok = c->email_verified && c->email[0] &&
			user_check_email(c->email) == NULL;
	struct user u, owner;
	int64_t id;
	enum err e;

	memset(&owner, 0, sizeof(owner));
	e = oidc_identity_user(req->app, p->name, c->sub, &id);
	if (e == ERR_OK) {
		if (f->link_user && id != f->link_user) {
			account_notice(
			    req, res, 409, "Already linked",
			    arena_printf(a,
					 "That %s account is linked to "
					 "another account here.",
					 p->label),
			    "/account/settings", "Your account");
			return;
		}
		e = user_get(req->app, a, id, &u);
		if (e == ERR_OK && u.disabled)
			e = ERR_FORBIDDEN;
		if (e != ERR_OK) {
			error_page(req, res, err_status(e), NULL);
			return;
		}
		account_signed_in(req, res, &u, f->next);
		return;
	}
	if (e != ERR_NOTFOUND) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	if (f->link_user && me && me->id == f->link_user) {
		e = oidc_identity_link(req->app, p->name, c->sub, me->id,
				       c->email);
		if (e != ERR_OK) {
			error_page(req, res, err_status(e), NULL);
			return;
		}
		response_redirect(res, "/account/settings?done=linked");
		return;
	}
	if (email_ok &&
	    user_by_email(req->app, a, c->email, &owner) == ERR_OK &&
	    !owner.email_verified && !owner.disabled) {
		/*
		 * Nobody proved the address before the provider did: never
		 * offered for linking, the account is the provider's reader's.
		 */
		e = oidc_claim_unverified(req->app, a, &owner, p->name,
					  p->label, c->sub);
		if (e != ERR_OK) {
			error_page(req, res, err_status(e), NULL);
			return;
		}
		owner.email_verified = true;
		owner.password_hash = "";
		log_info("account: user %lld claimed by sign-in with %s",
			 (long long)owner.id, p->name);
		account_signed_in(req, res, &owner, f->next);
		return;
	}
	if (email_ok && owner.id > 0 && owner.email_verified &&
	    !owner.disabled) {
		int retry = 60;

		/* The address's owner decides, by the link sent to it. */
		if (throttle_mail(req->app, req->client, owner.email, NULL,
				  &retry) != ERR_OK) {
			account_too_many(req, res, retry);
			return;
		}
		e = user_send_link(
		    req->app, a, "link", owner.id,
		    arena_printf(a, "%s\n%s\n%s", p->name, c->sub, c->email),
		    TTL_LINK, owner.email,
		    arena_printf(a, "Link your %s account at %s", p->label,
				 req->app->cfg.site_title),
		    arena_printf(a,
				 "Hello %s,\n\nSomeone, probably you, "
				 "signed in at %s with a %s account that "
				 "uses this address. To link it to your "
				 "account, so it can sign you in, open this "
				 "link:",
				 owner.name, req->app->cfg.site_title,
				 p->label),
		    "/account/link",
		    "The link works for one hour. If it was not you, "
		    "ignore this email: nothing is linked.",
		    NULL);
		if (e != ERR_OK) {
			error_page(req, res, err_status(e), NULL);
			return;
		}
		account_notice(
		    req, res, 200, "Check your email",
		    arena_printf(a,
				 "An account here already uses that "
				 "address. We have sent it a link to "
				 "confirm that the %s account is yours.",
				 p->label),
		    "/", "Front page");
		return;
	}
	memset(&u, 0, sizeof(u));
	u.name = user_check_name(c->name) == NULL
		     ? c->name
		     : arena_printf(a, "%s user", p->label);
	u.email = email_ok ? c->email : "";
	u.password_hash = "";
	u.email_verified = email_ok;
	u.role = ROLE_READER;
	u.created = time_now();
	e = oidc_user_create(req->app, &u, p->name, c->sub, &id);
	if (e == ERR_CONFLICT && email_ok) {
		/* The address was taken meanwhile: keep the account without it.
		 */
		u.email = "";
		u.email_verified = false;
		e = oidc_user_create(req->app, &u, p->name, c->sub, &id);
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	u.id = id;
	log_info("account: user %lld created by sign-in with %s", (long long)id,
		 p->name);
	account_signed_in(req, res, &u, f->next);
}

/*
 * GET /auth/NAME/callback?code=C&state=S (or error=E): the provider's
 * answer.  The state must be this browser's (cookie) and unused (store).
 */
void
oidc_callback(struct request *req, struct response *res)
{
	struct oidc_provider *p =
	    oidc_find(req->app, req_text(req, "provider"));
	const char *state =
	    req_has(req, "state") ? req_text(req, "state") : NULL;
	const char *code = req_has(req, "code") ? req_text(req, "code") : NULL;
	const char *cookie = request_cookie(req, STATE_COOKIE);
	struct oidc_endpoints ep;
	struct oidc_claims c;
	struct user_token t;
	struct flow f;
	struct buf why;
	char hash[65];
	enum err e;

	if (p == NULL) {
		error_page(req, res, 404, NULL);
		return;
	}
	if (state == NULL || !user_token_valid(state) || cookie == NULL ||
	    strlen(cookie) != strlen(state) ||
	    sodium_memcmp(cookie, state, strlen(state)) != 0) {
		refused(req, res, 400, p,
			"the state is missing or not this browser's");
		return;
	}
	/* This browser's flow ends here, whatever comes of it. */
	if (!state_cookie(req, res, NULL)) {
		error_page(req, res, 503, NULL);
		return;
	}
	user_token_hash(state, hash);
	e = user_token_get(req->app, &req->arena, hash, "oidc", time_now(),
			   true, &t);
	if (e == ERR_NOTFOUND ||
	    (e == ERR_OK && (!flow_parse(&req->arena, &t, &f) ||
			     strcmp(f.provider, p->name) != 0))) {
		refused(req, res, 400, p,
			"the state is unknown, used or expired");
		return;
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	if (req_has(req, "error")) {
		account_notice(req, res, 403, "Sign-in cancelled",
			       arena_printf(&req->arena,
					    "%s did not sign you in.",
					    p->label),
			       "/account/signin", "Sign in");
		return;
	}
	if (code == NULL || code[0] == '\0' || strlen(code) > CODE_MAX) {
		refused(req, res, 400, p, "no code");
		return;
	}
	buf_init(&why, 512);
	e = oidc_endpoints(p, &req->arena, &ep, &why);
	if (e == ERR_OK)
		e = exchange(req, p, &ep, code, &f, &c, &why);
	if (e == ERR_DB || e == ERR_NOMEM)
		provider_down(req, res, p, &why);
	else if (e != ERR_OK)
		refused(req, res, 403, p, buf_cstr(&why));
	else
		finish(req, res, p, &c, &f);
	buf_clear(&why);
}

/* Reads a link token's parts: provider, subject, email. */
static bool
link_parse(struct arena *a, const struct user_token *t, const char **provider,
	   const char **subject, const char **email)
{
	char *d = arena_strdup(a, t->data), *save = NULL;

	if (d == NULL)
		return false;
	*provider = strtok_r(d, "\n", &save);
	*subject = strtok_r(NULL, "\n", &save);
	*email = strtok_r(NULL, "\n", &save);
	return *provider && *subject;
}

static enum err
link_token(struct request *req, const char *token, bool take,
	   struct user_token *t, struct user *u)
{
	char hash[65];
	enum err e;

	if (token == NULL || !user_token_valid(token))
		return ERR_NOTFOUND;
	user_token_hash(token, hash);
	e = user_token_get(req->app, &req->arena, hash, "link", time_now(),
			   take, t);
	if (e == ERR_OK)
		e = user_get(req->app, &req->arena, t->user_id, u);
	return e;
}

/* GET /account/link?token=T: the owner of the address, from the email. */
void
oidc_link_page(struct request *req, struct response *res)
{
	const char *token =
	    req_has(req, "token") ? req_text(req, "token") : NULL;
	const char *provider, *subject, *email;
	const struct oidc_provider *p;
	struct user_token t;
	struct user u;
	struct tv *v;

	if (link_token(req, token, false, &t, &u) != ERR_OK ||
	    !link_parse(&req->arena, &t, &provider, &subject, &email) ||
	    (p = oidc_find(req->app, provider)) == NULL) {
		account_notice(
		    req, res, 404, "This link has expired",
		    "The link is used up, expired, or not one we sent.",
		    "/account/signin", "Sign in");
		return;
	}
	v = account_view(req, res, "Link your account", ACCOUNT_CSRF);
	if (v && (!tv_put_str(v, "token", token) ||
		  !tv_put_str(v, "provider", p->label) ||
		  !tv_put_str(v, "external", email ? email : subject) ||
		  !tv_put_str(v, "name", u.name)))
		v = NULL;
	page_render(req, res, 200, "account_link", v);
}

/* POST /account/link: with the emailed token; CSRF.  Links and signs in. */
void
oidc_link_post(struct request *req, struct response *res)
{
	const char *token =
	    req_has(req, "token") ? req_text(req, "token") : NULL;
	const char *provider, *subject, *email;
	struct user_token t;
	struct user u;
	enum err e;

	e = link_token(req, token, true, &t, &u);
	if (e == ERR_OK &&
	    !link_parse(&req->arena, &t, &provider, &subject, &email))
		e = ERR_NOTFOUND;
	if (e == ERR_OK && u.disabled)
		e = ERR_FORBIDDEN;
	if (e == ERR_OK)
		e = oidc_identity_link(req->app, provider, subject, u.id,
				       email ? email : "");
	if (e == ERR_NOTFOUND) {
		account_notice(
		    req, res, 404, "This link has expired",
		    "The link is used up, expired, or not one we sent.",
		    "/account/signin", "Sign in");
		return;
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e),
			   e == ERR_CONFLICT
			       ? "That external account is already linked."
			       : NULL);
		return;
	}
	account_signed_in(req, res, &u, "/account/settings?done=linked");
}
