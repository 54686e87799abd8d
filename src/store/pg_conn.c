/*
 * pg_conn: the PostgreSQL backend's connections and statements: a small
 * pool of connections, each statement prepared on a connection the first
 * time it runs there, parameters and columns as text, and the read and
 * write helpers every pg_*.c file uses.
 *
 * A lost connection (PostgreSQL restarted, a network cut) is noticed by
 * the statement that fails on it; the connection is dropped and the next
 * one taken is new.  A read is tried once more on it; a write is tried
 * again only when it is known that its COMMIT was never sent.
 */
#include "store/pg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

/* How long a caller waits for a connection when all are taken. */
#define TAKE_WAIT_MS 5000

/* Times a transaction is run again after a serialization failure. */
#define TX_TRIES 8

static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static int slots_given;

/* The statement's slot, given on its first use in this process. */
static int
stmt_slot(struct pg_stmt *s)
{
	int slot;

	pthread_mutex_lock(&slot_lock);
	if (s->slot == 0 && slots_given + 1 < PG_STMTS_MAX)
		s->slot = ++slots_given;
	slot = s->slot;
	pthread_mutex_unlock(&slot_lock);
	return slot;
}

void
pg_arg_text(struct pg_args *a, const char *s)
{
	if (a->n >= PG_ARGS_MAX)
		return;
	a->v[a->n] = s ? s : "";
	a->len[a->n] = 0;
	a->fmt[a->n] = 0;
	a->n++;
}

void
pg_arg_null(struct pg_args *a)
{
	if (a->n >= PG_ARGS_MAX)
		return;
	a->v[a->n] = NULL;
	a->len[a->n] = 0;
	a->fmt[a->n] = 0;
	a->n++;
}

void
pg_arg_int(struct pg_args *a, int64_t v)
{
	if (a->n >= PG_ARGS_MAX)
		return;
	snprintf(a->num[a->n], sizeof(a->num[a->n]), "%" PRId64, v);
	pg_arg_text(a, a->num[a->n]);
}

void
pg_arg_double(struct pg_args *a, double v)
{
	if (a->n >= PG_ARGS_MAX)
		return;
	/* Enough digits that the value reads back the same. */
	snprintf(a->num[a->n], sizeof(a->num[a->n]), "%.17g", v);
	pg_arg_text(a, a->num[a->n]);
}

void
pg_arg_bytes(struct pg_args *a, const void *data, size_t len)
{
	if (a->n >= PG_ARGS_MAX)
		return;
	a->v[a->n] = len ? data : "";
	a->len[a->n] = (int)len;
	a->fmt[a->n] = 1;
	a->n++;
}

/* Whether a failed statement lost its connection. */
static bool
conn_lost(struct pg_conn *c)
{
	return PQstatus(c->c) != CONNECTION_OK;
}

PGresult *
pg_run(struct pg_conn *c, struct pg_stmt *s, const struct pg_args *a,
       char state[6])
{
	static const struct pg_args none;
	int slot = stmt_slot(s);
	char name[16];
	PGresult *r;
	ExecStatusType st;
	const char *code;

	if (state)
		state[0] = '\0';
	c->state[0] = '\0';
	if (a == NULL)
		a = &none;
	if (slot == 0) {
		log_warnx("postgresql: more statements than %d", PG_STMTS_MAX);
		return NULL;
	}
	snprintf(name, sizeof(name), "p%d", slot);
	if (!(c->prepared[slot / 8] & (1u << (slot % 8)))) {
		r = PQprepare(c->c, name, s->sql, 0, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
			if (state && code)
				snprintf(state, 6, "%s", code);
			log_warnx("postgresql: prepare %s: %s", s->sql,
				  PQerrorMessage(c->c));
			PQclear(r);
			return NULL;
		}
		PQclear(r);
		c->prepared[slot / 8] |= (unsigned char)(1u << (slot % 8));
	}
	r = PQexecPrepared(c->c, name, a->n, a->v, a->len, a->fmt, 0);
	st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (state && code)
		snprintf(state, 6, "%s", code);
	if (code)
		snprintf(c->state, sizeof(c->state), "%s", code);
	/* A broken constraint is an answer the caller expects, not a fault;
	 * a deadlock or a serialization failure is run again (pg_tx). */
	if (code == NULL ||
	    (strncmp(code, "23", 2) != 0 && strcmp(code, "40P01") != 0 &&
	     strcmp(code, "40001") != 0))
		log_warnx("postgresql: %s: %s", s->sql,
			  conn_lost(c) ? "the connection was lost"
				       : PQresultErrorMessage(r));
	PQclear(r);
	return NULL;
}

const char *
pg_text(struct arena *a, const PGresult *r, int row, int col)
{
	return arena_strndup(a, PQgetvalue(r, row, col),
			     (size_t)PQgetlength(r, row, col));
}

