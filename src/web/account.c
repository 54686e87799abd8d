/*
 * account: what every identity page shares (the signed-in user, the
 * session cookie, the page's view, notices), signing in, up and out,
 * the emailed verification link, and a user's public profile.  Reset,
 * settings and administration are in account_reset.c, account_settings.c
 * and account_admin.c.
 */
#include "web/account.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/util.h"
#include "http/csrf.h"
#include "http/route.h"
#include "model/session.h"
#include "model/user.h"
#include "render/template.h"
#include "web/web.h"

#define PROFILE_COMMENTS 20

const struct user *
account_user(struct request *req)
{
	/* Resolving the session is the router's: it checks sign-in flags. */
	return route_user(req);
}

const char *
account_next(const char *next)
{
	size_t i, n;

	if (next == NULL || next[0] != '/' || next[1] == '/' || next[1] == '\\')
		return "/";
	n = strlen(next);
	if (n > 512)
		return "/";
	for (i = 0; i < n; i++)
		if ((unsigned char)next[i] <= 0x20 || next[i] == '\\' ||
		    (unsigned char)next[i] >= 0x7f)
			return "/";
	return next;
}

static const char *
secure_attr(struct request *req)
{
	return request_secure(req) ? "; Secure" : "";
}

bool
account_session_cookie(struct request *req, struct response *res,
		       const char *token)
{
	const char *name = request_cookie_name(req, SESSION_COOKIE);
	char *c;

	if (token)
		c = arena_printf(&req->arena,
				 "%s=%s; Path=/; Max-Age=%lld; "
				 "HttpOnly; SameSite=Lax%s",
				 name, token,
				 (long long)req->app->cfg.session_days * 86400,
				 secure_attr(req));
	else
		c = arena_printf(&req->arena,
				 "%s=; Path=/; Max-Age=0; HttpOnly;"
				 " SameSite=Lax%s",
				 name, secure_attr(req));
	/*
	 * Whoever signs in or out gets a new visitor id too: a token someone
	 * learnt for this browser before is worth nothing after it.
	 */
	return c != NULL && response_header(res, "Set-Cookie", c) &&
	       csrf_rotate(req, res) != NULL;
}

/*
 * Marks this browser as one that signed in to user_id: others' failed
 * sign-ins never hold it up (model/throttle.h).
 */
static bool
device_cookie(struct request *req, struct response *res, int64_t user_id)
{
	const char *mark = session_device_mark(req->app, &req->arena, user_id);
	char *c;

	if (mark == NULL)
		return false;
	c = arena_printf(&req->arena,
			 "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s",
			 request_cookie_name(req, DEVICE_COOKIE), mark,
			 DEVICE_DAYS * 86400, secure_attr(req));
	return c != NULL && response_header(res, "Set-Cookie", c);
}

void
account_signed_in(struct request *req, struct response *res,
		  const struct user *u, const char *next)
{
	const char *token;
	enum err e;

	/* A new token at every sign-in; the browser's old one is ended. */
	e = session_start(req->app, &req->arena, u->id,
			  request_site_cookie(req, SESSION_COOKIE), &token);
	if (e != ERR_OK || !account_session_cookie(req, res, token) ||
	    !device_cookie(req, res, u->id)) {
		error_page(req, res, 503,
			   "You could not be signed in just now. "
			   "Please try again.");
		return;
	}
	response_redirect(res, account_next(next));
}

/* Puts "me", the signed-in reader, with the parts the page reads. */
static bool
put_me(struct request *req, struct tv *v, const struct user *u, unsigned parts)
{
	struct tv *me = tv_put_obj(v, "me");

	if (me == NULL || !tv_put_str(me, "name", u->name))
		return false;
	if ((parts & (ACCOUNT_ME_ROLE | ACCOUNT_ME_SETTINGS)) &&
	    !tv_put_str(me, "role", role_name(u->role)))
		return false;
	if ((parts & ACCOUNT_ME_ADMIN) &&
	    !tv_put_bool(me, "admin", u->role == ROLE_ADMIN))
		return false;
	if (!(parts & ACCOUNT_ME_SETTINGS))
		return true;
	return tv_put_str(me, "email", u->email) &&
	       tv_put_str(me, "profile_href",
			  arena_printf(&req->arena, "/users/%lld",
				       (long long)u->id)) &&
	       tv_put_bool(me, "staff", u->role >= ROLE_MODERATOR) &&
	       tv_put_bool(me, "has_password", u->password_hash[0] != '\0');
}

