#include "model/debate.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/cidr.h"
#include "core/change.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/mac.h"
#include "core/util.h"
#include "core/ratelimit.h"
#include "render/markdown.h"

/* Refusal counts are saved at most this often per debate (seconds). */
#define REFUSAL_FLUSH_SECS 10
#define PENDING_SLOTS	   64
/* Refusers recently recorded, remembered so a flood costs no writes. */
#define SEEN_SLOTS 4096

const char *
debate_round_name(int round)
{
	switch (round) {
	case ROUND_OPENING:
		return "Opening";
	case ROUND_REBUTTAL:
		return "Rebuttal";
	case ROUND_CLOSING:
		return "Closing";
	default:
		return "";
	}
}

const char *
debate_status_name(enum debate_status s)
{
	switch (s) {
	case DEBATE_DRAFT:
		return "draft";
	case DEBATE_SCHEDULED:
		return "scheduled";
	case DEBATE_OPEN:
		return "open";
	case DEBATE_CLOSED:
		return "closed";
	}
	return "draft";
}

/* Renders Markdown into a string in the arena; NULL when out of memory. */
static const char *
render(struct arena *a, const char *md)
{
	struct buf html;
	const char *out = NULL;

	buf_init(&html, LIMIT_PAGE_HTML);
	if (markdown_render(&html, md, strlen(md), MARKDOWN_AUTHOR))
		out = arena_strndup(a, buf_cstr(&html), html.len);
	buf_clear(&html);
	return out;
}

enum err
debate_create(struct app *app, struct debate_doc *doc, int64_t *id)
{
	struct arena a;
	enum err e = ERR_NOMEM;
	size_t i;

	arena_init(&a);
	if ((doc->d.intro_html = render(&a, doc->d.intro_md)) == NULL)
		goto done;
	for (i = 0; i < doc->nstatements; i++)
		if ((doc->statements[i].body_html =
			 render(&a, doc->statements[i].body_md)) == NULL)
			goto done;
	e = app->store->ops->debate_insert(app->store, doc, id);
	if (e == ERR_OK) {
		/* The new debate shows in the front page's list. */
		struct change_tag tags[] = {{CHANGE_DEBATE, *id},
					    {CHANGE_FRONT, 0}};

		change_publish(app->changes, tags, 2);
	}
done:
	/* The HTML lived in this function's arena. */
	doc->d.intro_html = "";
	for (i = 0; i < doc->nstatements; i++)
		doc->statements[i].body_html = "";
	arena_clear(&a);
	return e;
}

/* The schedule. */

static void
next_after(int64_t *next, int64_t t, int64_t now)
{
	if (t > now && (*next == 0 || t < *next))
		*next = t;
}

void
debate_clock_at(const struct debate *d, int64_t now, struct debate_clock *c)
{
	const struct debate_schedule *s = &d->sched;
	int64_t opens =
	    s->voting_opens ? s->voting_opens : s->round[ROUND_OPENING];
	int64_t closes = s->voting_closes;
	int r;

	memset(c, 0, sizeof(*c));
	c->pre_closes =
	    s->pre_closes ? s->pre_closes : s->round[ROUND_REBUTTAL];
	c->post_opens = s->post_opens ? s->post_opens : s->round[ROUND_CLOSING];
	switch (d->status) {
	case DEBATE_DRAFT:
		c->status = DEBATE_DRAFT;
		return;
	case DEBATE_CLOSED:
		c->status = DEBATE_CLOSED;
		break;
	case DEBATE_OPEN:
		c->status =
		    closes && now >= closes ? DEBATE_CLOSED : DEBATE_OPEN;
		break;
	case DEBATE_SCHEDULED:
		if (opens == 0 || now < opens)
			c->status = DEBATE_SCHEDULED;
		else if (closes && now >= closes)
			c->status = DEBATE_CLOSED;
		else
			c->status = DEBATE_OPEN;
		break;
	}
	for (r = ROUND_OPENING; r <= ROUND_CLOSING; r++) {
		bool open;

		if (c->status == DEBATE_CLOSED)
			open = true; /* the record is complete */
		else if (c->status == DEBATE_OPEN)
			open = s->round[r] == 0 || now >= s->round[r];
		else
			open = s->round[r] != 0 && now >= s->round[r];
		/* Rounds open in order. */
		c->round_open[r] =
		    open && (r == ROUND_OPENING || c->round_open[r - 1]);
		if (c->round_open[r] && c->status == DEBATE_OPEN)
			c->round = r;
	}
	if (c->status == DEBATE_OPEN) {
		c->pre_open = c->pre_closes == 0 || now < c->pre_closes;
		c->post_open = c->post_opens == 0 || now >= c->post_opens;
	}
	if (d->status == DEBATE_CLOSED)
		return; /* nothing changes any more */
	next_after(&c->next_change, opens, now);
	next_after(&c->next_change, closes, now);
	next_after(&c->next_change, c->pre_closes, now);
	next_after(&c->next_change, c->post_opens, now);
	for (r = ROUND_OPENING; r <= ROUND_CLOSING; r++)
		next_after(&c->next_change, s->round[r], now);
}

