/*
 * pg_debate: debates: speakers, statements, votes, "changed my mind" marks and
 * featured comments, in the PostgreSQL backend.  Each operation behaves as
 * store/sqlite_debate.c's does; where SQLite's single writer made a read
 * then a write atomic, here a row lock or one atomic statement does, so
 * several nodes voting at once keep the tallies exact.
 *
 * Locks are taken in one order, so two votes cannot deadlock: the voter's
 * row, then the history's buckets and the tally's pairs each by key, then
 * the debate's row (its counters) last.
 */
#include "store/pg_internal.h"

#include <stdlib.h>
#include <string.h>

#include "store/sql_shared.h"

static const char *const status_names[] = {
    [DEBATE_DRAFT] = "draft",
    [DEBATE_SCHEDULED] = "scheduled",
    [DEBATE_OPEN] = "open",
    [DEBATE_CLOSED] = "closed",
};

static const char *
status_name(enum debate_status s)
{
	return status_names[s <= DEBATE_CLOSED ? s : DEBATE_DRAFT];
}

static enum debate_status
status_of(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(s, status_names[i]) == 0)
			return (enum debate_status)i;
	return DEBATE_DRAFT; /* unknown: show nothing */
}

/* A debate with its discussion row's counts; intro is two columns. */
#define DEBATE_COLS(intro)                                                     \
	"d.id, d.article_id, d.slug, d.motion, d.moderator, " intro ", "       \
	"d.label_a, d.label_b, d.status, d.opening, d.rebuttal, "              \
	"d.closing, d.voting_opens, d.voting_closes, d.pre_closes, "           \
	"d.post_opens, d.bucket_secs, d.version, d.activity, "                 \
	"d.refused_duplicate, d.refused_closed, d.refused_rate, "              \
	"d.changed_votes, d.created, a.comments_open, a.comment_count, "       \
	"a.thread_count"
#define DEBATE_FROM " FROM debates d JOIN articles a ON a.id = d.article_id"

/* SQLite reads a negative LIMIT as none; PostgreSQL refuses it. */
#define LIMIT_2 " LIMIT CASE WHEN $2::bigint < 0 THEN NULL ELSE $2::bigint END"

static struct pg_stmt article_insert =
    PG_STMT("INSERT INTO articles (slug, title, author, published, updated,"
	    " body_md, body_html, comments_open, kind)"
	    " VALUES ($1, $2, $3, $4, $4, '', '', $5, 'debate') RETURNING id");
static struct pg_stmt debate_insert =
    PG_STMT("INSERT INTO debates (article_id, slug, motion, moderator,"
	    " intro_md, intro_html, label_a, label_b, status, opening,"
	    " rebuttal, closing, voting_opens, voting_closes, pre_closes,"
	    " post_opens, bucket_secs, created) VALUES ($1, $2, $3, $4, $5,"
	    " $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
	    " RETURNING id");
static struct pg_stmt speaker_insert =
    PG_STMT("INSERT INTO debate_speakers (debate_id, side, position, name,"
	    " bio, photo, link) VALUES ($1, $2, $3, $4, $5, $6, $7)"
	    " RETURNING id");
static struct pg_stmt statement_insert =
    PG_STMT("INSERT INTO debate_statements (debate_id, speaker_id, round,"
	    " body_md, body_html) VALUES ($1, $2, $3, $4, $5)");
static struct pg_stmt by_slug = PG_STMT("SELECT " DEBATE_COLS(
    "d.intro_md, d.intro_html") DEBATE_FROM " WHERE d.slug = $1");
static struct pg_stmt list =
    PG_STMT("SELECT " DEBATE_COLS("'', ''") DEBATE_FROM
	    " WHERE $1::integer <> 0 OR d.status <> 'draft'"
	    " ORDER BY coalesce(nullif(d.opening, 0), d.created) DESC,"
	    " d.id DESC" LIMIT_2);
/* Ties in id order, as SQLite's index (debate_id, side, position) gives. */
static struct pg_stmt speakers =
    PG_STMT("SELECT id, side, position, name, bio, photo, link"
	    " FROM debate_speakers WHERE debate_id = $1"
	    " ORDER BY side, position, id");
static struct pg_stmt statements =
    PG_STMT("SELECT id, speaker_id, round, body_md, body_html, minds"
	    " FROM debate_statements WHERE debate_id = $1"
	    " ORDER BY round, speaker_id");
