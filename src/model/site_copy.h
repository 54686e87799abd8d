/*
 * site_copy: a whole site copied into an empty database, of the same
 * backend or the other (`parley migrate-db`), then checked table by
 * table: the same rows, counted and summed in the same canonical form on
 * both sides.
 */
#ifndef PARLEY_MODEL_SITE_COPY_H
#define PARLEY_MODEL_SITE_COPY_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct store;

/* The tables a copy moves, in the order it moves them. */
size_t site_copy_table_count(void);
const char *site_copy_table_name(size_t i);

/*
 * Whether st holds the tables and columns a copy moves, no more, no
 * fewer: ERR_INVALID with what differs in why (n bytes) when not.
 */
enum err site_copy_check_schema(struct store *st, char *why, size_t n);

/* ERR_CONFLICT, *table naming one, when a table of st holds a row. */
enum err site_copy_check_empty(struct store *st, const char **table);

/*
 * Copies every row of from into to, which must be empty (ERR_CONFLICT),
 * in one transaction of to's; *rows counts them.
 */
enum err site_copy(struct store *from, struct store *to, int64_t *rows);

/* A table's rows and a SHA-256 of them in key order, canonical form. */
struct site_copy_sum {
	int64_t rows;
	unsigned char hash[32];
};

enum err site_copy_sum(struct store *st, size_t table,
		       struct site_copy_sum *out);

/*
 * Makes key[0..n) st's site key where st keeps it (site_key_in_store),
 * replacing the one there.
 */
enum err site_copy_key_put(struct store *st, const unsigned char *key,
			   size_t n);

#endif
