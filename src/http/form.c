#include "http/form.h"

#include <string.h>

#include "core/parse.h"
#include "core/util.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..n) into a new arena string; false on a broken escape. */
static bool
decode(struct arena *a, const char *s, size_t n, const char **out,
       size_t *outlen, enum form_result *why)
{
	char *d = arena_alloc(a, n + 1);
	size_t i, o = 0;

	if (d == NULL) {
		*why = FORM_NOMEM;
		return false;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			d[o++] = ' ';
		} else if (s[i] == '%') {
			int hi, lo;

			if (n - i < 3 || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0) {
				*why = FORM_BAD;
				return false;
			}
			d[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			d[o++] = s[i];
		}
	}
	d[o] = '\0';
	*out = d;
	*outlen = o;
	return true;
}

static enum form_result
fields_grow(struct arena *a, struct fields *out, size_t *cap)
{
	struct field *bigger;
	size_t ncap = *cap ? *cap * 2 : 8;

	bigger = arena_alloc(a, ncap * sizeof(*bigger));
	if (bigger == NULL)
		return FORM_NOMEM;
	if (out->count)
		memcpy(bigger, out->items, out->count * sizeof(*bigger));
	out->items = bigger;
	*cap = ncap;
	return FORM_OK;
}

enum form_result
form_parse(struct arena *a, const char *s, size_t n, size_t max,
	   struct fields *out)
{
	size_t pos = 0, cap = 0, namelen;
	enum form_result why = FORM_OK;

	out->items = NULL;
	out->count = 0;
	while (pos < n) {
		const char *pair = s + pos, *amp, *eq;
		size_t len, vlen;
		struct field *f;

		amp = memchr(pair, '&', n - pos);
		len = amp ? (size_t)(amp - pair) : n - pos;
		pos += len + 1;
		if (len == 0)
			continue;
		if (out->count == max)
			return FORM_TOO_MANY;
		if (out->count == cap &&
		    (why = fields_grow(a, out, &cap)) != FORM_OK)
			return why;
		f = &out->items[out->count];
		eq = memchr(pair, '=', len);
		namelen = eq ? (size_t)(eq - pair) : len;
		if (!decode(a, pair, namelen, &f->name, &vlen, &why))
			return why;
		if (eq) {
			if (!decode(a, eq + 1, len - namelen - 1, &f->value,
				    &f->len, &why))
				return why;
		} else {
			f->value = "";
			f->len = 0;
		}
		out->count++;
	}
	return FORM_OK;
}

/* Control characters (tab aside) make a cookie pair malformed. */
static bool
has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}

enum form_result
cookie_parse(struct arena *a, const char *s, size_t max, struct fields *out)
{
	size_t cap = 0;
	enum form_result why;

	out->items = NULL;
	out->count = 0;
	while (*s) {
		const char *start, *eq, *end;
		size_t nlen, vlen;
		struct field *f;

		while (*s == ' ' || *s == '\t' || *s == ';')
			s++;
		if (*s == '\0')
			break;
		start = s;
		end = strchr(s, ';');
		if (end == NULL)
			end = s + strlen(s);
		s = end;
		eq = memchr(start, '=', (size_t)(end - start));
		if (eq == NULL || eq == start)
			continue; /* malformed: skip it */
		nlen = (size_t)(eq - start);
		while (nlen > 0 &&
		       (start[nlen - 1] == ' ' || start[nlen - 1] == '\t'))
			nlen--;
		eq++;
		while (eq < end && (*eq == ' ' || *eq == '\t'))
			eq++;
		vlen = (size_t)(end - eq);
		while (vlen > 0 &&
		       (eq[vlen - 1] == ' ' || eq[vlen - 1] == '\t'))
			vlen--;
		if (vlen >= 2 && eq[0] == '"' && eq[vlen - 1] == '"') {
			eq++;
			vlen -= 2;
		}
		if (nlen == 0 || has_control(start, nlen) ||
		    has_control(eq, vlen))
			continue; /* malformed: skip it */
		if (out->count == max)
			return FORM_TOO_MANY;
		if (out->count == cap &&
		    (why = fields_grow(a, out, &cap)) != FORM_OK)
			return why;
		f = &out->items[out->count];
		f->name = arena_strndup(a, start, nlen);
		f->value = arena_strndup(a, eq, vlen);
		f->len = vlen;
		if (f->name == NULL || f->value == NULL)
			return FORM_NOMEM;
		out->count++;
	}
	return FORM_OK;
}

const struct field *
fields_get(const struct fields *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		if (strcmp(f->items[i].name, name) == 0)
			return &f->items[i];
	return NULL;
}

char *
url_encode(struct arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), o = 0, i;
	char *d = arena_alloc(a, n * 3 + 1);

	if (d == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			d[o++] = (char)c;
		} else {
			d[o++] = '%';
			d[o++] = hex[c >> 4];
			d[o++] = hex[c & 15];
		}
	}
	d[o] = '\0';
	return d;
}

bool
input_read(struct arena *a, const struct input *in, const char *value,
	   size_t len, struct input_value *out)
{
	char *s;

	memset(out, 0, sizeof(*out));
	out->text = "";
	if (value == NULL)
		return true;
	out->present = true;
	out->raw = value;
	out->raw_len = len;
	/* A NUL inside would cut the text short wherever C reads it. */
	if (memchr(value, '\0', len) != NULL ||
	    (in->cap > 0 && len > in->cap)) {
		out->bad = true;
		return true;
	}
	switch (in->kind) {
	case INPUT_INT:
		out->bad = !parse_int(value, len, in->min, in->max, &out->num);
		break;
	case INPUT_ID:
		out->bad = !parse_int(value, len, 1, INT64_MAX, &out->num);
		break;
	case INPUT_TEXT:
	case INPUT_RAW:
		break;
	}
	if (out->bad) {
		out->num = 0;
		return true;
	}
	if ((s = arena_strndup(a, value, len)) == NULL)
		return false;
	if (in->kind == INPUT_TEXT)
		s = str_trim(s);
	out->text = s;
	out->len = strlen(s);
	return true;
}
