/*
 * debate_cache: how the debate page is kept in the page cache and served
 * from it.
 *
 * The page is cached like an article's, but a reader's own parts are
 * three holes filled on every request: the vote panel (their votes, the
 * forms' token), the results (shown once they have voted, or to all when
 * the site says so or voting has closed: both versions are kept with the
 * page) and the comment form's identity.  A cached page records the
 * debate's version and activity counters and the next time its schedule
 * changes; it is served only while all three still hold, so votes from
 * any process, `parley debate open|close`, and rounds opening on time
 * all show at once, without a timer.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/log.h"
#include "http/cache.h"
#include "http/csrf.h"
#include "web/account.h"
#include "web/debate_internal.h"
#include "web/web.h"

#define PAGE_MAGIC    "PDEBPG01"
#define RESULTS_MAGIC "PDEBRS01"
#define ROW_MAGIC     "PDEBRW01"
#define VOTER_MAGIC   "PDEBVT01"

/*
 * How a page and its results are kept in the cache: a header, then the
 * bytes.  A page depends on the debate's version, the results also on its
 * activity; both on the schedule, until valid_until.
 */
struct cached_page {
	char magic[8];
	int64_t debate_id, version, valid_until;
	uint64_t len, hole[HOLE__MAX];
};

struct cached_results {
	char magic[8];
	int64_t debate_id, version, activity, valid_until;
	uint64_t len[3];
};

/*
 * What a cached page is checked against, kept in the page cache too, so
 * that serving a cached page reads nothing from the store: the debate's
 * row without its texts, and a reader's votes.  Both hold while no write
 * of this process came in between (debate_generation) and no other
 * process wrote (the cache is flushed then).
 */
struct cached_row {
	char magic[8];
	uint64_t generation;
	int64_t id, article_id, version, activity, thread_count;
	int64_t round[ROUND__MAX], voting_opens, voting_closes, pre_closes,
	    post_opens;
	int32_t status, comments_open;
	char slug[104], label_a[4 * DEBATE_MAX_LABEL + 8],
	    label_b[4 * DEBATE_MAX_LABEL + 8];
};

struct cached_voter {
	char magic[8];
	uint64_t generation;
	int32_t pre, post;
};

/*
 * Takes the marks out of page; records where each was (SIZE_MAX: absent).
 * False when a mark is there twice: text from a reader or an author that
 * rendered as a mark must never receive another reader's tokens.
 */
bool
debate_cache_cut_holes(char *page, size_t *len, const char *const *marks,
		       size_t n, size_t *at)
{
	size_t i, j, mlen;

	for (i = 0; i < n; i++) {
		const char *m =
		    *len ? memmem(page, *len, marks[i], strlen(marks[i]))
			 : NULL;

		at[i] = SIZE_MAX;
		if (m == NULL)
			continue;
		mlen = strlen(marks[i]);
		if (memmem(m + mlen, *len - (size_t)(m - page) - mlen, marks[i],
			   mlen) != NULL) {
			log_warnx(
			    "debate page: the mark of a hole appears twice; not served");
			return false;
		}
		at[i] = (size_t)(m - page);
		memmove(page + at[i], page + at[i] + mlen, *len - at[i] - mlen);
		*len -= mlen;
		/* Holes found earlier, later in the page, move up. */
		for (j = 0; j < i; j++)
			if (at[j] != SIZE_MAX && at[j] > at[i])
				at[j] -= mlen;
	}
	return true;
}

/* Keeps a header and parts in the cache under key (tagged by the debate's
 * thread). */
static void
cache_put(struct request *req, const char *key, const struct debate *d,
	  uint64_t seq, const void *hdr, size_t hdrlen, const char *const *part,
	  const size_t *len, size_t nparts)
{
	size_t total = hdrlen, i, at;
	struct page_entry *e;
	char *data;

	for (i = 0; i < nparts; i++)
		total += len[i];
	if ((data = malloc(total)) == NULL)
		return;
	memcpy(data, hdr, hdrlen);
	for (i = 0, at = hdrlen; i < nparts; at += len[i], i++)
		memcpy(data + at, part[i], len[i]);
	e = page_cache_put(req->app->cache, key, d->article_id, seq, data,
			   total, 0);
	free(data);
	if (e)
		page_cache_release(req->app->cache, e);
}

