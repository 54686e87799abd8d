/* account_admin: the first admin, the user list, roles and disabling,
 * and the staff desk. */
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
#include "web/moderate.h"
#include "web/web.h"

/* GET /account/setup?token=T: the one-time link `parley serve` prints. */
void
account_setup_page(struct request *req, struct response *res)
{
	const char *token =
	    req_has(req, "token") ? req_text(req, "token") : NULL;
	struct user_token t;
	char hash[65];
	struct tv *v;

	if (token == NULL || !user_token_valid(token)) {
		account_link_expired(req, res, "/", "Front page");
		return;
	}
	user_token_hash(token, hash);
	if (user_setup_token(req->app, &req->arena, hash, false, &t) !=
	    ERR_OK) {
		account_link_expired(req, res, "/", "Front page");
		return;
	}
	v = account_view(req, res, "Create the first admin", ACCOUNT_CSRF);
	if (v && (!tv_put_str(v, "token", token) ||
		  !tv_put_str(v, "name", "") || !tv_put_str(v, "email", "")))
		v = NULL;
	page_render(req, res, 200, "account_setup", v);
}

/* POST /account/setup: with the link's token; CSRF.  Fields: token, name,
 * email, password. */
void
account_setup_post(struct request *req, struct response *res)
{
	bool bad = req_any_bad(req);
	const char *token = req_text(req, "token");
	const char *name = req_text(req, "name");
	const char *email = req_text(req, "email");
	const char *password = req_text(req, "password");
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
		struct tv *v = account_view(req, res, "Create the first admin",
					    ACCOUNT_CSRF);

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
		account_link_expired(req, res, "/", "Front page");
		return;
	}
	user_token_hash(token, hash);
	e = user_setup_token(req->app, &req->arena, hash, true, &t);
	if (e == ERR_NOTFOUND) {
		account_link_expired(req, res, "/", "Front page");
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
	v = account_view(req, res, "Users", ACCOUNT_CSRF);
	if (v && (items = tv_put_list(v, "users")) == NULL)
		v = NULL;
	for (i = 0; v && i < n; i++) {
		struct tv *it = tv_push(items), *roles;

		if (it == NULL || !tv_put_int(it, "id", list[i].id) ||
		    !tv_put_str(it, "name", list[i].name) ||
		    !tv_put_str(it, "email", list[i].email) ||
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

/* POST /admin/users/role: admins; CSRF.  Fields: id, role. */
void
account_admin_role(struct request *req, struct response *res)
{
	int64_t id = req_id(req, "id");
	enum role role;
	enum err e;

	/* The router refused a missing or malformed id or role. */
	if (!role_parse(req_text(req, "role"), &role)) {
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
	/* The router refused a missing or malformed id or flag. */
	int64_t id = req_id(req, "id");
	enum err e;

	if (id == account_user(req)->id) {
		error_page(req, res, 409,
			   "You cannot disable your own account.");
		return;
	}
	e = user_set_disabled(req->app, &req->arena, id,
			      req_int(req, "disabled") == 1);
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
	struct tv *v = account_view(
	    req, res, "Desk", ACCOUNT_ME | ACCOUNT_ME_ROLE | ACCOUNT_ME_ADMIN);

	/* The moderation queue's count is every staff page's (page_view()). */
	page_render(req, res, 200, "account_desk", v);
}
