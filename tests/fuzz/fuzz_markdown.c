/*
 * fuzz_markdown: libFuzzer target for markdown_render().
 *
 * Renders each input with both profiles, and once more into a small
 * capped buffer, and aborts when an invariant breaks: a tag or attribute
 * outside the allowlist, "<script", a URL with a scheme other than http,
 * https or mailto (or a relative one for readers), an '&' that
 * html_escape() did not write, unbalanced or nested links, invalid UTF-8,
 * a failed render that left output behind, or output that changes with
 * the bytes after the input in memory.  Slow inputs (md4c 0.4.8
 * has quadratic cases, see markdown_precheck) are caught by -timeout.
 *
 *   fuzz_markdown -max_len=100000 -timeout=2 corpus tests/fuzz/regression
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "render/markdown.h"

enum tag {
	T_P,
	T_BR,
	T_EM,
	T_STRONG,
	T_DEL,
	T_CODE,
	T_PRE,
	T_BLOCKQUOTE,
	T_UL,
	T_OL,
	T_LI,
	T_HR,
	T_A,
	T_TABLE,
	T_THEAD,
	T_TBODY,
	T_TR,
	T_TH,
	T_TD,
	T_H2,
	T_H3,
	T_H4,
	T_H5,
	T_H6,
	T_IMG,
	T__MAX
};

static const char *const tag_names[T__MAX] = {
    [T_P] = "p",	 [T_BR] = "br",
    [T_EM] = "em",	 [T_STRONG] = "strong",
    [T_DEL] = "del",	 [T_CODE] = "code",
    [T_PRE] = "pre",	 [T_BLOCKQUOTE] = "blockquote",
    [T_UL] = "ul",	 [T_OL] = "ol",
    [T_LI] = "li",	 [T_HR] = "hr",
    [T_A] = "a",	 [T_TABLE] = "table",
    [T_THEAD] = "thead", [T_TBODY] = "tbody",
    [T_TR] = "tr",	 [T_TH] = "th",
    [T_TD] = "td",	 [T_H2] = "h2",
    [T_H3] = "h3",	 [T_H4] = "h4",
    [T_H5] = "h5",	 [T_H6] = "h6",
    [T_IMG] = "img",
};

static void
fail(const char *why, const char *html)
{
	fprintf(stderr, "fuzz_markdown: %s\n%.2000s\n", why, html);
	abort();
}

static size_t
entity_len(const char *s)
{
	static const char *const ok[] = {"&amp;",  "&lt;",  "&gt;",
					 "&quot;", "&#39;", "&#96;"};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strncmp(s, ok[i], strlen(ok[i])) == 0)
			return strlen(ok[i]);
	return 0;
}

/* Undoes html_escape() into u (n + 1 bytes); false if it is not ours. */
static bool
unescape(char *u, const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if (s[i] != '&') {
			*u++ = s[i++];
			continue;
		}
		if ((k = entity_len(s + i)) == 0)
			return false;
		*u++ = s[i + 1] == 'a'	 ? '&'
		       : s[i + 1] == 'l' ? '<'
		       : s[i + 1] == 'g' ? '>'
		       : s[i + 1] == 'q' ? '"'
		       : s[i + 2] == '3' ? '\''
					 : '`';
		i += k;
	}
	*u = '\0';
	return true;
}

static bool
url_ok(const char *u, bool is_src, enum markdown_profile p)
{
	static const char *const link[] = {"http", "https", "mailto", NULL};
	static const char *const img[] = {"http", "https", NULL};
	const char *const *s;
	size_t i;

	for (i = 0; u[i]; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f || u[i] == '\\')
			return false;
	for (i = 0; u[i] && u[i] != '/' && u[i] != '?' && u[i] != '#'; i++) {
		if (u[i] != ':')
			continue;
		for (s = is_src ? img : link; *s; s++)
			if (strlen(*s) == i && strncasecmp(u, *s, i) == 0)
				return true;
		return false;
	}
	return p == MARKDOWN_AUTHOR && strncmp(u, "//", 2) != 0;
}

static bool
attr_ok(enum tag t, const char *name, size_t nlen, const char *v,
	enum markdown_profile p)
{
	size_t i;

#define IS(x) (nlen == strlen(x) && strncmp(name, x, nlen) == 0)
	if (t == T_A && IS("href"))
		return url_ok(v, false, p);
	if (t == T_IMG && IS("src"))
		return url_ok(v, true, p);
	if ((t == T_A || t == T_IMG) && IS("title"))
		return true;
	if (t == T_IMG && IS("alt"))
		return true;
	if (t == T_A && IS("rel"))
		return strcmp(v, p == MARKDOWN_READER ? "nofollow ugc noopener"
						      : "noopener") == 0;
	if (t == T_OL && IS("start")) {
		for (i = 0; v[i]; i++)
			if (v[i] < '0' || v[i] > '9')
				return false;
		return i > 0;
	}
	if (t == T_CODE && IS("class")) {
		if (strncmp(v, "language-", 9) != 0 || strlen(v + 9) < 1 ||
		    strlen(v + 9) > 32)
			return false;
		for (i = 9; v[i]; i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-",
				    v[i]))
				return false;
		return true;
	}
