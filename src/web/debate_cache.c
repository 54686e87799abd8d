/*
 * debate_cache: what is a debate's own in how its page is served from
 * the page cache.
 *
 * The page is an ordinary cached page (web/page.c) with four holes, each
 * filled per response: the reader's vote panel, the results (shown once
 * they have voted, or to all when the site says so or voting has closed;
 * else a note that hides them), the counts of changed and refused votes,
 * and the comment form's identity.  Each debate has one entry beside its
 * pages: its row without its texts and the three parts of its results,
 * so that a page served from the cache reads nothing of the debate from
 * the store and finds all it needs in one lookup.  That entry holds while
 * no debate write of this process came (debate_generation()) and until
 * the schedule next changes; a page holds while the debate's version is
 * the one it was made from; another process's writes flush the cache.  So
 * votes from any process, `parley debate open|close` and rounds opening
 * on time all show at once, without a timer.  The results are sent from
 * the entry itself, which the response holds until it is sent.  Nothing
 * is kept per reader in the page cache: a reader's votes are read from
 * the model (one indexed lookup) and remembered in a table of fixed size
 * that readers who rotate cookies only overwrite.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/util.h"
#include "http/cache.h"
#include "http/csrf.h"
#include "web/account.h"
#include "web/debate_internal.h"
#include "web/web.h"

/*
 * A cache key: prefix, then slug, then the rest (NULL: none), joined in
 * the arena with no printf, for they are built on every request.
 */
static const char *
key_of(struct request *req, const char *prefix, const char *slug,
       const char *rest)
{
	size_t lp = strlen(prefix), ls = strlen(slug),
	       lr = rest ? strlen(rest) : 0;
	char *k = arena_alloc(&req->arena, lp + ls + lr + 1);

	if (k == NULL)
		return NULL;
	memcpy(k, prefix, lp);
	memcpy(k + lp, slug, ls);
	memcpy(k + lp + ls, rest ? rest : "", lr + 1);
	return k;
}

/* Writes v in decimal before end; returns where it starts. */
static char *
decimal_before(char *end, uint64_t v)
{
	do
		*--end = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return end;
}

const char *
debate_cache_page_key(struct request *req, const struct debate *d,
		      const struct debate_params *p)
{
	/* ":PAGE:SORT:COLUMNS", filled from the end. */
	char rest[48], *at = rest + sizeof(rest) - 1;

	*at = '\0';
	*--at = p->columns ? '1' : '0';
	*--at = ':';
	at = decimal_before(at, (uint64_t)p->sort);
	*--at = ':';
	at = decimal_before(at, (uint64_t)(p->page > 0 ? p->page : 0));
	*--at = ':';
	return key_of(req, "debate:", d->slug, at);
}

/*
 * A debate's entry: its three parts of results, then its row (the strings
 * slug, side A's and side B's labels, each ended by NUL, then the struct
 * without its pointers), one after the other; the entry's holes mark
 * where each part starts, of kind PART_SHOWN, PART_HIDDEN,
 * PART_INTEGRITY and PART_ROW.  One lookup gives the page all it needs
 * of the debate before its own.
 */
enum { PART_ROW = 3, DEBATE_PARTS };

/* The bytes of part i of e, and their length. */
static const char *
part_of(const struct page_entry *e, size_t i, size_t *len)
{
	size_t end = i + 1 < e->nholes ? e->holes[i + 1].at : e->len;

	*len = end - e->holes[i].at;
	return e->data + e->holes[i].at;
}

/*
 * The next of the row's strings, from *p up to end, copied into the
 * arena; NULL when none is left.
 */
static const char *
row_string(struct request *req, const char **p, const char *end)
{
	const char *nul = memchr(*p, '\0', (size_t)(end - *p)), *s;

	if (nul == NULL)
		return NULL;
	s = arena_strndup(&req->arena, *p, (size_t)(nul - *p));
	*p = nul + 1;
	return s;
}

/* Reads the row kept in e into d; false when it is not whole. */
static bool
row_from(struct request *req, const struct page_entry *e, struct debate *d)
{
	const char *p, *end;
	size_t len;

	p = part_of(e, PART_ROW, &len);
	if (len <= sizeof(*d))
		return false;
	end = p + len - sizeof(*d);
	memcpy(d, end, sizeof(*d));
	d->slug = row_string(req, &p, end);
	d->label[SIDE_A] = row_string(req, &p, end);
	d->label[SIDE_B] = row_string(req, &p, end);
	d->label[SIDE_NONE] = "";
	/* The texts are read with the full row, when a page is rendered. */
	d->motion = d->moderator = d->intro_md = d->intro_html = "";
	return d->slug && d->label[SIDE_A] && d->label[SIDE_B];
}