struct tv *
account_view(struct request *req, struct response *res, const char *title,
	     unsigned parts)
{
	/* The user first: a new visitor cookie replaces the parsed cookies. */
	const struct user *u = account_user(req);
	struct tv *v = page_view(req, title);

	if (v == NULL)
		return NULL;
	if (parts & ACCOUNT_CSRF) {
		const char *visitor = csrf_visitor(req, res);
		const char *token = visitor ? csrf_token(req, visitor) : NULL;

		if (token == NULL || !tv_put_str(v, "csrf", token))
			return NULL;
	}
	if (u && (parts & ACCOUNT_ME) && !put_me(req, v, u, parts))
		return NULL;
	return v;
}

void
account_notice(struct request *req, struct response *res, unsigned status,
	       const char *title, const char *message, const char *href,
	       const char *link)
{
	struct tv *v = account_view(req, res, title, 0);

	if (v && (!tv_put_str(v, "message", message) ||
		  (href && (!tv_put_str(v, "href", href) ||
			    !tv_put_str(v, "link", link)))))
		v = NULL;
	page_render(req, res, status, "account_notice", v);
}

void
account_too_many(struct request *req, struct response *res, int retry)
{
	(void)response_header(res, "Retry-After",
			      arena_printf(&req->arena, "%d", retry));
	error_page(req, res, 429,
		   "Too many attempts. Please wait a while "
		   "and try again.");
}

void
account_link_expired(struct request *req, struct response *res,
		     const char *href, const char *link)
{
	account_notice(req, res, 404, "This link has expired",
		       "The link is used up, expired, or not one we sent.",
		       href, link);
}

/* The sign-in form, with what was sent and why it was refused. */
static void
signin_form(struct request *req, struct response *res, unsigned status,
	    const char *email, const char *next, const char *error,
	    const char *info)
{
	struct tv *v =
	    account_view(req, res, "Sign in", ACCOUNT_CSRF | ACCOUNT_ME);

	if (v && (!tv_put_str(v, "email", email) ||
		  !tv_put_str(v, "next", account_next(next)) ||
		  !tv_put_bool(v, "signup", req->app->cfg.signup) ||
		  (error && !tv_put_str(v, "error", error)) ||
		  (info && !tv_put_str(v, "info", info)) ||
		  !oidc_put_providers(req, v, account_next(next))))
		v = NULL;
	page_render(req, res, status, "account_signin", v);
}

/* GET /account/signin[?next=PATH]: anyone. */
void
account_signin_page(struct request *req, struct response *res)
{
	const char *done = req_text(req, "done");
	const char *info = NULL;

	if (done && strcmp(done, "verified") == 0)
		info = "Your email address is confirmed. You can sign in now.";
	else if (done && strcmp(done, "signedout") == 0)
		info = "You are signed out.";
	signin_form(req, res, 200, "", req_text(req, "next"), NULL, info);
}

/*
 * POST /account/signin: anyone; CSRF checked by the router.  Fields:
 * email, password, next.  Limited per address and per account (429).
 */
