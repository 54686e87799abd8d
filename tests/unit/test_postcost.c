/*
 * A post's cost does not grow with its thread: every statement a comment
 * post runs (the writer's job, then the reads that find the new comment's
 * page) searches an index for one row, whether the article has three
 * threads or thousands.  Counted in SQLite's virtual machine steps, so the
 * check does not depend on the machine's speed.  Also: the page-finding
 * number of each thread is right, for new threads and replies alike.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"
#include "store/store.h"
#include "store_fixture.h"
#include "test.h"

/* Threads written to the big article: enough for a count to show. */
#define BIG_THREADS 2000
#define WRITERS	    16

/*
 * At most this many steps for any statement of a post.  An index search
 * for one row takes a few dozen; counting the threads before the last one
 * took more than BIG_THREADS.
 */
#define MAX_STEPS 200

struct writer_arg {
	struct store *st;
	int64_t article;
	int n, ok;
};

/* Adds n top-level comments; many writers share each commit. */
static void *
writer(void *p)
{
	struct writer_arg *w = p;
	struct comment c;
	int64_t id;
	int i;

	for (i = 0; i < w->n; i++) {
		c = fixture_comment(w->article, "a thread", NULL);
		if (w->st->ops->comment_insert(w->st, &c, &id) == ERR_OK)
			w->ok++;
	}
	return NULL;
}

/* The plan of sql: false when it scans a table instead of searching. */
static bool
no_scan(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	char *q = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
	bool ok = true;

	if (q == NULL || sqlite3_prepare_v2(db, q, -1, &s, NULL) != SQLITE_OK) {
		printf("cannot explain: %s\n", sql);
		sqlite3_free(q);
		return false;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(s, 3);

		if (d && strncmp(d, "SCAN", 4) == 0) {
			printf("%s\n  plan: %s\n", sql, d);
			ok = false;
		}
	}
	sqlite3_finalize(s);
	sqlite3_free(q);
	return ok;
}

/*
 * Runs statement id with two integer parameters (a, b) on db, inside a
 * transaction rolled back afterwards; returns its virtual machine steps,
 * or -1 when it fails.
 */
static int
steps(sqlite3 *db, enum stmt id, int64_t a, int64_t b)
{
	sqlite3_stmt *s;
	int rc, n;

	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, stmt_sql[id], -1, &s, NULL) != SQLITE_OK) {
		printf("cannot run: %s\n", stmt_sql[id]);
		return -1;
	}
	/* The key lookup and the insert take text; the others integers. */
	for (n = 1; n <= sqlite3_bind_parameter_count(s); n++) {
		if (id == STMT_COMMENT_BY_KEY)
			sqlite3_bind_text(s, n, "no-such-key", -1,
					  SQLITE_STATIC);
		else if (id == STMT_COMMENT_INSERT && n >= 5 && n <= 13)
			sqlite3_bind_text(s, n, "x", -1, SQLITE_STATIC);
		else if (id == STMT_COMMENT_INSERT && n == 2)
			sqlite3_bind_null(s, n);
		else
			sqlite3_bind_int64(s, n, n == 1 ? a : b);
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	n = sqlite3_stmt_status(s, SQLITE_STMTSTATUS_VM_STEP, 0);
	if (rc != SQLITE_DONE) {
		printf("%s: %s\n", stmt_sql[id], sqlite3_errmsg(db));
		n = -1;
	}
	sqlite3_finalize(s);
	(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return n;
}

/* One integer from sql with one parameter; -1 when there is none. */
static int64_t
one(sqlite3 *db, const char *sql, int64_t p)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, p);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The statements of a post, as the writer and the 303 run them. */
static const enum stmt post_stmts[] = {
    STMT_COMMENT_BY_KEY,	STMT_COMMENT_PARENT,   STMT_COMMENT_INSERT,
    STMT_ARTICLE_COUNT_COMMENT, STMT_COMMENT_SET_ROOT, STMT_COMMENT_GET,
    STMT_COMMENT_THREAD_INDEX,	STMT_ARTICLE_BY_SLUG,  STMT_ARTICLE_BY_ID,
};

