/*
 * Fuzzes what the spam classifier reads from outside (model/spam_csv.c,
 * model/spam.c) for what it promises, beyond no crash and no read past
 * the input:
 *
 *  - spam_csv_next: each record has 1 to SPAM_CSV_FIELDS_MAX fields,
 *    each NUL-terminated and no longer than the input; the records read
 *    (up to an error or the end), written back with every field quoted
 *    and its quotes doubled, read again as the same records and then the
 *    end; an input without quotes or carriage returns reads as its
 *    non-empty lines split at commas;
 *  - spam_csv_plain and spam_csv_examples: nothing longer than the input;
 *  - spam_features_of: at most SPAM_FEATURES_MAX features, names in
 *    whole UTF-8, values finite; an untrained model scores 0.5;
 *  - spam_model_load: bytes it accepts save back to the same bytes.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "model/spam.h"
#include "model/spam_csv.h"

static void
fail(const char *why)
{
	fprintf(stderr, "fuzz_spam_csv: %s\n", why);
	abort();
}

static void
put(struct buf *b, const void *s, size_t n)
{
	if (!buf_append(b, s, n))
		fail("out of memory");
}

/* The records of data as "field\x1ffield\x1e...": a flat, exact form. */
static enum spam_csv_status
read_all(struct arena *a, const char *data, size_t len, struct buf *flat,
	 size_t *nrec, struct buf *csv)
{
	struct spam_csv c = {data, len, 0, 0, 0};
	struct spam_csv_field f[SPAM_CSV_FIELDS_MAX];
	enum spam_csv_status st;
	struct buf why;
	size_t n, i, j;

	buf_init(&why, 512);
	*nrec = 0;
	while ((st = spam_csv_next(&c, a, f, &n, &why)) == SPAM_CSV_RECORD) {
		if (n < 1 || n > SPAM_CSV_FIELDS_MAX)
			fail("a record with no field or too many");
		for (i = 0; i < n; i++) {
			if (f[i].len > len || f[i].text[f[i].len] != '\0')
				fail(
				    "a field longer than the input or not terminated");
			put(flat, f[i].text, f[i].len);
			put(flat, i + 1 < n ? "\x1f" : "\x1e", 1);
			if (csv == NULL)
				continue;
			put(csv, "\"", 1);
			for (j = 0; j < f[i].len; j++)
				put(csv,
				    f[i].text[j] == '"' ? "\"\""
							: f[i].text + j,
				    f[i].text[j] == '"' ? 2 : 1);
			put(csv, i + 1 < n ? "\"," : "\"\n", 2);
		}
		(*nrec)++;
	}
	if (st == SPAM_CSV_ERROR && why.len == 0)
		fail("an error without a message");
	buf_clear(&why);
	return st;
}

/* The input read by hand when it has no quote and no carriage return. */
static void
check_plain_lines(struct arena *a, const char *data, size_t len)
{
	struct buf want, got;
	size_t i, fields = 1, start = 0, nrec;
	bool empty = true;
	enum spam_csv_status st;

	if (memchr(data, '"', len) || memchr(data, '\r', len))
		return;
	/* A byte order mark is skipped; leave those inputs to the round trip.
	 */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		return;
	buf_init(&want, 0);
	buf_init(&got, 0);
	for (i = 0; i <= len; i++) {
		if (i < len && data[i] != '\n') {
			if (data[i] == ',')
				fields++;
			empty = false;
			continue;
		}
		if (!empty) {
			if (fields > SPAM_CSV_FIELDS_MAX)
				goto done; /* refused, as it should be */
			for (size_t k = start; k < i; k++)
				put(&want, data[k] == ',' ? "\x1f" : data + k,
				    1);
			put(&want, "\x1e", 1);
		}
		start = i + 1;
		fields = 1;
		empty = true;
	}
	st = read_all(a, data, len, &got, &nrec, NULL);
	if (st != SPAM_CSV_END || got.len != want.len ||
	    memcmp(got.data, want.data, got.len) != 0)
		fail("lines without quotes not read as lines split at commas");
done:
	buf_clear(&want);
	buf_clear(&got);
}

static void
check_round_trip(struct arena *a, const char *data, size_t len)
{
	struct buf flat, csv, again;
	size_t n1, n2;

	buf_init(&flat, 0);
	buf_init(&csv, 0);
	buf_init(&again, 0);
	read_all(a, data, len, &flat, &n1, &csv);
	if (read_all(a, csv.data ? csv.data : "", csv.len, &again, &n2, NULL) !=
		SPAM_CSV_END ||
	    n1 != n2 || flat.len != again.len ||
	    (flat.len > 0 && memcmp(flat.data, again.data, flat.len) != 0))
		fail("records written back did not read the same");
	buf_clear(&flat);
	buf_clear(&csv);
	buf_clear(&again);
}

static bool
utf8_whole(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int k = *p < 0x80 ? 0 : *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : 1;

		if (*p >= 0x80 && *p < 0xc0)
			return false;
		for (p++; k > 0; k--, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

static void
check_classifier(struct arena *a, const char *data, size_t len)
{
	static struct spam_features *f;
	static struct spam_model *blank;
	struct spam_example *ex;
	struct buf why;
	size_t i, n, plen;
	char *plain;

	if (f == NULL && (f = spam_features_new()) == NULL)
		fail("out of memory");
	if (blank == NULL && (blank = spam_model_new()) == NULL)
		fail("out of memory");
	plain = spam_csv_plain(a, data, len, &plen);
	if (plain == NULL || plen > len || plain[plen] != '\0')
		fail("plain text longer than its source");
	buf_init(&why, 512);
	if (spam_csv_examples(a, data, len, &ex, &n, &why) == ERR_OK)
		for (i = 0; i < n; i++)
			if (ex[i].len > len)
				fail("an example longer than the file");
	buf_clear(&why);
	spam_features_of(f, data, len, NULL);
	if (f->count > SPAM_FEATURES_MAX || f->count == 0)
		fail("feature count out of bounds");
	for (i = 0; i < f->count; i++)
		if (!utf8_whole(f->items[i].name) ||
		    !isfinite(f->items[i].value))
			fail(
			    "a feature name cut inside UTF-8, or a value not finite");
	if (spam_score(blank, f) != 0.5)
		fail("an untrained model does not score 0.5");
}

static void
check_model_bytes(const char *data, size_t len)
{
	struct spam_model *m;
	struct buf out;

	if (spam_model_load(data, len, &m, NULL) != ERR_OK)
		return;
	buf_init(&out, 0);
	if (spam_model_save(m, &out) != ERR_OK || out.len != len ||
	    memcmp(out.data, data, len) != 0)
		fail("a model loaded did not save back to its bytes");
	buf_clear(&out);
	spam_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct arena a;

	arena_init(&a);
	check_round_trip(&a, s, size);
	check_plain_lines(&a, s, size);
	check_classifier(&a, s, size);
	check_model_bytes(s, size);
	arena_clear(&a);
	return 0;
}
