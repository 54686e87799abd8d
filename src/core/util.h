/* util: UTF-8, time, slugs and small string checks. */
#ifndef PARLEY_UTIL_H
#define PARLEY_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * True when s[0..n) is valid UTF-8 (no overlongs, no surrogates, nothing
 * above U+10FFFF) without NUL bytes and without control characters other
 * than tab, newline and carriage return.  *chars gets the number of code
 * points when not NULL.
 */
bool utf8_valid(const char *s, size_t n, size_t *chars);

/* Removes leading and trailing ASCII whitespace in place; returns s. */
char *str_trim(char *s);
/*
 * Removes, in place, the characters that reorder the text around them
 * (U+202A-202E embeddings and overrides, U+2066-2069 isolates, U+200E/F
 * marks, U+061C): a name must not turn the rest of a line around.
 * Returns the new length.
 */
size_t str_strip_bidi(char *s);

/* A plausible address: one @, a local part, a dotted domain, no spaces. */
bool email_valid(const char *s);

/* An absolute http(s) URL with a host. */
bool http_url_valid(const char *s);

/*
 * Where an author's image may come from: an http(s) URL, or a path on
 * this site.  "//host" and "/\host" are other sites to a browser, and
 * data: URLs are refused.
 */
bool image_src_valid(const char *s);

/* A slug: 1-100 of [a-z0-9-], not starting or ending with '-'. */
bool slug_valid(const char *s);

/* Writes a slug made from a title into out (size >= 101). */
void slug_from_title(const char *title, char *out, size_t outsz);

/*
 * Seconds since the epoch, and a monotonic clock in microseconds (for
 * intervals and rate limits).  For tests only: when PARLEY_CLOCK_FILE
 * names a file at the first call, both add the seconds written in it
 * (ASCII decimal, may be negative), re-read at every call.  Rewrite it in
 * place, never truncated to zero bytes (tests/lib/clock.mjs does).
 */
int64_t time_now(void);
int64_t time_now_usec(void);
/* time_now() in milliseconds: the wall clock, for stamps that outlive a run. */
int64_t time_now_msec(void);

/* "22 November 2026 at 18:48" (UTC). */
void time_format_human(int64_t t, char *out, size_t outsz);
/* "2026-11-22T18:48:00Z". */
void time_format_iso(int64_t t, char *out, size_t outsz);
/* Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM" or "YYYY-MM-DDTHH:MM:SSZ" as UTC. */
bool time_parse(const char *s, int64_t *out);

#endif
