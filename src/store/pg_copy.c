/*
 * pg_copy: a whole site read from or loaded into a PostgreSQL database,
 * table by table (store/tables.h), for `parley migrate-db`.
 *
 * Statements are made once from the list of tables; no input of any
 * reader reaches them.  Rows are read one at a time (libpq's single-row
 * mode), so a large table never sits whole in memory.  A load is one
 * transaction that locks every table and finds them empty, sends each
 * table's rows with COPY, and sets each identity's next value past the
 * largest id copied.
 */
#include "store/pg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "store/tables.h"

/* Room for the longest statement. */
#define SQL_MAX 2048

/* What PostgreSQL keeps that is not the site's: see store/tables.h. */
static const char *const bookkeeping[] = {"parley_schema", "site_key",
					  "rate_buckets"};

struct table_sql {
	char select[SQL_MAX];
	char count[256];
	char empty[256];
	char setval[256];
	char copy[SQL_MAX];
	struct pg_stmt count_stmt, empty_stmt, setval_stmt;
};

static struct table_sql sqls[STORE_TABLES_MAX];
static char lock_sql[SQL_MAX];
static struct pg_stmt lock_stmt;
static bool sql_ok;
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

/* A statement being written: a fixed array, and whether all of it fit. */
struct sql_out {
	char *p;
	size_t n, len;
	bool ok;
};

static void
put(struct sql_out *o, const char *s)
{
	size_t k = strlen(s);

	if (!o->ok || k >= o->n - o->len) {
		o->ok = false;
		return;
	}
	memcpy(o->p + o->len, s, k + 1);
	o->len += k;
}

/* The statements of table t into q; false when one does not fit. */
static bool
make_table_sql(const struct store_table *t, struct table_sql *q)
{
	struct sql_out sel = {q->select, sizeof(q->select), 0, true};
	struct sql_out ins = {q->copy, sizeof(q->copy), 0, true};
	int i;

	put(&sel, "SELECT ");
	put(&ins, "COPY ");
	put(&ins, t->name);
	put(&ins, " (");
	for (i = 0; i < t->ncols; i++) {
		put(&sel, i ? ", " : "");
		put(&sel, t->cols[i].name);
		put(&ins, i ? ", " : "");
		put(&ins, t->cols[i].name);
	}
	put(&sel, " FROM ");
	put(&sel, t->name);
	put(&sel, " ORDER BY ");
	/* Text keys in the order of their bytes, as SQLite orders them. */
	for (i = 0; i < t->nkey; i++) {
		put(&sel, i ? ", " : "");
		put(&sel, t->cols[i].name);
		put(&sel,
		    t->cols[i].kind == STORE_TEXT ? " COLLATE \"C\"" : "");
	}
	put(&ins, ") FROM STDIN");
	snprintf(q->count, sizeof(q->count), "SELECT count(*) FROM %s",
		 t->name);
	snprintf(q->empty, sizeof(q->empty), "SELECT 1 FROM %s LIMIT 1",
		 t->name);
	snprintf(q->setval, sizeof(q->setval),
		 "SELECT setval(pg_get_serial_sequence('%s', 'id'),"
		 " coalesce(max(id), 0) + 1, false) FROM %s",
		 t->name, t->name);
	q->count_stmt = (struct pg_stmt)PG_STMT(q->count);
	q->empty_stmt = (struct pg_stmt)PG_STMT(q->empty);
	q->setval_stmt = (struct pg_stmt)PG_STMT(q->setval);
	return sel.ok && ins.ok;
}

static void
make_sql(void)
{
	struct sql_out lock = {lock_sql, sizeof(lock_sql), 0, true};
	bool ok = store_table_count <= STORE_TABLES_MAX;
	size_t i;

	put(&lock, "LOCK TABLE ");
	for (i = 0; ok && i < store_table_count; i++) {
		ok = make_table_sql(&store_tables[i], &sqls[i]);
		put(&lock, i ? ", " : "");
		put(&lock, store_tables[i].name);
	}
	/* Nothing else writes them until the copy commits. */
	put(&lock, " IN EXCLUSIVE MODE");
	lock_stmt = (struct pg_stmt)PG_STMT(lock_sql);
	sql_ok = ok && lock.ok;
}