/* One statement: nodes setting it at once each set it whole. */
static struct pg_stmt set_status =
    PG_STMT("UPDATE debates SET status = $2, voting_closes = CASE WHEN"
	    " $3::bigint >= 0 THEN $3::bigint ELSE voting_closes END,"
	    " version = version + 1 WHERE id = $1");
static struct pg_stmt tally =
    PG_STMT("SELECT pre, post, n FROM debate_pairs WHERE debate_id = $1");
static struct pg_stmt buckets =
    PG_STMT("SELECT bucket, phase, choice, delta FROM debate_vote_buckets"
	    " WHERE debate_id = $1 ORDER BY bucket, phase, choice");
static struct pg_stmt voter_get =
    PG_STMT("SELECT pre, post FROM debate_votes WHERE debate_id = $1"
	    " AND voter = $2");
/* The voter's row, locked until the vote is counted. */
static struct pg_stmt voter_lock =
    PG_STMT("SELECT pre, post FROM debate_votes WHERE debate_id = $1"
	    " AND voter = $2 FOR UPDATE");
/* A first vote: no row when another vote of the reader's came first. */
static struct pg_stmt vote_new[2] = {
    PG_STMT("INSERT INTO debate_votes (debate_id, voter, pre, pre_at)"
	    " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"),
    PG_STMT("INSERT INTO debate_votes (debate_id, voter, post, post_at)"
	    " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"),
};
static struct pg_stmt vote_set[2] = {
    PG_STMT("UPDATE debate_votes SET pre = $3, pre_at = $4"
	    " WHERE debate_id = $1 AND voter = $2"),
    PG_STMT("UPDATE debate_votes SET post = $3, post_at = $4"
	    " WHERE debate_id = $1 AND voter = $2"),
};
static struct pg_stmt bucket_add =
    PG_STMT("INSERT INTO debate_vote_buckets AS b (debate_id, bucket, phase,"
	    " choice, delta) VALUES ($1, $2, $3, $4, $5)"
	    " ON CONFLICT (debate_id, bucket, phase, choice)"
	    " DO UPDATE SET delta = b.delta + excluded.delta");
static struct pg_stmt pair_add =
    PG_STMT("INSERT INTO debate_pairs AS p (debate_id, pre, post, n)"
	    " VALUES ($1, $2, $3, $4) ON CONFLICT (debate_id, pre, post)"
	    " DO UPDATE SET n = p.n + excluded.n");
static struct pg_stmt touch_stmt =
    PG_STMT("UPDATE debates SET activity = activity + 1,"
	    " changed_votes = changed_votes + $2,"
	    " refused_duplicate = refused_duplicate + $3,"
	    " refused_closed = refused_closed + $4,"
	    " refused_rate = refused_rate + $5 WHERE id = $1");
static struct pg_stmt refuser_add =
    PG_STMT("INSERT INTO debate_refusers (debate_id, reason, who)"
	    " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING");
static struct pg_stmt bump =
    PG_STMT("UPDATE debates SET version = version + 1 WHERE id = $1");
static struct pg_stmt item_statement =
    PG_STMT("SELECT 1 FROM debate_statements WHERE id = $1 AND debate_id = $2");
static struct pg_stmt item_comment = PG_STMT(
    "SELECT 1 FROM comments c JOIN debates d ON d.article_id = c.article_id"
    " WHERE c.id = $1 AND d.id = $2 AND c.status = 'approved'");
static struct pg_stmt mind_add =
    PG_STMT("INSERT INTO debate_minds (debate_id, kind, item_id, voter,"
	    " created) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING");
static struct pg_stmt mind_statement =
    PG_STMT("UPDATE debate_statements SET minds = minds + 1 WHERE id = $1");
static struct pg_stmt mind_comment =
    PG_STMT("UPDATE comments SET minds = minds + 1 WHERE id = $1");
static struct pg_stmt feature = PG_STMT(
    "UPDATE comments SET featured = $3 WHERE id = $1 AND status = 'approved'"
    " AND article_id = (SELECT article_id FROM debates WHERE id = $2)");
static struct pg_stmt featured = PG_STMT(
    "SELECT " COMMENT_COLS " FROM comments c" COMMENT_JOINS
    " WHERE c.article_id = $1 AND c.featured = 1 AND c.status = 'approved'"
    " ORDER BY c.id" LIMIT_2);
static struct pg_stmt top_comments =
    PG_STMT("SELECT " COMMENT_COLS " FROM comments c" COMMENT_JOINS
	    " WHERE c.article_id = $1 AND c.minds > 0 AND c.status = 'approved'"
	    " ORDER BY c.minds DESC, c.id" LIMIT_2);
