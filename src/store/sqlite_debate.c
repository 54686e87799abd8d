/*
 * sqlite_debate: the debate part of the SQLite backend: debates with
 * their speakers and statements, readers' paired votes and the vote
 * history, "this changed my mind" marks, and a debate's discussion in
 * its several orders.  Reads run on the thread's reader; writes go
 * through the group-commit writer, each in one savepoint.
 */
#include "store/sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"

#define SQ(base) ((struct sqlite_store *)(base))

static const char *const status_names[] = {
    [DEBATE_DRAFT] = "draft",
    [DEBATE_SCHEDULED] = "scheduled",
    [DEBATE_OPEN] = "open",
    [DEBATE_CLOSED] = "closed",
};

static enum debate_status
status_of(const unsigned char *s)
{
	size_t i;

	for (i = 0; s && i < sizeof(status_names) / sizeof(status_names[0]);
	     i++)
		if (strcmp((const char *)s, status_names[i]) == 0)
			return (enum debate_status)i;
	return DEBATE_DRAFT; /* unknown: show nothing */
}

/* Reads DEBATE_COLS from column 0 on. */
static enum err
read_debate(struct arena *a, sqlite3_stmt *s, void *p)
{
	struct debate *d = p;

	memset(d, 0, sizeof(*d));
	d->id = sqlite3_column_int64(s, 0);
	d->article_id = sqlite3_column_int64(s, 1);
	d->slug = col_text(a, s, 2);
	d->motion = col_text(a, s, 3);
	d->moderator = col_text(a, s, 4);
	d->intro_md = col_text(a, s, 5);
	d->intro_html = col_text(a, s, 6);
	d->label[SIDE_NONE] = "";
	d->label[SIDE_A] = col_text(a, s, 7);
	d->label[SIDE_B] = col_text(a, s, 8);
	d->status = status_of(sqlite3_column_text(s, 9));
	d->sched.round[ROUND_OPENING] = sqlite3_column_int64(s, 10);
	d->sched.round[ROUND_REBUTTAL] = sqlite3_column_int64(s, 11);
	d->sched.round[ROUND_CLOSING] = sqlite3_column_int64(s, 12);
	d->sched.voting_opens = sqlite3_column_int64(s, 13);
	d->sched.voting_closes = sqlite3_column_int64(s, 14);
	d->sched.pre_closes = sqlite3_column_int64(s, 15);
	d->sched.post_opens = sqlite3_column_int64(s, 16);
	d->bucket_secs = sqlite3_column_int64(s, 17);
	d->version = sqlite3_column_int64(s, 18);
	d->activity = sqlite3_column_int64(s, 19);
	d->refused_duplicate = sqlite3_column_int64(s, 20);
	d->refused_closed = sqlite3_column_int64(s, 21);
	d->refused_rate = sqlite3_column_int64(s, 22);
	d->changed_votes = sqlite3_column_int64(s, 23);
	d->created = sqlite3_column_int64(s, 24);
	d->comments_open = sqlite3_column_int(s, 25) != 0;
	d->comment_count = sqlite3_column_int64(s, 26);
	d->thread_count = sqlite3_column_int64(s, 27);
	if (d->bucket_secs < 1)
		d->bucket_secs = 3600;
	if (!d->slug || !d->motion || !d->moderator || !d->intro_md ||
	    !d->intro_html || !d->label[SIDE_A] || !d->label[SIDE_B])
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err
read_speaker(struct arena *a, sqlite3_stmt *s, void *p)
{
	struct debate_speaker *sp = p;

	memset(sp, 0, sizeof(*sp));
	sp->id = sqlite3_column_int64(s, 0);
	sp->side = sqlite3_column_int(s, 1);
	sp->position = sqlite3_column_int(s, 2);
	sp->name = col_text(a, s, 3);
	sp->bio = col_text(a, s, 4);
	sp->photo = col_text(a, s, 5);
	sp->link = col_text(a, s, 6);
	if (!sp->name || !sp->bio || !sp->photo || !sp->link)
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err
read_statement(struct arena *a, sqlite3_stmt *s, void *p)
{
	struct debate_statement *st = p;

	memset(st, 0, sizeof(*st));
	st->id = sqlite3_column_int64(s, 0);
	st->speaker_id = sqlite3_column_int64(s, 1);
	st->round = sqlite3_column_int(s, 2);
	st->body_md = col_text(a, s, 3);
	st->body_html = col_text(a, s, 4);
	st->minds = sqlite3_column_int64(s, 5);
	if (!st->body_md || !st->body_html)
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err
read_bucket(struct arena *a, sqlite3_stmt *s, void *p)
{
	struct debate_bucket *b = p;

	(void)a;
	b->start = sqlite3_column_int64(s, 0);
	b->phase = sqlite3_column_int(s, 1);
	b->choice = sqlite3_column_int(s, 2);
	b->delta = sqlite3_column_int64(s, 3);
	return ERR_OK;
}

struct insert_args {
	const struct debate_doc *doc;
	int64_t *id;
};

static enum err
run_debate_insert(struct conn *w, void *arg)
{
	struct insert_args *x = arg;
	const struct debate_doc *doc = x->doc;
	const struct debate *d = &doc->d;
	int64_t article_id, debate_id, *speaker_ids = NULL;
	int64_t published;
	sqlite3_stmt *s;
	enum err e;
	size_t i;

	/* The discussion's row: a hidden article titled by the motion. */
	if ((s = conn_stmt(w, STMT_DEBATE_ARTICLE_INSERT)) == NULL)
		return ERR_DB;
	published = d->sched.round[ROUND_OPENING]
			? d->sched.round[ROUND_OPENING]
		    : d->sched.voting_opens ? d->sched.voting_opens
					    : d->created;
	bind_text(s, 1, d->slug);
	bind_text(s, 2, d->motion);
	bind_text(s, 3, d->moderator);
	sqlite3_bind_int64(s, 4, published);
	sqlite3_bind_int(s, 5, d->comments_open ? 1 : 0);
	if ((e = sqlite_step_done(w, s, "debate article")) != ERR_OK)
		return e;
	article_id = sqlite3_last_insert_rowid(w->db);

	if ((s = conn_stmt(w, STMT_DEBATE_INSERT)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, article_id);
	bind_text(s, 2, d->slug);
	bind_text(s, 3, d->motion);
	bind_text(s, 4, d->moderator);
	bind_text(s, 5, d->intro_md);
	bind_text(s, 6, d->intro_html);
	bind_text(s, 7, d->label[SIDE_A]);
	bind_text(s, 8, d->label[SIDE_B]);
	bind_text(s, 9,
		  status_names[d->status <= DEBATE_CLOSED ? d->status
							  : DEBATE_DRAFT]);
	sqlite3_bind_int64(s, 10, d->sched.round[ROUND_OPENING]);
	sqlite3_bind_int64(s, 11, d->sched.round[ROUND_REBUTTAL]);
	sqlite3_bind_int64(s, 12, d->sched.round[ROUND_CLOSING]);
	sqlite3_bind_int64(s, 13, d->sched.voting_opens);
	sqlite3_bind_int64(s, 14, d->sched.voting_closes);
	sqlite3_bind_int64(s, 15, d->sched.pre_closes);
	sqlite3_bind_int64(s, 16, d->sched.post_opens);
	sqlite3_bind_int64(s, 17, d->bucket_secs > 0 ? d->bucket_secs : 3600);
	sqlite3_bind_int64(s, 18, d->created);
	if ((e = sqlite_step_done(w, s, "debate insert")) != ERR_OK)
		return e;
	debate_id = sqlite3_last_insert_rowid(w->db);

	speaker_ids =
	    calloc(doc->nspeakers ? doc->nspeakers : 1, sizeof(*speaker_ids));
	if (speaker_ids == NULL)
		return ERR_NOMEM;
	for (i = 0; i < doc->nspeakers; i++) {
		const struct debate_speaker *sp = &doc->speakers[i];

		if ((s = conn_stmt(w, STMT_DEBATE_SPEAKER_INSERT)) == NULL) {
			e = ERR_DB;
			goto done;
		}
		sqlite3_bind_int64(s, 1, debate_id);
		sqlite3_bind_int(s, 2, sp->side);
		sqlite3_bind_int(s, 3, sp->position);
		bind_text(s, 4, sp->name);
		bind_text(s, 5, sp->bio);
		bind_text(s, 6, sp->photo);
		bind_text(s, 7, sp->link);
		if ((e = sqlite_step_done(w, s, "debate speaker")) != ERR_OK)
			goto done;
		speaker_ids[i] = sqlite3_last_insert_rowid(w->db);
	}
	for (i = 0; i < doc->nstatements; i++) {
		const struct debate_statement *st = &doc->statements[i];

		if (st->speaker >= doc->nspeakers) {
			e = ERR_INVALID;
			goto done;
		}
		if ((s = conn_stmt(w, STMT_DEBATE_STATEMENT_INSERT)) == NULL) {
			e = ERR_DB;
			goto done;
		}
		sqlite3_bind_int64(s, 1, debate_id);
		sqlite3_bind_int64(s, 2, speaker_ids[st->speaker]);
		sqlite3_bind_int(s, 3, st->round);
		bind_text(s, 4, st->body_md);
		bind_text(s, 5, st->body_html);
		if ((e = sqlite_step_done(w, s, "debate statement")) != ERR_OK)
			goto done;
	}
	*x->id = debate_id;
	e = ERR_OK;
done:
	free(speaker_ids);
	return e;
}

enum err
sqlite_debate_insert(struct store *base, const struct debate_doc *doc,
		     int64_t *id)
{
	struct insert_args x = {doc, id};

	return sqlite_write(SQ(base), run_debate_insert, &x);
}

enum err
sqlite_debate_by_slug(struct store *base, struct arena *a, const char *slug,
		      struct debate *out)
{
	struct conn *c = sqlite_reader(SQ(base));
	sqlite3_stmt *s;

	if (c == NULL || (s = conn_stmt(c, STMT_DEBATE_BY_SLUG)) == NULL)
		return ERR_DB;
	bind_text(s, 1, slug);
	return sqlite_one(c, a, s, read_debate, out, "debate");
}

enum err
sqlite_debate_list(struct store *base, struct arena *a, bool drafts, int limit,
		   struct debate **out, size_t *n)
{
	struct conn *c = sqlite_reader(SQ(base));
	sqlite3_stmt *s;

	if (c == NULL || (s = conn_stmt(c, STMT_DEBATE_LIST)) == NULL)
		return ERR_DB;
	sqlite3_bind_int(s, 1, drafts ? 1 : 0);
	sqlite3_bind_int(s, 2, limit);
	return sqlite_collect(c, a, s, sizeof(struct debate), read_debate,
			      (void **)out, n, "debate rows");
}

enum err
sqlite_debate_speakers(struct store *base, struct arena *a, int64_t debate_id,
		       struct debate_speaker **out, size_t *n)
{
	struct conn *c = sqlite_reader(SQ(base));
	sqlite3_stmt *s;

	if (c == NULL || (s = conn_stmt(c, STMT_DEBATE_SPEAKERS)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, debate_id);
	return sqlite_collect(c, a, s, sizeof(struct debate_speaker),
			      read_speaker, (void **)out, n, "debate rows");
}

enum err
sqlite_debate_statements(struct store *base, struct arena *a, int64_t debate_id,
			 struct debate_statement **out, size_t *n)
{
	struct conn *c = sqlite_reader(SQ(base));
	sqlite3_stmt *s;

	if (c == NULL || (s = conn_stmt(c, STMT_DEBATE_STATEMENTS)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, debate_id);
	return sqlite_collect(c, a, s, sizeof(struct debate_statement),
			      read_statement, (void **)out, n, "debate rows");
}

struct status_args {
	int64_t id;
	enum debate_status status;
	int64_t voting_closes;
};

static enum err
run_set_status(struct conn *w, void *arg)
{
	struct status_args *x = arg;
	sqlite3_stmt *s = conn_stmt(w, STMT_DEBATE_SET_STATUS);
	enum err e;

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->id);
	bind_text(s, 2,
		  status_names[x->status <= DEBATE_CLOSED ? x->status
							  : DEBATE_DRAFT]);
	sqlite3_bind_int64(s, 3, x->voting_closes);
	if ((e = sqlite_step_done(w, s, "debate status")) != ERR_OK)
		return e;
	return sqlite3_changes(w->db) ? ERR_OK : ERR_NOTFOUND;
}

enum err
sqlite_debate_set_status(struct store *base, int64_t id,
			 enum debate_status status, int64_t voting_closes)
{
	struct status_args x = {id, status, voting_closes};

	return sqlite_write(SQ(base), run_set_status, &x);
}

enum err
sqlite_debate_tally(struct store *base, int64_t debate_id,
		    struct debate_tally *out)
{
	struct conn *c = sqlite_reader(SQ(base));
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	if (c == NULL || (s = conn_stmt(c, STMT_DEBATE_TALLY)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, debate_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int pre = sqlite3_column_int(s, 0),
		    post = sqlite3_column_int(s, 1);

		if (pre >= 0 && pre <= 3 && post >= 0 && post <= 2)
			out->moves[pre][post] += sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? ERR_OK : sqlite_fail(c->db, "debate tally");
}

enum err
sqlite_debate_buckets(struct store *base, struct arena *a, int64_t debate_id,
		      struct debate_bucket **out, size_t *n)
{
	struct conn *c = sqlite_reader(SQ(base));
	sqlite3_stmt *s;

	if (c == NULL || (s = conn_stmt(c, STMT_DEBATE_BUCKETS)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, debate_id);
	return sqlite_collect(c, a, s, sizeof(struct debate_bucket),
			      read_bucket, (void **)out, n, "debate rows");
}

/* Reads a reader's pre and post votes into p, two ints. */
static enum err
read_votes(struct arena *a, sqlite3_stmt *s, void *p)
{
	int *votes = p;

	(void)a;
	votes[0] = sqlite3_column_int(s, 0);
	votes[1] = sqlite3_column_int(s, 1);
	return ERR_OK;
}

/* A reader's votes on connection c; none yet is 0 and 0. */
static enum err
voter_on(struct conn *c, int64_t debate_id, const char *voter, int *pre,
	 int *post)
{
	sqlite3_stmt *s = conn_stmt(c, STMT_DEBATE_VOTER);
	int votes[2] = {0, 0};
	enum err e;

	*pre = *post = 0;
	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, debate_id);
	bind_text(s, 2, voter);
	e = sqlite_one(c, NULL, s, read_votes, votes, "debate voter");
	*pre = votes[0];
	*post = votes[1];
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
sqlite_debate_voter(struct store *base, int64_t debate_id, const char *voter,
		    int *pre, int *post)
{
	struct conn *c = sqlite_reader(SQ(base));

	*pre = *post = 0;
	if (c == NULL)
		return ERR_DB;
	return voter_on(c, debate_id, voter, pre, post);
}

/* Adds to the debate's counters: activity always, the rest as given. */
static enum err
touch(struct conn *w, int64_t debate_id, int64_t changed,
      const int64_t *refused)
{
	sqlite3_stmt *s = conn_stmt(w, STMT_DEBATE_TOUCH);

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, debate_id);
	sqlite3_bind_int64(s, 2, changed);
	sqlite3_bind_int64(s, 3, refused ? refused[REFUSED_DUPLICATE] : 0);
	sqlite3_bind_int64(s, 4, refused ? refused[REFUSED_CLOSED] : 0);
	sqlite3_bind_int64(s, 5, refused ? refused[REFUSED_RATE] : 0);
	return sqlite_step_done(w, s, "debate touch");
}

static enum err
bucket_add(struct conn *w, const struct debate_vote *v, int choice,
	   int64_t delta)
{
	sqlite3_stmt *s = conn_stmt(w, STMT_DEBATE_BUCKET_ADD);
	int64_t width = v->bucket_secs > 0 ? v->bucket_secs : 3600;

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, v->debate_id);
	sqlite3_bind_int64(s, 2, v->at - v->at % width);
	sqlite3_bind_int(s, 3, v->phase);
	sqlite3_bind_int(s, 4, choice);
	sqlite3_bind_int64(s, 5, delta);
	return sqlite_step_done(w, s, "debate bucket");
}

/* Moves one reader in the kept tally from pair (pre, post), to (npre, npost).
 */
static enum err
pair_move(struct conn *w, int64_t debate_id, int pre, int post, int npre,
	  int npost)
{
	int64_t delta;
	sqlite3_stmt *s;
	enum err e;
	int i;

	for (i = 0; i < 2; i++) {
		int a = i ? npre : pre, b = i ? npost : post;

		delta = i ? 1 : -1;
		if (a == 0 && b == 0)
			continue; /* no vote is no pair */
		if ((s = conn_stmt(w, STMT_DEBATE_PAIR_ADD)) == NULL)
			return ERR_DB;
		sqlite3_bind_int64(s, 1, debate_id);
		sqlite3_bind_int(s, 2, a);
		sqlite3_bind_int(s, 3, b);
		sqlite3_bind_int64(s, 4, delta);
		if ((e = sqlite_step_done(w, s, "debate pair")) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

static bool
refusals_any(const int64_t *refused)
{
	int i;

	for (i = 0; refused && i < REFUSED__MAX; i++)
		if (refused[i])
			return true;
	return false;
}

struct vote_args {
	const struct debate_vote *v;
	const int64_t *refused;
	enum vote_result *out;
};

static enum err
run_vote(struct conn *w, void *arg)
{
	struct vote_args *x = arg;
	const struct debate_vote *v = x->v;
	int pre, post, old;
	sqlite3_stmt *s;
	enum err e;

	if ((e = voter_on(w, v->debate_id, v->voter, &pre, &post)) != ERR_OK)
		return e;
	old = v->phase == PHASE_PRE ? pre : post;
	if (old == v->choice) {
		*x->out = VOTE_SAME;
		return refusals_any(x->refused)
			   ? touch(w, v->debate_id, 0, x->refused)
			   : ERR_OK;
	}
	s = conn_stmt(w, v->phase == PHASE_PRE ? STMT_DEBATE_VOTE_PRE
					       : STMT_DEBATE_VOTE_POST);
	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, v->debate_id);
	bind_text(s, 2, v->voter);
	sqlite3_bind_int(s, 3, v->choice);
	sqlite3_bind_int64(s, 4, v->at);
	if ((e = sqlite_step_done(w, s, "debate vote")) != ERR_OK)
		return e;
	/* The history keeps the change: the old choice loses one. */
	if (old != 0 && (e = bucket_add(w, v, old, -1)) != ERR_OK)
		return e;
	if ((e = bucket_add(w, v, v->choice, 1)) != ERR_OK)
		return e;
	if ((e = pair_move(w, v->debate_id, pre, post,
			   v->phase == PHASE_PRE ? v->choice : pre,
			   v->phase == PHASE_POST ? v->choice : post)) !=
	    ERR_OK)
		return e;
	*x->out = old ? VOTE_CHANGED : VOTE_NEW;
	return touch(w, v->debate_id, old ? 1 : 0, x->refused);
}

enum err
sqlite_debate_vote(struct store *base, const struct debate_vote *v,
		   const int64_t *refused, enum vote_result *out)
{
	struct vote_args x = {v, refused, out};

	return sqlite_write(SQ(base), run_vote, &x);
}

/* A submitted vote: the job, its arguments and its caller. */
struct vote_submission {
	struct write_job job;
	struct vote_args args;
	enum vote_result out;
	void (*done)(void *arg, enum err e, enum vote_result out);
	void *arg;
};

static void
vote_submitted(struct write_job *job)
{
	struct vote_submission *vs = (struct vote_submission *)job;

	vs->done(vs->arg, job->result, vs->out);
	free(vs);
}

enum err
sqlite_debate_vote_submit(
    struct store *base, const struct debate_vote *v, const int64_t *refused,
    void (*done)(void *arg, enum err e, enum vote_result out), void *arg)
{
	struct vote_submission *vs = calloc(1, sizeof(*vs));

	if (vs == NULL)
		return ERR_NOMEM;
	vs->args.v = v;
	vs->args.refused = refused;
	vs->args.out = &vs->out;
	vs->job.run = run_vote;
	vs->job.arg = &vs->args;
	vs->job.complete = vote_submitted;
	vs->done = done;
	vs->arg = arg;
	if (!sqlite_submit(SQ(base), &vs->job)) {
		free(vs);
		return ERR_DB;
	}
	return ERR_OK;
}

struct refusal_args {
	int64_t debate_id;
	const int64_t *refused;
};

static enum err
run_refusals(struct conn *w, void *arg)
{
	struct refusal_args *x = arg;

	return touch(w, x->debate_id, 0, x->refused);
}

enum err
sqlite_debate_add_refusals(struct store *base, int64_t debate_id,
			   const int64_t *refused)
{
	struct refusal_args x = {debate_id, refused};

	return sqlite_write(SQ(base), run_refusals, &x);
}

struct refuser_args {
	int64_t debate_id;
	enum refusal reason;
	const char *who;
	bool *first;
};

static enum err
run_refuser(struct conn *w, void *arg)
{
	struct refuser_args *x = arg;
	sqlite3_stmt *s = conn_stmt(w, STMT_DEBATE_REFUSER_ADD);
	enum err e;

	*x->first = false;
	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->debate_id);
	sqlite3_bind_int(s, 2, (int)x->reason);
	bind_text(s, 3, x->who);
	if ((e = sqlite_step_done(w, s, "debate refuser")) != ERR_OK)
		return e;
	*x->first = sqlite3_changes(w->db) > 0;
	return ERR_OK;
}

enum err
sqlite_debate_refuser_add(struct store *base, int64_t debate_id,
			  enum refusal reason, const char *who, bool *first)
{
	struct refuser_args x = {debate_id, reason, who, first};

	return sqlite_write(SQ(base), run_refuser, &x);
}

struct mind_args {
	int64_t debate_id;
	char kind;
	int64_t item_id;
	const char *voter;
	int64_t at;
	bool *added;
};

static enum err
run_mind(struct conn *w, void *arg)
{
	struct mind_args *x = arg;
	char kind[2] = {x->kind, '\0'};
	sqlite3_stmt *s;
	enum err e;

	*x->added = false;
	s = conn_stmt(w, x->kind == 's' ? STMT_DEBATE_ITEM_STATEMENT
					: STMT_DEBATE_ITEM_COMMENT);
	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->item_id);
	sqlite3_bind_int64(s, 2, x->debate_id);
	if ((e = sqlite_one(w, NULL, s, NULL, NULL, "debate item")) != ERR_OK)
		return e;

	if ((s = conn_stmt(w, STMT_DEBATE_MIND_ADD)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->debate_id);
	bind_text(s, 2, kind);
	sqlite3_bind_int64(s, 3, x->item_id);
	bind_text(s, 4, x->voter);
	sqlite3_bind_int64(s, 5, x->at);
	if ((e = sqlite_step_done(w, s, "debate mind")) != ERR_OK)
		return e;
	if (sqlite3_changes(w->db) == 0)
		return ERR_OK; /* this reader said so before */
	s = conn_stmt(w, x->kind == 's' ? STMT_DEBATE_MIND_STATEMENT
					: STMT_DEBATE_MIND_COMMENT);
	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->item_id);
	if ((e = sqlite_step_done(w, s, "debate mind count")) != ERR_OK)
		return e;
	*x->added = true;
	/* The counts show with the statements and comments: the page's version.
	 */
	if ((s = conn_stmt(w, STMT_DEBATE_BUMP)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->debate_id);
	return sqlite_step_done(w, s, "debate bump");
}

enum err
sqlite_debate_mind(struct store *base, int64_t debate_id, char kind,
		   int64_t item_id, const char *voter, int64_t at, bool *added)
{
	struct mind_args x = {debate_id, kind, item_id, voter, at, added};

	if (kind != 's' && kind != 'c')
		return ERR_INVALID;
	return sqlite_write(SQ(base), run_mind, &x);
}

struct feature_args {
	int64_t debate_id;
	int64_t comment_id;
	bool on;
};

static enum err
run_feature(struct conn *w, void *arg)
{
	struct feature_args *x = arg;
	sqlite3_stmt *s = conn_stmt(w, STMT_DEBATE_FEATURE);
	enum err e;

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->comment_id);
	sqlite3_bind_int64(s, 2, x->debate_id);
	sqlite3_bind_int(s, 3, x->on ? 1 : 0);
	if ((e = sqlite_step_done(w, s, "debate feature")) != ERR_OK)
		return e;
	if (sqlite3_changes(w->db) == 0)
		return ERR_NOTFOUND; /* not a comment of this debate */
	if ((s = conn_stmt(w, STMT_DEBATE_BUMP)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->debate_id);
	return sqlite_step_done(w, s, "debate bump");
}

enum err
sqlite_debate_feature(struct store *base, int64_t debate_id, int64_t comment_id,
		      bool on)
{
	struct feature_args x = {debate_id, comment_id, on};

	return sqlite_write(SQ(base), run_feature, &x);
}

static enum err
comment_list(struct store *base, struct arena *a, enum stmt id,
	     int64_t article_id, int limit, struct comment **out, size_t *n)
{
	struct conn *c = sqlite_reader(SQ(base));
	sqlite3_stmt *s;

	if (c == NULL || (s = conn_stmt(c, id)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, article_id);
	sqlite3_bind_int(s, 2, limit);
	return sqlite_collect(c, a, s, sizeof(struct comment),
			      sqlite_read_comment, (void **)out, n,
			      "debate rows");
}

enum err
sqlite_debate_featured(struct store *base, struct arena *a, int64_t article_id,
		       int limit, struct comment **out, size_t *n)
{
	return comment_list(base, a, STMT_DEBATE_FEATURED, article_id, limit,
			    out, n);
}

enum err
sqlite_debate_top_comments(struct store *base, struct arena *a,
			   int64_t article_id, int limit, struct comment **out,
			   size_t *n)
{
	return comment_list(base, a, STMT_DEBATE_TOP_COMMENTS, article_id,
			    limit, out, n);
}

enum err
sqlite_debate_home_epoch(struct store *base, int64_t now, int64_t *out)
{
	struct conn *c = sqlite_reader(SQ(base));
	sqlite3_stmt *s;
	int rc;

	out[0] = out[1] = out[2] = out[3] = 0;
	if (c == NULL || (s = conn_stmt(c, STMT_DEBATE_HOME_EPOCH)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		double next = sqlite3_column_double(s, 3);

		out[0] = sqlite3_column_int64(s, 0);
		out[1] = sqlite3_column_int64(s, 1);
		out[2] = sqlite3_column_int64(s, 2);
		out[3] = next > 0 && next < 9e17 ? (int64_t)next : 0;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? ERR_OK : sqlite_fail(c->db, "debate epoch");
}
