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
 * at once, without a timer.  Nothing is kept per reader: a reader's votes
 * are read from the model on each request (one indexed lookup).
 */
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
		if (debate_voter(req->app, d->id, voter, &f->pre, &f->post) !=
		    ERR_OK)
			f->pre = f->post = 0;
	}
	f->show = req->app->cfg.results_always ||
		  clk->status == DEBATE_CLOSED || f->pre != 0 || f->post != 0;
	return true;
}