/* least() passes over NULLs: a time already past is none. */
static struct pg_stmt home_epoch =
    PG_STMT("SELECT count(*), coalesce(sum(version), 0)::bigint,"
	    " coalesce(sum((opening BETWEEN 1 AND $1)::integer"
	    " + (voting_opens BETWEEN 1 AND $1)::integer"
	    " + (voting_closes BETWEEN 1 AND $1)::integer), 0)::bigint,"
	    " coalesce(min(least(CASE WHEN opening > $1 THEN opening END,"
	    " CASE WHEN voting_opens > $1 THEN voting_opens END,"
	    " CASE WHEN voting_closes > $1 THEN voting_closes END)), 0)"
	    " FROM debates WHERE status <> 'draft'");

/* Reads DEBATE_COLS from column 0 on. */
static enum err
read_debate(struct arena *a, const PGresult *r, int row, void *p)
{
	struct debate *d = p;

	memset(d, 0, sizeof(*d));
	d->id = pg_int(r, row, 0);
	d->article_id = pg_int(r, row, 1);
	d->slug = pg_text(a, r, row, 2);
	d->motion = pg_text(a, r, row, 3);
	d->moderator = pg_text(a, r, row, 4);
	d->intro_md = pg_text(a, r, row, 5);
	d->intro_html = pg_text(a, r, row, 6);
	d->label[SIDE_NONE] = "";
	d->label[SIDE_A] = pg_text(a, r, row, 7);
	d->label[SIDE_B] = pg_text(a, r, row, 8);
	d->status = status_of(PQgetvalue(r, row, 9));
	d->sched.round[ROUND_OPENING] = pg_int(r, row, 10);
	d->sched.round[ROUND_REBUTTAL] = pg_int(r, row, 11);
	d->sched.round[ROUND_CLOSING] = pg_int(r, row, 12);
	d->sched.voting_opens = pg_int(r, row, 13);
	d->sched.voting_closes = pg_int(r, row, 14);
	d->sched.pre_closes = pg_int(r, row, 15);
	d->sched.post_opens = pg_int(r, row, 16);
	d->bucket_secs = pg_int(r, row, 17);
	d->version = pg_int(r, row, 18);
	d->activity = pg_int(r, row, 19);
	d->refused_duplicate = pg_int(r, row, 20);
	d->refused_closed = pg_int(r, row, 21);
	d->refused_rate = pg_int(r, row, 22);
	d->changed_votes = pg_int(r, row, 23);
	d->created = pg_int(r, row, 24);
	d->comments_open = pg_int(r, row, 25) != 0;
	d->comment_count = pg_int(r, row, 26);
	d->thread_count = pg_int(r, row, 27);
	if (d->bucket_secs < 1)
		d->bucket_secs = 3600;
	if (!d->slug || !d->motion || !d->moderator || !d->intro_md ||
	    !d->intro_html || !d->label[SIDE_A] || !d->label[SIDE_B])
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err
read_speaker(struct arena *a, const PGresult *r, int row, void *p)
{
	struct debate_speaker *sp = p;

	memset(sp, 0, sizeof(*sp));
	sp->id = pg_int(r, row, 0);
	sp->side = (int)pg_int(r, row, 1);
	sp->position = (int)pg_int(r, row, 2);
	sp->name = pg_text(a, r, row, 3);
	sp->bio = pg_text(a, r, row, 4);
	sp->photo = pg_text(a, r, row, 5);
	sp->link = pg_text(a, r, row, 6);
	if (!sp->name || !sp->bio || !sp->photo || !sp->link)
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err
read_statement(struct arena *a, const PGresult *r, int row, void *p)
{
	struct debate_statement *st = p;

	memset(st, 0, sizeof(*st));
	st->id = pg_int(r, row, 0);
	st->speaker_id = pg_int(r, row, 1);
	st->round = (int)pg_int(r, row, 2);
	st->body_md = pg_text(a, r, row, 3);
	st->body_html = pg_text(a, r, row, 4);
	st->minds = pg_int(r, row, 5);
	if (!st->body_md || !st->body_html)
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err
read_bucket(struct arena *a, const PGresult *r, int row, void *p)
{
	struct debate_bucket *b = p;

	(void)a;
	b->start = pg_int(r, row, 0);
	b->phase = (int)pg_int(r, row, 1);
	b->choice = (int)pg_int(r, row, 2);
	b->delta = pg_int(r, row, 3);
	return ERR_OK;
}

/*
 * Within a transaction: runs s; *rows (when not NULL) the rows it changed,
 * *id (when not NULL) its first column, from RETURNING.  ERR_CONFLICT for
 * any broken constraint (a slug taken, a side or round out of range, a
 * debate that is not there), as SQLite answers with its foreign keys on.
 */
static enum err
change(struct pg_conn *c, struct pg_stmt *s, const struct pg_args *a,
       int64_t *rows, int64_t *id)
{
	char state[6];
	PGresult *r = pg_run(c, s, a, state);

	if (r == NULL)
		return strncmp(state, "23", 2) == 0 ? ERR_CONFLICT : ERR_DB;
	if (rows)
		*rows = strtoll(PQcmdTuples(r), NULL, 10);
	if (id)
		*id = PQntuples(r) > 0 ? pg_int(r, 0, 0) : 0;
	PQclear(r);
	return ERR_OK;
}

/* One statement as a whole transaction. */
struct change_one {
	struct pg_stmt *s;
	const struct pg_args *a;
	int64_t *rows;
};

static enum err
run_change_one(struct pg_conn *c, void *arg)
{
	struct change_one *x = arg;

	return change(c, x->s, x->a, x->rows, NULL);
}

static enum err
change_tx(struct store *base, struct pg_stmt *s, const struct pg_args *a,
	  int64_t *rows)
{
	struct change_one x = {s, a, rows};

	return pg_tx(pg_of(base), run_change_one, &x);
}

struct insert_args {
	const struct debate_doc *doc;
	int64_t *id;
};

static enum err
run_debate_insert(struct pg_conn *c, void *arg)
{
	struct insert_args *x = arg;
	const struct debate_doc *doc = x->doc;
	const struct debate *d = &doc->d;
	int64_t article_id, debate_id, *speaker_ids = NULL;
	int64_t published;
	struct pg_args a = {0};
	enum err e;
	size_t i;

	/* The discussion's row: a hidden article titled by the motion. */
	published = d->sched.round[ROUND_OPENING]
			? d->sched.round[ROUND_OPENING]
		    : d->sched.voting_opens ? d->sched.voting_opens
					    : d->created;
	pg_arg_text(&a, d->slug);
	pg_arg_text(&a, d->motion);
	pg_arg_text(&a, d->moderator);
	pg_arg_int(&a, published);
	pg_arg_int(&a, d->comments_open ? 1 : 0);
	if ((e = change(c, &article_insert, &a, NULL, &article_id)) != ERR_OK)
		return e;

	memset(&a, 0, sizeof(a));
	pg_arg_int(&a, article_id);
	pg_arg_text(&a, d->slug);
	pg_arg_text(&a, d->motion);
	pg_arg_text(&a, d->moderator);
	pg_arg_text(&a, d->intro_md);
	pg_arg_text(&a, d->intro_html);
	pg_arg_text(&a, d->label[SIDE_A]);
	pg_arg_text(&a, d->label[SIDE_B]);
	pg_arg_text(&a, status_name(d->status));
	pg_arg_int(&a, d->sched.round[ROUND_OPENING]);
	pg_arg_int(&a, d->sched.round[ROUND_REBUTTAL]);
	pg_arg_int(&a, d->sched.round[ROUND_CLOSING]);
	pg_arg_int(&a, d->sched.voting_opens);
	pg_arg_int(&a, d->sched.voting_closes);
	pg_arg_int(&a, d->sched.pre_closes);
	pg_arg_int(&a, d->sched.post_opens);
	pg_arg_int(&a, d->bucket_secs > 0 ? d->bucket_secs : 3600);
	pg_arg_int(&a, d->created);
	if ((e = change(c, &debate_insert, &a, NULL, &debate_id)) != ERR_OK)
		return e;

	speaker_ids =
	    calloc(doc->nspeakers ? doc->nspeakers : 1, sizeof(*speaker_ids));
	if (speaker_ids == NULL)
		return ERR_NOMEM;
	for (i = 0; i < doc->nspeakers; i++) {
		const struct debate_speaker *sp = &doc->speakers[i];

		memset(&a, 0, sizeof(a));
		pg_arg_int(&a, debate_id);
		pg_arg_int(&a, sp->side);
		pg_arg_int(&a, sp->position);
		pg_arg_text(&a, sp->name);
		pg_arg_text(&a, sp->bio);
		pg_arg_text(&a, sp->photo);
		pg_arg_text(&a, sp->link);
		if ((e = change(c, &speaker_insert, &a, NULL,
				&speaker_ids[i])) != ERR_OK)
			goto done;
	}
	for (i = 0; i < doc->nstatements; i++) {
		const struct debate_statement *st = &doc->statements[i];

		if (st->speaker >= doc->nspeakers) {
			e = ERR_INVALID;
			goto done;
		}
		memset(&a, 0, sizeof(a));
		pg_arg_int(&a, debate_id);
		pg_arg_int(&a, speaker_ids[st->speaker]);
		pg_arg_int(&a, st->round);
		pg_arg_text(&a, st->body_md);
		pg_arg_text(&a, st->body_html);
		if ((e = change(c, &statement_insert, &a, NULL, NULL)) !=
		    ERR_OK)
			goto done;
	}
	*x->id = debate_id;
	e = ERR_OK;
done:
	free(speaker_ids);
	return e;
}

static enum err
pg_debate_insert(struct store *base, const struct debate_doc *doc, int64_t *id)
{
	struct insert_args x = {doc, id};

	return pg_tx(pg_of(base), run_debate_insert, &x);
}

static enum err
pg_debate_by_slug(struct store *base, struct arena *a, const char *slug,
		  struct debate *out)
{
	struct pg_args args = {0};

	pg_arg_text(&args, slug);
	return pg_read_one(pg_of(base), a, &by_slug, &args, read_debate, out);
}

static enum err
pg_debate_list(struct store *base, struct arena *a, bool drafts, int limit,
	       struct debate **out, size_t *n)
{
	struct pg_args args = {0};

	pg_arg_int(&args, drafts ? 1 : 0);
	pg_arg_int(&args, limit);
	return pg_read_all(pg_of(base), a, &list, &args, sizeof(struct debate),
			   read_debate, (void **)out, n);
}

static enum err
pg_debate_speakers(struct store *base, struct arena *a, int64_t debate_id,
		   struct debate_speaker **out, size_t *n)
{
	struct pg_args args = {0};

	pg_arg_int(&args, debate_id);
	return pg_read_all(pg_of(base), a, &speakers, &args,
			   sizeof(struct debate_speaker), read_speaker,
			   (void **)out, n);
}

static enum err
pg_debate_statements(struct store *base, struct arena *a, int64_t debate_id,
		     struct debate_statement **out, size_t *n)
{
	struct pg_args args = {0};

	pg_arg_int(&args, debate_id);
	return pg_read_all(pg_of(base), a, &statements, &args,
			   sizeof(struct debate_statement), read_statement,
			   (void **)out, n);
}

static enum err
pg_debate_set_status(struct store *base, int64_t id, enum debate_status status,
		     int64_t voting_closes)
{
	struct pg_args a = {0};
	int64_t rows = 0;
	enum err e;

	pg_arg_int(&a, id);
	pg_arg_text(&a, status_name(status));
	pg_arg_int(&a, voting_closes);
	if ((e = change_tx(base, &set_status, &a, &rows)) != ERR_OK)
		return e;
	return rows ? ERR_OK : ERR_NOTFOUND;
}

static enum err
pg_debate_tally(struct store *base, int64_t debate_id, struct debate_tally *out)
{
	struct pg_args a = {0};
	PGresult *r;
	int i;

	memset(out, 0, sizeof(*out));
	pg_arg_int(&a, debate_id);
	if ((r = pg_read(pg_of(base), &tally, &a)) == NULL)
		return ERR_DB;
	for (i = 0; i < PQntuples(r); i++) {
		int64_t pre = pg_int(r, i, 0), post = pg_int(r, i, 1);

		if (pre >= 0 && pre <= 3 && post >= 0 && post <= 2)
			out->moves[pre][post] += pg_int(r, i, 2);
	}
	PQclear(r);
	return ERR_OK;
}

static enum err
pg_debate_buckets(struct store *base, struct arena *a, int64_t debate_id,
		  struct debate_bucket **out, size_t *n)
{
	struct pg_args args = {0};

	pg_arg_int(&args, debate_id);
	return pg_read_all(pg_of(base), a, &buckets, &args,
			   sizeof(struct debate_bucket), read_bucket,
			   (void **)out, n);
}

static enum err
pg_debate_voter(struct store *base, int64_t debate_id, const char *who,
		int *pre, int *post)
{
	struct pg_args a = {0};
	PGresult *r;

	*pre = *post = 0;
	pg_arg_int(&a, debate_id);
	pg_arg_text(&a, who);
	if ((r = pg_read(pg_of(base), &voter_get, &a)) == NULL)
		return ERR_DB;
	if (PQntuples(r) > 0) {
		*pre = (int)pg_int(r, 0, 0);
		*post = (int)pg_int(r, 0, 1);
	}
	PQclear(r);
	return ERR_OK;
}

/* Adds to the debate's counters: activity always, the rest as given. */
static enum err
touch(struct pg_conn *c, int64_t debate_id, int64_t changed,
      const int64_t *refused)
{
	struct pg_args a = {0};

	pg_arg_int(&a, debate_id);
	pg_arg_int(&a, changed);
	pg_arg_int(&a, refused ? refused[REFUSED_DUPLICATE] : 0);
	pg_arg_int(&a, refused ? refused[REFUSED_CLOSED] : 0);
	pg_arg_int(&a, refused ? refused[REFUSED_RATE] : 0);
	return change(c, &touch_stmt, &a, NULL, NULL);
}

/* The history's change: the old choice loses one, the new gains one,
 * their rows locked in the order of choice. */
static enum err
buckets_move(struct pg_conn *c, const struct debate_vote *v, int old)
{
	int64_t width = v->bucket_secs > 0 ? v->bucket_secs : 3600;
	int choice[2] = {old, v->choice}, delta[2] = {-1, 1};
	enum err e;
	int i, k;

	for (k = 0; k < 2; k++) {
		struct pg_args a = {0};

		i = (old < v->choice) == (k == 0) ? 0 : 1;
		if (choice[i] == 0)
			continue; /* a first vote: nothing to take back */
		pg_arg_int(&a, v->debate_id);
		pg_arg_int(&a, v->at - v->at % width);
		pg_arg_int(&a, v->phase);
		pg_arg_int(&a, choice[i]);
		pg_arg_int(&a, delta[i]);
		if ((e = change(c, &bucket_add, &a, NULL, NULL)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/*
 * Moves one reader in the kept tally from pair (pre, post) to (npre,
 * npost), the two rows locked in the order of their keys.
 */
static enum err
pair_move(struct pg_conn *c, int64_t debate_id, int pre, int post, int npre,
	  int npost)
{
	int pa[2] = {pre, npre}, pb[2] = {post, npost};
	bool old_first = pre * 3 + post < npre * 3 + npost;
	enum err e;
	int i, k;

	for (k = 0; k < 2; k++) {
		struct pg_args a = {0};

		i = old_first == (k == 0) ? 0 : 1;
		if (pa[i] == 0 && pb[i] == 0)
			continue; /* no vote is no pair */
		pg_arg_int(&a, debate_id);
		pg_arg_int(&a, pa[i]);
		pg_arg_int(&a, pb[i]);
		pg_arg_int(&a, i ? 1 : -1);
		if ((e = change(c, &pair_add, &a, NULL, NULL)) != ERR_OK)
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

/*
 * The reader's votes, their row locked until the transaction ends;
 * *found false (and 0 and 0) when they have none yet.
 */
static enum err
voter_locked(struct pg_conn *c, const struct debate_vote *v, int *pre,
	     int *post, bool *found)
{
	struct pg_args a = {0};
	PGresult *r;

	*pre = *post = 0;
	pg_arg_int(&a, v->debate_id);
	pg_arg_text(&a, v->voter);
	if ((r = pg_run(c, &voter_lock, &a, NULL)) == NULL)
		return ERR_DB;
	*found = PQntuples(r) > 0;
	if (*found) {
		*pre = (int)pg_int(r, 0, 0);
		*post = (int)pg_int(r, 0, 1);
	}
	PQclear(r);
	return ERR_OK;
}

struct vote_args {
	const struct debate_vote *v;
	const int64_t *refused;
	enum vote_result *out;
};

static enum err
run_vote(struct pg_conn *c, void *arg)
{
	struct vote_args *x = arg;
	const struct debate_vote *v = x->v;
	int ph = v->phase == PHASE_PRE ? 0 : 1;
	int pre, post, old, tries;
	bool found;
	enum err e;

	for (tries = 0;; tries++) {
		struct pg_args a = {0};
		int64_t rows = 0;

		if (tries == 3)
			return ERR_DB;
		if ((e = voter_locked(c, v, &pre, &post, &found)) != ERR_OK)
			return e;
		old = ph == 0 ? pre : post;
		if (old == v->choice) {
			*x->out = VOTE_SAME;
			return refusals_any(x->refused)
				   ? touch(c, v->debate_id, 0, x->refused)
				   : ERR_OK;
		}
		pg_arg_int(&a, v->debate_id);
		pg_arg_text(&a, v->voter);
		pg_arg_int(&a, v->choice);
		pg_arg_int(&a, v->at);
		if (found)
			e = change(c, &vote_set[ph], &a, NULL, NULL);
		else
			e = change(c, &vote_new[ph], &a, &rows, NULL);
		if (e != ERR_OK)
			return e;
		/* Another node inserted this reader's first vote while the
		 * insert waited: read and lock that row, then change it. */
		if (found || rows == 1)
			break;
	}
	if ((e = buckets_move(c, v, old)) != ERR_OK)
		return e;
	if ((e = pair_move(c, v->debate_id, pre, post,
			   ph == 0 ? v->choice : pre,
			   ph == 1 ? v->choice : post)) != ERR_OK)
		return e;
	*x->out = old ? VOTE_CHANGED : VOTE_NEW;
	return touch(c, v->debate_id, old ? 1 : 0, x->refused);
}

static enum err
pg_debate_vote(struct store *base, const struct debate_vote *v,
	       const int64_t *refused, enum vote_result *out)
{
	struct vote_args x = {v, refused, out};

	return pg_tx(pg_of(base), run_vote, &x);
}

/* A submitted vote: the job, its arguments and its caller. */
struct vote_submission {
	struct pg_job job;
	struct vote_args args;
	enum vote_result out;
	void (*done)(void *arg, enum err e, enum vote_result out);
	void *arg;
};

static void
vote_submitted(struct pg_job *job, enum err e)
{
	struct vote_submission *vs = (struct vote_submission *)job;

	vs->done(vs->arg, e, vs->out);
	free(vs);
}

static enum err
pg_debate_vote_submit(struct store *base, const struct debate_vote *v,
		      const int64_t *refused,
		      void (*done)(void *arg, enum err e, enum vote_result out),
		      void *arg)
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
	if (!pg_submit(pg_of(base), &vs->job)) {
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
run_refusals(struct pg_conn *c, void *arg)
{
	struct refusal_args *x = arg;

	return touch(c, x->debate_id, 0, x->refused);
}

static enum err
pg_debate_add_refusals(struct store *base, int64_t debate_id,
		       const int64_t *refused)
{
	struct refusal_args x = {debate_id, refused};

	return pg_tx(pg_of(base), run_refusals, &x);
}

/* A second node's insert of the same key waits for the first's commit,
 * then does nothing: *first is true once. */
static enum err
pg_debate_refuser_add(struct store *base, int64_t debate_id,
		      enum refusal reason, const char *who, bool *first)
{
	struct pg_args a = {0};
	int64_t rows = 0;
	enum err e;

	*first = false;
	pg_arg_int(&a, debate_id);
	pg_arg_int(&a, (int)reason);
	pg_arg_text(&a, who);
	if ((e = change_tx(base, &refuser_add, &a, &rows)) != ERR_OK)
		return e;
	*first = rows > 0;
	return ERR_OK;
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
run_mind(struct pg_conn *c, void *arg)
{
	struct mind_args *x = arg;
	char kind[2] = {x->kind, '\0'};
	struct pg_args a = {0};
	int64_t one, rows = 0;
	enum err e;

	*x->added = false;
	pg_arg_int(&a, x->item_id);
	pg_arg_int(&a, x->debate_id);
	if ((e = pg_exec_int(c,
			     x->kind == 's' ? &item_statement : &item_comment,
			     &a, &one)) != ERR_OK)
		return e;

	memset(&a, 0, sizeof(a));
	pg_arg_int(&a, x->debate_id);
	pg_arg_text(&a, kind);
	pg_arg_int(&a, x->item_id);
	pg_arg_text(&a, x->voter);
	pg_arg_int(&a, x->at);
	if ((e = change(c, &mind_add, &a, &rows, NULL)) != ERR_OK)
		return e;
	if (rows == 0)
		return ERR_OK; /* this reader said so before */
	memset(&a, 0, sizeof(a));
	pg_arg_int(&a, x->item_id);
	if ((e = change(c, x->kind == 's' ? &mind_statement : &mind_comment, &a,
			NULL, NULL)) != ERR_OK)
		return e;
	*x->added = true;
	/* The counts show with the statements and comments: the page's
	 * version. */
	memset(&a, 0, sizeof(a));
	pg_arg_int(&a, x->debate_id);
	return change(c, &bump, &a, NULL, NULL);
}

static enum err
pg_debate_mind(struct store *base, int64_t debate_id, char kind,
	       int64_t item_id, const char *voter, int64_t at, bool *added)
{
	struct mind_args x = {debate_id, kind, item_id, voter, at, added};
	enum err e;

	*added = false;
	if (kind != 's' && kind != 'c')
		return ERR_INVALID;
	e = pg_tx(pg_of(base), run_mind, &x);
	if (e != ERR_OK)
		*added = false; /* rolled back */
	return e;
}

struct feature_args {
	int64_t debate_id;
	int64_t comment_id;
	bool on;
};

static enum err
run_feature(struct pg_conn *c, void *arg)
{
	struct feature_args *x = arg;
	struct pg_args a = {0};
	int64_t rows = 0;
	enum err e;

	pg_arg_int(&a, x->comment_id);
	pg_arg_int(&a, x->debate_id);
	pg_arg_int(&a, x->on ? 1 : 0);
	if ((e = change(c, &feature, &a, &rows, NULL)) != ERR_OK)
		return e;
	if (rows == 0)
		return ERR_NOTFOUND; /* not a comment of this debate */
	memset(&a, 0, sizeof(a));
	pg_arg_int(&a, x->debate_id);
	return change(c, &bump, &a, NULL, NULL);
}

static enum err
pg_debate_feature(struct store *base, int64_t debate_id, int64_t comment_id,
		  bool on)
{
	struct feature_args x = {debate_id, comment_id, on};

	return pg_tx(pg_of(base), run_feature, &x);
}

static enum err
comment_list(struct store *base, struct arena *a, struct pg_stmt *s,
	     int64_t article_id, int limit, struct comment **out, size_t *n)
{
	struct pg_args args = {0};

	pg_arg_int(&args, article_id);
	pg_arg_int(&args, limit);
	return pg_read_all(pg_of(base), a, s, &args, sizeof(struct comment),
			   pg_read_comment, (void **)out, n);
}

static enum err
pg_debate_featured(struct store *base, struct arena *a, int64_t article_id,
		   int limit, struct comment **out, size_t *n)
{
	return comment_list(base, a, &featured, article_id, limit, out, n);
}

static enum err
pg_debate_top_comments(struct store *base, struct arena *a, int64_t article_id,
		       int limit, struct comment **out, size_t *n)
{
	return comment_list(base, a, &top_comments, article_id, limit, out, n);
}

static enum err
pg_debate_home_epoch(struct store *base, int64_t now, int64_t *out)
{
	struct pg_args a = {0};
	PGresult *r;
	int64_t next;

	out[0] = out[1] = out[2] = out[3] = 0;
	pg_arg_int(&a, now);
	if ((r = pg_read(pg_of(base), &home_epoch, &a)) == NULL)
		return ERR_DB;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return ERR_DB;
	}
	out[0] = pg_int(r, 0, 0);
	out[1] = pg_int(r, 0, 1);
	out[2] = pg_int(r, 0, 2);
	next = pg_int(r, 0, 3);
	/* As SQLite's: times from 9e17 on stand for none. */
	out[3] = next > 0 && next < (int64_t)9e17 ? next : 0;
	PQclear(r);
	return ERR_OK;
}

void
pg_debate_ops(struct store_ops *ops)
{
	ops->debate_insert = pg_debate_insert;
	ops->debate_by_slug = pg_debate_by_slug;
	ops->debate_list = pg_debate_list;
	ops->debate_speakers = pg_debate_speakers;
	ops->debate_statements = pg_debate_statements;
	ops->debate_set_status = pg_debate_set_status;
	ops->debate_tally = pg_debate_tally;
	ops->debate_buckets = pg_debate_buckets;
	ops->debate_voter = pg_debate_voter;
	ops->debate_vote = pg_debate_vote;
	ops->debate_vote_submit = pg_debate_vote_submit;
	ops->debate_add_refusals = pg_debate_add_refusals;
	ops->debate_refuser_add = pg_debate_refuser_add;
	ops->debate_mind = pg_debate_mind;
	ops->debate_feature = pg_debate_feature;
	ops->debate_featured = pg_debate_featured;
	ops->debate_top_comments = pg_debate_top_comments;
	ops->debate_home_epoch = pg_debate_home_epoch;
}
