/*
 * Moderation on PostgreSQL with two stores on one database (two nodes)
 * writing at once: readers flagging one comment together hold it once, at
 * the threshold; verdicts, flags and new comments at once leave every
 * count and thread number as a recount makes them, with no write refused;
 * an author's edit racing a spam verdict never lands after it.  Run with
 * PARLEY_TEST_PG (a server; a database is made on it), else skipped.
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store_fixture.h"
#include "test.h"

#define TOPS 10
#define OWN  30

static struct store *nodes[2];
static int64_t article;
static int64_t tops[TOPS], own[OWN];
static int64_t *all;
static int nall;

/* Unexpected answers from the threads, checked by main. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int refused;

static void
note_refused(const char *what, enum err e)
{
	pthread_mutex_lock(&lock);
	refused++;
	printf("refused: %s: %d\n", what, (int)e);
	pthread_mutex_unlock(&lock);
}

static PGconn *db;

/* The first column of the first row of sql as an integer; -1 on error. */
static int64_t
query_int(const char *sql)
{
	PGresult *r = PQexec(db, sql);
	int64_t v = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else
		printf("%s: %s\n", sql, PQerrorMessage(db));
	PQclear(r);
	return v;
}

static int64_t
insert(struct store *st, int64_t parent, int status, const char *body)
{
	struct comment c = fixture_comment(article, body, NULL);
	int64_t id = 0;
	enum err e;

	c.parent_id = parent;
	c.status = status;
	c.visitor = c.reason = c.spam_features = "";
	c.spam_score = -1;
	e = st->ops->comment_insert(st, &c, &id);
	/* A reply to a comment held meanwhile is refused: not a fault. */
	if (e != ERR_OK && !(parent && e == ERR_INVALID))
		note_refused("insert", e);
	return id;
}

/* The article's counts and thread numbers are what a recount makes. */
static void
check_counts(void)
{
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "SELECT a.comment_count - (SELECT count(*) FROM comments c"
		 " WHERE c.article_id = a.id AND c.status = 'approved' AND"
		 " NOT EXISTS (SELECT 1 FROM comment_own_edits e WHERE"
		 " e.comment_id = c.id AND e.removed = 1)) FROM articles a"
		 " WHERE a.id = %lld",
		 (long long)article);
	CHECK(query_int(sql) == 0);
	snprintf(sql, sizeof(sql),
		 "SELECT a.thread_count - (SELECT count(*) FROM comments c"
		 " WHERE c.article_id = a.id AND c.status = 'approved' AND"
		 " c.depth = 0) FROM articles a WHERE a.id = %lld",
		 (long long)article);
	CHECK(query_int(sql) == 0);
	snprintf(sql, sizeof(sql),
		 "WITH top AS (SELECT id, row_number() OVER (ORDER BY id) - 1"
		 " AS n FROM comments WHERE article_id = %lld AND depth = 0"
		 " AND status = 'approved') SELECT count(*) FROM comments c"
		 " JOIN top ON c.root_id = top.id WHERE c.thread_no <> top.n",
		 (long long)article);
	CHECK(query_int(sql) == 0);
}

struct worker {
	int n;
	struct store *st;
};

/* A reader of their own flags every top-level comment; 3 hold one. */
static void *
flag_tops(void *p)
{
	struct worker *w = p;
	char reader[32];
	int i;

	snprintf(reader, sizeof(reader), "reader%d", w->n);
	for (i = 0; i < TOPS; i++) {
		struct flag_input in = {tops[i], reader,     reader, "spam",
					"",	 1795305700, 3,	     50};
		enum flag_result res;
		int64_t art;
		bool held;
		enum err e =
		    w->st->ops->flag_add(w->st, &in, &res, &held, &art);

		/* Held by the others already: not shown, not flagged. */
		if (e != ERR_OK && e != ERR_NOTFOUND)
			note_refused("flag", e);
	}
	return NULL;
}

