/*
 * Fuzzes the form and cookie parsers (http/form.c) for what they promise,
 * beyond no crash and no read past the input:
 *
 *  - form_parse: the fields it finds are the non-empty '&'-separated
 *    pairs, no more than max (else FORM_TOO_MANY), each no longer than
 *    its source; encoding them again (percent escapes, '+' for spaces)
 *    and parsing that gives the same fields; and fields read from the
 *    input as "name\tvalue" lines, encoded and parsed, come back as they
 *    were (so a '+' that is not read as a space is caught);
 *  - cookie_parse: at most max cookies, names non-empty without '=' or
 *    ';', values without ';', nothing longer than the header, each cookie
 *    as form.h describes it (read again here, apart from the parser);
 *    writing the cookies back as name="value" and parsing that gives
 *    them again.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/limits.h"
#include "http/form.h"

/* Small enough for FORM_TOO_MANY to be reached often. */
#define FUZZ_MAX_FIELDS 8

static void
fail(const char *why)
{
	fprintf(stderr, "fuzz_form: %s\n", why);
	abort();
}

static void
put(struct buf *b, const char *s, size_t n)
{
	if (!buf_append(b, s, n))
		fail("out of memory");
}

/* Percent-encodes v[0..n) as a form value: '+' for a space. */
static void
put_value(struct buf *b, const char *v, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		char esc[3] = {'%', hex[c >> 4], hex[c & 15]};

		if (c == ' ')
			put(b, "+", 1);
		else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '-' || c == '_' ||
			 c == '.' || c == '*')
			put(b, v + i, 1);
		else
			put(b, esc, 3);
	}
}

/* Writes the fields back as a form body: url_encode() for the names. */
static void
encode_fields(struct arena *a, const struct fields *f, struct buf *b)
{
	size_t i;

	for (i = 0; i < f->count; i++) {
		const char *name = url_encode(a, f->items[i].name);

		if (name == NULL)
			fail("url_encode out of memory");
		if (i > 0)
			put(b, "&", 1);
		put(b, name, strlen(name));
		put(b, "=", 1);
		put_value(b, f->items[i].value, f->items[i].len);
	}
}

static bool
same_fields(const struct fields *x, const struct fields *y)
{
	size_t i;

	if (x->count != y->count)
		return false;
	for (i = 0; i < x->count; i++)
		if (strcmp(x->items[i].name, y->items[i].name) != 0 ||
		    x->items[i].len != y->items[i].len ||
		    memcmp(x->items[i].value, y->items[i].value,
			   x->items[i].len) != 0 ||
		    x->items[i].value[x->items[i].len] != '\0')
			return false;
	return true;
}

/* Parses s, checks the fields against the pairs, then round-trips them. */
static void
check_form(struct arena *a, const char *s, size_t n)
{
	struct fields f, again;
	enum form_result r;
	struct buf b;
	size_t pairs = 0, i, start = 0, k = 0;

	for (i = 0; i <= n; i++)
		if (i == n || s[i] == '&') {
			pairs += i > start;
			start = i + 1;
		}
	r = form_parse(a, s, n, FUZZ_MAX_FIELDS, &f);
	if (r == FORM_TOO_MANY && pairs <= FUZZ_MAX_FIELDS)
		fail("FORM_TOO_MANY within the cap");
	if (r != FORM_OK)
		return;
	if (f.count != pairs || f.count > FUZZ_MAX_FIELDS)
		fail("fields are not the non-empty pairs");
	/* Each field no longer than its own pair in the source. */
	for (i = 0, start = 0; i <= n; i++) {
		if (i < n && s[i] != '&')
			continue;
		if (i > start) {
			if (f.items[k].len > i - start ||
			    strlen(f.items[k].name) > i - start)
				fail("field longer than its source");
			k++;
		}
		start = i + 1;
	}
	buf_init(&b, 0);
	encode_fields(a, &f, &b);
	if (form_parse(a, buf_cstr(&b), b.len, FUZZ_MAX_FIELDS, &again) !=
		FORM_OK ||
	    !same_fields(&f, &again))
		fail("parse, encode, parse changed the fields");
	buf_clear(&b);
}

/*
 * Reads the input as fields, one "name\tvalue" a line (the name ends at
 * a NUL), encodes them and checks that parsing gives them back.
 */
