#include "http/route.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/parse.h"
#include "http/csrf.h"
#include "http/workers.h"
#include "model/session.h"

static bool route_strict;

void
route_set_strict(bool on)
{
	route_strict = on;
}

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
	out->json = (r->flags & ROUTE_JSON) != 0;
	out->hash = (r->flags & ROUTE_HASH) != 0;
	out->callout = (r->flags & ROUTE_CALLOUT) != 0;
	out->inputs = r->inputs;
	out->role = NULL;
	if (r->flags & ROUTE_ROLE_MODERATOR)
		out->role = "moderator";
	if (r->flags & ROUTE_ROLE_EDITOR)
		out->role = "editor";
	if (r->flags & ROUTE_ROLE_ADMIN)
		out->role = "admin";
	return true;
}

/* s as a JSON string's contents: quotes, backslashes and controls escaped. */
static bool
json_string(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool ok;

		if (c == '"' || c == '\\')
			ok = buf_putc(b, '\\') && buf_putc(b, (char)c);
		else if (c < 0x20)
			ok = buf_printf(b, "\\u%04x", c);
		else
			ok = buf_putc(b, (char)c);
		if (!ok)
			return false;
	}
	return true;
}

/*
 * Refuses req in the envelope of route r (NULL: none matched): the
 * table's HTML error page, or for a route that answers JSON, a JSON
 * object {"error":{"status":N,"message":"..."}}, so a client of that
 * route never has to read an HTML page.
 */
/* A handler to run on a hash worker, and what it answers into. */
struct offload {
	struct request *req;
	struct response *res;
	const struct route *route;
};

/* On a hash worker: the handler fills in the response, then wakes it. */
static void
offload_run(void *arg)
{
	struct offload *o = arg;

	o->route->handler(o->req, o->res);
	request_resume(o->req);
}

/* Back on a server thread: the worker filled the response in already. */
static void
offload_answer(struct request *req, struct response *res, void *arg)
{
	(void)req;
	(void)res;
	(void)arg;
}

static void refuse(struct request *req, struct response *res,
		   const struct route *r, unsigned status, const char *message);

/*
 * Runs route r's handler on the workers of pool (the hash workers, or the
 * callers), the connection suspended meanwhile; 503 at once when as many
 * requests wait as the queue holds.
 */
static void
offload(struct request *req, struct response *res, const struct route *r,
	struct workers *pool)
{
	struct offload *o = arena_alloc(&req->arena, sizeof(*o));

	if (o == NULL || !workers_reserve(pool)) {
		(void)response_header(res, "Retry-After", "5");
		refuse(req, res, r, 503,
		       "Too many sign-ins are waiting just now. Please try "
		       "again in a few seconds.");
		return;
	}
	o->req = req;
	o->res = res;
	o->route = r;
	request_suspend(req, offload_answer, o);
	workers_push(pool, offload_run, o);
}

static void
refuse(struct request *req, struct response *res, const struct route *r,
       unsigned status, const char *message)
{
	if (r == NULL || !(r->flags & ROUTE_JSON)) {
		req->app->routes->error_page(req, res, status, message);
		return;
	}
	buf_reset(&res->body);
	res->status = status;
	res->content_type = "application/json";
	(void)response_header(res, "Cache-Control", "no-store");
	if (!buf_printf(&res->body, "{\"error\":{\"status\":%u,\"message\":\"",
			status) ||
	    !json_string(&res->body, message ? message : "") ||
	    !buf_puts(&res->body, "\"}}\n")) {
		buf_reset(&res->body);
		res->status = 503;
	}
}

/*
 * Reads every field route r declares into req->inputs, and refuses the
 * request (in the route's envelope) at the first that is missing when
 * required or bad, unless its handler explains that itself.  False when
 * the request was refused.
 */
