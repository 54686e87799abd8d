/*
 * route: THE table from method and path pattern to handler, with the
 * checks the router makes before a handler runs (CSRF, for now).
 */
#ifndef PARLEY_ROUTE_H
#define PARLEY_ROUTE_H

#include "http/request.h"

/* Finds the handler for req and runs it, or fills in an error page. */
void route_dispatch(struct request *req, struct response *res);

/* One row of the route table as operators and tests read it. */
struct route_info {
	const char *method;	/* "GET" (also answers HEAD) or "POST" */
	const char *pattern;	/* literal segments; "*" captures one */
	bool csrf;		/* the form must carry the CSRF token */
	bool form;		/* the body is parsed as a web form */
	bool signin;		/* only for signed-in readers */
	const char *role;	/* "moderator", "editor", "admin" or NULL */
};

/*
 * Fills in the i-th row of the table, read-only; false when i is past
 * the end, so callers loop until it says so.
 */
bool route_info_at(size_t i, struct route_info *out);

#endif
