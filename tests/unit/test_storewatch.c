/*
 * The store beside other connections (another process, as far as SQLite
 * can tell): a write lock held elsewhere gets posts a timely refusal and
 * never a late commit, and reads go on meanwhile; another connection's
 * commit is noticed within a second however busy the writer is; a WAL
 * grown behind a long reader shrinks back once the reader is gone.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "store_fixture.h"
#include "test.h"

static int64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum err
post(struct store *st, int64_t article, const char *body)
{
	struct comment c = fixture_comment(article, body, body);
	int64_t id;

	return st->ops->comment_insert(st, &c, &id);
}

/* A connection of its own on path; NULL when it cannot open. */
static sqlite3 *
other(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	return db;
}

struct timed_post {
	pthread_t th;
	struct store *st;
	int64_t article;
	char body[48];
	enum err result;
	int64_t took_ms;
};

static void *
timed_post_main(void *arg)
{
	struct timed_post *p = arg;
	int64_t t0 = ms_now();

	p->result = post(p->st, p->article, p->body);
	p->took_ms = ms_now() - t0;
	return NULL;
}

/*
 * Another connection holds the write lock for 5 s: each post is refused
 * within 4 s, reads answer at once meanwhile, and once the lock is let go
 * no refused post shows up; later posts are stored.
 */