static bool
read_inputs(struct request *req, struct response *res, const struct route *r)
{
	const struct input *in;
	size_t n = 0, i, np = 0;

	for (in = r->inputs; in != NULL && in->name != NULL; in++)
		n++;
	if (n == 0)
		return true;
	req->inputs = arena_zalloc(&req->arena, n * sizeof(*req->inputs));
	if (req->inputs == NULL) {
		refuse(req, res, r, 503, NULL);
		return false;
	}
	for (i = 0; i < n; i++) {
		struct input_value *v = &req->inputs[i];
		const char *value = NULL;
		size_t len = 0;

		/* A form field may hold a NUL; a path or query value cannot. */
		in = &r->inputs[i];
		if (in->flags & INPUT_PATH) {
			value = np < ROUTE_PARAMS ? req->params[np++] : NULL;
			len = value ? strlen(value) : 0;
		} else if (r->method == METHOD_POST) {
			const struct field *f =
			    fields_get(&req->form, in->name);

			value = f ? f->value : NULL;
			len = f ? f->len : 0;
		} else {
			value = request_query(req, in->name);
			len = value ? strlen(value) : 0;
		}
		if (!input_read(&req->arena, in, value, len, v)) {
			refuse(req, res, r, 503, NULL);
			return false;
		}
		if (in->flags & INPUT_OWN)
			continue;
		if ((in->flags & INPUT_PATH) && (v->bad || !v->present)) {
			refuse(req, res, r, 404, NULL);
			return false;
		}
		if (v->bad || (!v->present && (in->flags & INPUT_REQUIRED))) {
			const char *why = in->message;

			if (why == NULL)
				why = arena_printf(
				    &req->arena,
				    v->bad ? "The field %s is not one we can "
					     "read."
					   : "The field %s is missing.",
				    in->name);
			refuse(req, res, r, in->status ? in->status : 400, why);
			return false;
		}
	}
	return true;
}

static const struct input_value *
value_of(const struct request *req, const char *name)
{
	static const struct input_value none = {.text = ""};
	const struct route *r = req->route;
	size_t i;

	for (i = 0; r != NULL && r->inputs != NULL && r->inputs[i].name; i++)
		if (strcmp(r->inputs[i].name, name) == 0)
			return req->inputs ? &req->inputs[i] : &none;
	log_warnx("route %s reads the field %s, which it does not declare",
		  r ? r->pattern : "(none)", name);
	if (route_strict)
		abort();
	return &none;
}

const char *
req_text(const struct request *req, const char *name)
{
	return value_of(req, name)->text;
}

int64_t
req_int(const struct request *req, const char *name)
{
	return value_of(req, name)->num;
}

int64_t
req_id(const struct request *req, const char *name)
{
	return value_of(req, name)->num;
}

bool
req_has(const struct request *req, const char *name)
{
	const struct input_value *v = value_of(req, name);

	return v->present && !v->bad;
}

bool
req_bad(const struct request *req, const char *name)
{
	return value_of(req, name)->bad;
}

const char *
req_raw(const struct request *req, const char *name, size_t *len)
{
	const struct input_value *v = value_of(req, name);

	*len = v->raw_len;
	return v->raw;
}

bool
req_ids(const struct request *req, const char *name, int64_t *out, size_t max,
	size_t *n)
{
	size_t i;

	*n = 0;
	(void)value_of(req, name); /* declared, or the strict check aborts */
	for (i = 0; i < req->form.count; i++) {
		const struct field *f = &req->form.items[i];

		if (strcmp(f->name, name) != 0)
			continue;
		if (*n == max || strlen(f->value) != f->len ||
		    !parse_id(f->value, &out[*n])) {
			*n = 0;
			return false;
		}
		(*n)++;
	}
	return true;
}

