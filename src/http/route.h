/*
 * route: THE table from method and path pattern to handler, with the
 * checks the router makes before a handler runs (CSRF, for now).
 */
#ifndef PARLEY_ROUTE_H
#define PARLEY_ROUTE_H

#include "http/request.h"

/* Finds the handler for req and runs it, or fills in an error page. */
void route_dispatch(struct request *req, struct response *res);

#endif
