/*
 * Submitted writes (comment_insert_submit): the caller does not wait for
 * the disk, so one thread can have any number of comments in one group
 * commit; each is reported exactly once, on the writer's thread, only
 * after its commit's fsync; a failed commit reports "not saved" to
 * exactly its own writes, and the store goes on working.  The commits are
 * held in their fsync (faultvfs) so that what shares a commit is known.
 * On PostgreSQL (PARLEY_TEST_PG), what does not need a held fsync.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultvfs.h"
#include "store/store.h"
#include "store_fixture.h"
#include "test.h"

#define MANY 200

/* One submitted comment and what was reported for it. */
struct sub {
	struct comment c;
	char body[48];
	int calls;
	enum err e;
	int64_t id;
	pthread_t thread; /* the thread it was reported on */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reported = PTHREAD_COND_INITIALIZER;
static int reports;

static void
done(void *arg, enum err e, int64_t id)
{
	struct sub *s = arg;

	pthread_mutex_lock(&lock);
	s->calls++;
	s->e = e;
	s->id = id;
	s->thread = pthread_self();
	reports++;
	pthread_cond_broadcast(&reported);
	pthread_mutex_unlock(&lock);
}

/* Waits until n reports have come in all told, or 10 s; the count. */
static int
wait_reports(int n)
{
	struct timespec until;
	int got;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&lock);
	while (reports < n &&
	       pthread_cond_timedwait(&reported, &lock, &until) == 0)
		;
	got = reports;
	pthread_mutex_unlock(&lock);
	return got;
}

static int
reports_now(void)
{
	int n;

	pthread_mutex_lock(&lock);
	n = reports;
	pthread_mutex_unlock(&lock);
	return n;
}

static enum err
submit(struct store *st, int64_t article, struct sub *s, const char *body)
{
	snprintf(s->body, sizeof(s->body), "%s", body);
	s->c = fixture_comment(article, s->body, NULL);
	return st->ops->comment_insert_submit(st, &s->c, done, s);
}

/* How many comments have body, read back through a fresh store. */
static int
stored(const char *path, const char *body)
{
	struct store *st = fixture_store_open(path);
	struct comment *list;
	struct arena a;
	size_t n = 0, i;
	int64_t article = 0;
	struct article art;
	int found = 0;

	if (st == NULL)
		return -1;
	arena_init(&a);
	if (st->ops->article_by_slug(st, &a, "submit", &art) == ERR_OK)
		article = art.id;
	if (st->ops->comment_page(st, &a, article, SORT_OLDEST, 0, 100000,
				  &list, &n) == ERR_OK)
		for (i = 0; i < n; i++)
			found += strcmp(list[i].body_html, body) == 0;
	arena_clear(&a);
	store_close(st);
	return found;
}

/* Rows whose Markdown is body, however they are threaded. */
static int
rows(const char *path, const char *body)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int n = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
		SQLITE_OK &&
	    sqlite3_prepare_v2(
		db, "SELECT count(*) FROM comments WHERE body_md = ?1", -1, &s,
		NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, body, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return n;
}

/*
 * On PostgreSQL, whose commits cannot be held in an fsync here: MANY
 * comments submitted from one thread are each reported exactly once, on
 * another thread, each with an id of its own, and all stored; a write
 * refused after it began (comments closed) is reported and stores nothing.
 */
static void
test_postgres(void)
{
	static struct sub many[MANY], closed;
	char dir[512], path[600], body[48];
	struct store *st;
	int64_t article;
	int i, j, bad;

	reports = 0;
	CHECK(test_scratch_dir(dir, sizeof(dir), "submit") != NULL);
	st = fixture_store_fresh(dir, "submit", path, sizeof(path), &article);
	if (st == NULL)
		return;
	for (i = 0, bad = 0; i < MANY; i++) {
		snprintf(body, sizeof(body), "many %d", i);
		bad += submit(st, article, &many[i], body) != ERR_OK;
	}
	CHECK(bad == 0);
	CHECK(wait_reports(MANY) == MANY);
	for (i = 0, bad = 0; i < MANY; i++) {
		bad += many[i].calls != 1 || many[i].e != ERR_OK ||
		       many[i].id <= 0 ||
		       pthread_equal(many[i].thread, pthread_self());
		for (j = 0; j < i; j++)
			bad += many[i].id == many[j].id;
	}
	CHECK(bad == 0);
	CHECK(st->ops->article_set_open(st, article, false) == ERR_OK);
	CHECK(submit(st, article, &closed, "while closed") == ERR_OK);
	CHECK(wait_reports(MANY + 1) == MANY + 1);
	CHECK(closed.calls == 1 && closed.e == ERR_FORBIDDEN);
	CHECK(st->ops->article_set_open(st, article, true) == ERR_OK);
	store_close(st);
	CHECK(stored(path, "many 0") == 1 && stored(path, "many 199") == 1);
	CHECK(stored(path, "while closed") == 0);
	/* Nothing was reported twice along the way. */
	CHECK(reports_now() == MANY + 1);
	fixture_remove_dir(dir);
}

