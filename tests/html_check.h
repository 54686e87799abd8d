/*
 * html_check: the HTML reader that checks what markdown_render() wrote,
 * shared by tests/unit/test_markdown.c and tests/fuzz/fuzz_markdown.c so
 * the unit checks and the fuzzer hold the output to the same promises:
 *
 *  - valid UTF-8, no NUL byte;
 *  - every tag on the allowlist (and allowed for the profile), balanced,
 *    links not nested;
 *  - every attribute allowlisted for its tag, written as name="value";
 *  - no event attribute (" on...=") anywhere, read without the allowlist;
 *  - every URL, once its entities are decoded and the whitespace and
 *    control characters browsers skip are stripped, http, https or
 *    mailto (images: http or https), compared without case; relative
 *    only for authors;
 *  - every '&' one of the entities html_escape() writes.
 *
 * Everything is static: each program that includes this gets its copy.
 */
#ifndef PARLEY_TESTS_HTML_CHECK_H
#define PARLEY_TESTS_HTML_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render/markdown.h"

enum html_check_tag {
	HC_P,
	HC_BR,
	HC_EM,
	HC_STRONG,
	HC_DEL,
	HC_CODE,
	HC_PRE,
	HC_BLOCKQUOTE,
	HC_UL,
	HC_OL,
	HC_LI,
	HC_HR,
	HC_A,
	HC_TABLE,
	HC_THEAD,
	HC_TBODY,
	HC_TR,
	HC_TH,
	HC_TD,
	HC_H2,
	HC_H3,
	HC_H4,
	HC_H5,
	HC_H6,
	HC_IMG,
	HC__MAX
};

static const char *const html_check_tags[HC__MAX] = {
    [HC_P] = "p",	  [HC_BR] = "br",
    [HC_EM] = "em",	  [HC_STRONG] = "strong",
    [HC_DEL] = "del",	  [HC_CODE] = "code",
    [HC_PRE] = "pre",	  [HC_BLOCKQUOTE] = "blockquote",
    [HC_UL] = "ul",	  [HC_OL] = "ol",
    [HC_LI] = "li",	  [HC_HR] = "hr",
    [HC_A] = "a",	  [HC_TABLE] = "table",
    [HC_THEAD] = "thead", [HC_TBODY] = "tbody",
    [HC_TR] = "tr",	  [HC_TH] = "th",
    [HC_TD] = "td",	  [HC_H2] = "h2",
    [HC_H3] = "h3",	  [HC_H4] = "h4",
    [HC_H5] = "h5",	  [HC_H6] = "h6",
    [HC_IMG] = "img",
};

/* Length of the html_escape() entity at s, or 0 when s is not one. */
static inline size_t
html_check_entity(const char *s)
{
	static const char *const ok[] = {"&amp;",  "&lt;",  "&gt;",
					 "&quot;", "&#39;", "&#96;"};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strncmp(s, ok[i], strlen(ok[i])) == 0)
			return strlen(ok[i]);
	return 0;
}

/*
 * Decodes an attribute value into a malloc'd string; NULL when it holds
 * an '&' that html_escape() did not write (or when out of memory).
 */
static inline char *
html_check_unescape(const char *s, size_t n)
{
	char *r = malloc(n + 1), *w = r;
	size_t i = 0, k;

	if (r == NULL)
		return NULL;
	while (i < n) {
		if (s[i] != '&') {
			*w++ = s[i++];
			continue;
		}
		if ((k = html_check_entity(s + i)) == 0) {
			free(r);
			return NULL;
		}
		*w++ = s[i + 1] == 'a'	 ? '&'
		       : s[i + 1] == 'l' ? '<'
		       : s[i + 1] == 'g' ? '>'
		       : s[i + 1] == 'q' ? '"'
		       : s[i + 2] == '3' ? '\''
					 : '`';
		i += k;
	}
	*w = '\0';
	return r;
}

