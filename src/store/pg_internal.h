/*
 * pg_internal: what the PostgreSQL backend's files share: the pool of
 * connections, statements prepared on first use, parameters and columns
 * as text, transactions, and the queue of submitted writes.  Only
 * store/pg*.c include this.
 *
 * Every file of the backend keeps its own statements (a static struct
 * pg_stmt each) and fills its own part of the table of operations
 * (pg_*_ops), so the parts can change apart.
 */
#ifndef PARLEY_PG_INTERNAL_H
#define PARLEY_PG_INTERNAL_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/names.h"
#include "store/store.h"

/* Statements the backend may hold prepared, all files together. */
#define PG_STMTS_MAX 512
/* Parameters of one statement at most. */
#define PG_ARGS_MAX 32

/* One SQL statement, prepared on each connection the first time it runs
 * there; slot is its number, given on first use. */
struct pg_stmt {
	const char *sql;
	int slot; /* 0: not numbered yet; see pg_stmt_slot */
};

#define PG_STMT(text)                                                          \
	{                                                                      \
		(text), 0                                                      \
	}

struct pg_conn {
	PGconn *c;
	char state[6]; /* the SQLSTATE of its last failed statement */
	unsigned char prepared[PG_STMTS_MAX / 8];
	struct pg_conn *next;
};

/* A write handed to the submit workers (pg_submit). */
struct pg_job {
	enum err (*run)(struct pg_conn *c, void *arg);
	void (*complete)(struct pg_job *job, enum err e);
	void *arg;
	struct pg_job *next;
};

struct pg_store {
	struct store base;
	char *conninfo;
	char node[17]; /* this process's name in change events */

	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct pg_conn *idle; /* connections free to take */
	int open;	      /* connections made, taken or idle */
	int max_open;
	char fault[256]; /* what /healthz reports; "" when well */

	/* Submitted writes: a queue and the threads that run it. */
	pthread_cond_t job_ready;
	struct pg_job *head, *tail;
	pthread_t *workers;
	int nworkers;
	bool stopping;

	/* The listener: other nodes' and processes' commits. */
	pthread_t listener;
	bool listening;
	int wake[2]; /* a pipe that ends its wait at close */
};

/* Parameters, all sent as text (bytes for bytea). */
struct pg_args {
	int n;
	const char *v[PG_ARGS_MAX];
	int len[PG_ARGS_MAX];
	int fmt[PG_ARGS_MAX];
	char num[PG_ARGS_MAX][24];
};

void pg_arg_text(struct pg_args *a, const char *s); /* NULL: "" */
void pg_arg_null(struct pg_args *a);
void pg_arg_int(struct pg_args *a, int64_t v);
void pg_arg_double(struct pg_args *a, double v);
void pg_arg_bytes(struct pg_args *a, const void *data, size_t len);

/*
 * Runs s on c; the result when it succeeded (free it with PQclear), NULL
 * when it failed (logged, and *state set to its SQLSTATE when state is not
 * NULL: "23505" a unique violation, "" a lost connection).
 */
PGresult *pg_run(struct pg_conn *c, struct pg_stmt *s, const struct pg_args *a,
		 char state[6]);

/* Columns of a text result. */
const char *pg_text(struct arena *a, const PGresult *r, int row, int col);
int64_t pg_int(const PGresult *r, int row, int col);
double pg_double(const PGresult *r, int row, int col);
bool pg_null(const PGresult *r, int row, int col);

/*
 * A connection from the pool, connected; NULL when PostgreSQL cannot be
 * reached (st->fault says why).  Give it back with pg_put; broken says it
 * must not be used again.
 */
struct pg_conn *pg_take(struct pg_store *st);
/* A connection to conninfo with our defaults (timeouts), which the
 * site's connection string may override; check its PQstatus. */
PGconn *pg_connect(const char *conninfo);
/* Sends c's notices to the log (warnings) or nowhere (notices). */
void pg_quiet_notices(PGconn *c);
void pg_put(struct pg_store *st, struct pg_conn *c);

