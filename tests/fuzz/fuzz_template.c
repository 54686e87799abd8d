/*
 * fuzz_template: the input is template source ("main", and after the
 * first NUL byte "item", so partials and recursion get exercised).  What
 * loads is rendered twice, against two hostile view models that differ
 * only in the letters of their strings (each shifted by one: "javascript"
 * and "kbwbtdsjqu", "x-pwn" and "y-qxo").  Escaping by context means the
 * values can change text, never markup, so the two pages must have the
 * same shape: the same tags, the same attribute names (no tag and no
 * event attribute from a value) and, in every URL attribute (href, src,
 * action, formaction, ...), the same scheme, read as a browser does
 * (entities decoded, whitespace and controls skipped, without case): no
 * value-controlled scheme; nor any value inside an event handler, a
 * style or srcdoc attribute, a <script> or a <style>.  The shape check cannot
 * see a value that is the same in both models, so the marker tag is also looked
 * for as is.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/template.h"

#define MARK "<x-pwn"

static void
fail(const char *why, const char *a, const char *b)
{
	fprintf(stderr, "fuzz_template: %s\n--- A:\n%.2000s\n--- B:\n%.2000s\n",
		why, a, b != NULL ? b : "");
	abort();
}

/* The same string with every ASCII letter but z and Z moved up by one. */
static const char *
shifted(struct arena *a, const char *s, bool shift)
{
	char *r;
	size_t i;

	if (!shift)
		return s;
	if ((r = arena_strdup(a, s)) == NULL)
		return NULL;
	for (i = 0; r[i]; i++)
		if ((r[i] >= 'a' && r[i] < 'z') || (r[i] >= 'A' && r[i] < 'Z'))
			r[i]++;
	return r;
}

static bool
put(struct arena *a, struct tv *obj, const char *key, const char *s, bool shift)
{
	const char *v = shifted(a, s, shift);

	return v != NULL && tv_put_str(obj, key, v);
}

/* No value here may carry an allowed scheme in either model. */
static struct tv *
view_model(struct arena *a, bool shift)
{
	static const char *const names[] = {
	    MARK " onerror=alert(1)>\"'&`",
	    "javascript:alert(1)",
	    "--><!--",
	    "JaVaScRiPt:alert(1)",
	    "\" onmouseover=\"alert(1)",
	};
	struct tv *root = tv_obj(a), *list, *item, *user;
	int i;

	if (root == NULL ||
	    !put(a, root, "title", MARK ">\"'</script>", shift) ||
	    !put(a, root, "url", " javascript:alert(1)", shift) ||
	    !put(a, root, "href", "java\tscript:alert(1)", shift) ||
	    !put(a, root, "data", "data:text/html,<script>", shift) ||
	    !put(a, root, "word", "javascript", shift) ||
	    !put(a, root, "empty", "", shift) || !tv_put_int(root, "n", -7) ||
	    !tv_put_bool(root, "flag", true) ||
	    !tv_put_bool(root, "off", false) ||
	    !tv_put_safe(root, "body", html_literal("<em>safe</em>")))
		return NULL;
	list = tv_put_list(root, "items");
	for (i = 0; i < 3; i++) {
		item = tv_push(list);
		if (item == NULL || !put(a, item, "name", names[i], shift) ||
		    !put(a, item, "url", names[(i + 1) % 5], shift) ||
		    !put(a, item, "title", names[(i + 3) % 5], shift) ||
		    !tv_put_int(item, "n", i))
			return NULL;
		if (i == 1 && tv_put_list(item, "items") == NULL)
			return NULL;
	}
	user = tv_put_obj(root, "user");
	if (user == NULL || !put(a, user, "name", MARK "/>", shift) ||
	    !put(a, user, "url", "vbscript:msgbox(1)", shift))
		return NULL;
	return root;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool
is_url_attr(const char *name)
{
	static const char *const url_attrs[] = {
	    "href",	"src",	    "action", "formaction", "poster",
	    "cite",	"data",	    "srcset", "xlink:href", "background",
	    "longdesc", "manifest", "ping",   "icon",	    "codebase",
	    "archive",	"usemap",   "lowsrc", "dynsrc",	    "profile",
	    "classid",	"xml:base", NULL,
	};
	size_t i;

	for (i = 0; url_attrs[i] != NULL; i++)
		if (strcmp(name, url_attrs[i]) == 0)
			return true;
	return false;
}

/*
 * Decodes the character references a browser decodes in an attribute
 * that could spell a scheme: numeric ones (';' optional) and a few named
 * ones.  Anything else stays as it is.
 */
static size_t
decode_ref(const char *s, size_t n, char *c)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {
	    {"colon;", ':'},	{"tab;", '\t'},	    {"Tab;", '\t'},
	    {"newline;", '\n'}, {"NewLine;", '\n'}, {"amp;", '&'},
	    {"amp", '&'},	{"lt;", '<'},	    {"gt;", '>'},
	    {"quot;", '"'},	{"apos;", '\''},
	};
	unsigned long v = 0;
	size_t i = 1, k;
	bool hex;

	if (n > 1 && s[1] == '#') {
		hex = n > 2 && (s[2] == 'x' || s[2] == 'X');
		i = hex ? 3 : 2;
		k = i;
		for (; i < n && i < k + 8; i++) {
			char d = lower(s[i]);

			if (d >= '0' && d <= '9')
				v = v * (hex ? 16 : 10) +
				    (unsigned long)(d - '0');
			else if (hex && d >= 'a' && d <= 'f')
				v = v * 16 + (unsigned long)(d - 'a' + 10);
			else
				break;
		}
		if (i == k)
			return 0;
		if (i < n && s[i] == ';')
			i++;
		*c = v < 128 ? (char)v : '?';
		return i;
	}
	for (k = 0; k < sizeof(named) / sizeof(named[0]); k++) {
		size_t len = strlen(named[k].name);

		if (n > len && memcmp(s + 1, named[k].name, len) == 0) {
			*c = named[k].c;
			return len + 1;
		}
	}
	return 0;
}