int64_t
pg_int(const PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double
pg_double(const PGresult *r, int row, int col)
{
	return strtod(PQgetvalue(r, row, col), NULL);
}

bool
pg_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) != 0;
}

static void
set_fault(struct pg_store *st, const char *why)
{
	pthread_mutex_lock(&st->lock);
	if (strcmp(st->fault, why) != 0) {
		if (why[0])
			log_warnx("postgresql: %s", why);
		else if (st->fault[0])
			log_info("postgresql: reachable again");
		snprintf(st->fault, sizeof(st->fault), "%s", why);
	}
	pthread_mutex_unlock(&st->lock);
}

/* PostgreSQL's notices (a table that already exists, ...) are not
 * faults; warnings and worse are logged. */
static void
on_notice(void *arg, const PGresult *r)
{
	const char *severity =
	    PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);

	(void)arg;
	if (severity &&
	    (strcmp(severity, "NOTICE") == 0 || strcmp(severity, "INFO") == 0 ||
	     strcmp(severity, "DEBUG") == 0 || strcmp(severity, "LOG") == 0))
		return;
	log_warnx("postgresql: %s", PQresultErrorMessage(r));
}

void
pg_quiet_notices(PGconn *c)
{
	PQsetNoticeReceiver(c, on_notice, NULL);
}

PGconn *
pg_connect(const char *conninfo)
{
	/*
	 * Ours first, the site's connection string after it: what the site
	 * sets wins.  A host that does not answer costs a few seconds, not
	 * the kernel's minutes; a statement never runs for ever.
	 */
	static const char *const keys[] = {"connect_timeout", "options",
					   "application_name", "dbname", NULL};
	const char *values[] = {"5", "-c statement_timeout=30000", "parley",
				conninfo, NULL};

	return PQconnectdbParams(keys, values, 1);
}

/* A new connection; NULL (the fault set) when it cannot be made. */
static struct pg_conn *
conn_open(struct pg_store *st)
{
	struct pg_conn *c = calloc(1, sizeof(*c));
	char why[sizeof(st->fault)];
	size_t n;

	if (c == NULL)
		return NULL;
	c->c = pg_connect(st->conninfo);
	if (PQstatus(c->c) != CONNECTION_OK) {
		snprintf(why, sizeof(why), "cannot connect: %s",
			 PQerrorMessage(c->c));
		n = strlen(why);
		while (n > 0 && (why[n - 1] == '\n' || why[n - 1] == ' '))
			why[--n] = '\0';
		set_fault(st, why);
		PQfinish(c->c);
		free(c);
		return NULL;
	}
	pg_quiet_notices(c->c);
	set_fault(st, "");
	return c;
}

static void
conn_close(struct pg_conn *c)
{
	PQfinish(c->c);
	free(c);
}

struct pg_conn *
pg_take(struct pg_store *st)
{
	struct timespec until;
	struct pg_conn *c;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += TAKE_WAIT_MS / 1000;
	pthread_mutex_lock(&st->lock);
	while (st->idle == NULL && st->open >= st->max_open) {
		if (pthread_cond_timedwait(&st->freed, &st->lock, &until) !=
		    0) {
			pthread_mutex_unlock(&st->lock);
			log_warnx("postgresql: every connection is taken");
			return NULL;
		}
	}
	if ((c = st->idle) != NULL) {
		st->idle = c->next;
		pthread_mutex_unlock(&st->lock);
		return c;
	}
	st->open++;
	pthread_mutex_unlock(&st->lock);
	if ((c = conn_open(st)) == NULL) {
		pthread_mutex_lock(&st->lock);
		st->open--;
		pthread_cond_signal(&st->freed);
		pthread_mutex_unlock(&st->lock);
	}
	return c;
}

void
pg_put(struct pg_store *st, struct pg_conn *c)
{
	bool lost = conn_lost(c) || PQtransactionStatus(c->c) != PQTRANS_IDLE;

	if (lost) {
		/* Lost, or left inside a transaction: never reused. */
		conn_close(c);
		pthread_mutex_lock(&st->lock);
		st->open--;
	} else {
		pthread_mutex_lock(&st->lock);
		c->next = st->idle;
		st->idle = c;
	}
	pthread_cond_signal(&st->freed);
	pthread_mutex_unlock(&st->lock);
}

/* Drops every idle connection: after one was found lost, the others
 * (made before the same restart) are lost too. */
static void
drop_idle(struct pg_store *st)
{
	struct pg_conn *c, *next;

	pthread_mutex_lock(&st->lock);
	c = st->idle;
	st->idle = NULL;
	pthread_mutex_unlock(&st->lock);
	for (; c != NULL; c = next) {
		next = c->next;
		conn_close(c);
		pthread_mutex_lock(&st->lock);
		st->open--;
		pthread_cond_signal(&st->freed);
		pthread_mutex_unlock(&st->lock);
	}
}

