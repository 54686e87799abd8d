/* account_settings: a reader's own account: name, password, email address,
 * deletion. */
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
	struct tv *v =
	    account_view(req, res, "Your account",
			 ACCOUNT_CSRF | ACCOUNT_ME | ACCOUNT_ME_SETTINGS);
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
		      settings_message(req_text(req, "done")));
}

/* POST /account/settings/name: signed in; CSRF.  Field: name. */
void
account_settings_name(struct request *req, struct response *res)
{
	bool bad = req_any_bad(req);
	const char *name = req_text(req, "name");
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
	bool bad = req_any_bad(req);
	const char *current = req_text(req, "current");
	const char *password = req_text(req, "password");
	const struct user *u = account_user(req);
	struct settings_errors errs = {NULL, NULL, NULL, NULL};
	int retry = 60;
	enum err e;

	e = bad ? ERR_INVALID
		: user_change_password(req->app, &req->arena, u, current,
				       password, req->client, &retry);
	if (e == ERR_LIMIT) {
		account_too_many(req, res, retry);
		return;
	}
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
	bool bad = req_any_bad(req);
	const char *email = req_text(req, "email");
	const char *password = req_text(req, "password");
	struct settings_errors errs = {NULL, NULL, NULL, NULL};
	int retry = 60;
	enum err e;

	e = bad ? ERR_INVALID
		: user_change_email(req->app, &req->arena, account_user(req),
				    password, email, req->client, &retry);
	if (e == ERR_LIMIT) {
		account_too_many(req, res, retry);
		return;
	}
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

/* GET /account/email?token=T: anyone with the emailed link.  Only asks. */
void
account_email_page(struct request *req, struct response *res)
{
	account_confirm_page(req, res, "email", "Confirm your new address",
			     "Use this address for your account from now on?",
			     "/account/email", "Use this address",
			     "/account/settings", "Your account");
}

/* POST /account/email: anyone with the emailed token; CSRF. */
void
account_email_confirm(struct request *req, struct response *res)
{
	const char *token = req_text(req, "token");
	struct user u;
	enum err e;

	e = req_any_bad(req)
		? ERR_NOTFOUND
		: user_confirm_email(req->app, &req->arena, token, &u);
	if (e == ERR_NOTFOUND) {
		account_link_expired(req, res, "/account/settings",
				     "Your account");
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
	const char *password = req_text(req, "password");
	const char *confirm = req_text(req, "confirm");
	const struct user *u = account_user(req);
	struct settings_errors errs = {NULL, NULL, NULL, NULL};
	int retry = 60;
	enum err e;

	if (strcmp(confirm, "delete") != 0) {
		errs.delete = "Type delete to confirm.";
	} else {
		e = user_own_password(req->app, u, password, req->client,
				      &retry);
		if (e == ERR_LIMIT) {
			account_too_many(req, res, retry);
			return;
		}
		if (e != ERR_OK)
			errs.delete = "Your password is not right.";
	}
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