static void *
post(void *p)
{
	struct worker *w = p;
	char body[64];
	int i;

	for (i = 0; i < 40; i++) {
		snprintf(body, sizeof(body), "posted %d %d", w->n, i);
		if (i % 2)
			insert(w->st, tops[i % TOPS], STATUS_APPROVED, body);
		else
			insert(w->st, 0,
			       i % 4 ? STATUS_APPROVED : STATUS_PENDING, body);
	}
	return NULL;
}

/* Verdicts on sets of up to 5 comments picked at random. */
static void *
judge(void *p)
{
	static const char *const actions[] = {"approve", "spam", "trash",
					      "restore"};
	static const int statuses[] = {STATUS_APPROVED, STATUS_SPAM,
				       STATUS_TRASH, STATUS_PENDING};
	struct worker *w = p;
	struct mod_actor who = {0, "judge"};
	unsigned seed = 7919u * (unsigned)w->n;
	int i, j;

	for (i = 0; i < 60; i++) {
		int64_t ids[5], *arts;
		size_t n = 1 + rand_r(&seed) % 5, narts, changed;
		int k = (int)(rand_r(&seed) % 4);
		struct arena a;
		enum err e;

		for (j = 0; j < (int)n; j++)
			ids[j] = all[rand_r(&seed) % (unsigned)nall];
		arena_init(&a);
		e = w->st->ops->mod_set_status(w->st, &a, ids, n, statuses[k],
					       actions[k], &who, 1795305800 + i,
					       &arts, &narts, &changed);
		if (e != ERR_OK)
			note_refused("verdict", e);
		arena_clear(&a);
	}
	return NULL;
}

/* Flags on comments picked at random: holds at 2, among the verdicts. */
static void *
flag_any(void *p)
{
	struct worker *w = p;
	unsigned seed = 31u * (unsigned)w->n;
	int i;

	for (i = 0; i < 80; i++) {
		char reader[32];
		struct flag_input in = {all[rand_r(&seed) % (unsigned)nall],
					reader,
					reader,
					"abuse",
					"",
					1795305900,
					2,
					50};
		enum flag_result res;
		int64_t art;
		bool held;
		enum err e;

		snprintf(reader, sizeof(reader), "any%d-%d", w->n, i % 7);
		e = w->st->ops->flag_add(w->st, &in, &res, &held, &art);
		if (e != ERR_OK && e != ERR_NOTFOUND)
			note_refused("flag", e);
	}
	return NULL;
}

/* The authors edit or remove their comments ... */
static void *
revise(void *p)
{
	struct worker *w = p;
	struct mod_actor who = {0, "author"};
	int i;

	for (i = 0; i < OWN; i++) {
		struct comment_revision r = {0};
		int64_t art;
		enum err e;

		r.id = own[i];
		r.remove = i % 3 == 0;
		r.body_md = r.body_html = "edited";
		r.status = STATUS_APPROVED;
		r.reason = r.spam_features = "";
		r.spam_score = -1;
		r.who = &who;
		r.now = 1795306000;
		/* Spammed first: no longer theirs to change. */
		e = w->st->ops->comment_revise(w->st, &r, &art);
		if (e != ERR_OK && e != ERR_NOTFOUND)
			note_refused("revise", e);
	}
	return NULL;
}

/* ... while a moderator spams each. */
static void *
spam_own(void *p)
{
	struct worker *w = p;
	struct mod_actor who = {0, "judge"};
	int i;

	for (i = 0; i < OWN; i++) {
		int64_t *arts;
		size_t narts, changed;
		struct arena a;
		enum err e;

		arena_init(&a);
		e = w->st->ops->mod_set_status(
		    w->st, &a, &own[i], 1, STATUS_SPAM, "spam", &who,
		    1795306000, &arts, &narts, &changed);
		if (e != ERR_OK)
			note_refused("spam", e);
		arena_clear(&a);
	}
	return NULL;
}

