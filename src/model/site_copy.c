/* site_copy: a whole site copied to another database, and checked. */
#include "model/site_copy.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "store/tables.h"

size_t
site_copy_table_count(void)
{
	return store_table_count;
}

const char *
site_copy_table_name(size_t i)
{
	return i < store_table_count ? store_tables[i].name : "";
}

enum err
site_copy_check_schema(struct store *st, char *why, size_t n)
{
	snprintf(why, n, "%s", "");
	return st->ops->copy_schema_check(st, why, n);
}

enum err
site_copy_check_empty(struct store *st, const char **table)
{
	int64_t n = 0;
	enum err e;
	size_t i;

	for (i = 0; i < store_table_count; i++) {
		if ((e = st->ops->copy_count(st, &store_tables[i], &n)) !=
		    ERR_OK)
			return e;
		if (n > 0) {
			*table = store_tables[i].name;
			return ERR_CONFLICT;
		}
	}
	return ERR_OK;
}

/* What the target's load reads from: the source, and rows counted. */
struct copy_source {
	struct store *from;
	enum err (*put)(void *ctx, const struct store_value *v);
	void *ctx;
	int64_t *rows; /* of the table being read */
	int64_t counts[STORE_TABLES_MAX];
};

static enum err
count_row(void *arg, const struct store_value *v)
{
	struct copy_source *s = arg;

	(*s->rows)++;
	return s->put(s->ctx, v);
}

/* Feeds the target's load table t from the source, row by row. */
static enum err
read_table(void *arg, const struct store_table *t,
	   enum err (*put)(void *ctx, const struct store_value *v), void *ctx)
{
	struct copy_source *s = arg;

	if (t < store_tables || t >= store_tables + store_table_count)
		return ERR_INVALID;
	/* From 0 again when a load is tried again (a lost connection). */
	s->rows = &s->counts[t - store_tables];
	*s->rows = 0;
	s->put = put;
	s->ctx = ctx;
	return s->from->ops->copy_rows(s->from, t, count_row, s);
}

enum err
site_copy(struct store *from, struct store *to, int64_t *rows)
{
	struct copy_source s;
	enum err e;
	size_t i;

	memset(&s, 0, sizeof(s));
	s.from = from;
	if (store_table_count > STORE_TABLES_MAX)
		return ERR_INVALID;
	e = to->ops->copy_load(to, read_table, &s);
	for (*rows = 0, i = 0; i < store_table_count; i++)
		*rows += s.counts[i];
	return e;
}

/* A row summed as it is read. */
struct summing {
	const struct store_table *t;
	crypto_hash_sha256_state h;
	int64_t rows;
};

/*
 * Adds a row in its canonical form, the same whichever backend read it:
 * each value tagged with its kind, integers in decimal, reals in enough
 * digits to read back the same, text and blobs as their bytes after their
 * length, NULL apart from any value (from "" too).
 */
static enum err
sum_row(void *arg, const struct store_value *v)
{
	struct summing *x = arg;
	char head[64];
	int i, k;

	for (i = 0; i < x->t->ncols; i++) {
		if (v[i].null) {
			k = snprintf(head, sizeof(head), "N");
		} else {
			switch (x->t->cols[i].kind) {
			case STORE_INT:
				k = snprintf(head, sizeof(head),
					     "I%" PRId64 ";", v[i].i);
				break;
			case STORE_REAL:
				k = snprintf(head, sizeof(head), "R%.17g;",
					     v[i].r);
				break;
			case STORE_TEXT:
				k = snprintf(head, sizeof(head),
					     "T%zu:", v[i].len);
				break;
			default:
				k = snprintf(head, sizeof(head),
					     "B%zu:", v[i].len);
				break;
			}
		}
		crypto_hash_sha256_update(&x->h, (const unsigned char *)head,
					  (unsigned long long)k);
		if (!v[i].null && (x->t->cols[i].kind == STORE_TEXT ||
				   x->t->cols[i].kind == STORE_BLOB))
			crypto_hash_sha256_update(
			    &x->h, (const unsigned char *)v[i].p, v[i].len);
	}
	crypto_hash_sha256_update(&x->h, (const unsigned char *)"\n", 1);
	x->rows++;
	return ERR_OK;
}

enum err
site_copy_sum(struct store *st, size_t table, struct site_copy_sum *out)
{
	struct summing x;
	enum err e;

	if (table >= store_table_count)
		return ERR_INVALID;
	memset(&x, 0, sizeof(x));
	x.t = &store_tables[table];
	crypto_hash_sha256_init(&x.h);
	e = st->ops->copy_rows(st, x.t, sum_row, &x);
	crypto_hash_sha256_final(&x.h, out->hash);
	out->rows = x.rows;
	return e;
}

enum err
site_copy_key_put(struct store *st, const unsigned char *key, size_t n)
{
	if (st->ops->copy_key_put == NULL)
		return ERR_INVALID;
	return st->ops->copy_key_put(st, key, n);
}
