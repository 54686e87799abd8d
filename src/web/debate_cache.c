/*
 * debate_cache: what is a debate's own in how its page is served from
 * the page cache.
 *
 * The page is an ordinary cached page (web/page.c) with four holes, each
 * filled per response: the reader's vote panel, the results (shown once
 * they have voted, or to all when the site says so or voting has closed;
 * else a note that hides them), the counts of changed and refused votes,
 * and the comment form's identity.  The results are kept beside the page
 * as three cached fragments without holes.  Every part is kept with the
 * debate's version (the results also with its activity) as its stamp and
 * the next time the schedule changes as its expiry, so votes from any
 * process, `parley debate open|close` and rounds opening on time all show
 * at once, without a timer.  The debate's row, without its texts, is kept
 * per debate too, so that a page served from the cache reads nothing of
 * the debate from the store.  Nothing is kept per reader in the page
 * cache: a reader's votes are read from the model (one indexed lookup)
 * and remembered in a table of fixed size that readers who rotate cookies
 * only overwrite.
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

static const char *const part_names[3] = {
    [PART_SHOWN] = "shown",
    [PART_HIDDEN] = "hidden",
    [PART_INTEGRITY] = "integrity",
};

/*
 * The stamp of the results: the version and the activity, each exact in
 * its own bits (versions below 2^24, activity below 2^40).
 */
static uint64_t
results_stamp(const struct debate *d)
{
	return ((uint64_t)d->version << 40) ^
	       ((uint64_t)d->activity & (((uint64_t)1 << 40) - 1));
}

static const char *
part_key(struct request *req, const struct debate *d, int part)
{
	return arena_printf(&req->arena, "debate-results:%s:%s", d->slug,
			    part_names[part]);
}

/*
 * Copies the part of entry e into the arena: the response is built after
 * the entry's reference is given back.
 */
static bool
part_from(struct request *req, struct page_entry *e,
	  struct debate_results_parts *rs, int part)
{
	char *copy = arena_alloc(&req->arena, e->len + 1);

	if (copy == NULL)
		return false;
	memcpy(copy, e->data, e->len);
	copy[e->len] = '\0';
	rs->part[part] = copy;
	rs->len[part] = e->len;
	return true;
}

bool
debate_cache_results(struct request *req, struct response *res,
		     const struct debate *d, const struct debate_clock *clk,
		     uint64_t seq, bool show, struct debate_results_parts *rs)
{
	const int want[2] = {show ? PART_SHOWN : PART_HIDDEN, PART_INTEGRITY};
	struct page_cache *cache = req->app->cache;
	struct debate_clock fresh;
	int64_t now = time_now();
	int i, found = 0;

	memset(rs, 0, sizeof(*rs));
	for (i = 0; i < 2; i++) {
		const char *key = part_key(req, d, want[i]);
		struct page_entry *e =
		    key ? page_cache_get_fresh(cache, key, results_stamp(d),
					       now)
			: NULL;

		if (e != NULL) {
			found += part_from(req, e, rs, want[i]);
			page_cache_release(cache, e);
		}
	}
	if (found == 2)
		return true;
	/* Something to render: every part, kept for the readers to come. */
	if (!debate_results_fresh(req, res, d, rs, &fresh))
		return false;
	for (i = 0; i < 3; i++) {
		struct page_item it = {part_key(req, d, i),
				       d->article_id,
				       results_stamp(d),
				       clk->next_change,
				       rs->part[i],
				       rs->len[i],
				       NULL,
				       0};
		struct page_entry *e;

		if (it.key && (e = page_cache_put(cache, seq, &it)) != NULL)
			page_cache_release(cache, e);
	}
	return true;
}

static const char *
row_key(struct request *req, const char *slug)
{
	return arena_printf(&req->arena, "debate-row:%s", slug);
}

/*
 * The next of the strings kept after a row, from *p up to end, copied
 * into the arena; NULL when none is left.
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

bool
debate_cache_row_get(struct request *req, const char *slug, uint64_t gen,
		     struct debate *d)
{
	const char *key = row_key(req, slug), *p, *end;
	struct page_entry *e;
	bool ok;

	if (key == NULL || req->app->debates == NULL ||
	    (e = page_cache_get_fresh(req->app->cache, key, gen, 0)) == NULL)
		return false;
	ok = e->len > sizeof(*d);
	if (ok) {
		memcpy(d, e->data, sizeof(*d));
		p = e->data + sizeof(*d);
		end = e->data + e->len;
		d->slug = row_string(req, &p, end);
		d->label[SIDE_A] = row_string(req, &p, end);
		d->label[SIDE_B] = row_string(req, &p, end);
		ok = d->slug && d->label[SIDE_A] && d->label[SIDE_B];
	}
	page_cache_release(req->app->cache, e);
	d->label[SIDE_NONE] = "";
	/* The texts are read with the full row, when a page is rendered. */
	d->motion = d->moderator = d->intro_md = d->intro_html = "";
	return ok;
}

