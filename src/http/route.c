#include "http/route.h"

#include <string.h>

#include "core/limits.h"
#include "http/csrf.h"
#include "web/account.h"
#include "web/web.h"

enum route_flags {
	ROUTE_CSRF = 1 << 0,	/* a POST whose form must carry the token */
	ROUTE_FORM = 1 << 1,	/* parse the body as a urlencoded form */
	/* Who may come: signed in, and at least this role. */
	ROUTE_SIGNIN = 1 << 2,
	ROUTE_ROLE_MODERATOR = 1 << 3,
	ROUTE_ROLE_EDITOR = 1 << 4,
	ROUTE_ROLE_ADMIN = 1 << 5,
};

#define ROUTE_POST_FORM (ROUTE_CSRF | ROUTE_FORM)

struct route {
	enum method method;
	const char *pattern;	/* literal segments; "*" captures one */
	void (*handler)(struct request *, struct response *);
	unsigned flags;
};

/* THE route table.  A GET route also answers HEAD. */
static const struct route routes[] = {
	{ METHOD_GET, "/", home_page, 0 },
	{ METHOD_GET, "/articles/*", article_page, 0 },
	{ METHOD_POST, "/articles/*/comments", comment_post,
	  ROUTE_CSRF | ROUTE_FORM },
	{ METHOD_GET, "/comments/*", comment_permalink, 0 },
	{ METHOD_GET, "/avatars/*", avatar_image, 0 },
	{ METHOD_GET, "/static/*", static_file, 0 },
	{ METHOD_GET, "/static/*/*", static_file, 0 },
	{ METHOD_GET, "/healthz", health_check, 0 },
	{ METHOD_GET, "/debates", debate_list_page, 0 },
	{ METHOD_GET, "/debates/*", debate_page, 0 },
	{ METHOD_POST, "/debates/*/vote", debate_vote_post, ROUTE_CSRF | ROUTE_FORM },
	{ METHOD_POST, "/debates/*/minds", debate_mind_post, ROUTE_CSRF | ROUTE_FORM },
	{ METHOD_POST, "/debates/*/comments", debate_comment_post,
	  ROUTE_CSRF | ROUTE_FORM },
	{ METHOD_POST, "/debates/*/feature", debate_feature_post,
	  ROUTE_CSRF | ROUTE_FORM | ROUTE_ROLE_EDITOR },
	/* Identity (web/account.c, web/oidc.c). */
	{ METHOD_GET, "/account/signin", account_signin_page, 0 },
	{ METHOD_POST, "/account/signin", account_signin_post, ROUTE_POST_FORM },
	{ METHOD_GET, "/account/signup", account_signup_page, 0 },
	{ METHOD_POST, "/account/signup", account_signup_post, ROUTE_POST_FORM },
	{ METHOD_GET, "/account/signout", account_signout_page, 0 },
	{ METHOD_POST, "/account/signout", account_signout_post, ROUTE_POST_FORM },
	{ METHOD_POST, "/account/signout-all", account_signout_all,
	  ROUTE_POST_FORM | ROUTE_SIGNIN },
	{ METHOD_GET, "/account/verify", account_verify, 0 },
	{ METHOD_GET, "/account/reset", account_reset_page, 0 },
	{ METHOD_POST, "/account/reset", account_reset_post, ROUTE_POST_FORM },
	{ METHOD_POST, "/account/reset/password", account_reset_password,
	  ROUTE_POST_FORM },
	{ METHOD_GET, "/account/settings", account_settings_page, ROUTE_SIGNIN },
	{ METHOD_POST, "/account/settings/name", account_settings_name,
	  ROUTE_POST_FORM | ROUTE_SIGNIN },
	{ METHOD_POST, "/account/settings/password", account_settings_password,
	  ROUTE_POST_FORM | ROUTE_SIGNIN },
	{ METHOD_POST, "/account/settings/email", account_settings_email,
	  ROUTE_POST_FORM | ROUTE_SIGNIN },
	{ METHOD_GET, "/account/email", account_email_confirm, 0 },
	{ METHOD_POST, "/account/delete", account_delete_post,
	  ROUTE_POST_FORM | ROUTE_SIGNIN },
	{ METHOD_GET, "/account/setup", account_setup_page, 0 },
	{ METHOD_POST, "/account/setup", account_setup_post, ROUTE_POST_FORM },
	{ METHOD_GET, "/account/link", oidc_link_page, 0 },
	{ METHOD_POST, "/account/link", oidc_link_post, ROUTE_POST_FORM },
	{ METHOD_GET, "/users/*", account_profile, 0 },
	{ METHOD_GET, "/auth/*/start", oidc_start, 0 },
	{ METHOD_GET, "/auth/*/callback", oidc_callback, 0 },
	{ METHOD_GET, "/desk", account_desk, ROUTE_ROLE_MODERATOR },
	{ METHOD_GET, "/admin/users", account_admin_users, ROUTE_ROLE_ADMIN },
	{ METHOD_POST, "/admin/users/role", account_admin_role,
	  ROUTE_POST_FORM | ROUTE_ROLE_ADMIN },
	{ METHOD_POST, "/admin/users/disable", account_admin_disable,
	  ROUTE_POST_FORM | ROUTE_ROLE_ADMIN },
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

bool
route_info_at(size_t i, struct route_info *out)
{
	const struct route *r;

	if (i >= NROUTES)
		return false;
	r = &routes[i];
	out->method = r->method == METHOD_POST ? "POST" : "GET";
	out->pattern = r->pattern;
	out->csrf = (r->flags & ROUTE_CSRF) != 0;
	out->form = (r->flags & ROUTE_FORM) != 0;
	out->signin = (r->flags & ROUTE_SIGNIN) != 0;
	/* The highest role wins, as route_allowed() reads the flags. */
	out->role = NULL;
	if (r->flags & ROUTE_ROLE_MODERATOR)
		out->role = "moderator";
	if (r->flags & ROUTE_ROLE_EDITOR)
		out->role = "editor";
	if (r->flags & ROUTE_ROLE_ADMIN)
		out->role = "admin";
	return true;
}

/* Matches path against pattern, capturing "*" segments into params. */
static bool
match(struct request *req, const char *pattern, const char *path)
{
	size_t np = 0;

	for (;;) {
		const char *pend, *send;
		size_t plen, slen;

		if (*pattern == '\0' || *path == '\0')
			return *pattern == '\0' &&
			       (*path == '\0' || strcmp(path, "/") == 0);
		if (*pattern != '/' || *path != '/')
			return false;
		pattern++;
		path++;
		pend = strchr(pattern, '/');
		send = strchr(path, '/');
		plen = pend ? (size_t)(pend - pattern) : strlen(pattern);
		slen = send ? (size_t)(send - path) : strlen(path);
		if (plen == 1 && *pattern == '*') {
			if (slen == 0 || np == ROUTE_PARAMS)
				return false;
			req->params[np] = arena_strndup(&req->arena, path, slen);
			if (req->params[np] == NULL)
				return false;
			np++;
		} else if (plen != slen || strncmp(pattern, path, plen) != 0) {
			return false;
		}
		pattern += plen;
		path += slen;
	}
}

static bool
method_fits(enum method want, enum method got)
{
	return want == got || (want == METHOD_GET && got == METHOD_HEAD);
}

/*
 * The sign-in and role flags: a reader who is not signed in is sent to
 * sign in (a GET) or refused (a POST); a signed-in reader without the
 * role is refused with 403.
 */
static bool
route_allowed(struct request *req, struct response *res, unsigned flags)
{
	const struct user *u = account_user(req);
	enum role need = ROLE_READER;

	if (flags & ROUTE_ROLE_MODERATOR)
		need = ROLE_MODERATOR;
	if (flags & ROUTE_ROLE_EDITOR)
		need = ROLE_EDITOR;
	if (flags & ROUTE_ROLE_ADMIN)
		need = ROLE_ADMIN;
	if (u == NULL) {
		if (req->method == METHOD_POST) {
			error_page(req, res, 403, "Please sign in first.");
		} else {
			const char *path = url_encode(&req->arena, req->path);
			char *to = path ? arena_printf(&req->arena,
						       "/account/signin?next=%s",
						       path) : NULL;

			if (to == NULL) {
				error_page(req, res, 503, NULL);
				return false;
			}
			response_redirect(res, to);
		}
		return false;
	}
	if (u->role < need) {
		error_page(req, res, 403, "This page is for the site's staff.");
		return false;
	}
	return true;
}

void
route_dispatch(struct request *req, struct response *res)
{
	const struct route *r = NULL;
	bool path_known = false, allow_get = false, allow_post = false;
	const char *accept;
	size_t i;

	accept = request_header(req, "Accept");
	req->wants_json = accept && strstr(accept, "application/json") &&
			  !strstr(accept, "text/html");
	if (strlen(req->path) > LIMIT_URL || req->path[0] != '/') {
		error_page(req, res, 400, "That address is not one we can read.");
		return;
	}
	for (i = 0; i < NROUTES; i++) {
		if (!match(req, routes[i].pattern, req->path))
			continue;
		path_known = true;
		allow_get |= routes[i].method == METHOD_GET;
		allow_post |= routes[i].method == METHOD_POST;
		if (method_fits(routes[i].method, req->method)) {
			r = &routes[i];
			break;
		}
	}
	if (r == NULL) {
		if (path_known) {
			(void)response_header(res, "Allow",
					      allow_get && allow_post ? "GET, HEAD, POST" :
					      allow_get ? "GET, HEAD" : "POST");
			error_page(req, res, 405, "This address does not take that method.");
		} else {
			error_page(req, res, 404, NULL);
		}
		return;
	}
	if (r->flags & ROUTE_FORM) {
		const char *ct = request_header(req, "Content-Type");

		if (req->body_too_large) {
			error_page(req, res, 413, "That is more than a form may send.");
			return;
		}
		if (ct == NULL ||
		    strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
			error_page(req, res, 415, "Send the form as a web form.");
			return;
		}
		if (form_parse(&req->arena, req->body.data ? req->body.data : "",
			       req->body.len, LIMIT_FORM_FIELDS,
			       &req->form) != FORM_OK) {
			error_page(req, res, 400, "The form arrived damaged.");
			return;
		}
	}
	if ((r->flags & ROUTE_CSRF) && !csrf_check(req)) {
		error_page(req, res, 403,
			   "This form has expired or did not come from this "
			   "site. Reload the page and send it again.");
		return;
	}
	if ((r->flags & (ROUTE_SIGNIN | ROUTE_ROLE_MODERATOR |
			 ROUTE_ROLE_EDITOR | ROUTE_ROLE_ADMIN)) &&
	    !route_allowed(req, res, r->flags))
		return;
	r->handler(req, res);
}