PGresult *
pg_read(struct pg_store *st, struct pg_stmt *s, const struct pg_args *a)
{
	int try;

	for (try = 0; try < 2; try++) {
		struct pg_conn *c = pg_take(st);
		PGresult *r;
		bool lost;

		if (c == NULL)
			return NULL;
		r = pg_run(c, s, a, NULL);
		lost = r == NULL && conn_lost(c);
		pg_put(st, c);
		if (!lost)
			return r;
		drop_idle(st);
	}
	return NULL;
}

enum err
pg_read_one(struct pg_store *st, struct arena *ar, struct pg_stmt *s,
	    const struct pg_args *a,
	    enum err (*read)(struct arena *ar, const PGresult *r, int row,
			     void *out),
	    void *out)
{
	PGresult *r = pg_read(st, s, a);
	enum err e;

	if (r == NULL)
		return ERR_DB;
	e = PQntuples(r) == 0 ? ERR_NOTFOUND : read(ar, r, 0, out);
	PQclear(r);
	return e;
}

enum err
pg_read_all(struct pg_store *st, struct arena *ar, struct pg_stmt *s,
	    const struct pg_args *a, size_t sz,
	    enum err (*read)(struct arena *ar, const PGresult *r, int row,
			     void *out),
	    void **out, size_t *n)
{
	PGresult *r = pg_read(st, s, a);
	enum err e = ERR_OK;
	int i, rows;
	char *v;

	*out = NULL;
	*n = 0;
	if (r == NULL)
		return ERR_DB;
	rows = PQntuples(r);
	if (rows > 0) {
		v = arena_alloc(ar, sz * (size_t)rows);
		if (v == NULL) {
			PQclear(r);
			return ERR_NOMEM;
		}
		for (i = 0; i < rows && e == ERR_OK; i++)
			e = read(ar, r, i, v + sz * (size_t)i);
		*out = v;
		*n = (size_t)rows;
	}
	PQclear(r);
	return e;
}

enum err
pg_read_int(struct pg_store *st, struct pg_stmt *s, const struct pg_args *a,
	    int64_t *out)
{
	PGresult *r = pg_read(st, s, a);

	if (r == NULL)
		return ERR_DB;
	*out = PQntuples(r) > 0 ? pg_int(r, 0, 0) : 0;
	PQclear(r);
	return ERR_OK;
}

enum err
pg_exec(struct pg_conn *c, struct pg_stmt *s, const struct pg_args *a,
	int64_t *rows)
{
	char state[6];
	PGresult *r = pg_run(c, s, a, state);

	if (r == NULL)
		return strncmp(state, "23", 2) == 0 ? ERR_CONFLICT : ERR_DB;
	if (rows)
		*rows = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return ERR_OK;
}

enum err
pg_exec_int(struct pg_conn *c, struct pg_stmt *s, const struct pg_args *a,
	    int64_t *out)
{
	char state[6];
	PGresult *r = pg_run(c, s, a, state);
	enum err e = ERR_NOTFOUND;

	if (r == NULL)
		return strncmp(state, "23", 2) == 0 ? ERR_CONFLICT : ERR_DB;
	if (PQntuples(r) > 0) {
		*out = pg_int(r, 0, 0);
		e = ERR_OK;
	}
	PQclear(r);
	return e;
}

/* Runs a statement with no parameters and no rows; its SQLSTATE in state. */
static bool
simple(struct pg_conn *c, const char *sql, char state[6])
{
	PGresult *r = PQexec(c->c, sql);
	const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	state[0] = '\0';
	if (!ok && code)
		snprintf(state, 6, "%s", code);
	PQclear(r);
	return ok;
}

/* Whether a transaction that failed with state is worth running again. */
static bool
retryable(const char *state)
{
	/* A serialization failure or a deadlock: nothing was committed. */
	return strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0;
}

static struct pg_stmt notify_stmt =
    PG_STMT("SELECT pg_notify('parley_changes', $1)");