void
debate_cache_row_put(struct request *req, const struct debate *d, uint64_t gen,
		     uint64_t seq)
{
	struct debate flat = *d;
	size_t ls = strlen(d->slug) + 1, la = strlen(d->label[SIDE_A]) + 1,
	       lb = strlen(d->label[SIDE_B]) + 1;
	char *buf = arena_alloc(&req->arena, sizeof(flat) + ls + la + lb);
	struct page_item it = {
	    row_key(req, d->slug),	 d->article_id, gen, 0, buf,
	    sizeof(flat) + ls + la + lb, NULL,		0};
	struct page_entry *e;

	if (buf == NULL || it.key == NULL || req->app->debates == NULL)
		return;
	/* No pointers kept: the strings follow the struct. */
	flat.slug = flat.motion = flat.moderator = NULL;
	flat.intro_md = flat.intro_html = NULL;
	flat.label[0] = flat.label[1] = flat.label[2] = NULL;
	memcpy(buf, &flat, sizeof(flat));
	memcpy(buf + sizeof(flat), d->slug, ls);
	memcpy(buf + sizeof(flat) + ls, d->label[SIDE_A], la);
	memcpy(buf + sizeof(flat) + ls + la, d->label[SIDE_B], lb);
	if ((e = page_cache_put(req->app->cache, seq, &it)) != NULL)
		page_cache_release(req->app->cache, e);
}

/*
 * Readers' votes, remembered in a table of fixed size: a reader who comes
 * back is served without a query, and readers who rotate cookies only
 * overwrite slots, so the table never grows.  A slot holds while no debate
 * write of this process (debate_generation()) and no write or flush the
 * page cache saw (its seq: another process's writes) came since its read.
 */
#define VOTER_SLOTS 4096

struct voter_slot {
	const struct app *app;
	int64_t debate_id;
	uint64_t gen, seq;
	char voter[33];
	signed char pre, post;
};

static struct voter_slot voter_slots[VOTER_SLOTS];
static pthread_mutex_t voter_lock = PTHREAD_MUTEX_INITIALIZER;

/* The slot of a voter (a keyed hash in hex: its first digits spread). */
static struct voter_slot *
voter_slot_of(const char *voter)
{
	char head[9];

	memcpy(head, voter, 8);
	head[8] = '\0';
	return &voter_slots[strtoul(head, NULL, 16) % VOTER_SLOTS];
}

/* The reader's votes on d: remembered, or read from the model. */
static void
reader_votes(struct request *req, const struct debate *d, const char *voter,
	     int *pre, int *post)
{
	uint64_t gen = debate_generation(req->app),
		 seq = page_cache_seq(req->app->cache);
	struct voter_slot *slot;
	bool hit;

	*pre = *post = 0;
	if (strlen(voter) != sizeof(slot->voter) - 1)
		return;
	slot = voter_slot_of(voter);
	pthread_mutex_lock(&voter_lock);
	hit = slot->app == req->app && slot->debate_id == d->id &&
	      slot->gen == gen && slot->seq == seq &&
	      strcmp(slot->voter, voter) == 0;
	if (hit) {
		*pre = slot->pre;
		*post = slot->post;
	}
	pthread_mutex_unlock(&voter_lock);
	if (hit)
		return;
	if (debate_voter(req->app, d->id, voter, pre, post) != ERR_OK) {
		*pre = *post = 0;
		return;
	}
	/* gen and seq were taken before the read: a vote since makes it stale.
	 */
	pthread_mutex_lock(&voter_lock);
	slot->app = req->app;
	slot->debate_id = d->id;
	slot->gen = gen;
	slot->seq = seq;
	memcpy(slot->voter, voter, sizeof(slot->voter));
	slot->pre = (signed char)*pre;
	slot->post = (signed char)*post;
	pthread_mutex_unlock(&voter_lock);
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
	const char *had = request_cookie(req, CSRF_COOKIE), *visitor, *who;

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
	if (who && (account_user(req) || (had && strcmp(had, visitor) == 0))) {
		char voter[33];

		debate_voter_hash(req->app, d->id, who, voter);
		reader_votes(req, d, voter, &f->pre, &f->post);
	}
	f->show = req->app->cfg.results_always ||
		  clk->status == DEBATE_CLOSED || f->pre != 0 || f->post != 0;
	return true;
}
