#include "render/html.h"

#include <string.h>
#include <strings.h>

const char *const html_link_schemes[] = {"http", "https", "mailto", NULL};

/*
 * What each byte becomes; NULL for the bytes kept as they are.  A table
 * lets the loop below skip a run of plain text a byte at a time with no
 * branch per case: escaping is most of a page's rendering.  NUL is
 * dropped ("").
 */
static const char *const escape_as[256] = {
    ['\0'] = "",      ['&'] = "&amp;",	['<'] = "&lt;",	 ['>'] = "&gt;",
    ['"'] = "&quot;", ['\''] = "&#39;", ['`'] = "&#96;",
};

bool
html_escape(struct buf *out, const char *s, size_t n)
{
	size_t i = 0, start = 0;
	const char *rep;

	for (;;) {
		while (i < n && escape_as[(unsigned char)s[i]] == NULL)
			i++;
		if (i == n)
			break;
		rep = escape_as[(unsigned char)s[i]];
		if (!buf_append(out, s + start, i - start) ||
		    !buf_puts(out, rep))
			return false;
		start = ++i;
	}
	return buf_append(out, s + start, n - start);
}

bool
html_url_allowed(const char *url, size_t n, const char *const *schemes)
{
	size_t i, colon = n;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c <= 0x20 || c == 0x7f || c == '\\')
			return false;
		if (c == ':' && colon == n)
			colon = i;
		if ((c == '/' || c == '?' || c == '#') && colon == n)
			break;
	}
	/* Every remaining byte must be free of controls and spaces, too. */
	for (; i < n; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c <= 0x20 || c == 0x7f || c == '\\')
			return false; /* browsers read a backslash as a slash */
	}
	if (n >= 2 && url[0] == '/' && url[1] == '/')
		return false; /* scheme-relative: another host, unchecked */
	if (colon == n)
		return true; /* relative reference */
	for (; *schemes != NULL; schemes++)
		if (strlen(*schemes) == colon &&
		    strncasecmp(url, *schemes, colon) == 0)
			return true;
	return false;
}

bool
html_escape_url(struct buf *out, const char *s, size_t n)
{
	if (!html_url_allowed(s, n, html_link_schemes))
		return buf_putc(out, '#');
	return html_escape(out, s, n);
}
