#include "http/route.h"

#include <string.h>

#include "core/limits.h"
#include "http/csrf.h"
#include "web/web.h"

enum route_flags {
	ROUTE_CSRF = 1 << 0,	/* a POST whose form must carry the token */
	ROUTE_FORM = 1 << 1,	/* parse the body as a urlencoded form */
};

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
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

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

void
route_dispatch(struct request *req, struct response *res)
{
	const struct route *r = NULL;
	bool path_known = false;
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
		if (method_fits(routes[i].method, req->method)) {
			r = &routes[i];
			break;
		}
	}
	if (r == NULL) {
		if (path_known) {
			(void)response_header(res, "Allow", "GET, HEAD, POST");
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
	r->handler(req, res);
}
