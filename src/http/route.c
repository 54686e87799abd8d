#include "http/route.h"

#include <string.h>

#include "app.h"
#include "core/limits.h"
#include "http/csrf.h"
#include "model/session.h"

bool
route_info_at(const struct route_table *t, size_t i, struct route_info *out)
{
	const struct route *r;

	if (i >= t->n)
		return false;
	r = &t->routes[i];
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
			req->params[np] =
			    arena_strndup(&req->arena, path, slen);
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

const struct user *
route_user(struct request *req)
{
	const char *token;
	struct user *u;

	if (req->user_looked_up)
		return req->user;
	req->user_looked_up = true;
	token = request_cookie(req, SESSION_COOKIE);
	if (!session_token_valid(token))
		return NULL;
	u = arena_alloc(&req->arena, sizeof(*u));
	if (u == NULL ||
	    session_user(req->app, &req->arena, token, u) != ERR_OK)
		return NULL;
	req->user = u;
	return u;
}

/*
 * The sign-in and role flags: a reader who is not signed in is sent to
 * sign in (a GET) or refused (a POST); a signed-in reader without the
 * role is refused with 403.
 */
static bool
route_allowed(struct request *req, struct response *res, unsigned flags)
{
	const struct user *u = route_user(req);
	void (*error_page)(struct request *, struct response *, unsigned,
			   const char *) = req->app->routes->error_page;
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
			char *to =
			    path ? arena_printf(&req->arena,
						"/account/signin?next=%s", path)
				 : NULL;

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
	const struct route_table *t = req->app->routes;
	void (*error_page)(struct request *, struct response *, unsigned,
			   const char *) = t->error_page;
	const char *accept;
	size_t i;

	accept = request_header(req, "Accept");
	req->wants_json = accept && strstr(accept, "application/json") &&
			  !strstr(accept, "text/html");
	if (strlen(req->path) > LIMIT_URL || req->path[0] != '/') {
		error_page(req, res, 400,
			   "That address is not one we can read.");
		return;
	}
	for (i = 0; i < t->n; i++) {
		if (!match(req, t->routes[i].pattern, req->path))
			continue;
		path_known = true;
		allow_get |= t->routes[i].method == METHOD_GET;
		allow_post |= t->routes[i].method == METHOD_POST;
		if (method_fits(t->routes[i].method, req->method)) {
			r = &t->routes[i];
			break;
		}
	}
	if (r == NULL) {
		if (path_known) {
			(void)response_header(res, "Allow",
					      allow_get && allow_post
						  ? "GET, HEAD, POST"
					      : allow_get ? "GET, HEAD"
							  : "POST");
			error_page(req, res, 405,
				   "This address does not take that method.");
		} else {
			error_page(req, res, 404, NULL);
		}
		return;
	}
	if (r->flags & ROUTE_FORM) {
		const char *ct = request_header(req, "Content-Type");

		if (req->body_too_large) {
			error_page(req, res, 413,
				   "That is more than a form may send.");
			return;
		}
		if (ct == NULL ||
		    strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
			error_page(req, res, 415,
				   "Send the form as a web form.");
			return;
		}
		if (form_parse(&req->arena,
			       req->body.data ? req->body.data : "",
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
