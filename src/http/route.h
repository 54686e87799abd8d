/*
 * route: the router.  It matches a request against a table from method
 * and path pattern to handler, and makes the checks each row asks for
 * before the handler runs (form, CSRF, sign-in, role, declared fields).  The
 * table itself lives with the handlers (web/routes.c); the router takes it as
 * data, from the app, so http/ never names a handler.
 */
#ifndef PARLEY_ROUTE_H
#define PARLEY_ROUTE_H

#include "http/request.h"

enum route_flags {
	ROUTE_CSRF = 1 << 0, /* a POST whose form must carry the token */
	ROUTE_FORM = 1 << 1, /* parse the body as a urlencoded form */
	/* Who may come: signed in, and at least this role. */
	ROUTE_SIGNIN = 1 << 2,
	ROUTE_ROLE_MODERATOR = 1 << 3,
	ROUTE_ROLE_EDITOR = 1 << 4,
	ROUTE_ROLE_ADMIN = 1 << 5,
	/* The route answers JSON: the router's refusals are JSON too. */
	ROUTE_JSON = 1 << 6,
	/*
	 * The handler checks or makes a password hash: it runs on the
	 * app's hash workers (http/workers.h) while the connection waits
	 * suspended, so it holds no server thread; 503 when their queue is
	 * full.
	 */
	ROUTE_HASH = 1 << 7,
	/*
	 * The handler may call out to another site (an external sign-in
	 * provider): it runs on the app's callers, apart from the hash
	 * workers, so a provider that never answers holds no server thread
	 * and no password check; 503 when their queue is full.
	 */
	ROUTE_CALLOUT = 1 << 8,
};

#define ROUTE_POST_FORM (ROUTE_CSRF | ROUTE_FORM)

/* One row of a route table. */
struct route {
	enum method method;
	const char *pattern; /* literal segments; "*" captures one */
	void (*handler)(struct request *, struct response *);
	unsigned flags;
	/*
	 * The fields the handler reads, ended by an entry without a name
	 * (NULL: none).  The router reads and checks them before the
	 * handler runs; see struct input in http/form.h.
	 */
	const struct input *inputs;
};

struct route_table {
	const struct route *routes; /* a GET route also answers HEAD */
	size_t n;
	/* How the table's handlers show an error; the router's refusals use it.
	 */
	void (*error_page)(struct request *req, struct response *res,
			   unsigned status, const char *message);
};

/*
 * Finds the handler for req in req->app->routes and runs it, or fills in
 * an error page.
 */
void route_dispatch(struct request *req, struct response *res);

/*
 * The signed-in user of req (the session cookie's, looked up once,
 * lazily, through the model), or NULL.
 */
const struct user *route_user(struct request *req);

/*
 * A declared field's value, for the handler of the route that declares
 * it.  Reading a name the route does not declare is a bug: it is logged,
 * aborts in checked mode (route_set_strict), and reads as absent.
 *
 * req_text: the text ("" when absent or bad); req_int and req_id: the
 * number (0 when absent or bad); req_has: sent and good; req_bad: sent
 * and not good (for INPUT_OWN fields, whose handler explains it);
 * req_any_bad: any declared field sent and not good.
 */
const char *req_text(const struct request *req, const char *name);
int64_t req_int(const struct request *req, const char *name);
int64_t req_id(const struct request *req, const char *name);
bool req_has(const struct request *req, const char *name);
bool req_bad(const struct request *req, const char *name);
bool req_any_bad(const struct request *req);
/*
 * The value as sent, bad or not (NULL when absent), with its length in
 * *len: for an INPUT_OWN field that the model checks itself, such as the
 * comment form's, whose refusals say which character it cannot store.
 */
const char *req_raw(const struct request *req, const char *name, size_t *len);

/*
 * Every value of a declared form field sent once per checked box (name
 * repeated), read as ids into out[0..*n): false when one is not an id or
 * there are more than max (nothing then counts).
 */
bool req_ids(const struct request *req, const char *name, int64_t *out,
	     size_t max, size_t *n);

/* Checked mode, for tests: an undeclared field read aborts. */
void route_set_strict(bool on);

/* One row of the route table as operators and tests read it. */
struct route_info {
	const char *method;	    /* "GET" (also answers HEAD) or "POST" */
	const char *pattern;	    /* literal segments; "*" captures one */
	bool csrf;		    /* the form must carry the CSRF token */
	bool form;		    /* the body is parsed as a web form */
	bool signin;		    /* only for signed-in readers */
	const char *role;	    /* "moderator", "editor", "admin" or NULL */
	bool json;		    /* answers, and refuses, in JSON */
	bool hash;		    /* runs on the hash workers */
	bool callout;		    /* runs on the callers */
	const struct input *inputs; /* the declared fields, or NULL */
};

/*
 * Fills in the i-th row of the table, read-only; false when i is past
 * the end, so callers loop until it says so.
 */
bool route_info_at(const struct route_table *t, size_t i,
		   struct route_info *out);

#endif
