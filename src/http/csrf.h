/*
 * csrf: tokens that tie a form to the browser that loaded it.  Each
 * browser gets a visitor id the server made and signed (a random part
 * and its MAC under the site's secret) in an HttpOnly, SameSite=Lax
 * cookie, "__Host-" named behind HTTPS; a browser cannot choose it.  The
 * token is a MAC of that id, so nothing is stored on the server and a
 * page can be cached for everyone with only the token filled in per
 * reader.  Signing in and out gives the browser a new id.
 */
#ifndef PARLEY_CSRF_H
#define PARLEY_CSRF_H

#include <stdbool.h>

#include "http/request.h"

#define CSRF_COOKIE "parley_v"

/* This browser's visitor id when it is one we signed, else NULL. */
const char *csrf_visitor_id(struct request *req);

/*
 * The visitor id of this browser; when it has none (or one we did not sign),
 * makes one and adds its Set-Cookie header to res.  NULL when out of memory.
 */
const char *csrf_visitor(struct request *req, struct response *res);

/*
 * A new visitor id for this browser, whatever it had (sign-in, sign-out):
 * tokens of forms loaded before stop working.  NULL when out of memory.
 */
const char *csrf_rotate(struct request *req, struct response *res);

/* The token for a visitor id, in the request's arena. */
const char *csrf_token(struct request *req, const char *visitor);

/* True when the form's csrf field matches this browser's cookie. */
bool csrf_check(struct request *req);

/* A random URL-safe string of bytes*8 bits, in the arena. */
char *random_token(struct arena *a, size_t bytes);

#endif