/* The statements of table t; NULL when they could not be made. */
static struct table_sql *
sql_of(const struct store_table *t)
{
	size_t i = (size_t)(t - store_tables);

	pthread_once(&sql_once, make_sql);
	if (!sql_ok || t < store_tables || i >= store_table_count)
		return NULL;
	return &sqls[i];
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

static bool
is_bookkeeping(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(bookkeeping) / sizeof(bookkeeping[0]); i++)
		if (strcmp(bookkeeping[i], name) == 0)
			return true;
	return false;
}

static struct pg_stmt columns_stmt = PG_STMT(
    "SELECT c.table_name, c.column_name FROM information_schema.columns c"
    " JOIN information_schema.tables t USING (table_schema, table_name)"
    " WHERE c.table_schema = current_schema()"
    " AND t.table_type = 'BASE TABLE'");

static enum err
pg_copy_schema_check(struct store *base, char *why, size_t n)
{
	int found[STORE_TABLES_MAX] = {0};
	PGresult *r = pg_read(pg_of(base), &columns_stmt, NULL);
	enum err e = ERR_OK;
	size_t i;
	int row, c;

	if (r == NULL)
		return ERR_DB;
	if (store_table_count > STORE_TABLES_MAX) {
		PQclear(r);
		return ERR_INVALID;
	}
	for (row = 0; e == ERR_OK && row < PQntuples(r); row++) {
		const char *table = PQgetvalue(r, row, 0);
		const char *col = PQgetvalue(r, row, 1);
		const struct store_table *t = table_named(table);

		if (t == NULL && is_bookkeeping(table))
			continue;
		if (t == NULL) {
			snprintf(why, n, "table %s is not one of a site's",
				 table);
			e = ERR_INVALID;
			break;
		}
		for (c = 0; c < t->ncols; c++)
			if (strcmp(t->cols[c].name, col) == 0)
				break;
		if (c == t->ncols) {
			snprintf(why, n,
				 "table %s has a column %s unknown here", table,
				 col);
			e = ERR_INVALID;
		}
		found[t - store_tables]++;
	}
	PQclear(r);
	for (i = 0; e == ERR_OK && i < store_table_count; i++)
		if (found[i] != store_tables[i].ncols) {
			snprintf(why, n, "table %s has %d columns, not %d",
				 store_tables[i].name, found[i],
				 store_tables[i].ncols);
			e = ERR_INVALID;
		}
	return e;
}

static enum err
pg_copy_count(struct store *base, const struct store_table *t, int64_t *n)
{
	struct table_sql *q = sql_of(t);

	if (q == NULL)
		return ERR_INVALID;
	return pg_read_int(pg_of(base), &q->count_stmt, NULL, n);
}

/*
 * Column i of a row of r as its column's kind.  A blob is unescaped into
 * *freed, which the caller frees with PQfreemem after the row.
 */
static enum err
read_value(const PGresult *r, const struct store_table *t, int i,
	   struct store_value *v, unsigned char **freed)
{
	size_t len = 0;

	memset(v, 0, sizeof(*v));
	if (PQgetisnull(r, 0, i)) {
		v->null = true;
		return ERR_OK;
	}
	switch (t->cols[i].kind) {
	case STORE_INT:
		v->i = pg_int(r, 0, i);
		break;
	case STORE_REAL:
		v->r = pg_double(r, 0, i);
		break;
	case STORE_TEXT:
		v->p = PQgetvalue(r, 0, i);
		v->len = (size_t)PQgetlength(r, 0, i);
		break;
	case STORE_BLOB:
		*freed = PQunescapeBytea(
		    (const unsigned char *)PQgetvalue(r, 0, i), &len);
		if (*freed == NULL)
			return ERR_NOMEM;
		v->p = (const char *)*freed;
		v->len = len;
		break;
	}
	return ERR_OK;
}

/* Runs sql on c, expecting no rows; false (logged) when it fails. */
static bool
simple(struct pg_conn *c, const char *sql)
{
	PGresult *r = PQexec(c->c, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!ok)
		log_warnx("postgresql: %s: %s", sql, PQerrorMessage(c->c));
	PQclear(r);
	return ok;
}

static enum err
pg_copy_rows(struct store *base, const struct store_table *t,
	     enum err (*row)(void *arg, const struct store_value *v), void *arg)
{
	struct pg_store *st = pg_of(base);
	struct store_value v[STORE_COLS_MAX];
	struct table_sql *q = sql_of(t);
	struct pg_conn *c;
	PGresult *r = NULL;
	enum err e = ERR_OK;
	bool done = false;
	int i;

