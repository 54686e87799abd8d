/*
 * spam_csv: labelled comments from CSV files, for training and judging
 * the spam classifier (`parley spam eval`).  The bytes come from
 * anywhere, so the reader is strict and bounded: RFC 4180 records
 * (fields split by commas, records by LF or CRLF, a field in double
 * quotes may hold commas, line breaks and "" for a quote), at most
 * SPAM_CSV_FIELDS_MAX fields a record and SPAM_CSV_FIELD_MAX bytes a
 * field, and a message with the line number for anything else.
 */
#ifndef PARLEY_MODEL_SPAM_CSV_H
#define PARLEY_MODEL_SPAM_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "model/spam.h"

#define SPAM_CSV_FIELDS_MAX 64
#define SPAM_CSV_FIELD_MAX  (256 * 1024)

/* A reader over data[0..len); set data and len, the rest to zero. */
struct spam_csv {
	const char *data;
	size_t len;
	size_t pos;  /* where the next record starts */
	size_t line; /* the line it starts on, from 1 (0 before the first) */
	size_t record_line; /* the line the record last read started on */
};

struct spam_csv_field {
	char *text; /* NUL-terminated (it may hold NUL bytes of its own) */
	size_t len;
};

enum spam_csv_status { SPAM_CSV_RECORD, SPAM_CSV_END, SPAM_CSV_ERROR };

/*
 * Reads the next record into fields (room for SPAM_CSV_FIELDS_MAX), the
 * texts in the arena; *n gets how many.  A UTF-8 byte order mark before
 * the first record and empty lines are skipped.  On SPAM_CSV_ERROR, why
 * says what and on which line.
 */
enum spam_csv_status spam_csv_next(struct spam_csv *c, struct arena *a,
				   struct spam_csv_field *fields, size_t *n,
				   struct buf *why);

/*
 * A comment of the corpus as plain text: HTML character references
 * decoded (&amp; &#39; &#x2F;), tags as spaces but the address of a link
 * kept (so link features see it).  The result, in the arena, is
 * NUL-terminated with its length in *out_len; NULL when out of memory.
 */
char *spam_csv_plain(struct arena *a, const char *s, size_t n, size_t *out_len);

/*
 * Reads a labelled file: a header naming a CONTENT and a CLASS column
 * (any order, other columns ignored), then one comment a record, CLASS 1
 * for spam and 0 for not.  *ex (in the arena) gets the comments as plain
 * text, *n how many.  ERR_INVALID with the line and the reason in why
 * for a malformed file; ERR_NOMEM.
 */
enum err spam_csv_examples(struct arena *a, const char *data, size_t len,
			   struct spam_example **ex, size_t *n,
			   struct buf *why);

#endif