/* The tally. */

/* round(1000 * num / den) for num, den >= 0 (den > 0). */
static int
permille(int64_t num, int64_t den)
{
	long double v = 1000.0L * (long double)num / (long double)den;

	return (int)(v + 0.5L);
}

/* Rounds a signed value in tenths, halves away from zero. */
static int
round_tenths(long double v)
{
	return (int)(v < 0 ? v - 0.5L : v + 0.5L);
}

/*
 * The sign of gain(A) - gain(B), where gain(X) = post(X)/P - pre(X)/Q:
 * the sign of (postA - postB) * Q - (preA - preB) * P, exact in integers
 * while the counts fit in 31 bits (then in long double).
 */
static int
gain_sign(const struct debate_result *r)
{
	int64_t dpost = r->post[SIDE_A] - r->post[SIDE_B];
	int64_t dpre = r->pre[SIDE_A] - r->pre[SIDE_B];
	int64_t P = r->post_total, Q = r->pre_total;

	if (P < ((int64_t)1 << 31) && Q < ((int64_t)1 << 31)) {
		int64_t lhs = dpost * Q, rhs = dpre * P;

		return lhs > rhs ? 1 : lhs < rhs ? -1 : 0;
	} else {
		long double lhs = (long double)dpost * Q,
			    rhs = (long double)dpre * P;

		return lhs > rhs ? 1 : lhs < rhs ? -1 : 0;
	}
}

void
debate_result_of(const struct debate_tally *t, struct debate_result *r)
{
	int pre, post, side;
	int sign;

	memset(r, 0, sizeof(*r));
	for (pre = 0; pre <= 3; pre++)
		for (post = 0; post <= 2; post++) {
			int64_t n = t->moves[pre][post];

			r->pre[pre] += pre ? n : 0;
			r->post[post] += post ? n : 0;
			if (pre && post)
				r->pairs += n;
		}
	r->pre[0] = r->post[0] = 0;
	r->pre_total = r->pre[SIDE_A] + r->pre[SIDE_B] + r->pre[SIDE_UNDECIDED];
	r->post_total = r->post[SIDE_A] + r->post[SIDE_B];
	for (side = SIDE_A; side <= SIDE_UNDECIDED; side++)
		if (r->pre_total)
			r->pre_share[side] =
			    permille(r->pre[side], r->pre_total);
	for (side = SIDE_A; side <= SIDE_B; side++)
		if (r->post_total)
			r->post_share[side] =
			    permille(r->post[side], r->post_total);
	if (r->pre_total == 0 || r->post_total == 0) {
		r->outcome = r->pre_total == 0 && r->post_total == 0
				 ? OUTCOME_NO_VOTES
			     : r->pre_total == 0 ? OUTCOME_NO_PRE
						 : OUTCOME_NO_POST;
		return;
	}
	for (side = SIDE_A; side <= SIDE_B; side++)
		r->gain[side] =
		    round_tenths(1000.0L * (long double)r->post[side] /
				     (long double)r->post_total -
				 1000.0L * (long double)r->pre[side] /
				     (long double)r->pre_total);
	sign = gain_sign(r);
	r->outcome = sign > 0 ? OUTCOME_A : sign < 0 ? OUTCOME_B : OUTCOME_TIE;
	if (sign != 0 && r->gain[SIDE_A] == r->gain[SIDE_B])
		r->narrow = true;
	/* Rounding must not show the loser ahead: nudge the shown gains. */
	if (sign > 0 && r->gain[SIDE_A] < r->gain[SIDE_B])
		r->gain[SIDE_A] = r->gain[SIDE_B];
	if (sign < 0 && r->gain[SIDE_B] < r->gain[SIDE_A])
		r->gain[SIDE_B] = r->gain[SIDE_A];
	if (sign == 0)
		r->gain[SIDE_B] = r->gain[SIDE_A];
}