/*
 * Is the decoded URL u allowed?  Browsers skip leading and trailing C0
 * controls and spaces and drop tabs and newlines inside, so the scheme is
 * read the same way; any such byte (or a backslash, read as '/') is also
 * refused outright, as markdown_render() promises.
 */
static inline bool
html_check_url(const char *u, bool is_src, enum markdown_profile p)
{
	static const char *const link[] = {"http", "https", "mailto", NULL};
	static const char *const img[] = {"http", "https", NULL};
	const char *const *s;
	char scheme[16];
	size_t i, k = 0;

	for (i = 0; u[i]; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f || u[i] == '\\')
			return false;
	while (*u != '\0' && (unsigned char)*u <= 0x20)
		u++;
	for (i = 0; u[i] && u[i] != '/' && u[i] != '?' && u[i] != '#'; i++) {
		if (u[i] == '\t' || u[i] == '\n' || u[i] == '\r')
			continue;
		if (u[i] == ':') {
			scheme[k] = '\0';
			for (s = is_src ? img : link; *s; s++)
				if (strcasecmp(scheme, *s) == 0)
					return true;
			return false;
		}
		/* A longer name than any allowed scheme is kept cut short. */
		if (k + 1 < sizeof(scheme))
			scheme[k++] = u[i];
		else
			scheme[0] = '\0';
	}
	return p == MARKDOWN_AUTHOR && strncmp(u, "//", 2) != 0;
}

/* NULL when attribute name[0..nlen) = v may be on tag t, else why not. */
static inline const char *
html_check_attr(enum html_check_tag t, const char *name, size_t nlen,
		const char *v, enum markdown_profile p)
{
	size_t i;

#define HC_IS(x) (nlen == strlen(x) && strncmp(name, x, nlen) == 0)
	if (t == HC_A && HC_IS("href"))
		return html_check_url(v, false, p) ? NULL : "bad href";
	if (t == HC_IMG && HC_IS("src"))
		return html_check_url(v, true, p) ? NULL : "bad src";
	if ((t == HC_A || t == HC_IMG) && HC_IS("title"))
		return NULL;
	if (t == HC_IMG && HC_IS("alt"))
		return NULL;
	if (t == HC_A && HC_IS("rel"))
		return strcmp(v, p == MARKDOWN_READER ? "nofollow ugc noopener"
						      : "noopener") == 0
			   ? NULL
			   : "bad rel";
	if (t == HC_OL && HC_IS("start")) {
		for (i = 0; v[i]; i++)
			if (v[i] < '0' || v[i] > '9')
				return "bad start";
		return i > 0 ? NULL : "empty start";
	}
	if (t == HC_CODE && HC_IS("class")) {
		if (strncmp(v, "language-", 9) != 0 || strlen(v + 9) < 1 ||
		    strlen(v + 9) > 32)
			return "bad class";
		for (i = 9; v[i]; i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-",
				    v[i]))
				return "bad class";
		return NULL;
	}
#undef HC_IS
	return "attribute not allowed";
}

/*
 * Is there an attribute whose name starts with "on" in any tag?  Read
 * without the allowlist, so it still holds if the reader below is wrong.
 */
static inline bool
html_check_on_attr(const char *h)
{
	bool in_tag = false, quoted = false;

	for (; *h; h++) {
		if (!in_tag) {
			in_tag = *h == '<';
		} else if (*h == '"') {
			quoted = !quoted;
		} else if (!quoted && *h == '>') {
			in_tag = false;
		} else if (!quoted &&
			   (*h == ' ' || *h == '/' || *h == '\n' ||
			    *h == '\t' || *h == '\f' || *h == '\r') &&
			   strncasecmp(h + 1, "on", 2) == 0) {
			return true;
		}
	}
	return false;
}

