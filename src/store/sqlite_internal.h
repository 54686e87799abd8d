/*
 * sqlite_internal: what the SQLite backend's files share: the statement
 * registry, connections, and the writer that groups commits.  Only
 * store/sqlite*.c include this.
 */
#ifndef PARLEY_SQLITE_INTERNAL_H
#define PARLEY_SQLITE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"

/* The statement registry (sqlite_stmt.c): every SQL statement this backend runs. */
enum stmt {
	STMT_ARTICLE_BY_SLUG,
	STMT_ARTICLE_BY_ID,
	STMT_ARTICLE_LIST,
	STMT_ARTICLE_COUNT,
	STMT_ARTICLE_INSERT,
	STMT_ARTICLE_SET_OPEN,
	STMT_COMMENT_PAGE,
	STMT_COMMENT_GET,
	STMT_COMMENT_THREAD_INDEX,
	STMT_COMMENT_BY_KEY,
	STMT_COMMENT_PARENT,
	STMT_COMMENT_INSERT,
	STMT_ARTICLE_COUNT_COMMENT,
	STMT__MAX
};

extern const char *const stmt_sql[STMT__MAX];

struct conn {
	sqlite3 *db;
	sqlite3_stmt *stmt[STMT__MAX];
	struct conn *next;
};

struct write_job {
	enum err (*run)(struct conn *w, void *arg);
	void *arg;
	enum err result;
	bool done;
	struct write_job *next;
};

struct sqlite_store {
	struct store base;
	char *path;
	pthread_key_t reader_key;
	pthread_mutex_t readers_lock;
	struct conn *readers;

	struct conn writer;
	pthread_t writer_thread;
	bool writer_started;
	pthread_mutex_t lock;
	pthread_cond_t job_ready;
	pthread_cond_t job_done;
	struct write_job *head, *tail;
	bool stopping;
};

/* Logs the connection's last error; returns ERR_DB. */
enum err sqlite_fail(sqlite3 *db, const char *what);

/* The prepared statement id on c, reset and with no bindings; NULL on error. */
sqlite3_stmt *conn_stmt(struct conn *c, enum stmt id);

/* This thread's read connection, opened on first use; NULL on error. */
struct conn *sqlite_reader(struct sqlite_store *st);

/*
 * Runs run(w, arg) on the writer thread inside a group commit and waits
 * until that commit is durable (or failed).
 */
enum err sqlite_write(struct sqlite_store *st,
		      enum err (*run)(struct conn *w, void *arg), void *arg);

/* A text column copied into the arena ("" for NULL); NULL when out of memory. */
const char *col_text(struct arena *a, sqlite3_stmt *s, int i);

/* Binds text (NULL as ""), not copied: it must outlive the step. */
void bind_text(sqlite3_stmt *s, int i, const char *t);

#endif