enum err
debate_history(struct arena *a, const struct debate_bucket *b, size_t n,
	       size_t max, struct debate_point **out, size_t *npoints)
{
	struct debate_point *pts, run;
	size_t i, count = 0, kept = 0, step;

	*out = NULL;
	*npoints = 0;
	if (n == 0 || max == 0)
		return ERR_OK;
	pts = arena_zalloc(a, n * sizeof(*pts));
	if (pts == NULL)
		return ERR_NOMEM;
	memset(&run, 0, sizeof(run));
	for (i = 0; i < n; i++) {
		if (b[i].phase == PHASE_PRE && b[i].choice >= SIDE_A &&
		    b[i].choice <= SIDE_UNDECIDED)
			run.pre[b[i].choice] += b[i].delta;
		else if (b[i].phase == PHASE_POST && b[i].choice >= SIDE_A &&
			 b[i].choice <= SIDE_B)
			run.post[b[i].choice] += b[i].delta;
		run.at = b[i].start;
		/* The last row of a bucket closes it. */
		if (i + 1 == n || b[i + 1].start != b[i].start)
			pts[count++] = run;
	}
	step = (count + max - 1) / max;
	for (i = 0; i < count; i++)
		if ((count - 1 - i) % step == 0)
			pts[kept++] = pts[i];
	*out = pts;
	*npoints = kept;
	return ERR_OK;
}

/* Readers, votes and the run's state. */

struct pending {
	int64_t debate_id; /* 0: free */
	int64_t n[REFUSED__MAX];
	int64_t last_flush;
};

struct debate_runtime {
	struct ratelimit *limit;  /* per minute, with a burst */
	struct ratelimit *hourly; /* per hour */
	pthread_mutex_t lock;
	struct pending slots[PENDING_SLOTS];
	uint64_t seen[SEEN_SLOTS]; /* fingerprints of recent refusers */
	uint64_t generation;	   /* under lock */
};

uint64_t
debate_generation(const struct app *app)
{
	struct debate_runtime *rt = app->debates;
	uint64_t g;

	if (rt == NULL)
		return 0;
	pthread_mutex_lock(&rt->lock);
	g = rt->generation;
	pthread_mutex_unlock(&rt->lock);
	return g;
}

/* After a write of this process: what was read before may be stale. */
static void
written(struct debate_runtime *rt)
{
	if (rt == NULL)
		return;
	pthread_mutex_lock(&rt->lock);
	rt->generation++;
	pthread_mutex_unlock(&rt->lock);
}

struct debate_runtime *
debate_runtime_new(const struct config *cfg)
{
	struct debate_runtime *rt = calloc(1, sizeof(*rt));

	if (rt == NULL)
		return NULL;
	rt->limit = ratelimit_new("votes", (double)cfg->votes_burst,
				  (double)cfg->votes_per_minute / 60.0, 8192);
	rt->hourly = ratelimit_new("votes_hourly", (double)cfg->votes_per_hour,
				   (double)cfg->votes_per_hour / 3600.0, 8192);
	if (rt->limit == NULL || rt->hourly == NULL) {
		ratelimit_free(rt->limit);
		ratelimit_free(rt->hourly);
		free(rt);
		return NULL;
	}
	pthread_mutex_init(&rt->lock, NULL);
	return rt;
}

static bool
pending_any(const struct pending *p)
{
	int i;

	for (i = 0; i < REFUSED__MAX; i++)
		if (p->n[i])
			return true;
	return false;
}

void
debate_runtime_free(struct debate_runtime *rt, struct store *st)
{
	size_t i;

	if (rt == NULL)
		return;
	for (i = 0; st && i < PENDING_SLOTS; i++)
		if (rt->slots[i].debate_id && pending_any(&rt->slots[i]) &&
		    st->ops->debate_add_refusals(st, rt->slots[i].debate_id,
						 rt->slots[i].n) != ERR_OK)
			log_warnx("debate %lld: refusal counts not saved",
				  (long long)rt->slots[i].debate_id);
	ratelimit_free(rt->limit);
	ratelimit_free(rt->hourly);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}