int
main(void)
{
	static struct sub first, many[MANY], failing[MANY], after;
	char dir[512], path[600], body[48];
	struct store *st;
	int64_t article;
	int i, bad;

	CHECK(faultvfs_install(2));
	CHECK(test_scratch_dir(dir, sizeof(dir), "submit") != NULL);
	st = fixture_store_fresh(dir, "submit", path, sizeof(path), &article);
	if (st == NULL)
		TEST_DONE();

	/*
	 * One commit waits in its fsync; meanwhile this one thread submits
	 * MANY comments without waiting for any of them.  They are all
	 * reported only once the next commit's fsync is let through: they
	 * shared it.
	 */
	faultvfs_hold_next_sync();
	CHECK(submit(st, article, &first, "first") == ERR_OK);
	CHECK(faultvfs_wait_held(5000));
	for (i = 0, bad = 0; i < MANY; i++) {
		snprintf(body, sizeof(body), "many %d", i);
		bad += submit(st, article, &many[i], body) != ERR_OK;
	}
	CHECK(bad == 0);
	CHECK(reports_now() == 0); /* nothing before its fsync */
	faultvfs_hold_next_sync(); /* the batch of MANY, next */
	faultvfs_release_sync();
	CHECK(wait_reports(1) == 1);
	CHECK(first.calls == 1 && first.e == ERR_OK && first.id > 0);
	CHECK(faultvfs_wait_held(5000));
	usleep(100 * 1000);
	CHECK(reports_now() == 1); /* the MANY wait for their fsync */
	faultvfs_release_sync();
	CHECK(wait_reports(1 + MANY) == 1 + MANY);
	for (i = 0, bad = 0; i < MANY; i++)
		bad += many[i].calls != 1 || many[i].e != ERR_OK ||
		       many[i].id <= first.id ||
		       (i > 0 && many[i].id != many[i - 1].id + 1) ||
		       pthread_equal(many[i].thread, pthread_self());
	CHECK(bad == 0);

	/*
	 * A commit whose fsync fails: every write in it is told it was not
	 * saved, none other is, and the store goes on.
	 */
	faultvfs_hold_next_sync();
	CHECK(submit(st, article, &after, "before the failure") == ERR_OK);
	CHECK(faultvfs_wait_held(5000));
	for (i = 0, bad = 0; i < MANY; i++) {
		snprintf(body, sizeof(body), "failing %d", i);
		bad += submit(st, article, &failing[i], body) != ERR_OK;
	}
	CHECK(bad == 0);
	faultvfs_fail_sync_at(2); /* the held one passes, the next fails */
	faultvfs_release_sync();
	CHECK(wait_reports(2 + 2 * MANY) == 2 + 2 * MANY);
	CHECK(after.calls == 1 && after.e == ERR_OK);
	for (i = 0, bad = 0; i < MANY; i++)
		bad += failing[i].calls != 1 || failing[i].e != ERR_DB;
	CHECK(bad == 0);
	memset(&after, 0, sizeof(after));
	CHECK(submit(st, article, &after, "after the failure") == ERR_OK);
	CHECK(wait_reports(3 + 2 * MANY) == 3 + 2 * MANY);
	CHECK(after.calls == 1 && after.e == ERR_OK);

	/*
	 * A job that fails after it wrote (comments closed: its row is in,
	 * then the count refuses) is rolled back to its savepoint: nothing of
	 * it stays, and the jobs of its batch are kept.
	 */
	CHECK(st->ops->article_set_open(st, article, false) == ERR_OK);
	memset(&after, 0, sizeof(after));
	CHECK(submit(st, article, &after, "while closed") == ERR_OK);
	CHECK(wait_reports(4 + 2 * MANY) == 4 + 2 * MANY);
	CHECK(after.calls == 1 && after.e == ERR_FORBIDDEN);
	CHECK(st->ops->article_set_open(st, article, true) == ERR_OK);
	store_close(st);
	CHECK(rows(path, "while closed") == 0);

	CHECK(stored(path, "first") == 1);
	CHECK(stored(path, "many 0") == 1 && stored(path, "many 199") == 1);
	CHECK(stored(path, "before the failure") == 1);
	CHECK(stored(path, "failing 0") == 0 && stored(path, "failing 7") == 0);
	CHECK(stored(path, "after the failure") == 1);
	/* Nothing was reported twice along the way. */
	CHECK(reports_now() == 4 + 2 * MANY);

	faultvfs_uninstall();
	fixture_remove_dir(dir);
	fixture_on_postgres(test_postgres);
	TEST_DONE();
}
