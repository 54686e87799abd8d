/*
 * parse: the one integer parser and the one id parser.  Every number that
 * comes from outside (a form, a query, a path, a config file, a command's
 * argument, a migration's file name) goes through one of them, so each
 * input is read by the same strict rules.
 */
#ifndef PARLEY_PARSE_H
#define PARLEY_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Reads s[0..n) as a decimal integer from min to max into *out: an
 * optional '-', then digits, nothing else (no sign '+', no white space,
 * no leading zero but in "0" itself, no "-0").  False, with *out
 * untouched, for anything else or a value out of range.
 */
__attribute__((warn_unused_result)) bool
parse_int(const char *s, size_t n, int64_t min, int64_t max, int64_t *out);

/* The same, NUL-terminated; NULL is refused. */
__attribute__((warn_unused_result)) bool
parse_int_str(const char *s, int64_t min, int64_t max, int64_t *out);

/* A row id: an integer from 1 to INT64_MAX, NUL-terminated. */
__attribute__((warn_unused_result)) bool parse_id(const char *s, int64_t *out);

#endif