/* The slot of a debate, or a free one, or one with nothing pending. */
static struct pending *
pending_slot(struct debate_runtime *rt, int64_t debate_id)
{
	struct pending *spare = NULL, *idle = NULL;
	size_t i;

	for (i = 0; i < PENDING_SLOTS; i++) {
		struct pending *p = &rt->slots[i];

		if (p->debate_id == debate_id)
			return p;
		if (spare == NULL && p->debate_id == 0)
			spare = p;
		if (idle == NULL && p->debate_id != 0 && !pending_any(p))
			idle = p;
	}
	/* A free slot first; else one whose debate has nothing pending. */
	if (spare == NULL)
		spare = idle;
	if (spare) {
		/* last_flush 0: a debate's first refusal is saved at once. */
		memset(spare, 0, sizeof(*spare));
		spare->debate_id = debate_id;
	}
	return spare;
}

/* Takes the pending counts of a debate (out zeroed when none). */
static void
pending_take(struct debate_runtime *rt, int64_t debate_id, int64_t *out)
{
	struct pending *p;
	size_t i;

	memset(out, 0, REFUSED__MAX * sizeof(*out));
	if (rt == NULL)
		return;
	pthread_mutex_lock(&rt->lock);
	for (i = 0; i < PENDING_SLOTS; i++) {
		p = &rt->slots[i];
		if (p->debate_id == debate_id) {
			memcpy(out, p->n, sizeof(p->n));
			memset(p->n, 0, sizeof(p->n));
			p->last_flush = time_now();
			break;
		}
	}
	pthread_mutex_unlock(&rt->lock);
}

/* Gives back counts a failed write did not save. */
static void
pending_restore(struct debate_runtime *rt, int64_t debate_id, const int64_t *n)
{
	struct pending *p;
	int i;

	if (rt == NULL)
		return;
	pthread_mutex_lock(&rt->lock);
	p = pending_slot(rt, debate_id);
	for (i = 0; p && i < REFUSED__MAX; i++)
		p->n[i] += n[i];
	pthread_mutex_unlock(&rt->lock);
}

void
debate_refusals_flush(struct app *app, int64_t debate_id, bool force)
{
	struct debate_runtime *rt = app->debates;
	int64_t n[REFUSED__MAX];
	bool due = false;
	size_t i;

	if (rt == NULL)
		return;
	pthread_mutex_lock(&rt->lock);
	for (i = 0; i < PENDING_SLOTS; i++)
		if (rt->slots[i].debate_id == debate_id)
			due = pending_any(&rt->slots[i]) &&
			      (force || time_now() - rt->slots[i].last_flush >=
					    REFUSAL_FLUSH_SECS);
	pthread_mutex_unlock(&rt->lock);
	if (!due)
		return;
	pending_take(rt, debate_id, n);
	if (app->store->ops->debate_add_refusals(app->store, debate_id, n) !=
	    ERR_OK)
		pending_restore(rt, debate_id, n);
	written(rt);
}

/*
 * True when (debate_id, why, who) was recorded lately; else remembers it
 * (one slot per fingerprint: a collision only forgets an older one).
 */
static bool
refuser_seen(struct debate_runtime *rt, int64_t debate_id, enum refusal why,
	     const char *who)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */
	const unsigned char *s = (const unsigned char *)who;
	size_t slot;
	bool seen;

	h = (h ^ (uint64_t)debate_id) * 1099511628211ULL;
	h = (h ^ (uint64_t)why) * 1099511628211ULL;
	for (; *s; s++)
		h = (h ^ *s) * 1099511628211ULL;
	if (h == 0)
		h = 1; /* 0 marks a free slot */
	slot = (size_t)(h % SEEN_SLOTS);
	pthread_mutex_lock(&rt->lock);
	seen = rt->seen[slot] == h;
	rt->seen[slot] = h;
	pthread_mutex_unlock(&rt->lock);
	return seen;
}

