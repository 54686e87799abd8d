/* account_reset: a forgotten password, reset through an emailed link. */
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

/* GET /account/reset[?token=T]: anyone.  Asks for the address, or a new
 * password. */
void
account_reset_page(struct request *req, struct response *res)
{
	const char *token =
	    req_has(req, "token") ? req_text(req, "token") : NULL;
	struct tv *v;
	struct user u;

	if (token == NULL) {
		v = account_view(req, res, "Reset your password", ACCOUNT_CSRF);
		if (v && !tv_put_str(v, "email", ""))
			v = NULL;
		page_render(req, res, 200, "account_reset", v);
		return;
	}
	if (user_reset_peek(req->app, &req->arena, token, &u) != ERR_OK) {
		account_link_expired(req, res, "/account/reset",
				     "Ask for a new link");
		return;
	}
	v = account_view(req, res, "Choose a new password", ACCOUNT_CSRF);
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
	bool bad = req_any_bad(req);
	const char *email = req_text(req, "email");
	int retry = 60;
	enum err e = user_reset_request(req->app, &req->arena, email,
					req->client, &retry);

	if (e == ERR_LIMIT) {
		account_too_many(req, res, retry);
		return;
	}
	if (e == ERR_INVALID || bad) {
		struct tv *v =
		    account_view(req, res, "Reset your password", ACCOUNT_CSRF);

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
	bool bad = req_any_bad(req);
	const char *token = req_text(req, "token");
	const char *password = req_text(req, "password");
	const char *why = user_check_password(password);
	struct user u;
	enum err e;

	if (why || bad) {
		struct tv *v = account_view(req, res, "Choose a new password",
					    ACCOUNT_CSRF);

		if (v && (!tv_put_str(v, "token", token) ||
			  !tv_put_str(v, "error",
				      why ? why : "The form arrived damaged.")))
			v = NULL;
		page_render(req, res, 422, "account_password", v);
		return;
	}
	e = user_reset(req->app, &req->arena, token, password, &u);
	if (e == ERR_NOTFOUND) {
		account_link_expired(req, res, "/account/reset",
				     "Ask for a new link");
		return;
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	account_signed_in(req, res, &u, "/account/settings?done=password");
}
