/*
 * csrf: tokens that tie a form to the browser that loaded it.  Each
 * browser gets a random visitor id in an HttpOnly, SameSite=Lax cookie;
 * the token is a MAC of that id under the site's secret, so nothing is
 * stored on the server and a page can be cached for everyone with only
 * the token filled in per reader.
 */
#ifndef PARLEY_CSRF_H
#define PARLEY_CSRF_H

#include <stdbool.h>

#include "http/request.h"

#define CSRF_COOKIE "parley_v"

/*
 * The visitor id of this browser; when it has none (or a malformed one),
 * makes one and adds its Set-Cookie header to res.  NULL when out of memory.
 */
const char *csrf_visitor(struct request *req, struct response *res);

/* The token for a visitor id, in the request's arena. */
const char *csrf_token(struct request *req, const char *visitor);

/* True when the form's csrf field matches this browser's cookie. */
bool csrf_check(struct request *req);

/* A random URL-safe string of bytes*8 bits, in the arena. */
char *random_token(struct arena *a, size_t bytes);

#endif