void
account_signin_post(struct request *req, struct response *res)
{
	bool bad = req_any_bad(req);
	const char *email = req_text(req, "email");
	const char *password = req_text(req, "password");
	const char *next = req_text(req, "next");
	struct user u;
	int retry = 60;
	enum err e;

	e = user_signin(req->app, &req->arena, email, bad ? "" : password,
			req->client,
			session_device_user(
			    req->app, request_site_cookie(req, DEVICE_COOKIE)),
			&u, &retry);
	if (e == ERR_LIMIT) {
		account_too_many(req, res, retry);
		return;
	}
	if (e == ERR_FORBIDDEN || (e == ERR_OK && bad)) {
		signin_form(req, res, 403, email, next,
			    "That email address and "
			    "password do not match an account.",
			    NULL);
		return;
	}
	if (e == ERR_INVALID) {
		signin_form(req, res, 403, email, next,
			    "Please confirm your "
			    "email address first: we have sent you a new link.",
			    NULL);
		return;
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	account_signed_in(req, res, &u, next);
}

struct signup_errors {
	const char *name, *email, *password, *form;
};

static void
signup_form(struct request *req, struct response *res, unsigned status,
	    const char *name, const char *email, const char *next,
	    const struct signup_errors *errs)
{
	struct tv *v =
	    account_view(req, res, "Create an account", ACCOUNT_CSRF);

	if (v &&
	    (!tv_put_str(v, "name", name) || !tv_put_str(v, "email", email) ||
	     !tv_put_str(v, "next", account_next(next)) ||
	     !tv_put_str(v, "name_error", errs ? errs->name : NULL) ||
	     !tv_put_str(v, "email_error", errs ? errs->email : NULL) ||
	     !tv_put_str(v, "password_error", errs ? errs->password : NULL) ||
	     !tv_put_str(v, "error", errs ? errs->form : NULL) ||
	     !tv_put_str(v, "name_invalid",
			 errs && errs->name ? "true" : "false") ||
	     !tv_put_str(v, "email_invalid",
			 errs && errs->email ? "true" : "false") ||
	     !tv_put_str(v, "password_invalid",
			 errs && errs->password ? "true" : "false") ||
	     !oidc_put_providers(req, v, account_next(next))))
		v = NULL;
	page_render(req, res, status, "account_signup", v);
}

/* GET /account/signup: anyone, when [accounts] signup is on. */
void
account_signup_page(struct request *req, struct response *res)
{
	if (!req->app->cfg.signup) {
		account_notice(req, res, 403, "Sign-ups are closed",
			       "This site does not take new accounts.", NULL,
			       NULL);
		return;
	}
	signup_form(req, res, 200, "", "", req_text(req, "next"), NULL);
}

/*
 * POST /account/signup: anyone; CSRF checked by the router.  Fields:
 * name, email, password, next.  The same answer whether or not the
 * address already has an account.
 */
void
account_signup_post(struct request *req, struct response *res)
{
	bool bad = req_any_bad(req);
	const char *name = req_text(req, "name");
	const char *email = req_text(req, "email");
	const char *password = req_text(req, "password");
	const char *next = req_text(req, "next");
	struct signup_errors errs = {NULL, NULL, NULL, NULL};
	int retry = 60;
	enum err e;

	if (!req->app->cfg.signup) {
		account_notice(req, res, 403, "Sign-ups are closed",
			       "This site does not take new accounts.", NULL,
			       NULL);
		return;
	}
	errs.name = user_check_name(name);
	errs.email = user_check_email(email);
	errs.password = user_check_password(password);
	if (bad)
		errs.form = "The form arrived damaged or too long.";
	if (errs.name || errs.email || errs.password || errs.form) {
		signup_form(req, res, 422, name, email, next, &errs);
		return;
	}
	e = user_signup(req->app, &req->arena, name, email, password,
			req->client, &retry);
	if (e == ERR_LIMIT) {
		account_too_many(req, res, retry);
		return;
	}
	if (e != ERR_OK) {
		log_warnx("sign-up not stored: %s", err_str(e));
		errs.form = "Your account could not be created just now. "
			    "Please try again.";
		signup_form(req, res, 503, name, email, next, &errs);
		return;
	}
	account_notice(
	    req, res, 200, "Check your email",
	    arena_printf(&req->arena,
			 "We have sent a link to %s. "
			 "Open it to confirm your address, then sign in.",
			 email),
	    "/account/signin", "Sign in");
}

/* GET /account/signout[?next=PATH]: anyone.  Asks before signing out. */
void
account_signout_page(struct request *req, struct response *res)
{
	struct tv *v =
	    account_view(req, res, "Sign out", ACCOUNT_CSRF | ACCOUNT_ME);

	if (v && !tv_put_str(v, "next", account_next(req_text(req, "next"))))
		v = NULL;
	page_render(req, res, 200, "account_signout", v);
}

/* POST /account/signout: anyone; CSRF checked.  Ends this browser's session. */
void
account_signout_post(struct request *req, struct response *res)
{
	const char *next = req_text(req, "next");
	enum err e =
	    session_end(req->app, request_site_cookie(req, SESSION_COOKIE));

	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	if (!account_session_cookie(req, res, NULL)) {
		error_page(req, res, 503, NULL);
		return;
	}
	next = account_next(next);
	response_redirect(res, strcmp(next, "/") == 0
				   ? "/account/signin?done=signedout"
				   : next);
}

/* POST /account/signout-all: signed in; CSRF.  Ends every session. */
void
account_signout_all(struct request *req, struct response *res)
{
	enum err e = session_end_all(req->app, account_user(req)->id);

	if (e != ERR_OK || !account_session_cookie(req, res, NULL)) {
		error_page(req, res, e != ERR_OK ? err_status(e) : 503, NULL);
		return;
	}
	response_redirect(res, "/account/signin?done=signedout");
}

void
account_confirm_page(struct request *req, struct response *res,
		     const char *purpose, const char *title,
		     const char *message, const char *action,
		     const char *button, const char *href, const char *link)
{
	const char *token =
	    req_has(req, "token") ? req_text(req, "token") : NULL;
	struct user u;
	struct tv *v;
	enum err e;

	e = token ? user_link_peek(req->app, &req->arena, purpose, token, &u)
		  : ERR_NOTFOUND;
	if (e == ERR_NOTFOUND) {
		account_link_expired(req, res, href, link);
		return;
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	v = account_view(req, res, title, ACCOUNT_CSRF);
	if (v && (!tv_put_str(v, "message", message) ||
		  !tv_put_str(v, "action", action) ||
		  !tv_put_str(v, "token", token) ||
		  !tv_put_str(v, "button", button)))
		v = NULL;
	page_render(req, res, 200, "account_confirm", v);
}

/*
 * GET /account/verify?token=T: anyone with the emailed link.  Only asks:
 * a mail scanner that opens links confirms nothing.
 */
void
account_verify_page(struct request *req, struct response *res)
{
	account_confirm_page(
	    req, res, "verify", "Confirm your email address",
	    "Confirm that this address is yours, to finish making your "
	    "account.",
	    "/account/verify", "Confirm my address", "/account/signin",
	    "Sign in to get a new one");
}

/* POST /account/verify: anyone with the emailed token; CSRF. */
void
account_verify(struct request *req, struct response *res)
{
	const char *token = req_text(req, "token");
	struct user u;
	enum err e;

	e = req_any_bad(req) ? ERR_NOTFOUND
			     : user_verify(req->app, &req->arena, token, &u);
	if (e == ERR_NOTFOUND) {
		account_link_expired(req, res, "/account/signin",
				     "Sign in to get a new one");
		return;
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	response_redirect(res, "/account/signin?done=verified");
}

/*
 * GET /users/ID: anyone.  A confirmed account's name and latest comments;
 * its role only with [accounts] profile_roles.
 */
void
account_profile(struct request *req, struct response *res)
{
	int64_t id = req_id(req, "id");
	struct user_comment *list;
	struct tv *v, *items;
	struct user u;
	size_t n = 0, i;
	char when[64];
	enum err e;

	e = user_get(req->app, &req->arena, id, &u);
	/*
	 * Only accounts whose owner proved their address have a page: an
	 * unconfirmed one may be anybody's, under anybody's name.
	 */
	if (e == ERR_OK && (u.disabled || !u.email_verified))
		e = ERR_NOTFOUND;
	if (e == ERR_OK)
		e = user_comments(req->app, &req->arena, id, PROFILE_COMMENTS,
				  &list, &n);
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	time_format_human(u.created, when, sizeof(when));
	v = account_view(req, res, u.name, 0);
	if (v &&
	    (!tv_put_str(v, "name", u.name) ||
	     !tv_put_str(v, "since", arena_strdup(&req->arena, when)) ||
	     /* Staff are not listed to whoever walks /users/1..N unless
		the site chooses to show them. */
	     !tv_put_str(v, "role",
			 u.role > ROLE_READER && req->app->cfg.profile_roles
			     ? role_name(u.role)
			     : NULL) ||
	     !tv_put_bool(v, "has_comments", n > 0) ||
	     (items = tv_put_list(v, "comments")) == NULL))
		v = NULL;
	for (i = 0; v && i < n; i++) {
		struct tv *it = tv_push(items);
		char iso[32];

		time_format_human(list[i].c.created, when, sizeof(when));
		time_format_iso(list[i].c.created, iso, sizeof(iso));
		if (it == NULL ||
		    !tv_put_str(it, "href",
				arena_printf(&req->arena, "/comments/%lld",
					     (long long)list[i].c.id)) ||
		    /* The comment's permalink finds an article's or a debate's
		       page. */
		    !tv_put_str(it, "article_href",
				arena_printf(&req->arena, "/comments/%lld",
					     (long long)list[i].c.id)) ||
		    !tv_put_str(it, "article_title", list[i].article_title) ||
		    !tv_put_str(it, "when", arena_strdup(&req->arena, when)) ||
		    !tv_put_str(it, "when_iso",
				arena_strdup(&req->arena, iso)) ||
		    !tv_put_safe(
			it, "body_html",
			(struct safe_html){list[i].c.body_html,
					   strlen(list[i].c.body_html)}))
			v = NULL;
	}
	page_render(req, res, 200, "account_profile", v);
}
