/*
 * test_debate_race: votes, refusals and "changed my mind" marks sent at
 * once by two stores open on one database (two nodes) from several
 * threads each, some waited for and some submitted, leave the kept
 * tallies equal to a recount of the votes: pairs, history and counters.
 * On SQLite one store; on PostgreSQL (PARLEY_TEST_PG, see store_fixture.h)
 * two.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "store/store.h"
#include "test.h"
#include "store_fixture.h"

#define NODES	 2
#define THREADS	 4   /* per node */
#define VOTES	 200 /* per node */
#define VOTERS	 24  /* shared by every thread, so votes collide */
#define REFUSERS 5   /* each refused by every thread */
#define MARKERS	 6   /* each marks the statement from every thread */

struct tally_run {
	struct store *st;
	int64_t debate_id, statement_id;
	unsigned seed;
	int votes;
	bool submit;	    /* half the threads submit, as the server does */
	int64_t counted[3]; /* by enum vote_result */
	int64_t firsts, added;
	int failed;
	/* Submitted votes still unanswered. */
	pthread_mutex_t lock;
	pthread_cond_t answered;
	int waiting;
};

struct submitted {
	struct debate_vote v;
	char voter[24];
	struct tally_run *run;
};

static void
vote_done(void *arg, enum err e, enum vote_result out)
{
	struct submitted *s = arg;
	struct tally_run *r = s->run;

	pthread_mutex_lock(&r->lock);
	if (e == ERR_OK)
		r->counted[out]++;
	else
		r->failed++;
	r->waiting--;
	pthread_cond_signal(&r->answered);
	pthread_mutex_unlock(&r->lock);
	free(s);
}

static unsigned
next_rand(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) & 0x7fff;
}

