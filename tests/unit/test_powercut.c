/*
 * Power cuts under load: threads post comments through the store as the
 * post handler does, and remember each one acknowledged.  At a random
 * moment the power goes (faultvfs undoes every unsynced write); the
 * database is opened again and every acknowledged comment must be there,
 * exactly once, with its exact text, in an intact database.
 *
 * PARLEY_SEED=N replays a run (the seed is printed); PARLEY_ROUNDS=N
 * changes the number of cuts.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "faultvfs.h"
#include "store/store.h"
#include "store_fixture.h"
#include "test.h"

#define POSTERS	  4
#define MAX_POSTS 2000 /* per poster and round: a bound, never reached */

struct poster {
	pthread_t th;
	struct store *st;
	int64_t article;
	int round, num;
	atomic_bool *stop;
	atomic_int *acked_total;
	int64_t id[MAX_POSTS]; /* the acknowledged ids, by post number */
	int acked;
};

/* The exact text of a post, so a torn or mixed-up row shows. */
static void
post_body(char *out, size_t n, int round, int poster, int num)
{
	snprintf(out, n,
		 "Round %d, poster %d, post %d: caf\xc3\xa9 \xe2\x80\x94 ok",
		 round, poster, num);
}

static void *
poster_main(void *arg)
{
	struct poster *p = arg;
	char body[128], key[64];
	int i;

	for (i = 0; i < MAX_POSTS && !atomic_load(p->stop); i++) {
		struct comment c;
		int64_t id = 0;

		post_body(body, sizeof(body), p->round, p->num, i);
		snprintf(key, sizeof(key), "key-%d-%d-%d", p->round, p->num, i);
		c = fixture_comment(p->article, body, key);
		p->id[i] = 0;
		if (p->st->ops->comment_insert(p->st, &c, &id) == ERR_OK) {
			p->id[i] = id;
			p->acked++;
			atomic_fetch_add(p->acked_total, 1);
		}
	}
	for (; i < MAX_POSTS; i++)
		p->id[i] = 0;
	return NULL;
}

/* Runs one query yielding one integer; -1 on error. */
static int64_t
query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void
check_integrity(const char *path, int round)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	const unsigned char *res = NULL;
	int64_t dup_bodies, count, listed;

	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) ==
	      SQLITE_OK);
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) ==
		SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		res = sqlite3_column_text(s, 0);
	if (res == NULL || strcmp((const char *)res, "ok") != 0)
		printf("round %d: integrity_check: %s\n", round,
		       res ? (const char *)res : sqlite3_errmsg(db));
	CHECK(res != NULL && strcmp((const char *)res, "ok") == 0);
	sqlite3_finalize(s);
	dup_bodies = query_int(db, "SELECT count(*) FROM (SELECT body_md"
				   " FROM comments GROUP BY body_md"
				   " HAVING count(*) > 1)");
	if (dup_bodies != 0)
		printf("round %d: %lld texts stored more than once\n", round,
		       (long long)dup_bodies);
	CHECK(dup_bodies == 0);
	/* The count kept with the article moved in the same commits. */
	count = query_int(db, "SELECT comment_count FROM articles");
	listed = query_int(db, "SELECT count(*) FROM comments");
	if (count != listed)
		printf("round %d: article counts %lld comments, %lld stored\n",
		       round, (long long)count, (long long)listed);
	CHECK(count == listed && count >= 0);
	sqlite3_close(db);
}

/* Every acknowledged comment of the round is there with its own text. */
static void
check_acked(struct store *st, struct poster *p, int round)
{
	struct arena ar;
	struct comment c;
	char body[128];
	int t, i, lost = 0, wrong = 0, acked = 0;

	arena_init(&ar);
	for (t = 0; t < POSTERS; t++) {
		for (i = 0; i < MAX_POSTS; i++) {
			enum err e;

			if (p[t].id[i] == 0)
				continue;
			acked++;
			post_body(body, sizeof(body), round, t, i);
			e = st->ops->comment_get(st, &ar, p[t].id[i], &c);
			if (e != ERR_OK) {
				if (lost++ == 0)
					printf("round %d: acknowledged comment "
					       "%lld (poster %d, post %d) "
					       "lost\n",
					       round, (long long)p[t].id[i], t,
					       i);
			} else if (strcmp(c.body_md, body) != 0) {
				if (wrong++ == 0)
					printf("round %d: comment %lld holds "
					       "\"%s\", not \"%s\"\n",
					       round, (long long)p[t].id[i],
					       c.body_md, body);
			}
		}
	}
	if (lost || wrong)
		printf("round %d: %d of %d acknowledged lost, %d wrong\n",
		       round, lost, acked, wrong);
	CHECK(lost == 0);
	CHECK(wrong == 0);
	arena_clear(&ar);
}

static uint64_t
rng(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/* One round: post, cut, close the wreck, reboot, reopen, check. */
static void
round_run(const char *path, int64_t article, int round, uint64_t *seed)
{
	static struct poster p[POSTERS];
	atomic_bool stop = false;
	atomic_int acked_total = 0;
	int target = 1 + (int)(rng(seed) % 40), waited = 0, t;
	bool at_write = rng(seed) % 2 == 0;
	long write_n = 1 + (long)(rng(seed) % 30);
	struct store *st = fixture_store_open(path);

	CHECK(st != NULL);
	if (st == NULL)
		return;
	for (t = 0; t < POSTERS; t++) {
		p[t] = (struct poster){.st = st,
				       .article = article,
				       .round = round,
				       .num = t,
				       .stop = &stop,
				       .acked_total = &acked_total};
		pthread_create(&p[t].th, NULL, poster_main, &p[t]);
	}
	/* At least one post acknowledged, so there is something to lose. */
	while (atomic_load(&acked_total) < target && waited++ < 50000)
		usleep(200);
	if (at_write) {
		/* Inside a write: likely in the middle of a commit. */
		faultvfs_power_cut_at_write(write_n);
		for (waited = 0; !faultvfs_is_cut() && waited < 2000; waited++)
			usleep(500);
	}
	faultvfs_power_cut(round % 2 == 1);
	atomic_store(&stop, true);
	for (t = 0; t < POSTERS; t++)
		pthread_join(p[t].th, NULL);
	store_close(st); /* every call fails: it must still let go */
	faultvfs_reset();

	st = fixture_store_open(path);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(atomic_load(&acked_total) > 0);
	check_acked(st, p, round);
	check_integrity(path, round);
	store_close(st);
}

int
main(void)
{
	char dir[512], path[600];
	const char *env = getenv("PARLEY_SEED");
	const char *rounds_env = getenv("PARLEY_ROUNDS");
	uint64_t seed = env ? strtoull(env, NULL, 10)
			    : (uint64_t)time(NULL) ^ (uint64_t)getpid();
	int rounds = rounds_env ? atoi(rounds_env) : 20, r;
	struct store *st;
	int64_t article = 0;

	printf("test_powercut: PARLEY_SEED=%llu\n", (unsigned long long)seed);
	CHECK(faultvfs_install(seed));
	CHECK(test_scratch_dir(dir, sizeof(dir), "powercut") != NULL);
	st = fixture_store_fresh(dir, "cut", path, sizeof(path), &article);
	if (st == NULL)
		TEST_DONE();
	store_close(st);

	for (r = 0; r < rounds; r++)
		round_run(path, article, r, &seed);

	faultvfs_uninstall();
	fixture_remove_dir(dir);
	TEST_DONE();
}