bool
debate_cache_get(struct request *req, struct response *res, const char *slug,
		 uint64_t gen, struct debate *d,
		 struct debate_results_parts *rs)
{
	const char *key = key_of(req, "debate-row:", slug, NULL);
	struct page_entry *e;
	size_t i;

	if (key == NULL || req->app->debates == NULL ||
	    (e = page_cache_get_fresh(req->app->cache, key, gen, time_now())) ==
		NULL)
		return false;
	/* Held until the response is sent: the results go out from it. */
	if (e->nholes != DEBATE_PARTS || !row_from(req, e, d) ||
	    !response_hold(res, e)) {
		page_cache_release(req->app->cache, e);
		return false;
	}
	for (i = 0; i < PART_ROW; i++)
		rs->part[i] = part_of(e, i, &rs->len[i]);
	return true;
}

bool
debate_cache_put(struct request *req, struct response *res,
		 const struct debate *d, const struct debate_clock *clk,
		 uint64_t gen, uint64_t seq, struct debate_results_parts *rs)
{
	struct page_hole holes[DEBATE_PARTS];
	struct debate flat = *d;
	struct debate_clock fresh;
	size_t ls, la, lb, total = 0, i;
	struct page_entry *e;
	char *buf, *at;

	if (!debate_results_fresh(req, res, d, rs, &fresh))
		return false;
	if (req->app->debates == NULL)
		return true;
	ls = strlen(d->slug) + 1;
	la = strlen(d->label[SIDE_A]) + 1;
	lb = strlen(d->label[SIDE_B]) + 1;
	for (i = 0; i < PART_ROW; i++)
		total += rs->len[i];
	buf = arena_alloc(&req->arena, total + ls + la + lb + sizeof(flat));
	if (buf == NULL)
		return true; /* served, only not kept */
	at = buf;
	for (i = 0; i < PART_ROW; i++) {
		holes[i].at = (size_t)(at - buf);
		holes[i].kind = (int)i;
		memcpy(at, rs->part[i], rs->len[i]);
		at += rs->len[i];
	}
	holes[PART_ROW].at = (size_t)(at - buf);
	holes[PART_ROW].kind = PART_ROW;
	memcpy(at, d->slug, ls);
	memcpy(at + ls, d->label[SIDE_A], la);
	memcpy(at + ls + la, d->label[SIDE_B], lb);
	at += ls + la + lb;
	/* No pointers kept: the strings are before the struct. */
	flat.slug = flat.motion = flat.moderator = NULL;
	flat.intro_md = flat.intro_html = NULL;
	flat.label[0] = flat.label[1] = flat.label[2] = NULL;
	memcpy(at, &flat, sizeof(flat));
	at += sizeof(flat);
	{
		struct page_item it = {
		    key_of(req, "debate-row:", d->slug, NULL),
		    d->article_id,
		    gen,
		    clk->next_change,
		    buf,
		    (size_t)(at - buf),
		    holes,
		    DEBATE_PARTS};

		if (it.key &&
		    (e = page_cache_put(req->app->cache, seq, &it)) != NULL)
			page_cache_release(req->app->cache, e);
	}
	return true;
}

/*
 * Readers' votes, remembered in a table of fixed size that the app owns
 * (debate_voters_new() at start): a reader who comes back is served
 * without a query or a hash, and readers who rotate cookies only
 * overwrite slots, so the table never grows.  A slot is found by the
 * debate and the reader as the page knows them (their account, or this
 * browser); the keyed hash that votes are stored under is made only to
 * read the model.  A slot holds while no debate write of this process
 * (debate_generation()) and no write or flush the page cache saw (its
 * seq: another process's writes) came since its read.
 */
#define VOTER_SLOTS 4096

struct voter_slot {
	int64_t debate_id; /* 0: empty */
	uint64_t gen, seq;
	char who[40]; /* "u:ID" or "v:VISITOR" */
	signed char pre, post;
};