/*
 * Appends the scheme of the URL v[0..n) to shape, as a browser reads it:
 * references decoded, leading spaces and controls skipped, tabs and
 * newlines dropped; ALPHA *(ALPHA / DIGIT / "+" / "-" / ".") then ':'.
 */
static void
put_scheme(struct buf *shape, const char *v, size_t n)
{
	char scheme[64];
	size_t i = 0, k = 0, r;
	bool lead = true;

	while (i < n && k + 1 < sizeof(scheme)) {
		char c = v[i];

		if (c == '&' && (r = decode_ref(v + i, n - i, &c)) > 0)
			i += r;
		else
			i++;
		if (c == '\t' || c == '\n' || c == '\r' ||
		    (lead && (unsigned char)c <= 0x20))
			continue;
		lead = false;
		if (c == ':') {
			scheme[k] = '\0';
			if (k > 0 && is_alpha(scheme[0]) &&
			    (!buf_puts(shape, " scheme=") ||
			     !buf_puts(shape, scheme)))
				abort();
			return;
		}
		if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '+' &&
		    c != '-' && c != '.')
			return;
		scheme[k++] = lower(c);
	}
}

/*
 * Appends what of an attribute value is shape: the scheme of a URL, and
 * all of an event handler, a style or a srcdoc, which are code.
 */
static void
put_value(struct buf *shape, const char *attr, const char *v, size_t n)
{
	if (n > 0 && (v[0] == '"' || v[0] == '\'')) {
		v++;
		n -= n > 1 && v[n - 2] == v[-1] ? 2 : 1;
	}
	if (is_url_attr(attr))
		put_scheme(shape, v, n);
	else if ((attr[0] == 'o' && attr[1] == 'n') ||
		 strcmp(attr, "style") == 0 || strcmp(attr, "srcdoc") == 0)
		if (!buf_puts(shape, "=") || !buf_append(shape, v, n))
			abort();
}

/*
 * Reads a name up to a space, '/' or '>' into the shape, lowered; an
 * attribute's name ends at '=' too (a tag's does not: "<script=x" is not
 * a script element).
 */
static size_t
put_name(struct buf *shape, const char *h, size_t i, size_t n, char *name,
	 size_t cap, bool is_tag)
{
	size_t k = 0;

	while (i < n && !is_space(h[i]) && h[i] != '/' && h[i] != '>' &&
	       (h[i] != '=' || k == 0 || is_tag)) {
		if (k + 1 < cap)
			name[k++] = lower(h[i]);
		if (!buf_putc(shape, lower(h[i])))
			abort();
		i++;
	}
	name[k] = '\0';
	return i;
}

/*
 * The end of the raw text element name that starts at h + i, or n.  As
 * in a browser, "</name" ends it only when white space, '/' or '>'
 * follows: "</textarea)" is text.
 */
static size_t
skip_raw(const char *h, size_t i, size_t n, const char *name)
{
	size_t len = strlen(name);

	for (; i + 2 + len <= n; i++)
		if (h[i] == '<' && h[i + 1] == '/' &&
		    strncasecmp(h + i + 2, name, len) == 0 &&
		    (i + 2 + len == n || is_space(h[i + 2 + len]) ||
		     h[i + 2 + len] == '/' || h[i + 2 + len] == '>'))
			return i;
	return n;
}

/*
 * The shape of a page: each tag with its attribute names and the schemes
 * of its URL attributes, each comment and each <!...> or <?...>.
 */