int
main(void)
{
	char dir[512], path[600];
	struct store *st;
	struct arena ar;
	struct comment c;
	int64_t art, small, top[3], reply, deeper, idx, last = 0;
	struct article a2 = fixture_article("big");
	struct writer_arg wa[WRITERS];
	pthread_t th[WRITERS];
	sqlite3 *db;
	size_t i;
	int k, ok = 0;

	CHECK(test_scratch_dir(dir, sizeof(dir), "postcost") != NULL);
	st = fixture_store_fresh(dir, "small", path, sizeof(path), &small);
	if (st == NULL)
		TEST_DONE();
	arena_init(&ar);

	/* Each new thread's number is its place; a reply's is its root's. */
	for (k = 0; k < 3; k++) {
		c = fixture_comment(small, "top", NULL);
		CHECK(st->ops->comment_insert(st, &c, &top[k]) == ERR_OK);
	}
	c = fixture_comment(small, "reply", NULL);
	c.parent_id = top[2];
	CHECK(st->ops->comment_insert(st, &c, &reply) == ERR_OK);
	c = fixture_comment(small, "deeper", NULL);
	c.parent_id = reply;
	CHECK(st->ops->comment_insert(st, &c, &deeper) == ERR_OK);
	for (k = 0; k < 3; k++) {
		idx = -1;
		CHECK(st->ops->comment_thread_index(st, small, top[k], &idx) ==
		      ERR_OK);
		CHECK(idx == k);
	}
	/* A reply is no thread of its own; another article's id neither. */
	CHECK(st->ops->comment_thread_index(st, small, reply, &idx) ==
	      ERR_NOTFOUND);
	CHECK(st->ops->comment_thread_index(st, small + 1, top[0], &idx) ==
	      ERR_NOTFOUND);

	/* A big article, written by many writers at once. */
	CHECK(st->ops->article_insert(st, &a2, &art) == ERR_OK);
	for (k = 0; k < WRITERS; k++) {
		wa[k] = (struct writer_arg){st, art, BIG_THREADS / WRITERS, 0};
		pthread_create(&th[k], NULL, writer, &wa[k]);
	}
	for (k = 0; k < WRITERS; k++) {
		pthread_join(th[k], NULL);
		ok += wa[k].ok;
	}
	CHECK(ok == BIG_THREADS);

	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) ==
	      SQLITE_OK);
	last =
	    one(db, "SELECT max(id) FROM comments WHERE article_id = ?1", art);
	CHECK(last > 0);
	/* Numbers follow the order of the ids, with no gap and none twice. */
	CHECK(one(db,
		  "SELECT count(DISTINCT thread_no) FROM comments"
		  " WHERE article_id = ?1",
		  art) == BIG_THREADS);
	CHECK(one(db, "SELECT thread_no FROM comments WHERE id = ?1", last) ==
	      BIG_THREADS - 1);
	CHECK(one(db, "SELECT thread_no FROM comments WHERE id = ?1", deeper) ==
	      2);
	CHECK(st->ops->comment_thread_index(st, art, last, &idx) == ERR_OK);
	CHECK(idx == BIG_THREADS - 1);

	for (i = 0; i < sizeof(post_stmts) / sizeof(post_stmts[0]); i++) {
		int n = steps(db, post_stmts[i], art, last);

		CHECK(no_scan(db, stmt_sql[post_stmts[i]]));
		if (n < 0 || n > MAX_STEPS)
			printf("%d steps: %s\n", n, stmt_sql[post_stmts[i]]);
		CHECK(n >= 0 && n <= MAX_STEPS);
	}
	sqlite3_close(db);

	st->ops->close(st);
	arena_clear(&ar);
	fixture_remove_dir(dir);
	TEST_DONE();
}
