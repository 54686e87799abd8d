/*
 * sqlite_copy: a whole site read from or loaded into a SQLite database,
 * table by table (store/tables.h), for `parley migrate-db`.
 *
 * Its statements are made from the list of tables, not kept in the
 * registry: one each per table, run once per copy, and no input of any
 * reader reaches them.  A load is one write job, so the whole copy is one
 * transaction: all of it is stored, or none.
 */
#include "store/sqlite_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "store/tables.h"

/* Room for the longest statement (comments: 27 columns). */
#define SQL_MAX 2048

/* "a, b, c": the names of t's columns; false when out is too small. */
static bool
column_list(const struct store_table *t, char *out, size_t n)
{
	size_t len = 0;
	int i, k;

	out[0] = '\0';
	for (i = 0; i < t->ncols; i++) {
		k = snprintf(out + len, n - len, "%s%s", i ? ", " : "",
			     t->cols[i].name);
		if (k < 0 || (size_t)k >= n - len)
			return false;
		len += (size_t)k;
	}
	return true;
}

/* Prepares the statement sql on db; NULL (logged) when it cannot. */
static sqlite3_stmt *
prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		log_warnx("sqlite: %s: %s", sql, sqlite3_errmsg(db));
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

/* Names of tables that are SQLite's own, not the site's. */
static bool
own_table(const char *name)
{
	return strncmp(name, "sqlite_", 7) == 0;
}

/* Whether t names a column called name. */
static bool
has_column(const struct store_table *t, const char *name)
{
	int i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return true;
	return false;
}

static const struct store_table *
table_named(const char *name)
{
	size_t i;

	for (i = 0; i < store_table_count; i++)
		if (strcmp(store_tables[i].name, name) == 0)
			return &store_tables[i];
	return NULL;
}

/* Checks t's columns in the database against the list. */
static enum err
check_columns(sqlite3 *db, const struct store_table *t, char *why, size_t n)
{
	sqlite3_stmt *s = prepare(db, "SELECT name FROM pragma_table_info(?1)");
	int found = 0, rc;
	enum err e = ERR_OK;

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *col = (const char *)sqlite3_column_text(s, 0);

		found++;
		if (col != NULL && !has_column(t, col) && e == ERR_OK) {
			snprintf(why, n,
				 "table %s has a column %s unknown here",
				 t->name, col);
			e = ERR_INVALID;
		}
	}
	if (rc != SQLITE_DONE)
		e = sqlite_fail(db, "table columns");
	else if (e == ERR_OK && found != t->ncols) {
		snprintf(why, n, "table %s has %d columns, not %d", t->name,
			 found, t->ncols);
		e = ERR_INVALID;
	}
	sqlite3_finalize(s);
	return e;
}

enum err
sqlite_copy_schema_check(struct store *base, char *why, size_t n)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	sqlite3_stmt *s;
	enum err e = ERR_OK;
	size_t i, tables = 0;
	int rc;

	if (c == NULL || (s = prepare(c->db, "SELECT name FROM sqlite_schema"
					     " WHERE type = 'table'")) == NULL)
		return ERR_DB;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && e == ERR_OK) {
		const char *name = (const char *)sqlite3_column_text(s, 0);

		if (name == NULL || own_table(name))
			continue;
		if (table_named(name) == NULL) {
			snprintf(why, n, "table %s is not one of a site's",
				 name);
			e = ERR_INVALID;
		}
		tables++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		e = sqlite_fail(c->db, "tables");
	sqlite3_finalize(s);
	for (i = 0; e == ERR_OK && i < store_table_count; i++)
		e = check_columns(c->db, &store_tables[i], why, n);
	if (e == ERR_OK && tables != store_table_count) {
		snprintf(why, n, "%zu tables, not %zu", tables,
			 store_table_count);
		e = ERR_INVALID;
	}
	return e;
}

enum err
sqlite_copy_count(struct store *base, const struct store_table *t, int64_t *n)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	char sql[SQL_MAX];
	sqlite3_stmt *s;
	enum err e = ERR_OK;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", t->name);
	if (c == NULL || (s = prepare(c->db, sql)) == NULL)
		return ERR_DB;
	if (sqlite3_step(s) == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	else
		e = sqlite_fail(c->db, sql);
	sqlite3_finalize(s);
	return e;
}

