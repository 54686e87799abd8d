/*
 * form: application/x-www-form-urlencoded bodies and query strings, and
 * Cookie headers.  Untrusted bytes: both parsers are fuzzed.
 */
#ifndef PARLEY_FORM_H
#define PARLEY_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

struct field {
	const char *name;
	const char *value; /* NUL-terminated; may hold other NULs */
	size_t len;	   /* of value */
};

struct fields {
	struct field *items;
	size_t count;
};

enum form_result {
	FORM_OK,
	FORM_NOMEM,
	FORM_TOO_MANY, /* more than max fields */
	FORM_BAD,      /* a broken %-escape */
};

/*
 * Parses "a=1&b=x+y%21" into out (items in the arena).  Empty pairs are
 * skipped; a name without '=' gets an empty value.  A broken escape
 * ("%zz", "%4") is FORM_BAD.
 */
enum form_result form_parse(struct arena *a, const char *s, size_t n,
			    size_t max, struct fields *out);

/*
 * Parses a Cookie header ("a=1; b=2").  Values are taken as they are
 * (no %-decoding), surrounding double quotes removed; malformed pairs
 * (no '=', an empty name, a control character other than tab) are
 * skipped; at most max cookies are kept.
 */
enum form_result cookie_parse(struct arena *a, const char *s, size_t max,
			      struct fields *out);

/* The first field called name, or NULL. */
const struct field *fields_get(const struct fields *f, const char *name);

/* Percent-encodes s for a URL query value into the arena. */
char *url_encode(struct arena *a, const char *s);

#endif