static void *
race_main(void *arg)
{
	struct tally_run *r = arg;
	int i;

	for (i = 0; i < r->votes; i++) {
		struct submitted *s = calloc(1, sizeof(*s));
		unsigned x = next_rand(&r->seed);
		enum vote_result out;
		enum err e;

		if (s == NULL) {
			r->failed++;
			continue;
		}
		s->run = r;
		snprintf(s->voter, sizeof(s->voter), "voter%u", x % VOTERS);
		s->v.debate_id = r->debate_id;
		s->v.voter = s->voter;
		s->v.phase = (x / VOTERS) % 2 ? PHASE_POST : PHASE_PRE;
		s->v.choice = 1 + (int)((x / VOTERS / 2) %
					(s->v.phase == PHASE_PRE ? 3 : 2));
		s->v.at = 1000 + (int64_t)(x % 7) * 60;
		s->v.bucket_secs = 120;
		if (!r->submit) {
			e = r->st->ops->debate_vote(r->st, &s->v, NULL, &out);
			pthread_mutex_lock(&r->lock);
			if (e == ERR_OK)
				r->counted[out]++;
			else
				r->failed++;
			pthread_mutex_unlock(&r->lock);
			free(s);
			continue;
		}
		pthread_mutex_lock(&r->lock);
		r->waiting++;
		pthread_mutex_unlock(&r->lock);
		if (r->st->ops->debate_vote_submit(r->st, &s->v, NULL,
						   vote_done, s) != ERR_OK) {
			pthread_mutex_lock(&r->lock);
			r->waiting--;
			r->failed++;
			pthread_mutex_unlock(&r->lock);
			free(s);
		}
	}
	for (i = 0; i < REFUSERS + MARKERS; i++) {
		char who[24];
		bool yes = false;
		enum err e;

		snprintf(who, sizeof(who), "who%d", i);
		if (i < REFUSERS)
			e = r->st->ops->debate_refuser_add(
			    r->st, r->debate_id, REFUSED_RATE, who, &yes);
		else
			e = r->st->ops->debate_mind(r->st, r->debate_id, 's',
						    r->statement_id, who, 5,
						    &yes);
		pthread_mutex_lock(&r->lock);
		if (e != ERR_OK)
			r->failed++;
		else if (yes && i < REFUSERS)
			r->firsts++;
		else if (yes)
			r->added++;
		pthread_mutex_unlock(&r->lock);
	}
	pthread_mutex_lock(&r->lock);
	while (r->waiting > 0)
		pthread_cond_wait(&r->answered, &r->lock);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* A debate with one speaker and one statement. */
static int64_t
debate_make(struct store *st, int64_t *statement_id)
{
	struct debate_speaker sp = {0};
	struct debate_statement stmt = {0};
	struct debate_doc doc = {0};
	struct debate_statement *list;
	struct arena a;
	int64_t id = 0;
	size_t n = 0;

	doc.d.slug = "race";
	doc.d.motion = doc.d.moderator = "M";
	doc.d.intro_md = doc.d.intro_html = "";
	doc.d.label[SIDE_A] = "Yes";
	doc.d.label[SIDE_B] = "No";
	doc.d.status = DEBATE_OPEN;
	doc.d.created = 1;
	sp.side = SIDE_A;
	sp.position = 1;
	sp.name = "S";
	sp.bio = sp.photo = sp.link = "";
	stmt.round = ROUND_OPENING;
	stmt.body_md = stmt.body_html = "x";
	doc.speakers = &sp;
	doc.nspeakers = 1;
	doc.statements = &stmt;
	doc.nstatements = 1;
	CHECK(st->ops->debate_insert(st, &doc, &id) == ERR_OK);
	arena_init(&a);
	CHECK(st->ops->debate_statements(st, &a, id, &list, &n) == ERR_OK &&
	      n == 1);
	*statement_id = n == 1 ? list[0].id : 0;
	arena_clear(&a);
	return id;
}

static void
race(const char **db, int nodes)
{
	static struct tally_run runs[NODES * THREADS];
	struct store *st[NODES] = {0};
	pthread_t th[NODES * THREADS];
	int64_t counted[3] = {0}, firsts = 0, added = 0, want[4][3] = {{0}};
	int64_t sums[3][4] = {{0}}, statement_id = 0, id;
	struct debate_statement *stmts;
	struct debate_bucket *bk;
	struct debate_tally t;
	struct debate d;
	struct arena a;
	int i, j, k, failed = 0;
	size_t n;

	for (i = 0; i < nodes; i++)
		if ((st[i] = fixture_store_open(db[i])) == NULL)
			goto done;
	id = debate_make(st[0], &statement_id);
	for (i = 0; i < nodes * THREADS; i++) {
		struct tally_run *r = &runs[i];

		memset(r, 0, sizeof(*r));
		r->st = st[i % nodes];
		r->debate_id = id;
		r->statement_id = statement_id;
		r->seed = 17u * (unsigned)i + 1u;
		r->votes = VOTES / THREADS;
		r->submit = i / nodes % 2 == 1;
		pthread_mutex_init(&r->lock, NULL);
		pthread_cond_init(&r->answered, NULL);
	}
	for (i = 0; i < nodes * THREADS; i++)
		pthread_create(&th[i], NULL, race_main, &runs[i]);
	for (i = 0; i < nodes * THREADS; i++) {
		pthread_join(th[i], NULL);
		for (k = 0; k < 3; k++)
			counted[k] += runs[i].counted[k];
		firsts += runs[i].firsts;
		added += runs[i].added;
		failed += runs[i].failed;
		pthread_mutex_destroy(&runs[i].lock);
		pthread_cond_destroy(&runs[i].answered);
	}
	CHECK(failed == 0);
	CHECK(counted[VOTE_NEW] + counted[VOTE_CHANGED] + counted[VOTE_SAME] ==
	      (int64_t)nodes * VOTES);
	/* Each refusal and mark counted once, whoever sent it first. */
	CHECK(firsts == REFUSERS);
	CHECK(added == MARKERS);

	/* The recount: every voter's row, read as a page would. */
	for (i = 0; i < VOTERS; i++) {
		char voter[24];
		int pre = 0, post = 0;

		snprintf(voter, sizeof(voter), "voter%d", i);
		CHECK(st[0]->ops->debate_voter(st[0], id, voter, &pre, &post) ==
		      ERR_OK);
		if (pre || post)
			want[pre][post]++;
		sums[PHASE_PRE][pre]++;
		sums[PHASE_POST][post]++;
	}
	CHECK(st[nodes - 1]->ops->debate_tally(st[nodes - 1], id, &t) ==
	      ERR_OK);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 3; j++)
			if (t.moves[i][j] != (i || j ? want[i][j] : 0))
				printf("pair %d,%d: kept %lld, counted %lld\n",
				       i, j, (long long)t.moves[i][j],
				       (long long)want[i][j]);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 3; j++)
			CHECK(t.moves[i][j] == (i || j ? want[i][j] : 0));

	/* The history sums to the votes standing now. */
	arena_init(&a);
	CHECK(st[0]->ops->debate_buckets(st[0], &a, id, &bk, &n) == ERR_OK);
	for (i = 0; i < (int)n; i++)
		if (bk[i].phase >= PHASE_PRE && bk[i].phase <= PHASE_POST &&
		    bk[i].choice >= 1 && bk[i].choice <= 3)
			sums[bk[i].phase][bk[i].choice] -= bk[i].delta;
	for (k = PHASE_PRE; k <= PHASE_POST; k++)
		for (j = 1; j < 4; j++)
			CHECK(sums[k][j] == 0);

	/* The counters: one activity a counted vote, refusals as added. */
	CHECK(st[0]->ops->debate_by_slug(st[0], &a, "race", &d) == ERR_OK);
	CHECK(d.activity == counted[VOTE_NEW] + counted[VOTE_CHANGED]);
	CHECK(d.changed_votes == counted[VOTE_CHANGED]);
	CHECK(st[0]->ops->debate_statements(st[0], &a, id, &stmts, &n) ==
		  ERR_OK &&
	      n == 1 && stmts[0].minds == MARKERS);
	/* The version: 1, and one for each mark. */
	CHECK(d.version == 1 + MARKERS);
	arena_clear(&a);
done:
	for (i = 0; i < nodes; i++)
		if (st[i])
			store_close(st[i]);
}

/* A fresh database of the backend being tested; two nodes on PostgreSQL. */
static void
race_each(void)
{
	char dir[512], path[600];
	const char *db[NODES];

	CHECK(test_scratch_dir(dir, sizeof(dir), "debate-race") != NULL);
	CHECK(fixture_db_path(dir, "race", path, sizeof(path)));
	db[0] = db[1] = path;
	race(db, fixture_pg ? NODES : 1);
	fixture_remove_dir(dir);
}

int
main(void)
{
	fixture_each_backend(race_each);
	TEST_DONE();
}