/*
 * Counts a refused vote, once per who (a keyed hash: the reader, or the
 * network over the rate limit) and reason: a reader who sends the same
 * refused vote 300 times is one refusal, not 300.  Saved with the next
 * vote, or within seconds.  Not counted when the store cannot say
 * whether who was seen before: the figure on the page is a lower bound
 * rather than inflated.
 */
static void
refused(struct app *app, int64_t debate_id, enum refusal why, const char *who)
{
	struct debate_runtime *rt = app->debates;
	int64_t one[REFUSED__MAX] = {0};
	struct pending *p;
	bool first = false;

	/*
	 * Requests over the rate limit can come as fast as an attacker
	 * sends them: one already recorded is known here without a write.
	 */
	if (rt && refuser_seen(rt, debate_id, why, who))
		return;
	if (app->store->ops->debate_refuser_add(app->store, debate_id, why, who,
						&first) != ERR_OK ||
	    !first)
		return;

	if (rt == NULL) {
		/* Not serving (the CLI): save it at once. */
		one[why] = 1;
		(void)app->store->ops->debate_add_refusals(app->store,
							   debate_id, one);
		return;
	}
	pthread_mutex_lock(&rt->lock);
	p = pending_slot(rt, debate_id);
	if (p)
		p->n[why]++;
	pthread_mutex_unlock(&rt->lock);
	if (p == NULL) {
		/* Every slot busy: save this one now rather than lose it. */
		one[why] = 1;
		(void)app->store->ops->debate_add_refusals(app->store,
							   debate_id, one);
		written(rt);
		return;
	}
	debate_refusals_flush(app, debate_id, false);
}

void
debate_voter_hash(const struct app *app, int64_t debate_id, const char *reader,
		  char out[33])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char id[24];

	snprintf(id, sizeof(id), "%lld:", (long long)debate_id);
	mac_start(&st, app->secret);
	crypto_auth_hmacsha256_update(
	    &st, (const unsigned char *)"debate-voter:", 13);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id,
				      strlen(id));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)reader,
				      strlen(reader));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, 33, mac, 16);
}

/* The network's key for the rate limits (see core/cidr.h). */
static void
network_key(const struct app *app, const char *client, char *out, size_t outsz)
{
	cidr_network_key(client, app->cfg.votes_ipv4_prefix,
			 app->cfg.votes_ipv6_prefix, out, outsz);
}

/*
 * Takes a token of the network's buckets, per minute and per hour, and
 * of the account's when the reader is signed in ("u:ID"): one account is
 * one reader from whichever network.  True when all allow it.
 */
static bool
rate_ok(struct app *app, const char *client, const char *reader,
	int *retry_after)
{
	double now = (double)time_now_usec() / 1e6;
	char key[80];

	if (app->debates == NULL)
		return true; /* the CLI */
	network_key(app, client, key, sizeof(key));
	if (!ratelimit_take(app->debates->limit, key, now, retry_after) ||
	    !ratelimit_take(app->debates->hourly, key, now, retry_after))
		return false;
	if (reader == NULL || strncmp(reader, "u:", 2) != 0)
		return true;
	return ratelimit_take(app->debates->limit, reader, now, retry_after) &&
	       ratelimit_take(app->debates->hourly, reader, now, retry_after);
}

/* Who a refusal over the rate limit counts: the network, keyed. */
static void
network_hash(const struct app *app, int64_t debate_id, const char *client,
	     char out[33])
{
	char key[96];

	snprintf(key, sizeof(key), "network:");
	network_key(app, client, key + 8, sizeof(key) - 8);
	debate_voter_hash(app, debate_id, key, out);
}

/*
 * The checks of a vote before its write: false when they answered it
 * (*e, and *res for a duplicate); true when b->v is to be written, with
 * the refusals waiting to be saved taken into b->pending to ride along.
 */
static bool
vote_prepare(struct app *app, const struct debate *d, const char *reader,
	     const char *client, int phase, int choice, int64_t now,
	     struct debate_ballot *b, enum vote_result *res, int *retry_after,
	     enum err *e)
{
	struct debate_clock clk;
	int pre = 0, post = 0;