/* The names of SQLite's types of values, for messages. */
static const char *
type_name(int type)
{
	switch (type) {
	case SQLITE_INTEGER:
		return "an integer";
	case SQLITE_FLOAT:
		return "a real";
	case SQLITE_TEXT:
		return "text";
	case SQLITE_BLOB:
		return "a blob";
	default:
		return "NULL";
	}
}

/*
 * Reads column i of the row at s into v, as its column's kind: a value
 * SQLite stored as another type (it lets any column hold any) would not
 * reach the other backend as it is here, so it stops the copy.
 */
static enum err
read_value(sqlite3_stmt *s, const struct store_table *t, int i,
	   struct store_value *v)
{
	int type = sqlite3_column_type(s, i);
	enum store_kind kind = t->cols[i].kind;

	memset(v, 0, sizeof(*v));
	if (type == SQLITE_NULL) {
		v->null = true;
		return ERR_OK;
	}
	if ((kind == STORE_INT && type == SQLITE_INTEGER) ||
	    (kind == STORE_REAL &&
	     (type == SQLITE_FLOAT || type == SQLITE_INTEGER)) ||
	    (kind == STORE_TEXT && type == SQLITE_TEXT) ||
	    (kind == STORE_BLOB &&
	     (type == SQLITE_BLOB || type == SQLITE_TEXT))) {
		if (kind == STORE_INT)
			v->i = sqlite3_column_int64(s, i);
		else if (kind == STORE_REAL)
			v->r = sqlite3_column_double(s, i);
		if (kind == STORE_TEXT)
			v->p = (const char *)sqlite3_column_text(s, i);
		else if (kind == STORE_BLOB)
			v->p = sqlite3_column_blob(s, i);
		/* The length after the pointer: SQLite's documented order. */
		if (kind == STORE_TEXT || kind == STORE_BLOB) {
			v->len = (size_t)sqlite3_column_bytes(s, i);
			if (v->p == NULL)
				v->p = "";
		}
		return ERR_OK;
	}
	log_warnx("sqlite: %s.%s holds %s where %s belongs (the row of %s %s)",
		  t->name, t->cols[i].name, type_name(type),
		  kind == STORE_INT    ? "an integer"
		  : kind == STORE_REAL ? "a real"
		  : kind == STORE_TEXT ? "text"
				       : "a blob",
		  t->cols[0].name, (const char *)sqlite3_column_text(s, 0));
	return ERR_INVALID;
}

enum err
sqlite_copy_rows(struct store *base, const struct store_table *t,
		 enum err (*row)(void *arg, const struct store_value *v),
		 void *arg)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	struct store_value v[STORE_COLS_MAX];
	char cols[SQL_MAX], sql[SQL_MAX], key[256];
	size_t len = 0;
	sqlite3_stmt *s;
	enum err e = ERR_OK;
	int i, rc, k;

	if (t->ncols > STORE_COLS_MAX || !column_list(t, cols, sizeof(cols)))
		return ERR_INVALID;
	/* Text keys in the order of their bytes, as PostgreSQL's "C". */
	key[0] = '\0';
	for (i = 0; i < t->nkey; i++) {
		k = snprintf(key + len, sizeof(key) - len, "%s%s%s",
			     i ? ", " : "", t->cols[i].name,
			     t->cols[i].kind == STORE_TEXT ? " COLLATE BINARY"
							   : "");
		if (k < 0 || (size_t)k >= sizeof(key) - len)
			return ERR_INVALID;
		len += (size_t)k;
	}
	k = snprintf(sql, sizeof(sql), "SELECT %s FROM %s ORDER BY %s", cols,
		     t->name, key);
	if (k < 0 || (size_t)k >= sizeof(sql))
		return ERR_INVALID;
	if (c == NULL || (s = prepare(c->db, sql)) == NULL)
		return ERR_DB;
	while (e == ERR_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (i = 0; e == ERR_OK && i < t->ncols; i++)
			e = read_value(s, t, i, &v[i]);
		if (e == ERR_OK)
			e = row(arg, v);
	}
	if (e == ERR_OK && rc != SQLITE_DONE)
		e = sqlite_fail(c->db, t->name);
	sqlite3_finalize(s);
	return e;
}

