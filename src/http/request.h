/*
 * request and response: what a handler sees and what it fills in.  Both
 * live in the request's arena; the server frees it when the response has
 * been sent.
 */
#ifndef PARLEY_REQUEST_H
#define PARLEY_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "http/form.h"

struct app;
struct MHD_Connection;
struct page_entry;
struct route;
struct user;

enum method { METHOD_GET, METHOD_HEAD, METHOD_POST, METHOD_OTHER };

#define ROUTE_PARAMS	 4
#define RESPONSE_HEADERS 12
/* Cached entries a response may hold besides its page. */
#define RESPONSE_HELD 2

struct request {
	struct arena arena;
	struct app *app;
	struct MHD_Connection *conn;
	enum method method;
	const char *method_name;
	const char *path;		  /* decoded, without the query */
	const char *params[ROUTE_PARAMS]; /* captured path segments */
	struct fields form;		  /* a POST body's fields */
	struct fields cookies;
	char client[64]; /* the reader's address, text */
	bool wants_json;
	/* The raw body of a POST, capped at app->body_limit. */
	struct buf body;
	bool body_too_large;
	bool body_bad; /* not a form we understand */
	int64_t start_usec;
	/* The handler's own state for the reader's part of a page. */
	const void *page_state;
	/* The route being served, and its declared fields' values. */
	const struct route *route;
	struct input_value *inputs;
	/* The signed-in user, looked up once, lazily (web/account.c). */
	const struct user *user;
	bool user_looked_up;
	/*
	 * The CSRF token made for this request and the visitor it is for: a
	 * page with several forms computes its HMAC once (http/csrf.c).
	 */
	const char *csrf_for, *csrf_token;
};

struct header {
	const char *name;
	const char *value;
};

struct response {
	unsigned status;
	const char *content_type;
	struct buf body;
	/*
	 * A page from the cache, sent as pieces: the page's bytes between its
	 * holes, and fill[i] (fill_len[i] bytes, in the arena) in hole i, so
	 * one cached page serves every reader without being copied.  The
	 * response holds a reference until it is sent.
	 */
	struct page_entry *page;
	const char *const *fill;
	const size_t *fill_len;
	/*
	 * Cached entries whose bytes a fill points into (a debate's results),
	 * held until the response is sent: those fills are sent from the
	 * entry as they are, not copied.
	 */
	struct page_entry *held[RESPONSE_HELD];
	size_t nheld;
	struct header headers[RESPONSE_HEADERS];
	size_t nheaders;
};

/* A query parameter, or NULL. */
const char *request_query(struct request *req, const char *name);
/* A request header, or NULL. */
const char *request_header(struct request *req, const char *name);
/* A cookie's value, or NULL. */
const char *request_cookie(struct request *req, const char *name);
/* True when the site is served over HTTPS (its configured base_url). */
bool request_secure(const struct request *req);
/*
 * The name a cookie of ours has on this site: behind HTTPS "__Host-NAME",
 * which a browser accepts only Secure, for Path=/ and from this very host,
 * so no other site or subdomain can plant it; else NAME.
 */
const char *request_cookie_name(struct request *req, const char *name);
/* Our cookie NAME (by request_cookie_name), or NULL. */
const char *request_site_cookie(struct request *req, const char *name);
/* A form field's value (validated by the caller), or NULL. */
const struct field *request_field(struct request *req, const char *name);

/*
 * Suspension: a handler whose answer waits on something slow (a write's
 * durable commit) need not hold its server thread.  It starts the work,
 * calls request_suspend(req, cont, arg) and returns; no response is sent
 * and the thread serves other connections.  Whoever finishes the work
 * calls request_resume(req) once, from any thread (even before the
 * handler has returned); then cont(req, res, arg) runs on a server thread
 * and fills in the response as a handler would.  The request, its arena
 * and arg live until cont has run: the server does not stop before every
 * suspended request has been resumed.
 */
void request_suspend(struct request *req,
		     void (*cont)(struct request *req, struct response *res,
				  void *arg),
		     void *arg);
void request_resume(struct request *req);

/* Adds a response header; name and value must live as long as the response. */
bool response_header(struct response *res, const char *name, const char *value);
/*
 * Keeps a reference to cached entry e (taken by the caller) until the
 * response is sent; false when the response holds as many as it can (the
 * caller keeps its reference then).
 */
bool response_hold(struct response *res, struct page_entry *e);
/* True when fill[0..len) lies inside an entry the response holds. */
bool response_holds_bytes(const struct response *res, const char *fill,
			  size_t len);
/* Sets a 303 See Other to location (a path on this site). */
void response_redirect(struct response *res, const char *location);

#endif