void
debate_cache_put_page(struct request *req, const char *key,
		      const struct debate *d, const struct debate_clock *clk,
		      uint64_t seq, const struct debate_rendered *r)
{
	struct cached_page h;
	size_t i;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, PAGE_MAGIC, sizeof(h.magic));
	h.debate_id = d->id;
	h.version = d->version;
	h.valid_until = clk->next_change;
	h.len = r->len;
	for (i = 0; i < HOLE__MAX; i++)
		h.hole[i] = r->hole[i];
	cache_put(req, key, d, seq, &h, sizeof(h), &r->page, &r->len, 1);
}

void
debate_cache_put_results(struct request *req, const char *key,
			 const struct debate *d, const struct debate_clock *clk,
			 uint64_t seq, const struct debate_results_parts *r)
{
	struct cached_results h;
	size_t i;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, RESULTS_MAGIC, sizeof(h.magic));
	h.debate_id = d->id;
	h.version = d->version;
	h.activity = d->activity;
	h.valid_until = clk->next_change;
	for (i = 0; i < 3; i++)
		h.len[i] = r->len[i];
	cache_put(req, key, d, seq, &h, sizeof(h), r->part, r->len, 3);
}

/* The page of entry e when it is still what d would render at now. */
bool
debate_cache_page_view(const struct page_entry *e, const struct debate *d,
		       int64_t now, struct debate_rendered *r)
{
	struct cached_page h;
	size_t i;

	if (e == NULL || e->len < sizeof(h))
		return false;
	memcpy(&h, e->data, sizeof(h));
	if (memcmp(h.magic, PAGE_MAGIC, sizeof(h.magic)) != 0 ||
	    h.debate_id != d->id || h.version != d->version ||
	    (h.valid_until && now >= h.valid_until) ||
	    sizeof(h) + h.len != e->len)
		return false;
	r->page = e->data + sizeof(h);
	r->len = h.len;
	for (i = 0; i < HOLE__MAX; i++)
		r->hole[i] = h.hole[i];
	return true;
}

bool
debate_cache_results_view(const struct page_entry *e, const struct debate *d,
			  int64_t now, struct debate_results_parts *r)
{
	struct cached_results h;
	size_t i, at;

	if (e == NULL || e->len < sizeof(h))
		return false;
	memcpy(&h, e->data, sizeof(h));
	if (memcmp(h.magic, RESULTS_MAGIC, sizeof(h.magic)) != 0 ||
	    h.debate_id != d->id || h.version != d->version ||
	    h.activity != d->activity ||
	    (h.valid_until && now >= h.valid_until) ||
	    sizeof(h) + h.len[0] + h.len[1] + h.len[2] != e->len)
		return false;
	for (i = 0, at = sizeof(h); i < 3; at += h.len[i], i++) {
		r->part[i] = e->data + at;
		r->len[i] = h.len[i];
	}
	return true;
}

