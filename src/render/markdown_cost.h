/*
 * markdown_cost: bounds md4c 0.4.8's quadratic cases before parsing.
 *
 * One linear pass over the source measures what md4c would do with it
 * (brackets, reference definitions, autolinks, strikethrough, table
 * cells, nested containers) against budgets far above any real text.
 * Internal to the Markdown renderer.
 */
#ifndef PARLEY_MARKDOWN_COST_H
#define PARLEY_MARKDOWN_COST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True when s[0..n) may be parsed, after clearing in *flags (md4c's) the
 * extensions that would cost too much on it; false when it must be
 * refused.  s is followed by NUL padding, as md4c gets it.
 */
bool markdown_precheck(const char *s, size_t n, unsigned *flags);

#endif
