/*
 * markdown_text: the bytes of a Markdown source as text (see
 * markdown_text.h): UTF-8 checked, NULs replaced, HTML escaped, and
 * character references decoded.
 */
#include "render/markdown_text.h"

#include <stdint.h>
#include <string.h>

#include "render/html.h"

/*
 * Length of the well-formed UTF-8 sequence at s (1 to 4), or 0 when the
 * bytes there are not one: overlong forms, surrogates and code points
 * past U+10FFFF are all refused, as are NUL bytes.
 */
static size_t
markdown_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c >= 0x01 && c <= 0x7f)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0; /* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0; /* past U+10FFFF */
		return 4;
	}
	return 0;
}

/*
 * Appends s[0..n) with every NUL byte and every byte that does not start
 * a well-formed UTF-8 sequence replaced by U+FFFD; escaped for HTML text
 * and quoted attributes when escape is set.
 */
bool
markdown_put(struct buf *out, const char *s, size_t n, bool escape)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, start = 0, k;
	bool ok;

	while (i < n) {
		if ((k = markdown_utf8_len(u + i, n - i)) != 0) {
			i += k;
			continue;
		}
		ok = escape ? html_escape(out, s + start, i - start)
			    : buf_append(out, s + start, i - start);
		if (!ok || !buf_puts(out, MARKDOWN_FFFD))
			return false;
		start = ++i;
	}
	return escape ? html_escape(out, s + start, n - start)
		      : buf_append(out, s + start, n - start);
}

/* Writes code point cp as UTF-8 into b (4 bytes at most); returns length. */
static size_t
markdown_utf8_encode(char *b, uint32_t cp)
{
	/*
	 * Control characters (but tab and line ends) never reach a page:
	 * a reference like "&#1;" must not spell bytes the site itself uses.
	 */
	if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
	    (cp >= 0x7f && cp <= 0x9f))
		cp = 0xfffd;
	if (cp < 0x80) {
		b[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (char)(0xf0 | (cp >> 18));
	b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	b[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Decodes the entity s[0..n) ("&name;", "&#123;" or "&#x1F;") into b,
 * which must hold ENTITIES_UTF8_MAX bytes.  Every name of the HTML5 list
 * is known (some stand for two code points); for any other name returns
 * 0, and the caller prints the entity as the text it is.  The result is
 * raw text: the caller escapes it, so "&lt;" never becomes a tag.
 */
size_t
markdown_entity(char *b, const char *s, size_t n)
{
	uint32_t cp = 0;
	size_t i, len;
	bool hex;

	if (n < 3 || s[0] != '&' || s[n - 1] != ';')
		return 0;
	if (s[1] != '#') {
		const char *utf8 = entities_lookup(s + 1, n - 2, &len);

		if (utf8 == NULL)
			return 0;
		memcpy(b, utf8, len);
		return len;
	}
	hex = n > 3 && (s[2] == 'x' || s[2] == 'X');
	i = hex ? 3 : 2;
	if (i >= n - 1)
		return 0;
	for (; i < n - 1; i++) {
		unsigned d;
		char c = s[i];

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (hex && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return 0;
		/* Anything past U+10FFFF is U+FFFD; stop before overflowing. */
		if (cp <= 0x10ffff)
			cp = cp * (hex ? 16 : 10) + d;
	}
	return markdown_utf8_encode(b, cp);
}