struct debate_voters {
	pthread_mutex_t lock;
	struct voter_slot slots[VOTER_SLOTS];
};

struct debate_voters *
debate_voters_new(void)
{
	struct debate_voters *t = calloc(1, sizeof(*t));

	if (t != NULL && pthread_mutex_init(&t->lock, NULL) != 0) {
		free(t);
		t = NULL;
	}
	return t;
}

void
debate_voters_free(struct debate_voters *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* The slot of a reader on a debate: FNV-1a over both. */
static struct voter_slot *
voter_slot_of(struct debate_voters *t, int64_t debate_id, const char *who)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)debate_id;

	while (*who)
		h = (h ^ (unsigned char)*who++) * 1099511628211ULL;
	return &t->slots[h % VOTER_SLOTS];
}

/* The votes on d of the reader who: remembered, or read from the model. */
static void
reader_votes(struct request *req, const struct debate *d, const char *who,
	     int *pre, int *post)
{
	struct debate_voters *t = req->app->voters;
	uint64_t gen = debate_generation(req->app),
		 seq = page_cache_seq(req->app->cache);
	struct voter_slot *slot = NULL;
	char voter[33];
	bool hit = false;

	*pre = *post = 0;
	/* A reader id too long for a slot is read each time. */
	if (t != NULL && strlen(who) < sizeof(slot->who)) {
		slot = voter_slot_of(t, d->id, who);
		pthread_mutex_lock(&t->lock);
		hit = slot->debate_id == d->id && slot->gen == gen &&
		      slot->seq == seq && strcmp(slot->who, who) == 0;
		if (hit) {
			*pre = slot->pre;
			*post = slot->post;
		}
		pthread_mutex_unlock(&t->lock);
	}
	if (hit)
		return;
	debate_voter_hash(req->app, d->id, who, voter);
	if (debate_voter(req->app, d->id, voter, pre, post) != ERR_OK) {
		*pre = *post = 0;
		return;
	}
	if (slot == NULL)
		return;
	/* gen and seq were taken before the read: a vote since makes it stale.
	 */
	pthread_mutex_lock(&t->lock);
	slot->debate_id = d->id;
	slot->gen = gen;
	slot->seq = seq;
	memcpy(slot->who, who, strlen(who) + 1);
	slot->pre = (signed char)*pre;
	slot->post = (signed char)*post;
	pthread_mutex_unlock(&t->lock);
}

/* Fills a hole of a debate page with this reader's part. */
static const char *
fill_hole(struct request *req, struct response *res, enum page_hole_kind kind,
	  void *arg, size_t *len)
{
	const struct debate_fill *f = arg;
	int part;

	switch (kind) {
	case PAGE_HOLE_VOTE:
		return debate_vote_fill(req, f->d, f->clk, f->p, f->token,
					f->pre, f->post, len);
	case PAGE_HOLE_RESULTS:
	case PAGE_HOLE_INTEGRITY:
		part = kind == PAGE_HOLE_INTEGRITY ? PART_INTEGRITY
		       : f->show		   ? PART_SHOWN
						   : PART_HIDDEN;
		*len = f->rs->len[part];
		return f->rs->part[part] ? f->rs->part[part] : "";
	case PAGE_HOLE_FORM:
		return comment_form_fill(req, res, len);
	default:
		*len = 0;
		return "";
	}
}

bool
debate_cache_reader(struct request *req, struct response *res,
		    const struct debate *d, const struct debate_clock *clk,
		    const struct debate_params *p, struct debate_fill *f)
{
	const char *had = csrf_visitor_id(req), *visitor, *who;

	memset(f, 0, sizeof(*f));
	f->d = d;
	f->clk = clk;
	f->p = p;
	f->fill.fn = fill_hole;
	f->fill.arg = f;
	visitor = csrf_visitor(req, res);
	f->token = visitor ? csrf_token(req, visitor) : NULL;
	if (f->token == NULL) {
		error_page(req, res, 503, NULL);
		return false;
	}
	/* A browser seen before, or a signed-in reader, may have voted. */
	who = debate_page_reader_id(req, visitor);
	if (who && (account_user(req) || (had && strcmp(had, visitor) == 0)))
		reader_votes(req, d, who, &f->pre, &f->post);
	f->show = req->app->cfg.results_always ||
		  clk->status == DEBATE_CLOSED || f->pre != 0 || f->post != 0;
	return true;
}