/* Runs fn on n threads, worker i on node i % 2. */
static void
race(void *(*fn)(void *), int n, int first)
{
	pthread_t t[8];
	struct worker w[8];
	int i;

	for (i = 0; i < n; i++) {
		w[i].n = first + i;
		w[i].st = nodes[i % 2];
		CHECK(pthread_create(&t[i], NULL, fn, &w[i]) == 0);
	}
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

struct pair {
	void *(*fn[2])(void *);
	int n[2];
};

static void *
race_thread(void *p)
{
	struct pair *x = p;

	race(x->fn[1], x->n[1], 100);
	return NULL;
}

/* Runs two races at once. */
static void
race2(void *(*a)(void *), int na, void *(*b)(void *), int nb)
{
	struct pair x = {{a, b}, {na, nb}};
	pthread_t t;

	CHECK(pthread_create(&t, NULL, race_thread, &x) == 0);
	race(a, na, 0);
	pthread_join(t, NULL);
}

static void *
judge_and_flag(void *p)
{
	struct worker *w = p;

	return w->n % 3 == 2 ? flag_any(p) : judge(p);
}

int
main(void)
{
	char uri[600], sql[512];
	struct article a = fixture_article("race");
	PGresult *r;
	int i;

	if (fixture_pg_base() == NULL) {
		printf("skipped: PARLEY_TEST_PG is not set\n");
		TEST_DONE();
	}
	CHECK(fixture_pg_database("modrace", uri, sizeof(uri)));
	nodes[0] = fixture_store_open(uri);
	nodes[1] = fixture_store_open(uri);
	db = PQconnectdb(uri);
	CHECK(nodes[0] && nodes[1] && PQstatus(db) == CONNECTION_OK);
	if (!nodes[0] || !nodes[1] || PQstatus(db) != CONNECTION_OK)
		TEST_DONE();
	CHECK(nodes[0]->ops->article_insert(nodes[0], &a, &article) == ERR_OK);
	for (i = 0; i < TOPS; i++) {
		tops[i] = insert(nodes[0], 0, STATUS_APPROVED, "top");
		insert(nodes[0], tops[i], STATUS_APPROVED, "reply");
	}

	/* Six readers on two nodes flag the same comments, while others
	 * post: each held once, by the third flag, and counted so. */
	race2(flag_tops, 6, post, 2);
	for (i = 0; i < TOPS; i++) {
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM moderation_log"
			 " WHERE comment_id = %lld AND action = 'hold'",
			 (long long)tops[i]);
		CHECK(query_int(sql) == 1);
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM comment_flags"
			 " WHERE comment_id = %lld",
			 (long long)tops[i]);
		CHECK(query_int(sql) == 3);
	}
	check_counts();

	/* Verdicts, flags and posts at once, on both nodes. */
	snprintf(sql, sizeof(sql),
		 "SELECT id FROM comments WHERE article_id = %lld",
		 (long long)article);
	r = PQexec(db, sql);
	nall = PQntuples(r);
	all = calloc((size_t)nall + 1, sizeof(*all));
	for (i = 0; all && i < nall; i++)
		all[i] = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	PQclear(r);
	CHECK(all != NULL && nall > 0);
	if (all == NULL || nall == 0)
		TEST_DONE();
	race2(judge_and_flag, 6, post, 1);
	check_counts();

	/* Own edits and removals racing spam verdicts: spam stands. */
	for (i = 0; i < OWN; i++)
		own[i] = insert(nodes[0], 0, STATUS_APPROVED, "own");
	race2(revise, 1, spam_own, 1);
	for (i = 0; i < OWN; i++) {
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM comments WHERE id = %lld"
			 " AND status = 'spam'",
			 (long long)own[i]);
		CHECK(query_int(sql) == 1);
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM moderation_log WHERE"
			 " comment_id = %lld AND action LIKE 'author%%' AND"
			 " id > (SELECT max(id) FROM moderation_log"
			 " WHERE comment_id = %lld AND action = 'spam')",
			 (long long)own[i], (long long)own[i]);
		CHECK(query_int(sql) == 0);
	}
	check_counts();
	CHECK(refused == 0);

	free(all);
	PQfinish(db);
	nodes[0]->ops->close(nodes[0]);
	nodes[1]->ops->close(nodes[1]);
	TEST_DONE();
}
