/*
 * markdown_text: source text for the Markdown renderer, byte by byte.
 * Internal to the renderer (markdown.c).
 */
#ifndef PARLEY_MARKDOWN_TEXT_H
#define PARLEY_MARKDOWN_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "render/entities.h"

/* What stands for a NUL byte or a byte that is not UTF-8. */
#define MARKDOWN_FFFD "\xef\xbf\xbd"

/*
 * Appends s[0..n) with every NUL byte and every byte that does not start
 * a well-formed UTF-8 sequence replaced by U+FFFD; escaped for HTML text
 * and quoted attributes when escape is set.
 */
__attribute__((warn_unused_result)) bool
markdown_put(struct buf *out, const char *s, size_t n, bool escape);

/*
 * Decodes the character reference s[0..n) ("&name;", "&#123;") into b,
 * which must hold ENTITIES_UTF8_MAX bytes; returns its length, or 0 when
 * it is no reference we know (the caller then prints it as text).
 */
size_t markdown_entity(char *b, const char *s, size_t n);

#endif