	if (q == NULL || t->ncols > STORE_COLS_MAX)
		return ERR_INVALID;
	if ((c = pg_take(st)) == NULL)
		return ERR_DB;
	/*
	 * A large table is read for longer than a statement may run, at the
	 * pace of the load it feeds; reals in as many digits as read back
	 * the same (PostgreSQL before 12 gives fewer by default).
	 */
	if (!simple(c, "SET statement_timeout = 0;"
		       " SET extra_float_digits = 3") ||
	    !PQsendQueryParams(c->c, q->select, 0, NULL, NULL, NULL, NULL, 0) ||
	    !PQsetSingleRowMode(c->c)) {
		log_warnx("postgresql: %s: %s", q->select,
			  PQerrorMessage(c->c));
		pg_put(st, c);
		return ERR_DB;
	}
	while (e == ERR_OK && (r = PQgetResult(c->c)) != NULL) {
		ExecStatusType s = PQresultStatus(r);
		unsigned char *freed[STORE_COLS_MAX] = {NULL};

		if (s == PGRES_SINGLE_TUPLE) {
			for (i = 0; e == ERR_OK && i < t->ncols; i++)
				e = read_value(r, t, i, &v[i], &freed[i]);
			if (e == ERR_OK)
				e = row(arg, v);
			for (i = 0; i < t->ncols; i++)
				if (freed[i] != NULL)
					PQfreemem(freed[i]);
		} else if (s == PGRES_TUPLES_OK) {
			done = true;
		} else {
			log_warnx("postgresql: %s: %s", q->select,
				  PQresultErrorMessage(r));
			e = ERR_DB;
		}
		PQclear(r);
	}
	if (e == ERR_OK && !done)
		e = ERR_DB;
	/* Stopped early, the connection is still busy: pg_put drops it. */
	if (r == NULL)
		(void)simple(c, "RESET statement_timeout;"
				" RESET extra_float_digits");
	pg_put(st, c);
	return e;
}

/* What a load's transaction carries. */
struct load {
	enum err (*source)(void *arg, const struct store_table *t,
			   enum err (*put)(void *ctx,
					   const struct store_value *v),
			   void *ctx);
	void *arg;
	struct pg_conn *c;
	const struct store_table *t;
	struct buf line; /* the row being sent */
};

/* Appends text as COPY's text format escapes it. */
static bool
put_text(struct buf *b, const char *p, size_t n)
{
	size_t i, from = 0;
	bool ok = true;

	for (i = 0; ok && i < n; i++) {
		const char *esc = p[i] == '\\'	 ? "\\\\"
				  : p[i] == '\n' ? "\\n"
				  : p[i] == '\r' ? "\\r"
				  : p[i] == '\t' ? "\\t"
						 : NULL;

		if (esc == NULL)
			continue;
		ok = buf_append(b, p + from, i - from) && buf_puts(b, esc);
		from = i + 1;
	}
	return ok && buf_append(b, p + from, n - from);
}

/* Appends bytes as bytea's hex form ("\x0a..."), escaped for COPY. */
static bool
put_bytes(struct buf *b, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	bool ok = buf_puts(b, "\\\\x");
	size_t i;

	for (i = 0; ok && i < n; i++)
		ok = buf_putc(b, hex[p[i] >> 4]) && buf_putc(b, hex[p[i] & 15]);
	return ok;
}

/* Sends a row as a line of COPY's text format. */
static enum err
put_row(void *ctx, const struct store_value *v)
{
	struct load *x = ctx;
	struct buf *b = &x->line;
	bool ok = true;
	int i;

	buf_reset(b);
	for (i = 0; ok && i < x->t->ncols; i++) {
		if (i > 0)
			ok = buf_putc(b, '\t');
		if (v[i].null) {
			ok = ok && buf_puts(b, "\\N");
			continue;
		}
		switch (x->t->cols[i].kind) {
		case STORE_INT:
			ok = ok && buf_printf(b, "%" PRId64, v[i].i);
			break;
		case STORE_REAL:
			/* Enough digits that the value reads back the same. */
			ok = ok && buf_printf(b, "%.17g", v[i].r);
			break;
		case STORE_TEXT:
			/* PostgreSQL's text holds no NUL. */
			if (memchr(v[i].p, '\0', v[i].len) != NULL) {
				log_warnx("postgresql: %s.%s: text with a NUL"
					  " byte cannot be stored",
					  x->t->name, x->t->cols[i].name);
				return ERR_INVALID;
			}
			ok = ok && put_text(b, v[i].p, v[i].len);
			break;
		case STORE_BLOB:
			ok = ok && put_bytes(b, (const unsigned char *)v[i].p,
					     v[i].len);
			break;
		}
	}
	if (!ok || !buf_putc(b, '\n'))
		return ERR_NOMEM;
	if (PQputCopyData(x->c->c, b->data, (int)b->len) != 1) {
		log_warnx("postgresql: COPY %s: %s", x->t->name,
			  PQerrorMessage(x->c->c));
		return ERR_DB;
	}
	return ERR_OK;
}