/*
 * A read: runs s once with a, and again on a new connection when the
 * first one had been lost (PostgreSQL restarted).  NULL on failure.
 */
PGresult *pg_read(struct pg_store *st, struct pg_stmt *s,
		  const struct pg_args *a);

/* A read of one row: ERR_NOTFOUND when there is none; out filled by read. */
enum err pg_read_one(struct pg_store *st, struct arena *ar, struct pg_stmt *s,
		     const struct pg_args *a,
		     enum err (*read)(struct arena *ar, const PGresult *r,
				      int row, void *out),
		     void *out);

/* A read of rows into an array of sz-byte records in ar. */
enum err pg_read_all(struct pg_store *st, struct arena *ar, struct pg_stmt *s,
		     const struct pg_args *a, size_t sz,
		     enum err (*read)(struct arena *ar, const PGresult *r,
				      int row, void *out),
		     void **out, size_t *n);

/* A read of one integer (a count); 0 when there is no row. */
enum err pg_read_int(struct pg_store *st, struct pg_stmt *s,
		     const struct pg_args *a, int64_t *out);

/*
 * A write: run in one transaction (READ COMMITTED; take row locks with
 * FOR UPDATE where a decision reads what it changes), with the change
 * event sent in it.  Run again from the start after a serialization
 * failure or a deadlock, or when the connection was lost before COMMIT
 * was sent.  Returns run's error, or ERR_DB when nothing was committed,
 * or ERR_UNSURE when the connection was lost during COMMIT.  ERR_OK only
 * once COMMIT has returned.
 */
enum err pg_tx(struct pg_store *st,
	       enum err (*run)(struct pg_conn *c, void *arg), void *arg);

/* Runs one statement as a whole transaction; *rows gets the rows it
 * changed when rows is not NULL. */
enum err pg_write(struct pg_store *st, struct pg_stmt *s,
		  const struct pg_args *a, int64_t *rows);

/* Within a transaction: runs s, ERR_DB when it failed; ERR_CONFLICT when
 * it broke a constraint (unique, foreign key, check), as SQLite answers.
 * *rows as pg_write. */
enum err pg_exec(struct pg_conn *c, struct pg_stmt *s, const struct pg_args *a,
		 int64_t *rows);

/* Within a transaction: the first column of the first row as an integer;
 * ERR_NOTFOUND when there is no row, ERR_CONFLICT as pg_exec. */
enum err pg_exec_int(struct pg_conn *c, struct pg_stmt *s,
		     const struct pg_args *a, int64_t *out);

/*
 * Runs the n jobs in one transaction, each in a savepoint (one that fails
 * spoils no other), committed once: group commit, one WAL flush and one
 * hold of a hot row (an article's counts) for them all.  results[i] is
 * job i's outcome: ERR_OK only once COMMIT has returned; ERR_UNSURE when
 * the connection was lost during COMMIT.
 */
void pg_tx_batch(struct pg_store *st, struct pg_job **jobs, size_t n,
		 enum err *results);

/* Queues job: run in a transaction by a worker, then complete is called
 * on that worker with the outcome.  false when the store is closing. */
bool pg_submit(struct pg_store *st, struct pg_job *job);

/*
 * Reads a struct comment (out) from COMMENT_COLS (store/sql_shared.h) at
 * column 0 on: the one row reader for comments in this backend; a
 * statement's own columns follow from COMMENT_COLS_N on.
 */
enum err pg_read_comment(struct arena *a, const PGresult *r, int row,
			 void *out);

/* The parts of the table of operations, one per file. */
void pg_article_ops(struct store_ops *ops);
void pg_user_ops(struct store_ops *ops);
void pg_debate_ops(struct store_ops *ops);
void pg_moderation_ops(struct store_ops *ops);
void pg_limit_ops(struct store_ops *ops);
void pg_copy_ops(struct store_ops *ops);

struct pg_store *pg_of(struct store *base);

#endif
