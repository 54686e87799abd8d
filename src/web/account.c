/* account: sign up, sign in and out, verification, reset, settings, roles. */
#include "web/account.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/ratelimit.h"
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
	return strncmp(req->app->base_url, "https:", 6) == 0 ? "; Secure" : "";
}

bool
account_session_cookie(struct request *req, struct response *res,
		       const char *token)
{
	char *c;

	if (token)
		c = arena_printf(&req->arena,
				 "%s=%s; Path=/; Max-Age=%lld; "
				 "HttpOnly; SameSite=Lax%s",
				 SESSION_COOKIE, token,
				 (long long)req->app->cfg.session_days * 86400,
				 secure_attr(req));
	else
		c = arena_printf(&req->arena,
				 "%s=; Path=/; Max-Age=0; HttpOnly;"
				 " SameSite=Lax%s",
				 SESSION_COOKIE, secure_attr(req));
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
			  request_cookie(req, SESSION_COOKIE), &token);
	if (e != ERR_OK || !account_session_cookie(req, res, token)) {
		error_page(req, res, 503,
			   "You could not be signed in just now. "
			   "Please try again.");
		return;
	}
	response_redirect(res, account_next(next));
}

struct tv *
account_view(struct request *req, struct response *res, const char *title)
{
	/* The user first: a new visitor cookie replaces the parsed cookies. */
	const struct user *u = account_user(req);
	struct tv *v = page_view(req, title), *me;
	const char *visitor = csrf_visitor(req, res);
	const char *token = visitor ? csrf_token(req, visitor) : NULL;

	if (v == NULL || token == NULL || !tv_put_str(v, "csrf", token))
		return NULL;
	if (u) {
		if ((me = tv_put_obj(v, "me")) == NULL ||
		    !tv_put_str(me, "name", u->name) ||
		    !tv_put_str(me, "email", u->email) ||
		    !tv_put_str(me, "role", role_name(u->role)) ||
		    !tv_put_str(me, "profile_href",
				arena_printf(&req->arena, "/users/%lld",
					     (long long)u->id)) ||
		    !tv_put_bool(me, "staff", u->role >= ROLE_MODERATOR) ||
		    !tv_put_bool(me, "admin", u->role == ROLE_ADMIN) ||
		    !tv_put_bool(me, "has_password",
				 u->password_hash[0] != '\0'))
			return NULL;
	}
	return v;
}

void
account_notice(struct request *req, struct response *res, unsigned status,
	       const char *title, const char *message, const char *href,
	       const char *link)
{
	struct tv *v = account_view(req, res, title);

	if (v && (!tv_put_str(v, "message", message) ||
		  (href && (!tv_put_str(v, "href", href) ||
			    !tv_put_str(v, "link", link)))))
		v = NULL;
	page_render(req, res, status, "account_notice", v);
}

/*
 * A form field, trimmed unless raw, in the arena; "" when absent.  A
 * value with a NUL inside, or longer than max bytes, is refused (NULL
 * with *bad set).
 */
static const char *
field(struct request *req, const char *name, size_t max, bool raw, bool *bad)
{
	const struct field *f = request_field(req, name);
	char *s;

	if (f == NULL)
		return "";
	if (f->len > max || strlen(f->value) != f->len) {
		*bad = true;
		return "";
	}
	s = arena_strndup(&req->arena, f->value, f->len);
	if (s == NULL) {
		*bad = true;
		return "";
	}
	return raw ? s : str_trim(s);
}

static void
too_many(struct request *req, struct response *res, int retry)
{
	(void)response_header(res, "Retry-After",
			      arena_printf(&req->arena, "%d", retry));
	error_page(req, res, 429,
		   "Too many attempts. Please wait a while "
		   "and try again.");
}

/* The sign-in form, with what was sent and why it was refused. */
static void
signin_form(struct request *req, struct response *res, unsigned status,
	    const char *email, const char *next, const char *error,
	    const char *info)
{
	struct tv *v = account_view(req, res, "Sign in");

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
	const char *done = request_query(req, "done");
	const char *info = NULL;

	if (done && strcmp(done, "verified") == 0)
		info = "Your email address is confirmed. You can sign in now.";
	else if (done && strcmp(done, "signedout") == 0)
		info = "You are signed out.";
	signin_form(req, res, 200, "", request_query(req, "next"), NULL, info);
}