enum err
pg_tx(struct pg_store *st, enum err (*run)(struct pg_conn *c, void *arg),
      void *arg)
{
	int try;

	for (try = 0; try < TX_TRIES; try++) {
		struct pg_conn *c = pg_take(st);
		struct pg_args na = {0};
		char state[6] = "";
		enum err e;
		bool lost;

		if (c == NULL)
			return ERR_DB;
		if (!simple(c, "BEGIN", state)) {
			lost = conn_lost(c);
			pg_put(st, c);
			if (lost) {
				drop_idle(st);
				continue;
			}
			return ERR_DB;
		}
		e = run(c, arg);
		pg_arg_text(&na, st->node);
		if (e == ERR_OK)
			e = pg_exec(c, &notify_stmt, &na, NULL);
		if (e != ERR_OK) {
			/* A statement that failed left its SQLSTATE. */
			bool again = retryable(c->state);

			lost = conn_lost(c);
			(void)simple(c, "ROLLBACK", state);
			pg_put(st, c);
			if (lost)
				drop_idle(st);
			/* Nothing was committed: run it again from the start.
			 */
			if ((lost && e == ERR_DB) || again)
				continue;
			return e;
		}
		if (simple(c, "COMMIT", state)) {
			pg_put(st, c);
			return ERR_OK;
		}
		lost = conn_lost(c);
		pg_put(st, c);
		if (lost) {
			/* COMMIT was sent: it may or may not have happened. */
			drop_idle(st);
			log_warnx("postgresql: the connection was lost during "
				  "a commit; its outcome is unknown");
			return ERR_UNSURE;
		}
		if (!retryable(state))
			return ERR_DB;
	}
	return ERR_DB;
}

struct write_one {
	struct pg_stmt *s;
	const struct pg_args *a;
	int64_t *rows;
};

static enum err
run_write_one(struct pg_conn *c, void *arg)
{
	struct write_one *w = arg;

	return pg_exec(c, w->s, w->a, w->rows);
}

enum err
pg_write(struct pg_store *st, struct pg_stmt *s, const struct pg_args *a,
	 int64_t *rows)
{
	struct write_one w = {s, a, rows};

	return pg_tx(st, run_write_one, &w);
}

/*
 * Runs one job of a batch in its savepoint.  *again: it met a deadlock or
 * a serialization failure, which the whole batch must be run again for
 * (rolled back to its savepoint, the batch would still hold the locks
 * its earlier jobs took, and meet the same wait again).
 */
static enum err
batch_one(struct pg_conn *c, struct pg_job *job, bool *again)
{
	char state[6];
	enum err e;

	*again = false;
	if (!simple(c, "SAVEPOINT job", state))
		return ERR_DB;
	e = job->run(c, job->arg);
	if (e == ERR_OK)
		return simple(c, "RELEASE SAVEPOINT job", state) ? ERR_OK
								 : ERR_DB;
	*again = retryable(c->state);
	(void)simple(c, "ROLLBACK TO SAVEPOINT job", state);
	return e;
}

void
pg_tx_batch(struct pg_store *st, struct pg_job **jobs, size_t n,
	    enum err *results)
{
	size_t i, stored;
	int try;

	for (i = 0; i < n; i++)
		results[i] = ERR_DB;
	for (try = 0; try < TX_TRIES; try++) {
		struct pg_conn *c = pg_take(st);
		struct pg_args na = {0};
		char state[6] = "";
		bool lost, again;

		if (c == NULL)
			return;
		if (!simple(c, "BEGIN", state)) {
			lost = conn_lost(c);
			pg_put(st, c);
			if (lost) {
				drop_idle(st);
				continue;
			}
			return;
		}
		again = false;
		for (i = stored = 0; i < n && !again && !conn_lost(c); i++) {
			results[i] = batch_one(c, jobs[i], &again);
			stored += results[i] == ERR_OK;
		}
		if (again || conn_lost(c)) {
			/* Nothing was committed: the whole batch again. */
			lost = conn_lost(c);
			(void)simple(c, "ROLLBACK", state);
			pg_put(st, c);
			if (lost)
				drop_idle(st);
			if (again)
				break;
			continue;
		}
		pg_arg_text(&na, st->node);
		if (stored == 0 ||
		    pg_exec(c, &notify_stmt, &na, NULL) != ERR_OK) {
			(void)simple(c, "ROLLBACK", state);
			pg_put(st, c);
			if (stored > 0)
				for (i = 0; i < n; i++)
					if (results[i] == ERR_OK)
						results[i] = ERR_DB;
			return;
		}
		if (simple(c, "COMMIT", state)) {
			pg_put(st, c);
			return;
		}
		lost = conn_lost(c);
		pg_put(st, c);
		if (lost)
			drop_idle(st);
		if (!lost && retryable(state))
			continue;
		/* COMMIT was sent over a lost connection: it may have
		 * happened; otherwise it is known not to have. */
		for (i = 0; i < n; i++)
			if (results[i] == ERR_OK)
				results[i] = lost ? ERR_UNSURE : ERR_DB;
		if (lost)
			log_warnx("postgresql: the connection was lost during "
				  "a commit; its outcome is unknown");
		return;
	}
	/*
	 * Another node's batch held what this one waited for, and the other
	 * way round: each job alone then, in its own transaction, so no job
	 * holds another's locks while it waits.
	 */
	for (i = 0; i < n; i++)
		results[i] = pg_tx(st, jobs[i]->run, jobs[i]->arg);
}