	*res = VOTE_SAME;
	*e = ERR_OK;
	memset(b, 0, sizeof(*b));
	if (!(phase == PHASE_PRE && choice >= SIDE_A &&
	      choice <= SIDE_UNDECIDED) &&
	    !(phase == PHASE_POST && choice >= SIDE_A && choice <= SIDE_B)) {
		*e = ERR_INVALID;
		return false;
	}
	debate_clock_at(d, now, &clk);
	if (clk.status == DEBATE_DRAFT) {
		*e = ERR_NOTFOUND;
		return false;
	}
	/*
	 * The rate limit comes first, for votes after their phase too:
	 * else one network could have any number of such refusals counted
	 * (each fresh cookie a new reader) as fast as it can send them.
	 */
	if (!rate_ok(app, client, reader, retry_after)) {
		network_hash(app, d->id, client, b->voter);
		refused(app, d->id, REFUSED_RATE, b->voter);
		*e = ERR_LIMIT;
		return false;
	}
	debate_voter_hash(app, d->id, reader, b->voter);
	if (!(phase == PHASE_PRE ? clk.pre_open : clk.post_open)) {
		refused(app, d->id, REFUSED_CLOSED, b->voter);
		*e = ERR_FORBIDDEN;
		return false;
	}
	*e = app->store->ops->debate_voter(app->store, d->id, b->voter, &pre,
					   &post);
	if (*e != ERR_OK)
		return false;
	if ((phase == PHASE_PRE ? pre : post) == choice) {
		refused(app, d->id, REFUSED_DUPLICATE, b->voter);
		return false;
	}
	b->app = app;
	b->v.debate_id = d->id;
	b->v.voter = b->voter;
	b->v.phase = phase;
	b->v.choice = choice;
	b->v.at = now;
	b->v.bucket_secs = d->bucket_secs;
	pending_take(app->debates, d->id, b->pending);
	return true;
}

/*
 * After the write, on any thread: refusals that did not ride along go
 * back to wait, and what was read before may be stale.
 */
static void
vote_written(struct debate_ballot *b)
{
	written(b->app->debates);
	if (b->e != ERR_OK)
		pending_restore(b->app->debates, b->v.debate_id, b->pending);
}

enum err
debate_vote_cast(struct app *app, const struct debate *d, const char *reader,
		 const char *client, int phase, int choice, int64_t now,
		 enum vote_result *res, int *retry_after)
{
	struct debate_ballot b;
	enum err e;

	if (!vote_prepare(app, d, reader, client, phase, choice, now, &b, res,
			  retry_after, &e))
		return e;
	b.e = app->store->ops->debate_vote(app->store, &b.v, b.pending, &b.res);
	vote_written(&b);
	return debate_vote_finish(app, &b, res);
}

/* The store's report, on its writer thread: never a store call here. */
static void
vote_stored(void *arg, enum err e, enum vote_result out)
{
	struct debate_ballot *b = arg;
	void (*done)(void *) = b->done;
	void *done_arg = b->done_arg;

	b->e = e;
	b->res = out;
	vote_written(b);
	done(done_arg);
}

enum err
debate_vote_submit(struct app *app, const struct debate *d, const char *reader,
		   const char *client, int phase, int choice, int64_t now,
		   struct debate_ballot *b, enum vote_result *res,
		   int *retry_after, void (*done)(void *arg), void *arg)
{
	enum err e;

	if (!vote_prepare(app, d, reader, client, phase, choice, now, b, res,
			  retry_after, &e))
		return e;
	b->done = done;
	b->done_arg = arg;
	e = app->store->ops->debate_vote_submit(app->store, &b->v, b->pending,
						vote_stored, b);
	if (e != ERR_OK) {
		b->e = e;
		vote_written(b);
		return e;
	}
	b->queued = true;
	return ERR_OK;
}

enum err
debate_vote_finish(struct app *app, struct debate_ballot *b,
		   enum vote_result *res)
{
	if (b->e != ERR_OK)
		return b->e;
	*res = b->res;
	/* A race with itself: counted as refused, off the writer thread. */
	if (b->res == VOTE_SAME)
		refused(app, b->v.debate_id, REFUSED_DUPLICATE, b->voter);
	return ERR_OK;
}

enum err
debate_feature(struct app *app, const struct debate *d, int64_t comment_id,
	       bool on)
{
	enum err e =
	    app->store->ops->debate_feature(app->store, d->id, comment_id, on);

	written(app->debates);
	return e;
}