/*
 * POST /account/signin: anyone; CSRF checked by the router.  Fields:
 * email, password, next.  Limited per address and per account (429).
 */
void
account_signin_post(struct request *req, struct response *res)
{
	bool bad = false;
	const char *email = field(req, "email", LIMIT_EMAIL, false, &bad);
	const char *password =
	    field(req, "password", USER_PASSWORD_MAX, true, &bad);
	const char *next = field(req, "next", 1024, false, &bad);
	struct user u;
	int retry = 60;
	enum err e;

	e = user_signin(req->app, &req->arena, email, bad ? "" : password,
			req->client, &u, &retry);
	if (e == ERR_LIMIT) {
		too_many(req, res, retry);
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
	struct tv *v = account_view(req, res, "Create an account");

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
	signup_form(req, res, 200, "", "", request_query(req, "next"), NULL);
}

/*
 * POST /account/signup: anyone; CSRF checked by the router.  Fields:
 * name, email, password, next.  The same answer whether or not the
 * address already has an account.
 */
void
account_signup_post(struct request *req, struct response *res)
{
	bool bad = false;
	const char *name = field(req, "name", USER_NAME_MAX * 4, false, &bad);
	const char *email = field(req, "email", LIMIT_EMAIL, false, &bad);
	const char *password =
	    field(req, "password", USER_PASSWORD_MAX, true, &bad);
	const char *next = field(req, "next", 1024, false, &bad);
	struct signup_errors errs = {NULL, NULL, NULL, NULL};
	int retry = 60;
	enum err e;

	if (!req->app->cfg.signup) {
		account_notice(req, res, 403, "Sign-ups are closed",
			       "This site does not take new accounts.", NULL,
			       NULL);
		return;
	}
	if (req->app->limit_address &&
	    !ratelimit_take(req->app->limit_address, req->client,
			    (double)time_now_usec() / 1e6, &retry)) {
		too_many(req, res, retry);
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
	e = user_signup(req->app, &req->arena, name, email, password);
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
	struct tv *v = account_view(req, res, "Sign out");

	if (v &&
	    !tv_put_str(v, "next", account_next(request_query(req, "next"))))
		v = NULL;
	page_render(req, res, 200, "account_signout", v);
}

/* POST /account/signout: anyone; CSRF checked.  Ends this browser's session. */
void
account_signout_post(struct request *req, struct response *res)
{
	bool bad = false;
	const char *next = field(req, "next", 1024, false, &bad);
	enum err e = session_end(req->app, request_cookie(req, SESSION_COOKIE));

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

static void
link_expired(struct request *req, struct response *res, const char *href,
	     const char *link)
{
	account_notice(req, res, 404, "This link has expired",
		       "The link is used up, expired, or not one we sent.",
		       href, link);
}

/* GET /account/verify?token=T: anyone with the emailed link. */
void
account_verify(struct request *req, struct response *res)
{
	const char *token = request_query(req, "token");
	struct user u;
	enum err e;

	e = token ? user_verify(req->app, &req->arena, token, &u)
		  : ERR_NOTFOUND;
	if (e == ERR_NOTFOUND) {
		link_expired(req, res, "/account/signin",
			     "Sign in to get a new one");
		return;
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	response_redirect(res, "/account/signin?done=verified");
}

/* GET /account/reset[?token=T]: anyone.  Asks for the address, or a new
 * password. */
void
account_reset_page(struct request *req, struct response *res)
{
	const char *token = request_query(req, "token");
	struct tv *v;
	struct user u;

	if (token == NULL) {
		v = account_view(req, res, "Reset your password");
		page_render(req, res, 200, "account_reset", v);
		return;
	}
	if (user_reset_peek(req->app, &req->arena, token, &u) != ERR_OK) {
		link_expired(req, res, "/account/reset", "Ask for a new link");
		return;
	}
	v = account_view(req, res, "Choose a new password");
	if (v && (!tv_put_str(v, "token", token) ||
		  !tv_put_str(v, "email", u.email)))
		v = NULL;
	page_render(req, res, 200, "account_password", v);
}

/* POST /account/reset: anyone; CSRF.  Field: email.  The same answer for any
 * address. */
void
account_reset_post(struct request *req, struct response *res)
{
	bool bad = false;
	const char *email = field(req, "email", LIMIT_EMAIL, false, &bad);
	int retry = 60;
	enum err e = user_reset_request(req->app, &req->arena, email,
					req->client, &retry);

	if (e == ERR_LIMIT) {
		too_many(req, res, retry);
		return;
	}
	if (e == ERR_INVALID || bad) {
		struct tv *v = account_view(req, res, "Reset your password");

		if (v &&
		    (!tv_put_str(v, "email", email) ||
		     !tv_put_str(v, "error",
				 "That does not look like an email address.")))
			v = NULL;
		page_render(req, res, 422, "account_reset", v);
		return;
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	account_notice(req, res, 200, "Check your email",
		       "If that address has an account here, we have sent it a "
		       "link to choose a new password.",
		       "/", "Front page");
}

/* POST /account/reset/password: anyone with the link; CSRF.  Fields: token,
 * password. */
void
account_reset_password(struct request *req, struct response *res)
{
	bool bad = false;
	const char *token = field(req, "token", 64, false, &bad);
	const char *password =
	    field(req, "password", USER_PASSWORD_MAX, true, &bad);
	const char *why = user_check_password(password);
	struct user u;
	enum err e;

	if (why || bad) {
		struct tv *v = account_view(req, res, "Choose a new password");

		if (v && (!tv_put_str(v, "token", token) ||
			  !tv_put_str(v, "error",
				      why ? why : "The form arrived damaged.")))
			v = NULL;
		page_render(req, res, 422, "account_password", v);
		return;
	}
	e = user_reset(req->app, &req->arena, token, password, &u);
	if (e == ERR_NOTFOUND) {
		link_expired(req, res, "/account/reset", "Ask for a new link");
		return;
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	account_signed_in(req, res, &u, "/account/settings?done=password");
}

static const char *
settings_message(const char *done)
{
	static const char *const msgs[][2] = {
	    {"name", "Your name is changed, on your comments too."},
	    {"password", "Your password is changed."},
	    {"email", "We have sent a link to the new address; the change "
		      "is made when you open it."},
	    {"email-changed", "Your email address is changed."},
	    {"linked",
	     "The external account is linked: you can sign in with it."},
	};
	size_t i;

	for (i = 0; done && i < sizeof(msgs) / sizeof(msgs[0]); i++)
		if (strcmp(done, msgs[i][0]) == 0)
			return msgs[i][1];
	return NULL;
}

struct settings_errors {
	const char *name, *email, *password, *delete;
};

static void
settings_form(struct request *req, struct response *res, unsigned status,
	      const struct settings_errors *errs, const char *info)
{
	struct tv *v = account_view(req, res, "Your account");
	const struct config *cfg = &req->app->cfg;

	if (v &&
	    (!tv_put_str(v, "info", info) ||
	     !tv_put_str(v, "name_error", errs ? errs->name : NULL) ||
	     !tv_put_str(v, "email_error", errs ? errs->email : NULL) ||
	     !tv_put_str(v, "password_error", errs ? errs->password : NULL) ||
	     !tv_put_str(v, "delete_error", errs ? errs->delete : NULL) ||
	     !tv_put_bool(v, "delete_removes",
			  cfg->on_delete == DELETE_REMOVE) ||
	     !oidc_put_providers(req, v, "/account/settings?done=linked")))
		v = NULL;
	page_render(req, res, status, "account_settings", v);
}

/* GET /account/settings: signed in (router). */
void
account_settings_page(struct request *req, struct response *res)
{
	settings_form(req, res, 200, NULL,
		      settings_message(request_query(req, "done")));
}

/* POST /account/settings/name: signed in; CSRF.  Field: name. */
void
account_settings_name(struct request *req, struct response *res)
{
	bool bad = false;
	const char *name = field(req, "name", USER_NAME_MAX * 4, false, &bad);
	struct settings_errors errs = {user_check_name(name), NULL, NULL, NULL};
	enum err e;

	if (bad && errs.name == NULL)
		errs.name = "A name may be at most 60 characters.";
	if (errs.name) {
		settings_form(req, res, 422, &errs, NULL);
		return;
	}
	e = user_rename(req->app, &req->arena, account_user(req), name);
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	response_redirect(res, "/account/settings?done=name");
}

/*
 * POST /account/settings/password: signed in; CSRF.  Fields: current,
 * password.  Every other session ends; this browser gets a new one.
 */
void
account_settings_password(struct request *req, struct response *res)
{
	bool bad = false;
	const char *current =
	    field(req, "current", USER_PASSWORD_MAX, true, &bad);
	const char *password =
	    field(req, "password", USER_PASSWORD_MAX, true, &bad);
	const struct user *u = account_user(req);
	struct settings_errors errs = {NULL, NULL, NULL, NULL};
	int retry = 60;
	enum err e;

	if (req->app->limit_address &&
	    !ratelimit_take(req->app->limit_address, req->client,
			    (double)time_now_usec() / 1e6, &retry)) {
		too_many(req, res, retry);
		return;
	}
	e = bad ? ERR_INVALID
		: user_change_password(req->app, &req->arena, u, current,
				       password);
	if (e == ERR_FORBIDDEN || e == ERR_INVALID) {
		errs.password = e == ERR_FORBIDDEN
				    ? "Your current password is not right."
				    : (user_check_password(password)
					   ? user_check_password(password)
					   : "The form arrived damaged.");
		settings_form(req, res, e == ERR_FORBIDDEN ? 403 : 422, &errs,
			      NULL);
		return;
	}
	if (e == ERR_OK)
		e = session_end_all(req->app, u->id);
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	account_signed_in(req, res, u, "/account/settings?done=password");
}

/* POST /account/settings/email: signed in; CSRF.  Fields: email, password. */
void
account_settings_email(struct request *req, struct response *res)
{
	bool bad = false;
	const char *email = field(req, "email", LIMIT_EMAIL, false, &bad);
	const char *password =
	    field(req, "password", USER_PASSWORD_MAX, true, &bad);
	struct settings_errors errs = {NULL, NULL, NULL, NULL};
	enum err e;

	e = bad ? ERR_INVALID
		: user_change_email(req->app, &req->arena, account_user(req),
				    password, email);
	if (e == ERR_FORBIDDEN || e == ERR_INVALID) {
		errs.email = e == ERR_FORBIDDEN
				 ? "Your password is not right."
				 : "That does not look like an email address.";
		settings_form(req, res, e == ERR_FORBIDDEN ? 403 : 422, &errs,
			      NULL);
		return;
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	response_redirect(res, "/account/settings?done=email");
}

/* GET /account/email?token=T: anyone with the emailed link. */
void
account_email_confirm(struct request *req, struct response *res)
{
	const char *token = request_query(req, "token");
	struct user u;
	enum err e;

	e = token ? user_confirm_email(req->app, &req->arena, token, &u)
		  : ERR_NOTFOUND;
	if (e == ERR_NOTFOUND) {
		link_expired(req, res, "/account/settings", "Your account");
		return;
	}
	if (e == ERR_CONFLICT) {
		account_notice(req, res, 409, "That address is taken",
			       "Another account uses that email address.",
			       "/account/settings", "Your account");
		return;
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	response_redirect(res, account_user(req)
				   ? "/account/settings?done=email-changed"
				   : "/account/signin");
}

/*
 * POST /account/delete: signed in; CSRF.  Fields: password (when the
 * account has one), confirm = "delete".
 */
void
account_delete_post(struct request *req, struct response *res)
{
	bool bad = false;
	const char *password =
	    field(req, "password", USER_PASSWORD_MAX, true, &bad);
	const char *confirm = field(req, "confirm", 16, false, &bad);
	const struct user *u = account_user(req);
	struct settings_errors errs = {NULL, NULL, NULL, NULL};
	enum err e;

	if (strcmp(confirm, "delete") != 0)
		errs.delete = "Type delete to confirm.";
	else if (u->password_hash[0] &&
		 !user_password_check(u->password_hash, password))
		errs.delete = "Your password is not right.";
	if (errs.delete) {
		settings_form(req, res, 403, &errs, NULL);
		return;
	}
	e = user_delete(req->app, &req->arena, u);
	if (e == ERR_CONFLICT) {
		errs.delete =
		    "You are the only admin: make someone else admin first.";
		settings_form(req, res, 409, &errs, NULL);
		return;
	}
	if (e != ERR_OK || !account_session_cookie(req, res, NULL)) {
		error_page(req, res, e != ERR_OK ? err_status(e) : 503, NULL);
		return;
	}
	req->user = NULL;
	account_notice(
	    req, res, 200, "Your account is deleted",
	    req->app->cfg.on_delete == DELETE_REMOVE
		? "Your account is gone, and the text of your comments with it."
		: "Your account is gone; your comments stay, without your name.",
	    "/", "Front page");
}

/* GET /users/ID: anyone.  A user's name and latest comments. */
void
account_profile(struct request *req, struct response *res)
{
	int64_t id = 0;
	struct user_comment *list;
	struct tv *v, *items;
	struct user u;
	size_t n = 0, i;
	char *end = NULL, when[64];
	enum err e;

	if (req->params[0][0] >= '1' && req->params[0][0] <= '9' &&
	    strlen(req->params[0]) <= 18)
		id = strtoll(req->params[0], &end, 10);
	if (id <= 0 || end == NULL || *end != '\0') {
		error_page(req, res, 404, NULL);
		return;
	}
	e = user_get(req->app, &req->arena, id, &u);
	if (e == ERR_OK && u.disabled)
		e = ERR_NOTFOUND;
	if (e == ERR_OK)
		e = user_comments(req->app, &req->arena, id, PROFILE_COMMENTS,
				  &list, &n);
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	time_format_human(u.created, when, sizeof(when));
	v = account_view(req, res, u.name);
	if (v &&
	    (!tv_put_str(v, "name", u.name) ||
	     !tv_put_str(v, "since", arena_strdup(&req->arena, when)) ||
	     !tv_put_str(v, "role",
			 u.role > ROLE_READER ? role_name(u.role) : NULL) ||
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

/* GET /account/setup?token=T: the one-time link `parley serve` prints. */
void
account_setup_page(struct request *req, struct response *res)
{
	const char *token = request_query(req, "token");
	struct user_token t;
	char hash[65];
	struct tv *v;

	if (token == NULL || !user_token_valid(token)) {
		link_expired(req, res, "/", "Front page");
		return;
	}
	user_token_hash(token, hash);
	if (user_setup_token(req->app, &req->arena, hash, false, &t) !=
	    ERR_OK) {
		link_expired(req, res, "/", "Front page");
		return;
	}
	v = account_view(req, res, "Create the first admin");
	if (v && !tv_put_str(v, "token", token))
		v = NULL;
	page_render(req, res, 200, "account_setup", v);
}

/* POST /account/setup: with the link's token; CSRF.  Fields: token, name,
 * email, password. */
void
account_setup_post(struct request *req, struct response *res)
{
	bool bad = false;
	const char *token = field(req, "token", 64, false, &bad);
	const char *name = field(req, "name", USER_NAME_MAX * 4, false, &bad);
	const char *email = field(req, "email", LIMIT_EMAIL, false, &bad);
	const char *password =
	    field(req, "password", USER_PASSWORD_MAX, true, &bad);
	const char *why = user_check_name(name);
	struct user_token t;
	struct user u;
	char hash[65];
	int64_t id;
	enum err e;

	if (why == NULL)
		why = user_check_email(email);
	if (why == NULL)
		why = user_check_password(password);
	if (why || bad) {
		struct tv *v = account_view(req, res, "Create the first admin");

		if (v && (!tv_put_str(v, "token", token) ||
			  !tv_put_str(v, "name", name) ||
			  !tv_put_str(v, "email", email) ||
			  !tv_put_str(v, "error",
				      why ? why : "The form arrived damaged.")))
			v = NULL;
		page_render(req, res, 422, "account_setup", v);
		return;
	}
	if (!user_token_valid(token)) {
		link_expired(req, res, "/", "Front page");
		return;
	}
	user_token_hash(token, hash);
	e = user_setup_token(req->app, &req->arena, hash, true, &t);
	if (e == ERR_NOTFOUND) {
		link_expired(req, res, "/", "Front page");
		return;
	}
	if (e == ERR_OK)
		e = user_create(req->app, name, email, password, ROLE_ADMIN,
				&id);
	if (e == ERR_OK)
		e = user_get(req->app, &req->arena, id, &u);
	if (e != ERR_OK) {
		error_page(
		    req, res, err_status(e),
		    e == ERR_CONFLICT
			? "That email address already has an account: make it "
			  "admin with parley user role EMAIL admin."
			: NULL);
		return;
	}
	log_info("account: first admin created (user %lld)", (long long)id);
	account_signed_in(req, res, &u, "/desk");
}

/* GET /admin/users: admins (router). */
void
account_admin_users(struct request *req, struct response *res)
{
	struct user *list;
	struct tv *v, *items;
	size_t n = 0, i;
	enum err e;
	int r;

	e = user_list(req->app, &req->arena, &list, &n);
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	v = account_view(req, res, "Users");
	if (v && (items = tv_put_list(v, "users")) == NULL)
		v = NULL;
	for (i = 0; v && i < n; i++) {
		struct tv *it = tv_push(items), *roles;

		if (it == NULL || !tv_put_int(it, "id", list[i].id) ||
		    !tv_put_str(it, "name", list[i].name) ||
		    !tv_put_str(it, "email", list[i].email) ||
		    !tv_put_str(it, "role", role_name(list[i].role)) ||
		    !tv_put_bool(it, "verified", list[i].email_verified) ||
		    !tv_put_bool(it, "disabled", list[i].disabled) ||
		    !tv_put_str(it, "profile_href",
				arena_printf(&req->arena, "/users/%lld",
					     (long long)list[i].id)) ||
		    (roles = tv_put_list(it, "roles")) == NULL) {
			v = NULL;
			break;
		}
		for (r = 0; r < ROLE__MAX; r++) {
			struct tv *ro = tv_push(roles);

			if (ro == NULL ||
			    !tv_put_str(ro, "value", role_name((enum role)r)) ||
			    !tv_put_bool(ro, "selected",
					 list[i].role == (enum role)r)) {
				v = NULL;
				break;
			}
		}
	}
	page_render(req, res, 200, "account_users", v);
}

static int64_t
field_id(struct request *req, const char *name)
{
	const struct field *f = request_field(req, name);
	char *end;
	long long v;

	if (f == NULL || f->len == 0 || f->len > 18 || f->value[0] < '1' ||
	    f->value[0] > '9')
		return 0;
	v = strtoll(f->value, &end, 10);
	return *end == '\0' ? v : 0;
}

/* POST /admin/users/role: admins; CSRF.  Fields: id, role. */
void
account_admin_role(struct request *req, struct response *res)
{
	const struct field *f = request_field(req, "role");
	int64_t id = field_id(req, "id");
	enum role role;
	enum err e;

	if (id == 0 || f == NULL || !role_parse(f->value, &role)) {
		error_page(req, res, 422, "Choose a user and a role.");
		return;
	}
	e = user_set_role(req->app, &req->arena, id, role);
	if (e == ERR_CONFLICT) {
		error_page(req, res, 409, "The site needs at least one admin.");
		return;
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	response_redirect(res, "/admin/users");
}

/* POST /admin/users/disable: admins; CSRF.  Fields: id, disabled (0 or 1). */
void
account_admin_disable(struct request *req, struct response *res)
{
	const struct field *f = request_field(req, "disabled");
	int64_t id = field_id(req, "id");
	enum err e;

	if (id == 0 || f == NULL ||
	    (strcmp(f->value, "0") && strcmp(f->value, "1"))) {
		error_page(req, res, 422, "Choose a user.");
		return;
	}
	if (id == account_user(req)->id) {
		error_page(req, res, 409,
			   "You cannot disable your own account.");
		return;
	}
	e = user_set_disabled(req->app, &req->arena, id, f->value[0] == '1');
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	response_redirect(res, "/admin/users");
}

/* GET /desk: moderators, editors and admins (router). */
void
account_desk(struct request *req, struct response *res)
{
	page_render(req, res, 200, "account_desk",
		    account_view(req, res, "Desk"));
}
