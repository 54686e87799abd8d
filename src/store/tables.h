/*
 * tables: every table of a site and its columns, named once for both
 * backends, so that a whole site can be copied from one database to the
 * other (`parley migrate-db`) and checked row by row.  Columns are named,
 * never taken in the schema's order: SQLite's comments table grew by
 * ALTER TABLE, so its columns stand in another order than PostgreSQL's.
 * A backend's own bookkeeping (PostgreSQL's parley_schema, site_key and
 * rate_buckets; SQLite's user_version) is not a table of the site.
 *
 * A migration that adds a table or a column adds it here too: a database
 * whose tables are not exactly these is refused (copy_schema_check), so
 * nothing is ever left behind unseen.
 */
#ifndef PARLEY_STORE_TABLES_H
#define PARLEY_STORE_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a column holds, whatever each backend calls it. */
enum store_kind { STORE_INT, STORE_REAL, STORE_TEXT, STORE_BLOB };

struct store_column {
	const char *name;
	enum store_kind kind;
};

struct store_table {
	const char *name;
	const struct store_column *cols;
	int ncols;
	int nkey;      /* the primary key: the first nkey columns */
	bool identity; /* its key "id" is numbered by the database */
};

/*
 * One value of a row.  Text and blobs are bytes at p (len of them; text
 * is followed by a NUL not counted), valid only during the call that gets
 * them.
 */
struct store_value {
	bool null;
	int64_t i;
	double r;
	const char *p;
	size_t len;
};

/* Columns of a row at most (comments has 27), and tables at most. */
#define STORE_COLS_MAX	 32
#define STORE_TABLES_MAX 32

/*
 * The tables, each after those its rows refer to (articles and users
 * before comments; a reply comes after its parent in key order), so that
 * loading them in this order satisfies every foreign key.
 */
extern const struct store_table store_tables[];
extern const size_t store_table_count;

#endif
