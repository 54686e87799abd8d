/*
 * html: escapers by output context, and the one type that marks HTML as
 * already safe.  Only the escapers here and the Markdown renderer make a
 * struct safe_html, so every raw output is visible in review.
 */
#ifndef PARLEY_HTML_H
#define PARLEY_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

struct safe_html {
	const char *html;
	size_t len;
};

/*
 * Escapes text for HTML element content and for quoted attribute values:
 * & < > " ' ` become entities.  NUL bytes are dropped.
 */
__attribute__((warn_unused_result)) bool html_escape(struct buf *out,
						     const char *s, size_t n);

/*
 * True when a URL may be placed in href/src: a relative reference
 * ("/x", "#x", "?x", "x/y" without a colon before the first slash) or an
 * absolute one whose scheme, compared without case, is one of the
 * allowed ones in the NULL-terminated list.  Control characters and
 * whitespace anywhere make it unsafe.
 */
bool html_url_allowed(const char *url, size_t n, const char *const *schemes);

/* The schemes the site itself links to: http, https, mailto. */
extern const char *const html_link_schemes[];

/*
 * Writes an attribute-escaped URL, or "#" when html_url_allowed() says no.
 */
__attribute__((warn_unused_result)) bool
html_escape_url(struct buf *out, const char *s, size_t n);

/* Wraps a literal that the caller promises is safe (for code, never data). */
static inline struct safe_html
html_literal(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return (struct safe_html){s, n};
}

#endif