enum err
debate_mind_mark(struct app *app, const struct debate *d, const char *reader,
		 const char *client, char kind, int64_t item_id, int64_t now,
		 bool *added, int *retry_after)
{
	struct debate_clock clk;
	char voter[33];
	enum err e;

	*added = false;
	if (kind != 's' && kind != 'c')
		return ERR_INVALID;
	debate_clock_at(d, now, &clk);
	if (clk.status == DEBATE_DRAFT)
		return ERR_NOTFOUND;
	if (clk.status != DEBATE_OPEN)
		return ERR_FORBIDDEN;
	if (!rate_ok(app, client, reader, retry_after))
		return ERR_LIMIT;
	debate_voter_hash(app, d->id, reader, voter);
	e = app->store->ops->debate_mind(app->store, d->id, kind, item_id,
					 voter, now, added);
	written(app->debates);
	return e;
}

enum err
debate_by_slug(struct app *app, struct arena *a, const char *slug,
	       struct debate *out)
{
	return app->store->ops->debate_by_slug(app->store, a, slug, out);
}

enum err
debate_list(struct app *app, struct arena *a, bool drafts, int limit,
	    struct debate **out, size_t *n)
{
	return app->store->ops->debate_list(app->store, a, drafts, limit, out,
					    n);
}

enum err
debate_speakers(struct app *app, struct arena *a, int64_t debate_id,
		struct debate_speaker **out, size_t *n)
{
	return app->store->ops->debate_speakers(app->store, a, debate_id, out,
						n);
}

enum err
debate_statements(struct app *app, struct arena *a, int64_t debate_id,
		  struct debate_statement **out, size_t *n)
{
	return app->store->ops->debate_statements(app->store, a, debate_id, out,
						  n);
}

enum err
debate_tally_get(struct app *app, int64_t debate_id, struct debate_tally *out)
{
	return app->store->ops->debate_tally(app->store, debate_id, out);
}

enum err
debate_buckets(struct app *app, struct arena *a, int64_t debate_id,
	       struct debate_bucket **out, size_t *n)
{
	return app->store->ops->debate_buckets(app->store, a, debate_id, out,
					       n);
}

enum err
debate_voter(struct app *app, int64_t debate_id, const char *voter, int *pre,
	     int *post)
{
	return app->store->ops->debate_voter(app->store, debate_id, voter, pre,
					     post);
}

enum err
debate_featured(struct app *app, struct arena *a, int64_t article_id, int limit,
		struct comment **out, size_t *n)
{
	return app->store->ops->debate_featured(app->store, a, article_id,
						limit, out, n);
}

enum err
debate_top_comments(struct app *app, struct arena *a, int64_t article_id,
		    int limit, struct comment **out, size_t *n)
{
	return app->store->ops->debate_top_comments(app->store, a, article_id,
						    limit, out, n);
}

enum err
debate_home_epoch(struct app *app, int64_t now, int64_t out[4])
{
	return app->store->ops->debate_home_epoch(app->store, now, out);
}

enum err
debate_set_status(struct app *app, const struct debate *d,
		  enum debate_status status, int64_t voting_closes)
{
	enum err e = app->store->ops->debate_set_status(app->store, d->id,
							status, voting_closes);

	if (e == ERR_OK) {
		/* The status shows on the debate's page and in the front page's
		 * list. */
		struct change_tag tags[] = {{CHANGE_DEBATE, d->id},
					    {CHANGE_ARTICLE, d->article_id},
					    {CHANGE_FRONT, 0}};

		written(app->debates);
		change_publish(app->changes, tags, 3);
	}
	return e;
}

enum err
debate_import_vote(struct app *app, const struct debate_vote *v,
		   enum vote_result *out)
{
	return app->store->ops->debate_vote(app->store, v, NULL, out);
}

enum err
debate_import_mind(struct app *app, int64_t debate_id, char kind,
		   int64_t item_id, const char *voter, int64_t at, bool *added)
{
	return app->store->ops->debate_mind(app->store, debate_id, kind,
					    item_id, voter, at, added);
}

enum err
debate_import_refusals(struct app *app, int64_t debate_id,
		       const int64_t refused[REFUSED__MAX])
{
	return app->store->ops->debate_add_refusals(app->store, debate_id,
						    refused);
}