#undef IS
	return false;
}

static void
check_utf8(const char *h)
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
			fail("invalid UTF-8", h);
		for (i = 1; i < k; i++)
			if ((s[i] & 0xc0) != 0x80)
				fail("invalid UTF-8", h);
		s += k;
	}
}

static void
check_html(const char *h, size_t n, enum markdown_profile p)
{
	unsigned char *stack = malloc(n / 2 + 1);
	char *val = malloc(n + 1);
	size_t i = 0, depth = 0, k;
	int in_a = 0;

	if (stack == NULL || val == NULL)
		abort();
	if (strlen(h) != n)
		fail("NUL byte in output", h);
	if (strstr(h, "<script") != NULL)
		fail("<script", h);
	if (strcasestr(h, "href=\"javascript:") != NULL)
		fail("javascript: href", h);
	check_utf8(h);
	while (i < n) {
		char c = h[i];
		bool close;
		size_t j, s;
		int t;

		if (c == '&') {
			if ((k = entity_len(h + i)) == 0)
				fail("stray &", h + i);
			i += k;
			continue;
		}
		if (c == '>' || c == '"' || c == '\'' || c == '`')
			fail("unescaped > \" ' or ` in text", h + i);
		if (c != '<') {
			i++;
			continue;
		}
		close = h[i + 1] == '/';
		j = s = i + 1 + close;
		while ((h[j] >= 'a' && h[j] <= 'z') ||
		       (h[j] >= '0' && h[j] <= '9'))
			j++;
		for (t = 0; t < T__MAX; t++)
			if (strlen(tag_names[t]) == j - s &&
			    strncmp(tag_names[t], h + s, j - s) == 0)
				break;
		if (t == T__MAX)
			fail("tag not allowed", h + i);
		if (p == MARKDOWN_READER &&
		    (t == T_IMG || (t >= T_H2 && t <= T_H6)))
			fail("tag not allowed for readers", h + i);
		if (close) {
			if (h[j] != '>' || depth == 0 || stack[--depth] != t)
				fail("unbalanced tags", h + i);
			if (t == T_A)
				in_a--;
			i = j + 1;
			continue;
		}
		while (h[j] == ' ') {
			size_t an = ++j, vs;

			while (h[j] >= 'a' && h[j] <= 'z')
				j++;
			if (h[j] != '=' || h[j + 1] != '"')
				fail("malformed attribute", h + i);
			vs = j += 2;
			while (h[j] && h[j] != '"' && h[j] != '<' &&
			       h[j] != '>')
				j++;
			if (h[j] != '"')
				fail("unterminated attribute", h + i);
			if (!unescape(val, h + vs, j - vs))
				fail("stray & in attribute", h + i);
			if (!attr_ok((enum tag)t, h + an, vs - 2 - an, val, p))
				fail("attribute not allowed", h + i);
			j++;
		}
		if (h[j] != '>')
			fail("malformed tag", h + i);
		if (t == T_A && in_a++ > 0)
			fail("nested links", h + i);
		if (t != T_BR && t != T_HR && t != T_IMG)
			stack[depth++] = (unsigned char)t;
		i = j + 1;
	}
	if (depth != 0)
		fail("unclosed tags", h);
	free(val);
	free(stack);
}

/* Renders with profile p and checks the result; returns it in out. */
static bool
render_checked(struct buf *out, const char *src, size_t n,
	       enum markdown_profile p)
{
	bool ok;

	buf_init(out, 0);
	ok = markdown_render(out, src, n, p);
	if (ok)
		check_html(buf_cstr(out), out->len, p);
	else if (out->len != 0)
		fail("failed render left output", buf_cstr(out));
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	struct buf out, again;
	char *padded;
	bool ok;

	render_checked(&out, src, size, MARKDOWN_READER);
	buf_clear(&out);

	/*
	 * Whatever follows the input in memory must not count (md4c 0.4.8
	 * reads past the end of some inputs): same output with ')' after.
	 */
	if ((padded = malloc(size + 64)) == NULL)
		abort();
	if (size > 0)
		memcpy(padded, data, size);
	memset(padded + size, ')', 64);
	ok = render_checked(&out, src, size, MARKDOWN_AUTHOR);
	if (ok != render_checked(&again, padded, size, MARKDOWN_AUTHOR) ||
	    out.len != again.len ||
	    memcmp(buf_cstr(&out), buf_cstr(&again), out.len) != 0)
		fail("output depends on bytes after the input",
		     buf_cstr(&again));
	buf_clear(&again);
	buf_clear(&out);
	free(padded);

	/* A full buffer is cut back to what it held before. */
	buf_init(&out, 64 + (size > 0 ? data[0] : 0));
	if (!buf_puts(&out, "kept"))
		abort();
	ok = markdown_render(&out, src, size, MARKDOWN_READER);
	if (!ok && buf_failed(&out) && strcmp(buf_cstr(&out), "kept") != 0)
		fail("capped render not rolled back", buf_cstr(&out));
	if (ok)
		check_html(buf_cstr(&out) + 4, out.len - 4, MARKDOWN_READER);
	buf_clear(&out);
	return 0;
}