/* Output must be valid UTF-8 whatever came in. */
static inline bool
html_check_utf8(const char *h)
{
	const unsigned char *s = (const unsigned char *)h;

	while (*s) {
		size_t k = *s < 0x80		 ? 1
			   : (*s & 0xe0) == 0xc0 ? 2
			   : (*s & 0xf0) == 0xe0 ? 3
			   : (*s & 0xf8) == 0xf0 ? 4
						 : 0;
		size_t i;

		if (k == 0)
			return false;
		for (i = 1; i < k; i++)
			if ((s[i] & 0xc0) != 0x80)
				return false;
		s += k;
	}
	return true;
}

/* Reads one tag at h + *i (a '<'); NULL when it keeps the promises. */
static inline const char *
html_check_tag(const char *h, size_t n, size_t *i, unsigned char *stack,
	       size_t *depth, int *in_a, enum markdown_profile p)
{
	bool close = h[*i + 1] == '/';
	size_t j = *i + 1 + close, s = j;
	const char *err = NULL;
	int t;

	while (j < n &&
	       ((h[j] >= 'a' && h[j] <= 'z') || (h[j] >= '0' && h[j] <= '9')))
		j++;
	for (t = 0; t < HC__MAX; t++)
		if (strlen(html_check_tags[t]) == j - s &&
		    strncmp(html_check_tags[t], h + s, j - s) == 0)
			break;
	if (t == HC__MAX)
		return "tag not allowed";
	if (p == MARKDOWN_READER && (t == HC_IMG || (t >= HC_H2 && t <= HC_H6)))
		return "tag not allowed for readers";
	if (close) {
		if (h[j] != '>' || *depth == 0 || stack[--*depth] != t)
			return "unbalanced tags";
		if (t == HC_A)
			(*in_a)--;
		*i = j + 1;
		return NULL;
	}
	while (err == NULL && h[j] == ' ') {
		size_t an = ++j, vs;
		char *v;

		while (h[j] >= 'a' && h[j] <= 'z')
			j++;
		if (h[j] != '=' || h[j + 1] != '"')
			return "malformed attribute";
		vs = j += 2;
		while (j < n && h[j] != '"' && h[j] != '<' && h[j] != '>')
			j++;
		if (h[j] != '"')
			return "unterminated attribute";
		v = html_check_unescape(h + vs, j - vs);
		if (v == NULL)
			return "stray & in attribute";
		err = html_check_attr((enum html_check_tag)t, h + an,
				      vs - 2 - an, v, p);
		free(v);
		j++;
	}
	if (err != NULL)
		return err;
	if (h[j] != '>')
		return "malformed tag";
	if (t == HC_A && (*in_a)++ > 0)
		return "nested links";
	if (t != HC_BR && t != HC_HR && t != HC_IMG)
		stack[(*depth)++] = (unsigned char)t;
	*i = j + 1;
	return NULL;
}

/* Checks markdown_render()'s output h; NULL when it is safe, else why. */
static inline const char *
html_check(const char *h, enum markdown_profile p)
{
	size_t n = strlen(h), i = 0, depth = 0, k;
	unsigned char *stack;
	const char *err = NULL;
	int in_a = 0;

	if (!html_check_utf8(h))
		return "invalid UTF-8";
	if (strstr(h, "<script") != NULL)
		return "<script";
	if (html_check_on_attr(h))
		return "event attribute";
	if ((stack = malloc(n / 2 + 1)) == NULL)
		return "out of memory";
	while (i < n && err == NULL) {
		char c = h[i];

		if (c == '&') {
			if ((k = html_check_entity(h + i)) == 0)
				err = "stray &";
			i += k ? k : 1;
		} else if (c == '>' || c == '"' || c == '\'' || c == '`') {
			err = "unescaped > \" ' or ` in text";
		} else if (c != '<') {
			i++;
		} else {
			err = html_check_tag(h, n, &i, stack, &depth, &in_a, p);
		}
	}
	if (err == NULL && depth != 0)
		err = "unclosed tags";
	free(stack);
	return err;
}

#endif
