/*
 * form: application/x-www-form-urlencoded bodies and query strings, and
 * Cookie headers.  Untrusted bytes: both parsers are fuzzed.
 */
#ifndef PARLEY_FORM_H
#define PARLEY_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/*
 * Typed inputs.  Each route declares the fields its handler reads (in
 * the route table, web/routes.c); the router reads and checks them once,
 * before the handler runs, and the handler reads typed values only.
 */
enum input_kind {
	INPUT_TEXT, /* text without NUL, at most cap bytes, trimmed */
	INPUT_RAW,  /* the same, kept exactly as sent (passwords, bodies) */
	INPUT_INT,  /* a decimal integer from min to max (core/parse.h) */
	INPUT_ID,   /* a row id: an integer from 1 up */
};

enum input_flags {
	/* Absent is refused (with status and message). */
	INPUT_REQUIRED = 1 << 0,
	/* The next "*" segment of the path, not a query or form field; a bad
	   value is refused with 404, as an address that names nothing. */
	INPUT_PATH = 1 << 1,
	/* The handler explains a bad value itself (a form shown again with
	   the reader's text and a message beside the field): the router
	   only marks it bad. */
	INPUT_OWN = 1 << 2,
};

/*
 * One declared field.  A GET route reads it from the query string, a
 * POST route from the form body.  status and message are the refusal
 * for a missing required or a bad value (0 and NULL: 400, and a sentence
 * naming the field).
 */
struct input {
	const char *name;
	enum input_kind kind;
	unsigned flags;
	size_t cap;	  /* bytes at most, for text kinds (0: no cap) */
	int64_t min, max; /* for INPUT_INT */
	unsigned status;
	const char *message;
};

/* A declared field's value, as read for one request. */
struct input_value {
	bool present;	  /* sent, whether good or bad */
	bool bad;	  /* sent, and not what the declaration allows */
	const char *text; /* "" when absent or bad; the digits for numbers */
	size_t len;
	int64_t num;	 /* for INPUT_INT and INPUT_ID; 0 when absent or bad */
	const char *raw; /* the value as sent, bad or not; NULL when absent */
	size_t raw_len;
};

/*
 * Reads value[0..len) (NULL: absent) as in declares into out, text in
 * the arena.  False only when out of memory.
 */
__attribute__((warn_unused_result)) bool
input_read(struct arena *a, const struct input *in, const char *value,
	   size_t len, struct input_value *out);

#endif