/* Keeps the light row of d, read when the generation was gen. */
void
debate_cache_row_put(struct request *req, const struct debate *d, uint64_t gen,
		     uint64_t seq)
{
	struct cached_row h;
	struct page_entry *e;
	const char *key;
	int r;

	if (req->app->debates == NULL || strlen(d->slug) >= sizeof(h.slug) ||
	    strlen(d->label[SIDE_A]) >= sizeof(h.label_a) ||
	    strlen(d->label[SIDE_B]) >= sizeof(h.label_b) ||
	    (key = arena_printf(&req->arena, "debate-row:%s", d->slug)) == NULL)
		return;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, ROW_MAGIC, sizeof(h.magic));
	h.generation = gen;
	h.id = d->id;
	h.article_id = d->article_id;
	h.version = d->version;
	h.activity = d->activity;
	h.thread_count = d->thread_count;
	for (r = 0; r < ROUND__MAX; r++)
		h.round[r] = d->sched.round[r];
	h.voting_opens = d->sched.voting_opens;
	h.voting_closes = d->sched.voting_closes;
	h.pre_closes = d->sched.pre_closes;
	h.post_opens = d->sched.post_opens;
	h.status = (int32_t)d->status;
	h.comments_open = d->comments_open;
	strcpy(h.slug, d->slug);
	strcpy(h.label_a, d->label[SIDE_A]);
	strcpy(h.label_b, d->label[SIDE_B]);
	e = page_cache_put(req->app->cache, key, d->article_id, seq,
			   (const char *)&h, sizeof(h), 0);
	if (e)
		page_cache_release(req->app->cache, e);
}

/* The light row of the debate of slug from the cache, when it still holds. */
bool
debate_cache_row_get(struct request *req, const char *slug, struct debate *d)
{
	const char *key = arena_printf(&req->arena, "debate-row:%s", slug);
	struct page_entry *e;
	struct cached_row h;
	bool ok;
	int r;

	if (key == NULL || req->app->debates == NULL ||
	    (e = page_cache_get(req->app->cache, key)) == NULL)
		return false;
	ok = e->len == sizeof(h);
	if (ok)
		memcpy(&h, e->data, sizeof(h));
	page_cache_release(req->app->cache, e);
	if (!ok || memcmp(h.magic, ROW_MAGIC, sizeof(h.magic)) != 0 ||
	    h.generation != debate_generation(req->app))
		return false;
	memset(d, 0, sizeof(*d));
	d->id = h.id;
	d->article_id = h.article_id;
	d->version = h.version;
	d->activity = h.activity;
	d->thread_count = h.thread_count;
	for (r = 0; r < ROUND__MAX; r++)
		d->sched.round[r] = h.round[r];
	d->sched.voting_opens = h.voting_opens;
	d->sched.voting_closes = h.voting_closes;
	d->sched.pre_closes = h.pre_closes;
	d->sched.post_opens = h.post_opens;
	d->status = (enum debate_status)h.status;
	d->comments_open = h.comments_open != 0;
	d->slug = arena_strdup(&req->arena, h.slug);
	d->label[SIDE_NONE] = "";
	d->label[SIDE_A] = arena_strdup(&req->arena, h.label_a);
	d->label[SIDE_B] = arena_strdup(&req->arena, h.label_b);
	/* The texts are read with the full row, when a page is rendered. */
	d->motion = d->moderator = d->intro_md = d->intro_html = "";
	return d->slug && d->label[SIDE_A] && d->label[SIDE_B];
}

/* A reader's votes: from the cache when they still hold, else the store. */
static void
reader_votes(struct request *req, const struct debate *d, const char *voter,
	     int *pre, int *post)
{
	const char *key = arena_printf(&req->arena, "debate-voter:%lld:%s",
				       (long long)d->id, voter);
	struct page_cache *cache = req->app->cache;
	struct cached_voter h;
	struct page_entry *e;
	uint64_t gen, seq;

	*pre = *post = 0;
	gen = debate_generation(req->app);
	if (key && req->app->debates &&
	    (e = page_cache_get(cache, key)) != NULL) {
		bool ok = e->len == sizeof(h);

		if (ok)
			memcpy(&h, e->data, sizeof(h));
		page_cache_release(cache, e);
		if (ok && memcmp(h.magic, VOTER_MAGIC, sizeof(h.magic)) == 0 &&
		    h.generation == gen) {
			*pre = h.pre;
			*post = h.post;
			return;
		}
	}
	seq = page_cache_seq(cache);
	if (debate_voter(req->app, d->id, voter, pre, post) != ERR_OK) {
		*pre = *post = 0;
		return;
	}
	if (key == NULL || req->app->debates == NULL)
		return;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, VOTER_MAGIC, sizeof(h.magic));
	h.generation =
	    gen; /* taken before the read: a vote since makes it stale */
	h.pre = *pre;
	h.post = *post;
	if ((e = page_cache_put(cache, key, d->article_id, seq,
				(const char *)&h, sizeof(h), 0)) != NULL)
		page_cache_release(cache, e);
}