/* What a load's job carries: the source, and the table being loaded. */
struct load {
	enum err (*source)(void *arg, const struct store_table *t,
			   enum err (*put)(void *ctx,
					   const struct store_value *v),
			   void *ctx);
	void *arg;
	struct conn *w;
	const struct store_table *t;
	sqlite3_stmt *insert;
};

static enum err
put_row(void *ctx, const struct store_value *v)
{
	struct load *x = ctx;
	sqlite3_stmt *s = x->insert;
	int i, rc;

	for (i = 0; i < x->t->ncols; i++) {
		if (v[i].null) {
			sqlite3_bind_null(s, i + 1);
			continue;
		}
		switch (x->t->cols[i].kind) {
		case STORE_INT:
			sqlite3_bind_int64(s, i + 1, v[i].i);
			break;
		case STORE_REAL:
			sqlite3_bind_double(s, i + 1, v[i].r);
			break;
		case STORE_TEXT:
			sqlite3_bind_text(s, i + 1, v[i].p, (int)v[i].len,
					  SQLITE_STATIC);
			break;
		case STORE_BLOB:
			sqlite3_bind_blob(s, i + 1, v[i].p, (int)v[i].len,
					  SQLITE_STATIC);
			break;
		}
	}
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return sqlite_fail(x->w->db, x->t->name);
	return ERR_OK;
}

/* Whether t holds a row, on the writer's connection. */
static enum err
table_empty(struct conn *w, const struct store_table *t)
{
	char sql[256];
	sqlite3_stmt *s;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM %s LIMIT 1", t->name);
	if ((s = prepare(w->db, sql)) == NULL)
		return ERR_DB;
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return ERR_CONFLICT;
	return rc == SQLITE_DONE ? ERR_OK : sqlite_fail(w->db, sql);
}

/* Loads t: an INSERT of every column, fed by the source. */
static enum err
load_table(struct load *x, const struct store_table *t)
{
	char cols[SQL_MAX], sql[SQL_MAX * 2];
	size_t len;
	enum err e;
	int i, k;

	if (t->ncols > STORE_COLS_MAX || !column_list(t, cols, sizeof(cols)))
		return ERR_INVALID;
	k = snprintf(sql, sizeof(sql), "INSERT INTO %s (%s) VALUES (", t->name,
		     cols);
	for (i = 0; k > 0 && i < t->ncols; i++) {
		len = (size_t)k;
		k += snprintf(sql + len, sizeof(sql) - len, "%s?%d",
			      i ? ", " : "", i + 1);
	}
	if (k < 0 || (size_t)k + 2 > sizeof(sql))
		return ERR_INVALID;
	snprintf(sql + k, sizeof(sql) - (size_t)k, ")");
	if ((x->insert = prepare(x->w->db, sql)) == NULL)
		return ERR_DB;
	x->t = t;
	e = x->source(x->arg, t, put_row, x);
	sqlite3_finalize(x->insert);
	x->insert = NULL;
	return e;
}

static enum err
run_load(struct conn *w, void *arg)
{
	struct load *x = arg;
	enum err e = ERR_OK;
	size_t i;

	x->w = w;
	for (i = 0; e == ERR_OK && i < store_table_count; i++)
		e = table_empty(w, &store_tables[i]);
	for (i = 0; e == ERR_OK && i < store_table_count; i++)
		e = load_table(x, &store_tables[i]);
	return e;
}

enum err
sqlite_copy_load(
    struct store *base,
    enum err (*source)(void *arg, const struct store_table *t,
		       enum err (*put)(void *ctx, const struct store_value *v),
		       void *ctx),
    void *arg)
{
	struct load x = {source, arg, NULL, NULL, NULL};

	return sqlite_write((struct sqlite_store *)base, run_load, &x);
}
