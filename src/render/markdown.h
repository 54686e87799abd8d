/*
 * markdown: Markdown (CommonMark, via md4c) to sanitized HTML.
 *
 * The renderer walks md4c's callbacks and emits only allowlisted tags;
 * raw HTML in the source is never passed through (it comes out as
 * escaped text), link and image URLs are checked with html_url_allowed(),
 * and every text run is escaped.  Rendering happens once, when text is
 * stored; the result is kept and served as struct safe_html.
 */
#ifndef PARLEY_MARKDOWN_H
#define PARLEY_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

enum markdown_profile {
	/*
	 * Readers' comments: no images, links only http/https/mailto with
	 * rel="nofollow ugc noopener", headings shown as bold paragraphs
	 * (a comment must not outrank the article's structure).
	 */
	MARKDOWN_READER,
	/* Articles by the site's authors: images (http, https, relative). */
	MARKDOWN_AUTHOR,
};

/*
 * What a render may add to its output for n source bytes: n times
 * MARKDOWN_OUT_PER_BYTE, plus MARKDOWN_OUT_BASE.  A "> " nests a
 * blockquote per byte (27 bytes of tags), so real text stays well
 * inside; a wide empty table (each "|" padded out to hundreds of cells)
 * does not, and is shown as text instead.
 */
#define MARKDOWN_OUT_PER_BYTE 32
#define MARKDOWN_OUT_BASE     1024

/*
 * Appends the HTML for src[0..n) to out, at most MARKDOWN_OUT_PER_BYTE
 * * n + MARKDOWN_OUT_BASE bytes: markup that would write more is shown
 * with less formatting (see markdown.c).  src must be valid UTF-8 (the
 * caller validates input); invalid bytes are replaced by U+FFFD.
 * Returns false on allocation failure, when out's cap is reached (out is
 * then cut back to what it held), or for input that would cost md4c
 * 0.4.8 quadratic time (a linear pre-check measures it first).  On
 * failure out is left well-formed.
 */
__attribute__((warn_unused_result)) bool
markdown_render(struct buf *out, const char *src, size_t n,
		enum markdown_profile profile);

#endif