/*
 * Serves page r with this reader's parts: their vote panel, the results or
 * the note that hides them, the counts, the comment form's identity.
 */
void
debate_cache_serve(struct request *req, struct response *res,
		   const struct debate *d, const struct debate_clock *clk,
		   const struct debate_params *p,
		   const struct debate_rendered *r,
		   const struct debate_results_parts *rs, unsigned status)
{
	const char *had = request_cookie(req, CSRF_COOKIE), *visitor, *token,
		   *who;
	const char *fill[HOLE__MAX];
	size_t len[HOLE__MAX], order[HOLE__MAX], i, j, t, from = 0, total;
	int pre = 0, post = 0;
	bool show, ok = true;

	visitor = csrf_visitor(req, res);
	token = visitor ? csrf_token(req, visitor) : NULL;
	if (token == NULL) {
		error_page(req, res, 503, NULL);
		return;
	}
	/* A browser seen before, or a signed-in reader, may have voted. */
	who = debate_page_reader_id(req, visitor);
	if (who && (account_user(req) || (had && strcmp(had, visitor) == 0))) {
		char voter[33];

		debate_voter_hash(req->app, d->id, who, voter);
		reader_votes(req, d, voter, &pre, &post);
	}
	show = req->app->cfg.results_always || clk->status == DEBATE_CLOSED ||
	       pre != 0 || post != 0;
	fill[HOLE_AT_VOTE] = debate_vote_fill(req, d, clk, p, token, pre, post,
					      &len[HOLE_AT_VOTE]);
	fill[HOLE_AT_RESULTS] = rs->part[show ? PART_SHOWN : PART_HIDDEN];
	len[HOLE_AT_RESULTS] = rs->len[show ? PART_SHOWN : PART_HIDDEN];
	fill[HOLE_AT_INTEGRITY] = rs->part[PART_INTEGRITY];
	len[HOLE_AT_INTEGRITY] = rs->len[PART_INTEGRITY];
	len[HOLE_AT_IDENTITY] = 0;
	fill[HOLE_AT_IDENTITY] =
	    r->hole[HOLE_AT_IDENTITY] != SIZE_MAX
		? comment_form_fill(req, res, &len[HOLE_AT_IDENTITY])
		: "";
	if (fill[HOLE_AT_VOTE] == NULL || fill[HOLE_AT_IDENTITY] == NULL) {
		error_page(req, res, 503, NULL);
		return;
	}
	/* The holes in page order. */
	for (i = 0; i < HOLE__MAX; i++)
		order[i] = i;
	for (i = 1; i < HOLE__MAX; i++)
		for (j = i; j > 0 && r->hole[order[j - 1]] > r->hole[order[j]];
		     j--) {
			t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	/* One allocation of the exact size: no growing by doubling. */
	total = r->len;
	for (i = 0; i < HOLE__MAX; i++)
		if (r->hole[i] != SIZE_MAX)
			total += len[i];
	buf_clear(&res->body);
	if (total < res->body.max &&
	    (res->body.data = malloc(total + 1)) != NULL)
		res->body.cap = total + 1;
	for (i = 0; i < HOLE__MAX; i++) {
		size_t at = r->hole[order[i]];

		if (at == SIZE_MAX || at > r->len)
			continue;
		ok &= buf_append(&res->body, r->page + from, at - from);
		ok &= buf_append(&res->body, fill[order[i]], len[order[i]]);
		from = at;
	}
	ok &= buf_append(&res->body, r->page + from, r->len - from);
	if (!ok) {
		error_page(req, res, 503, NULL);
		return;
	}
	res->status = status;
	res->content_type = "text/html; charset=utf-8";
	(void)response_header(res, "Cache-Control", "no-cache");
}