static void
shape_of(const char *h, size_t n, struct buf *shape)
{
	static const char *const raw[] = {
	    "script", "style",	 "textarea", "title",	  "xmp",
	    "iframe", "noembed", "noframes", "plaintext", NULL,
	};
	char tag[32], attr[32];
	size_t i = 0, k;

	while (i < n) {
		bool end;

		if (h[i] != '<') {
			i++;
			continue;
		}
		if (strncmp(h + i, "<!--", 4) == 0) {
			const char *e = strstr(h + i + 4, "-->");

			i = e != NULL ? (size_t)(e - h) + 3 : n;
			if (!buf_puts(shape, "<!-- -->"))
				abort();
			continue;
		}
		if (h[i + 1] == '!' || h[i + 1] == '?' ||
		    (h[i + 1] == '/' && !is_alpha(h[i + 2]))) {
			const char *e = strchr(h + i + 1, '>');

			i = e != NULL ? (size_t)(e - h) + 1 : n;
			if (!buf_puts(shape, "<!>"))
				abort();
			continue;
		}
		end = h[i + 1] == '/';
		if (!is_alpha(h[i + 1 + end])) {
			i++;
			continue;
		}
		if (!buf_puts(shape, end ? "\n</" : "\n<"))
			abort();
		i = put_name(shape, h, i + 1 + end, n, tag, sizeof(tag), true);
		for (;;) {
			while (i < n && (is_space(h[i]) || h[i] == '/'))
				i++;
			if (i >= n || h[i] == '>')
				break;
			if (!buf_putc(shape, ' '))
				abort();
			i = put_name(shape, h, i, n, attr, sizeof(attr), false);
			while (i < n && is_space(h[i]))
				i++;
			if (i >= n || h[i] != '=')
				continue;
			i++;
			while (i < n && is_space(h[i]))
				i++;
			k = i;
			if (i < n && (h[i] == '"' || h[i] == '\'')) {
				const char *e =
				    memchr(h + i + 1, h[i], n - i - 1);

				i = e != NULL ? (size_t)(e - h) + 1 : n;
			} else {
				while (i < n && !is_space(h[i]) && h[i] != '>')
					i++;
			}
			put_value(shape, attr, h + k, i - k);
		}
		i++;
		if (end)
			continue;
		for (k = 0; raw[k] != NULL; k++) {
			size_t from = i;

			if (strcmp(tag, raw[k]) != 0)
				continue;
			i = skip_raw(h, i, n, raw[k]);
			/* Script and style are code: all of it is shape. */
			if (k < 2 && !buf_append(shape, h + from, i - from))
				abort();
		}
	}
}

/* Renders main against one of the two models; false when it did not. */
static bool
render(const struct tpl_set *set, bool shift, struct buf *out)
{
	struct arena a;
	struct tv *root;
	bool ok;

	arena_init(&a);
	root = view_model(&a, shift);
	ok = root != NULL && tpl_render(set, "main", root, out);
	arena_clear(&a);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *names[] = {"main", "item"};
	const char *srcs[2];
	struct tpl_set *set;
	struct buf a, b, sa, sb, err;
	char *copy;
	size_t first;
	bool ok;

	copy = malloc(size + 2);
	if (copy == NULL)
		return 0;
	if (size > 0)
		memcpy(copy, data, size);
	copy[size] = copy[size + 1] = '\0';
	first = strlen(copy);
	srcs[0] = copy;
	srcs[1] = first < size ? copy + first + 1 : "";
	buf_init(&a, 1 << 20);
	buf_init(&b, 1 << 20);
	buf_init(&sa, 0);
	buf_init(&sb, 0);
	buf_init(&err, 0);
	set = tpl_set_from_strings(names, srcs, 2, &err);
	if (set == NULL && err.len == 0)
		fail("a refusal that does not say why", srcs[0], NULL);
	if (set != NULL) {
		ok = render(set, false, &a);
		if (ok != render(set, true, &b))
			fail("one model rendered, the other did not",
			     buf_cstr(&a), buf_cstr(&b));
		/* Only the template itself may write the marker. */
		if (ok && strstr(buf_cstr(&a), MARK) != NULL &&
		    strstr(srcs[0], "x-pwn") == NULL &&
		    strstr(srcs[1], "x-pwn") == NULL)
			fail("a tag from a value", buf_cstr(&a), NULL);
		if (ok) {
			shape_of(buf_cstr(&a), a.len, &sa);
			shape_of(buf_cstr(&b), b.len, &sb);
			if (sa.len != sb.len ||
			    memcmp(buf_cstr(&sa), buf_cstr(&sb), sa.len) != 0)
				fail("markup or a URL scheme from a value",
				     buf_cstr(&sa), buf_cstr(&sb));
		}
	}
	tpl_set_free(set);
	buf_clear(&a);
	buf_clear(&b);
	buf_clear(&sa);
	buf_clear(&sb);
	buf_clear(&err);
	free(copy);
	return 0;
}