static void
test_lock_held(const char *dir)
{
	struct timed_post p[4];
	char path[256];
	struct arena ar;
	struct article art;
	int64_t article, t0, slowest_read = 0;
	struct store *st;
	sqlite3 *holder;
	int i;

	st = fixture_store_fresh(dir, "lock", path, sizeof(path), &article);
	if (st == NULL)
		return;
	holder = other(path);
	CHECK(holder != NULL);
	if (holder == NULL)
		return;
	CHECK(sqlite3_exec(holder,
			   "BEGIN IMMEDIATE; UPDATE articles SET tags = 'held'",
			   NULL, NULL, NULL) == SQLITE_OK);
	for (i = 0; i < 4; i++) {
		p[i] = (struct timed_post){.st = st, .article = article};
		snprintf(p[i].body, sizeof(p[i].body), "locked out %d", i);
		pthread_create(&p[i].th, NULL, timed_post_main, &p[i]);
		usleep(300 * 1000); /* one batch after another */
	}
	arena_init(&ar);
	for (i = 0; i < 10; i++) {
		t0 = ms_now();
		CHECK(st->ops->article_by_id(st, &ar, article, &art) == ERR_OK);
		if (ms_now() - t0 > slowest_read)
			slowest_read = ms_now() - t0;
		usleep(50 * 1000);
	}
	arena_clear(&ar);
	for (i = 0; i < 4; i++) {
		pthread_join(p[i].th, NULL);
		printf("post %d under a held lock: result %d after %lld ms\n",
		       i, (int)p[i].result, (long long)p[i].took_ms);
		CHECK(p[i].result == ERR_DB);
		CHECK(p[i].took_ms < 4000);
	}
	printf("slowest read under the lock: %lld ms\n",
	       (long long)slowest_read);
	CHECK(slowest_read < 300);
	sleep(2); /* the lock is held 5 s in all */
	CHECK(sqlite3_exec(holder, "COMMIT", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(holder);
	CHECK(post(st, article, "after the lock") == ERR_OK);
	store_close(st);
	for (i = 0; i < 4; i++)
		CHECK(fixture_stored(path, p[i].body) == 0);
	CHECK(fixture_stored(path, "after the lock") == 1);
	fixture_check_db(path);
}

struct busy_poster {
	pthread_t th;
	struct store *st;
	int64_t article;
	atomic_bool stop;
	int posted;
};

static void *
busy_poster_main(void *arg)
{
	struct busy_poster *b = arg;
	char body[48];

	while (!atomic_load(&b->stop)) {
		snprintf(body, sizeof(body), "busy %d", b->posted++);
		(void)post(b->st, b->article, body);
	}
	return NULL;
}

static atomic_int changed_elsewhere;

static void
count_change(void *arg)
{
	(void)arg;
	atomic_fetch_add(&changed_elsewhere, 1);
}

/*
 * While posts keep the writer busy, another connection's commit (the
 * command line's `parley post close`) is noticed within a second.
 */
static void
test_other_commit_seen(const char *dir)
{
	struct busy_poster b = {0};
	char path[256];
	struct store *st;
	sqlite3 *cli;
	int64_t t0, seen_ms = -1;

	st = fixture_store_fresh(dir, "watch", path, sizeof(path), &b.article);
	if (st == NULL)
		return;
	st->changed_elsewhere = count_change;
	b.st = st;
	atomic_init(&b.stop, false);
	pthread_create(&b.th, NULL, busy_poster_main, &b);
	usleep(600 * 1000);
	atomic_store(&changed_elsewhere, 0);
	cli = other(path);
	CHECK(cli != NULL);
	CHECK(sqlite3_exec(cli, "UPDATE articles SET comments_open = 0", NULL,
			   NULL, NULL) == SQLITE_OK);
	sqlite3_close(cli);
	t0 = ms_now();
	while (ms_now() - t0 < 2000) {
		if (atomic_load(&changed_elsewhere) > 0) {
			seen_ms = ms_now() - t0;
			break;
		}
		usleep(10 * 1000);
	}
	atomic_store(&b.stop, true);
	pthread_join(b.th, NULL);
	printf("another connection's commit seen after %lld ms, %d posts "
	       "meanwhile\n",
	       (long long)seen_ms, b.posted);
	CHECK(seen_ms >= 0 && seen_ms < 1000);
	store_close(st);
}

static long long
file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

/* The WAL's cap (WAL_LIMIT_BYTES), with a frame of slack. */
#define WAL_CAP (16 * 1024 * 1024 + 8192)

/*
 * A reader keeps its snapshot while many big posts arrive: the WAL grows
 * far past its cap.  Returns the path of the WAL; the reader is gone.
 */
static long long
grow_behind_reader(struct store *st, const char *path, int64_t article,
		   int round)
{
	static char big[9000];
	char body[40], wal[300];
	struct comment c;
	sqlite3 *reader = other(path);
	sqlite3_stmt *s = NULL;
	long long grown;
	int64_t id;
	int i;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	CHECK(reader != NULL);
	CHECK(sqlite3_prepare_v2(reader, "SELECT count(*) FROM comments", -1,
				 &s, NULL) == SQLITE_OK);
	CHECK(sqlite3_exec(reader, "BEGIN", NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(s) == SQLITE_ROW); /* the snapshot is taken */
	memset(big, 'w', sizeof(big) - 1);
	for (i = 0; i < 1000; i++) {
		snprintf(body, sizeof(body), "wal %d %d ", round, i);
		memcpy(big, body, strlen(body));
		c = fixture_comment(article, big, body);
		CHECK(st->ops->comment_insert(st, &c, &id) == ERR_OK);
	}
	grown = file_size(wal);
	sqlite3_finalize(s);
	CHECK(sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(reader);
	CHECK(grown > 2 * WAL_CAP);
	return grown;
}

/*
 * Once the long reader is gone the WAL shrinks back under its cap: as
 * posts go on (it starts again from its beginning, cut back), and when
 * the writer is idle (folded into the database, truncated).
 */
static void
test_wal_shrinks(const char *dir)
{
	char path[256], wal[300], body[40];
	struct store *st;
	int64_t article;
	long long grown, busy, grown_again, idle;
	int i;

	st = fixture_store_fresh(dir, "wal", path, sizeof(path), &article);
	if (st == NULL)
		return;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	grown = grow_behind_reader(st, path, article, 1);
	for (i = 0; i < 20; i++) {
		snprintf(body, sizeof(body), "wal after %d", i);
		CHECK(post(st, article, body) == ERR_OK);
	}
	busy = file_size(wal);
	grown_again = grow_behind_reader(st, path, article, 2);
	usleep(800 * 1000); /* idle */
	idle = file_size(wal);
	printf("WAL: %lld bytes behind a long reader, %lld once it left and"
	       " posts went on; %lld behind it again, %lld once idle\n",
	       grown, busy, grown_again, idle);
	CHECK(busy <= WAL_CAP);
	CHECK(idle <= WAL_CAP);
	store_close(st);
	fixture_check_db(path);
}

int
main(void)
{
	char dir[512];

	CHECK(test_scratch_dir(dir, sizeof(dir), "storewatch") != NULL);
	test_lock_held(dir);
	test_other_commit_seen(dir);
	test_wal_shrinks(dir);
	fixture_remove_dir(dir);
	TEST_DONE();
}