static void
check_encoded(struct arena *a, const char *s, size_t n)
{
	struct field items[LIMIT_FORM_FIELDS];
	struct fields want = {items, 0}, got;
	struct buf b;
	size_t i = 0;

	while (i < n) {
		const char *line = s + i, *nl, *tab;
		size_t len;
		char *name;

		if (want.count == LIMIT_FORM_FIELDS)
			return;
		nl = memchr(line, '\n', n - i);
		len = nl ? (size_t)(nl - line) : n - i;
		i += len + 1;
		tab = memchr(line, '\t', len);
		name = arena_strndup(a, line, tab ? (size_t)(tab - line) : len);
		if (name == NULL)
			fail("out of memory");
		items[want.count].name = name;
		items[want.count].value =
		    tab ? arena_strndup(a, tab + 1,
					len - (size_t)(tab - line) - 1)
			: "";
		items[want.count].len =
		    tab ? len - (size_t)(tab - line) - 1 : 0;
		if (items[want.count].value == NULL)
			fail("out of memory");
		want.count++;
	}
	buf_init(&b, 0);
	encode_fields(a, &want, &b);
	if (form_parse(a, buf_cstr(&b), b.len, LIMIT_FORM_FIELDS, &got) !=
		FORM_OK ||
	    !same_fields(&want, &got))
		fail("encoded fields did not parse back");
	buf_clear(&b);
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Whether s[0..n) holds a control character other than tab. */
static bool
controls(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') ||
		    s[i] == 0x7f)
			return true;
	return false;
}

/*
 * Cookie number k of header h read by the rule form.h states, apart from
 * cookie_parse(): pairs split at ';', name and value trimmed of spaces
 * and tabs, one pair of surrounding double quotes removed, pairs without
 * '=', with an empty name or with a control character (tab aside) skipped.
 * False when there is no such cookie.
 */
static bool
nth_cookie(const char *h, size_t k, const char **name, size_t *nlen,
	   const char **value, size_t *vlen)
{
	while (*h) {
		const char *end = strchr(h, ';'), *eq;

		if (end == NULL)
			end = h + strlen(h);
		while (h < end && blank(*h))
			h++;
		eq = memchr(h, '=', (size_t)(end - h));
		if (eq != NULL && eq > h) {
			*name = h;
			*nlen = (size_t)(eq - h);
			while (*nlen > 0 && blank(h[*nlen - 1]))
				(*nlen)--;
			for (eq++; eq < end && blank(*eq); eq++)
				;
			*value = eq;
			*vlen = (size_t)(end - eq);
			while (*vlen > 0 && blank(eq[*vlen - 1]))
				(*vlen)--;
			if (*vlen >= 2 && eq[0] == '"' &&
			    eq[*vlen - 1] == '"') {
				(*value)++;
				*vlen -= 2;
			}
			if (*nlen > 0 && !controls(*name, *nlen) &&
			    !controls(*value, *vlen) && k-- == 0)
				return true;
		}
		h = *end ? end + 1 : end;
	}
	return false;
}

static void
check_cookies(struct arena *a, const char *h)
{
	struct fields f, again;
	enum form_result r;
	struct buf b;
	size_t i, hlen = strlen(h);

	r = cookie_parse(a, h, LIMIT_COOKIES, &f);
	if (r != FORM_OK)
		return;
	if (f.count > LIMIT_COOKIES)
		fail("more cookies than the cap");
	buf_init(&b, 0);
	for (i = 0; i <= f.count; i++) {
		const struct field *c = &f.items[i];
		const char *name, *value;
		size_t nlen, vlen;

		if (i == f.count) {
			if (nth_cookie(h, i, &name, &nlen, &value, &vlen))
				fail("a cookie left out");
			break;
		}
		if (!nth_cookie(h, i, &name, &nlen, &value, &vlen) ||
		    strlen(c->name) != nlen ||
		    memcmp(c->name, name, nlen) != 0 || c->len != vlen ||
		    memcmp(c->value, value, vlen) != 0)
			fail("a cookie not as the header has it");

		if (c->name[0] == '\0' || strchr(c->name, '=') != NULL ||
		    strchr(c->name, ';') != NULL ||
		    strchr(c->value, ';') != NULL)
			fail("cookie name or value holds '=' or ';'");
		if (controls(c->name, strlen(c->name)) ||
		    controls(c->value, c->len))
			fail("cookie name or value holds a control character");
		if (c->len > hlen || strlen(c->value) != c->len ||
		    strlen(c->name) > hlen)
			fail("cookie longer than the header");
		put(&b, c->name, strlen(c->name));
		put(&b, "=\"", 2);
		put(&b, c->value, c->len);
		put(&b, "\"; ", 3);
	}
	if (cookie_parse(a, buf_cstr(&b), LIMIT_COOKIES, &again) != FORM_OK ||
	    !same_fields(&f, &again))
		fail("cookies written back did not parse the same");
	buf_clear(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct arena a;
	char *cstr;

	arena_init(&a);
	check_form(&a, s, size);
	check_encoded(&a, s, size);
	/* Cookie headers arrive as C strings. */
	if ((cstr = malloc(size + 1)) == NULL)
		fail("out of memory");
	if (size > 0)
		memcpy(cstr, data, size);
	cstr[size] = '\0';
	check_cookies(&a, cstr);
	free(cstr);
	arena_clear(&a);
	return 0;
}