bool
req_any_bad(const struct request *req)
{
	const struct route *r = req->route;
	size_t i;

	for (i = 0; r && r->inputs && r->inputs[i].name && req->inputs; i++)
		if (req->inputs[i].bad)
			return true;
	return false;
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
	token = request_site_cookie(req, SESSION_COOKIE);
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
route_allowed(struct request *req, struct response *res, const struct route *r)
{
	const struct user *u = route_user(req);
	unsigned flags = r->flags;
	enum role need = ROLE_READER;

	if (flags & ROUTE_ROLE_MODERATOR)
		need = ROLE_MODERATOR;
	if (flags & ROUTE_ROLE_EDITOR)
		need = ROLE_EDITOR;
	if (flags & ROUTE_ROLE_ADMIN)
		need = ROLE_ADMIN;
	if (u == NULL) {
		if (req->method == METHOD_POST) {
			refuse(req, res, r, 403, "Please sign in first.");
		} else {
			const char *path = url_encode(&req->arena, req->path);
			char *to =
			    path ? arena_printf(&req->arena,
						"/account/signin?next=%s", path)
				 : NULL;

			if (to == NULL) {
				refuse(req, res, r, 503, NULL);
				return false;
			}
			response_redirect(res, to);
		}
		return false;
	}
	if (u->role < need) {
		refuse(req, res, r, 403, "This page is for the site's staff.");
		return false;
	}
	return true;
}

void
route_dispatch(struct request *req, struct response *res)
{
	const struct route *r = NULL, *seen = NULL;
	bool allow_get = false, allow_post = false;
	const struct route_table *t = req->app->routes;
	const char *accept;
	size_t i;

	accept = request_header(req, "Accept");
	req->wants_json = accept && strstr(accept, "application/json") &&
			  !strstr(accept, "text/html");
	if (strlen(req->path) > LIMIT_URL || req->path[0] != '/') {
		refuse(req, res, NULL, 400,
		       "That address is not one we can read.");
		return;
	}
	for (i = 0; i < t->n; i++) {
		if (!match(req, t->routes[i].pattern, req->path))
			continue;
		if (seen == NULL)
			seen = &t->routes[i];
		allow_get |= t->routes[i].method == METHOD_GET;
		allow_post |= t->routes[i].method == METHOD_POST;
		if (method_fits(t->routes[i].method, req->method)) {
			r = &t->routes[i];
			break;
		}
	}
	if (r == NULL) {
		if (seen != NULL) {
			(void)response_header(res, "Allow",
					      allow_get && allow_post
						  ? "GET, HEAD, POST"
					      : allow_get ? "GET, HEAD"
							  : "POST");
			refuse(req, res, seen, 405,
			       "This address does not take that method.");
		} else {
			refuse(req, res, NULL, 404, NULL);
		}
		return;
	}
	req->route = r;
	if (r->flags & ROUTE_FORM) {
		const char *ct = request_header(req, "Content-Type");

		if (req->body_too_large) {
			refuse(req, res, r, 413,
			       "That is more than a form may send.");
			return;
		}
		if (ct == NULL ||
		    strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
			refuse(req, res, r, 415,
			       "Send the form as a web form.");
			return;
		}
		if (form_parse(&req->arena,
			       req->body.data ? req->body.data : "",
			       req->body.len, LIMIT_FORM_FIELDS,
			       &req->form) != FORM_OK) {
			refuse(req, res, r, 400, "The form arrived damaged.");
			return;
		}
	}
	if ((r->flags & ROUTE_CSRF) && !csrf_check(req)) {
		refuse(req, res, r, 403,
		       "This form has expired or did not come from this "
		       "site. Reload the page and send it again.");
		return;
	}
	if ((r->flags & (ROUTE_SIGNIN | ROUTE_ROLE_MODERATOR |
			 ROUTE_ROLE_EDITOR | ROUTE_ROLE_ADMIN)) &&
	    !route_allowed(req, res, r))
		return;
	/* Fields last: a refused visitor learns nothing of what they sent. */
	if (!read_inputs(req, res, r))
		return;
	if ((r->flags & ROUTE_HASH) && req->app->hashers) {
		offload(req, res, r, req->app->hashers);
		return;
	}
	if ((r->flags & ROUTE_CALLOUT) && req->app->callers) {
		offload(req, res, r, req->app->callers);
		return;
	}
	r->handler(req, res);
}
