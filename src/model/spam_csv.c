/*
 * spam_csv: the CSV reader and the labelled-comment loader of spam_csv.h.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "model/spam_csv.h"
#include "render/entities.h"

/* Counts the line breaks of s[0..n), for messages. */
static size_t
lines_in(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/* Whether data[pos] ends a record: LF, CRLF or the end of the input. */
static size_t
record_end(const struct spam_csv *c, size_t pos)
{
	if (pos == c->len)
		return 0;
	if (c->data[pos] == '\n')
		return 1;
	if (c->data[pos] == '\r' && pos + 1 < c->len &&
	    c->data[pos + 1] == '\n')
		return 2;
	return SIZE_MAX;
}

/*
 * Reads one quoted field starting at the quote at c->pos.  Leaves c->pos
 * just after the closing quote.  False (with why) when there is none.
 */
static bool
quoted_field(struct spam_csv *c, struct arena *a, struct spam_csv_field *f,
	     size_t first_line, struct buf *why)
{
	size_t i = c->pos + 1, len = 0, o = 0;

	/* First the length, so the copy gets one allocation. */
	for (;;) {
		if (i >= c->len) {
			buf_seterr(why,
				   "line %zu: a quoted field is not closed",
				   first_line);
			return false;
		}
		if (c->data[i] == '"') {
			if (i + 1 < c->len && c->data[i + 1] == '"') {
				i += 2;
				len++;
				continue;
			}
			break;
		}
		i++;
		len++;
		if (len > SPAM_CSV_FIELD_MAX) {
			buf_seterr(why,
				   "line %zu: a field longer than %d bytes",
				   first_line, SPAM_CSV_FIELD_MAX);
			return false;
		}
	}
	if ((f->text = arena_alloc(a, len + 1)) == NULL) {
		buf_seterr(why, "out of memory");
		return false;
	}
	for (i = c->pos + 1; o < len; i++) {
		f->text[o++] = c->data[i];
		if (c->data[i] == '"')
			i++; /* the second quote of "" */
	}
	f->text[len] = '\0';
	f->len = len;
	c->pos = i + 1;
	return true;
}

enum spam_csv_status
spam_csv_next(struct spam_csv *c, struct arena *a,
	      struct spam_csv_field *fields, size_t *n, struct buf *why)
{
	size_t first_line, k;

	*n = 0;
	if (c->pos == 0 && c->len >= 3 &&
	    memcmp(c->data, "\xef\xbb\xbf", 3) == 0)
		c->pos = 3;
	if (c->line == 0)
		c->line = 1;
	/* Empty lines hold no record. */
	while ((k = record_end(c, c->pos)) != SIZE_MAX && k > 0) {
		c->pos += k;
		c->line++;
	}
	if (c->pos >= c->len)
		return SPAM_CSV_END;
	first_line = c->record_line = c->line;
	for (;;) {
		struct spam_csv_field *f;
		size_t start = c->pos;

		if (*n == SPAM_CSV_FIELDS_MAX) {
			buf_seterr(why, "line %zu: more than %d fields",
				   first_line, SPAM_CSV_FIELDS_MAX);
			return SPAM_CSV_ERROR;
		}
		f = &fields[(*n)++];
		if (c->pos < c->len && c->data[c->pos] == '"') {
			if (!quoted_field(c, a, f, first_line, why))
				return SPAM_CSV_ERROR;
			c->line += lines_in(c->data + start, c->pos - start);
			if (c->pos < c->len && c->data[c->pos] != ',' &&
			    record_end(c, c->pos) == SIZE_MAX) {
				buf_seterr(
				    why, "line %zu: text after a closing quote",
				    c->line);
				return SPAM_CSV_ERROR;
			}
		} else {
			while (c->pos < c->len && c->data[c->pos] != ',' &&
			       record_end(c, c->pos) == SIZE_MAX) {
				if (c->data[c->pos] == '"') {
					buf_seterr(
					    why,
					    "line %zu: a quote inside a field that does not start with one",
					    c->line);
					return SPAM_CSV_ERROR;
				}
				c->pos++;
			}
			if (c->pos - start > SPAM_CSV_FIELD_MAX) {
				buf_seterr(
				    why,
				    "line %zu: a field longer than %d bytes",
				    first_line, SPAM_CSV_FIELD_MAX);
				return SPAM_CSV_ERROR;
			}
			f->text =
			    arena_strndup(a, c->data + start, c->pos - start);
			if (f->text == NULL) {
				buf_seterr(why, "out of memory");
				return SPAM_CSV_ERROR;
			}
			f->len = c->pos - start;
		}
		if (c->pos < c->len && c->data[c->pos] == ',') {
			c->pos++;
			continue;
		}
		k = record_end(c, c->pos);
		c->pos += k;
		c->line += k > 0;
		return SPAM_CSV_RECORD;
	}
}

/* Writes code point u as UTF-8 to out; U+FFFD for what is not a character. */
static size_t
put_utf8(char *out, uint32_t u)
{
	if (u == 0 || u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff))
		u = 0xfffd;
	if (u < 0x80) {
		out[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = (char)(0xc0 | u >> 6);
		out[1] = (char)(0x80 | (u & 0x3f));
		return 2;
	}
	if (u < 0x10000) {
		out[0] = (char)(0xe0 | u >> 12);
		out[1] = (char)(0x80 | ((u >> 6) & 0x3f));
		out[2] = (char)(0x80 | (u & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | u >> 18);
	out[1] = (char)(0x80 | ((u >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((u >> 6) & 0x3f));
	out[3] = (char)(0x80 | (u & 0x3f));
	return 4;
}

/*
 * Decodes the character reference at s[0..n) (s[0] is '&') into out.
 * Returns the bytes of s it used, 0 when it is not a reference (the '&'
 * is then kept as it is).
 */
static size_t
reference(const char *s, size_t n, char *out, size_t *olen)
{
	size_t i = 1, digits = 0;
	uint32_t u = 0;

	if (n > 2 && s[1] == '#') {
		bool hex = n > 3 && (s[2] == 'x' || s[2] == 'X');

		for (i = hex ? 3 : 2; i < n && digits < 8; i++, digits++) {
			char c = s[i];
			int d = c >= '0' && c <= '9'	      ? c - '0'
				: hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
				: hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
							      : -1;

			if (d < 0)
				break;
			u = u * (hex ? 16 : 10) + (uint32_t)d;
		}
		if (digits == 0 || i >= n || s[i] != ';')
			return 0;
		*olen = put_utf8(out, u);
		return i + 1;
	}
	while (i < n && i < 40 &&
	       ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		(s[i] >= '0' && s[i] <= '9')))
		i++;
	if (i > 1 && i < n && s[i] == ';') {
		size_t vlen;
		const char *v = entities_lookup(s + 1, i - 1, &vlen);

		if (v != NULL && vlen <= i + 1) {
			memcpy(out, v, vlen);
			*olen = vlen;
			return i + 1;
		}
	}
	return 0;
}

/*
 * The end of the tag at s[0..n) (s[0] is '<'), just after its '>'; 0
 * when it is not a tag.  A link's address goes to out.
 */
static size_t
tag(const char *s, size_t n, char *out, size_t *olen)
{
	const char *gt, *href;
	size_t len;

	*olen = 0;
	if (n < 2 || !((s[1] >= 'a' && s[1] <= 'z') ||
		       (s[1] >= 'A' && s[1] <= 'Z') || s[1] == '/'))
		return 0;
	gt = memchr(s, '>', n < 1024 ? n : 1024);
	if (gt == NULL)
		return 0;
	len = (size_t)(gt - s) + 1;
	href = memmem(s, len, "href=\"", 6);
	if (href != NULL) {
		const char *v = href + 6, *q = memchr(v, '"', (size_t)(gt - v));

		if (q != NULL) {
			out[0] = ' ';
			memcpy(out + 1, v, (size_t)(q - v));
			*olen = (size_t)(q - v) + 1;
		}
	}
	out[(*olen)++] = ' ';
	return len;
}

char *
spam_csv_plain(struct arena *a, const char *s, size_t n, size_t *out_len)
{
	/*
	 * Nothing grows by more than twice: a reference of k bytes gives at
	 * most k (checked above), a tag of k >= 3 bytes at most k.
	 */
	char *out = arena_alloc(a, 2 * n + 2);
	size_t i = 0, o = 0;

	if (out == NULL)
		return NULL;
	while (i < n) {
		size_t used = 0, olen = 0;

		if (s[i] == '&')
			used = reference(s + i, n - i, out + o, &olen);
		else if (s[i] == '<')
			used = tag(s + i, n - i, out + o, &olen);
		if (used == 0) {
			out[o++] = s[i++];
			continue;
		}
		i += used;
		o += olen;
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

enum err
spam_csv_examples(struct arena *a, const char *data, size_t len,
		  struct spam_example **ex, size_t *n, struct buf *why)
{
	struct spam_csv_field fields[SPAM_CSV_FIELDS_MAX];
	struct spam_csv c = {data, len, 0, 0, 0};
	struct spam_example *list = NULL;
	size_t cols, content = SIZE_MAX, label = SIZE_MAX, i, cap = 0, got = 0;
	enum spam_csv_status st;

	*ex = NULL;
	*n = 0;
	st = spam_csv_next(&c, a, fields, &cols, why);
	if (st == SPAM_CSV_END) {
		buf_seterr(why, "empty file: no header line");
		return ERR_INVALID;
	}
	if (st == SPAM_CSV_ERROR)
		return ERR_INVALID;
	for (i = 0; i < cols; i++) {
		if (strcasecmp(fields[i].text, "CONTENT") == 0)
			content = i;
		else if (strcasecmp(fields[i].text, "CLASS") == 0)
			label = i;
	}
	if (content == SIZE_MAX || label == SIZE_MAX) {
		buf_seterr(why, "line 1: the header has no %s column",
			   content == SIZE_MAX ? "CONTENT" : "CLASS");
		return ERR_INVALID;
	}
	for (;;) {
		const struct spam_csv_field *l;
		size_t got_cols;

		st = spam_csv_next(&c, a, fields, &got_cols, why);
		if (st == SPAM_CSV_END)
			break;
		if (st == SPAM_CSV_ERROR)
			return ERR_INVALID;
		if (got_cols != cols) {
			buf_seterr(
			    why,
			    "line %zu: %zu fields where the header has %zu",
			    c.record_line, got_cols, cols);
			return ERR_INVALID;
		}
		l = &fields[label];
		if (l->len != 1 || (l->text[0] != '0' && l->text[0] != '1')) {
			buf_seterr(why, "line %zu: CLASS is not 0 or 1",
				   c.record_line);
			return ERR_INVALID;
		}
		if (got == cap) {
			struct spam_example *more;

			cap = cap ? 2 * cap : 256;
			more = arena_alloc(a, cap * sizeof(*more));
			if (more == NULL)
				goto nomem;
			if (got > 0)
				memcpy(more, list, got * sizeof(*more));
			list = more;
		}
		memset(&list[got], 0, sizeof(list[got]));
		list[got].text =
		    spam_csv_plain(a, fields[content].text, fields[content].len,
				   &list[got].len);
		if (list[got].text == NULL)
			goto nomem;
		list[got].spam = l->text[0] == '1';
		got++;
	}
	*ex = list;
	*n = got;
	return ERR_OK;
nomem:
	buf_seterr(why, "out of memory");
	return ERR_NOMEM;
}
