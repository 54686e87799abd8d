/*
 * What the store's unit programs (test_store, test_powercut,
 * test_writefault) set up alike: a store opened with its error printed, an
 * article and a reader's comment to insert, a fresh database with one open
 * article in a scratch folder, and the folder removed at the end.  Include
 * after test.h.
 *
 * The checks of a program that are about the store's promises, not about
 * SQLite's file, run on both backends (fixture_each_backend): on SQLite,
 * then on PostgreSQL when PARLEY_TEST_PG names a server (a base URI such
 * as postgresql://parley@127.0.0.1:PORT/parley), each database a new one
 * made there.
 */
#ifndef PARLEY_STORE_FIXTURE_H
#define PARLEY_STORE_FIXTURE_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "store/store.h"
#include "test.h"

/* Opens the store at path; NULL (the reason printed) when it cannot. */
static inline struct store *
fixture_store_open(const char *path)
{
	struct buf err;
	struct store *st;

	buf_init(&err, 512);
	st = store_open(path, &err);
	if (st == NULL)
		printf("store_open: %s\n", buf_cstr(&err));
	buf_clear(&err);
	return st;
}

/* An open article under slug; its strings are literals, not copied. */
static inline struct article
fixture_article(const char *slug)
{
	struct article a = {0};

	a.slug = slug;
	a.title = "Title";
	a.author = "Author";
	a.published = 1795305600;
	a.image = a.caption = a.tags = "";
	a.body_md = "Body";
	a.body_html = "<p>Body</p>";
	a.comments_open = true;
	return a;
}

/*
 * A reader's top-level comment on article: body as both Markdown and HTML,
 * sent with the form key key.  Not copied: the strings must outlive it.
 */
static inline struct comment
fixture_comment(int64_t article, const char *body, const char *key)
{
	struct comment c = {0};

	c.article_id = article;
	c.author = "Reader";
	c.email = "r@example.org";
	c.url = "";
	c.avatar = "00";
	c.body_md = body;
	c.body_html = body;
	c.created = 1795305600;
	c.ip = "127.0.0.1";
	c.request_key = key;
	return c;
}

/* Set while a program's checks run on PostgreSQL (fixture_each_backend). */
static bool fixture_pg;

/* The PostgreSQL server of PARLEY_TEST_PG, or NULL when none is named. */
static inline const char *
fixture_pg_base(void)
{
	const char *base = getenv("PARLEY_TEST_PG");

	return base && base[0] ? base : NULL;
}

/*
 * A new, empty database on the PARLEY_TEST_PG server, its URI written to
 * out: the base URI with another database name.  False (the reason
 * printed) when it cannot be made.
 */
static inline bool
fixture_pg_database(const char *name, char *out, size_t n)
{
	static int serial;
	const char *base = fixture_pg_base(), *host, *path, *query;
	char db[96], sql[128];
	PGconn *c;
	PGresult *r;
	bool ok;

	host = base ? strstr(base, "://") : NULL;
	if (host == NULL) {
		printf("PARLEY_TEST_PG: not a postgresql:// URI\n");
		return false;
	}
	path = strchr(host + 3, '/');
	query = strchr(host + 3, '?');
	if (path == NULL || (query && query < path))
		path = query ? query : host + strlen(host);
	snprintf(db, sizeof(db), "u_%s_%ld_%d", name, (long)getpid(), ++serial);
	snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", db);
	c = PQconnectdb(base);
	r = PQexec(c, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		printf("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	snprintf(out, n, "%.*s/%s%s", (int)(path - base), base, db,
		 query ? query : "");
	return ok;
}

/*
 * A fresh database's name in path: dir/NAME.db, or on PostgreSQL a new
 * database of the PARLEY_TEST_PG server.  False when it cannot be made.
 */
static inline bool
fixture_db_path(const char *dir, const char *name, char *path, size_t n)
{
	if (fixture_pg)
		return fixture_pg_database(name, path, n);
	snprintf(path, n, "%s/%s.db", dir, name);
	return true;
}

/*
 * Runs run() on PostgreSQL when PARLEY_TEST_PG is set, in a child process,
 * so that a crash there (an operation the backend does not have yet)
 * counts as one failure and leaves the program's other checks standing;
 * its counts are added here.
 */
static inline void
fixture_on_postgres(void (*run)(void))
{
	int fds[2], status = 0, counts[2] = {0, 0};
	ssize_t got;
	pid_t pid;

	if (fixture_pg_base() == NULL)
		return;
	printf("-- checks on PostgreSQL\n");
	fflush(stdout);
	if (pipe(fds) != 0) {
		CHECK(!"a pipe for the PostgreSQL pass");
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		fixture_pg = true;
		test_passed = test_failed = 0;
		run();
		counts[0] = test_passed;
		counts[1] = test_failed;
		fflush(stdout);
		got = write(fds[1], counts, sizeof(counts));
		close(fds[1]);
		/* exit, not _exit: a leak checker's report still runs. */
		exit(got == (ssize_t)sizeof(counts) ? 0 : 1);
	}
	close(fds[1]);
	got = pid > 0 ? read(fds[0], counts, sizeof(counts)) : -1;
	close(fds[0]);
	if (pid > 0)
		(void)waitpid(pid, &status, 0);
	if (got == (ssize_t)sizeof(counts)) {
		test_passed += counts[0];
		test_failed += counts[1];
	}
	if (got != (ssize_t)sizeof(counts) || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		test_failed++;
		printf("FAIL the checks on PostgreSQL ended early or badly (%s "
		       "%d)\n",
		       WIFSIGNALED(status) ? "signal" : "exit status",
		       WIFSIGNALED(status) ? WTERMSIG(status)
					   : WEXITSTATUS(status));
	}
}

/* Runs run() on SQLite, then again on PostgreSQL when PARLEY_TEST_PG is
 * set (fixture_on_postgres). */
static inline void
fixture_each_backend(void (*run)(void))
{
	fixture_pg = false;
	run();
	fixture_on_postgres(run);
}

/*
 * A fresh database (fixture_db_path: dir/NAME.db, or a new PostgreSQL
 * database; its name written to path) holding one open article with slug
 * name, whose id goes to *article; NULL when it cannot
 * be made.  The caller closes the store.
 */
static inline struct store *
fixture_store_fresh(const char *dir, const char *name, char *path, size_t n,
		    int64_t *article)
{
	struct article a = fixture_article(name);
	struct store *st;

	CHECK(fixture_db_path(dir, name, path, n));
	st = fixture_store_open(path);
	CHECK(st != NULL);
	if (st == NULL)
		return NULL;
	CHECK(st->ops->article_insert(st, &a, article) == ERR_OK);
	return st;
}

/* How many stored comments have this text (-1 on error). */
static inline int64_t
fixture_stored(const char *path, const char *body)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
		SQLITE_OK &&
	    sqlite3_prepare_v2(db,
			       "SELECT count(*) FROM comments"
			       " WHERE body_md = ?1",
			       -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, body, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* The database is intact and each article's count matches its comments. */
static inline void
fixture_check_db(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	bool ok = false, counted = false;

	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
	      SQLITE_OK);
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) ==
		SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0;
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT count(*) FROM articles a WHERE"
			       " comment_count != (SELECT count(*) FROM"
			       " comments c WHERE c.article_id = a.id)",
			       -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		counted = sqlite3_column_int(s, 0) == 0;
	sqlite3_finalize(s);
	sqlite3_close(db);
	CHECK(ok);
	CHECK(counted);
}

/* Removes a scratch folder made by test_scratch_dir, and all it holds. */
static inline void
fixture_remove_dir(const char *dir)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

#endif
