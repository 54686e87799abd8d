/*
 * fetch: the site's own outgoing HTTP requests (to sign-in providers),
 * through libcurl: http and https only, no redirects followed, short
 * time limits, and answers capped at FETCH_MAX bytes.  Never used for
 * anything a reader names.
 */
#ifndef PARLEY_FETCH_H
#define PARLEY_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"

#define FETCH_MAX (1024 * 1024)

struct fetch_result {
	long status;
	const char *body; /* NUL-terminated, in the arena */
	size_t len;
};

/* Call once, before any thread starts, and at the very end. */
bool fetch_global_init(void);
void fetch_global_cleanup(void);

/*
 * GET url (with "Authorization: Bearer bearer" when not NULL), or with
 * form not NULL a POST of that urlencoded form, with HTTP Basic
 * credentials when user is not NULL.  False with a message in err when
 * no answer came; any answer (a 4xx too) is true.
 */
bool fetch_url(struct arena *a, const char *url, const char *bearer,
	       const char *form, const char *user, const char *password,
	       struct fetch_result *out, struct buf *err);

#endif
