/*
 * server: libmicrohttpd glue.  Reads each request whole (headers, then the
 * body up to a limit sized from the longest comment), hands it to the router,
 * sends the response, writes the access-log line and frees the request's arena.
 */
#ifndef PARLEY_SERVER_H
#define PARLEY_SERVER_H

#include <stdbool.h>

#include "core/buf.h"

struct app;
struct server;

/* Starts listening on app->cfg.listen; NULL with a message in err. */
struct server *server_start(struct app *app, struct buf *err);

/* The port actually bound (useful with port 0). */
unsigned server_port(struct server *srv);

/*
 * Stops accepting, waits up to grace_ms for requests in flight, then
 * closes every connection and frees the server.
 */
void server_stop(struct server *srv, int grace_ms);

#endif