/*
 * Loads t with COPY, fed by the source: far fewer round trips than a
 * statement a row.  A failure of the source ends the COPY, failed.
 */
static enum err
load_table(struct load *x, const struct store_table *t, struct table_sql *q)
{
	PGresult *r = PQexec(x->c->c, q->copy);
	enum err e;
	bool ok;

	if (PQresultStatus(r) != PGRES_COPY_IN) {
		log_warnx("postgresql: %s: %s", q->copy,
			  PQerrorMessage(x->c->c));
		PQclear(r);
		return ERR_DB;
	}
	PQclear(r);
	x->t = t;
	e = x->source(x->arg, t, put_row, x);
	ok = PQputCopyEnd(x->c->c, e == ERR_OK ? NULL : "the source failed") ==
	     1;
	while ((r = PQgetResult(x->c->c)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			if (e == ERR_OK)
				log_warnx("postgresql: %s: %s", q->copy,
					  PQresultErrorMessage(r));
			ok = false;
		}
		PQclear(r);
	}
	return e != ERR_OK ? e : ok ? ERR_OK : ERR_DB;
}

static enum err
run_load(struct pg_conn *c, void *arg)
{
	struct load *x = arg;
	enum err e;
	int64_t one;
	size_t i;

	x->c = c;
	/* A large site loads for longer than a statement may run. */
	if (!simple(c, "SET LOCAL statement_timeout = 0"))
		return ERR_DB;
	if ((e = pg_exec(c, &lock_stmt, NULL, NULL)) != ERR_OK)
		return e;
	for (i = 0; i < store_table_count; i++) {
		e = pg_exec_int(c, &sqls[i].empty_stmt, NULL, &one);
		if (e != ERR_NOTFOUND)
			return e == ERR_OK ? ERR_CONFLICT : e;
	}
	for (i = 0; i < store_table_count; i++) {
		if ((e = load_table(x, &store_tables[i], &sqls[i])) != ERR_OK)
			return e;
		if (store_tables[i].identity &&
		    (e = pg_exec(c, &sqls[i].setval_stmt, NULL, NULL)) !=
			ERR_OK)
			return e;
	}
	return ERR_OK;
}

static enum err
pg_copy_load(struct store *base,
	     enum err (*source)(void *arg, const struct store_table *t,
				enum err (*put)(void *ctx,
						const struct store_value *v),
				void *ctx),
	     void *arg)
{
	struct load x = {source, arg, NULL, NULL, {0}};
	enum err e;

	if (store_table_count == 0 || sql_of(&store_tables[0]) == NULL)
		return ERR_INVALID;
	buf_init(&x.line, 0);
	e = pg_tx(pg_of(base), run_load, &x);
	buf_clear(&x.line);
	return e;
}

static struct pg_stmt key_replace =
    PG_STMT("INSERT INTO site_key (id, key) VALUES (1, $1)"
	    " ON CONFLICT (id) DO UPDATE SET key = excluded.key");

static enum err
pg_copy_key_put(struct store *base, const unsigned char *key, size_t n)
{
	struct pg_args a = {0};

	pg_arg_bytes(&a, key, n);
	return pg_write(pg_of(base), &key_replace, &a, NULL);
}

void
pg_copy_ops(struct store_ops *ops)
{
	ops->copy_schema_check = pg_copy_schema_check;
	ops->copy_count = pg_copy_count;
	ops->copy_rows = pg_copy_rows;
	ops->copy_load = pg_copy_load;
	ops->copy_key_put = pg_copy_key_put;
}
