/*
 * debate_list: GET /debates and the debates on the front page.
 */
#include <string.h>

#include "app.h"
#include "core/util.h"
#include "http/cache.h"
#include "render/template.h"
#include "web/debate_internal.h"
#include "web/web.h"

/* Adds the list item view of a debate: status, dates, winner once closed. */
static bool
put_summary(struct request *req, struct tv *it, const struct debate *d)
{
	struct arena *a = &req->arena;
	struct debate_clock clk;
	struct debate_tally t;
	struct debate_result r;
	const char *winner = "", *outcome = "";
	int64_t now = time_now();
	int64_t opens = d->sched.voting_opens ? d->sched.voting_opens
					      : d->sched.round[ROUND_OPENING];

	debate_clock_at(d, now, &clk);
	if (clk.status == DEBATE_CLOSED) {
		if (debate_tally_get(req->app, d->id, &t) != ERR_OK)
			return false;
		debate_result_of(&t, &r);
		if (r.outcome == OUTCOME_A || r.outcome == OUTCOME_B)
			winner =
			    d->label[r.outcome == OUTCOME_A ? SIDE_A : SIDE_B];
		outcome = r.outcome == OUTCOME_A || r.outcome == OUTCOME_B
			      ? arena_printf(a, "Winner: %s", winner)
			  : r.outcome == OUTCOME_TIE ? "A tie"
						     : "No result";
	}
	return tv_put_str(it, "slug", d->slug) &&
	       tv_put_str(it, "motion", d->motion) &&
	       tv_put_str(it, "status", debate_status_name(clk.status)) &&
	       tv_put_str(it, "status_label",
			  debate_page_status_label(clk.status)) &&
	       tv_put_str(it, "outcome", outcome) &&
	       tv_put_bool(it, "has_outcome", outcome[0] != '\0') &&
	       tv_put_str(
		   it, "dates",
		   clk.status == DEBATE_SCHEDULED && opens
		       ? arena_printf(a, "Opens %s", debate_page_when(a, opens))
		   : clk.status == DEBATE_OPEN && d->sched.voting_closes
		       ? arena_printf(
			     a, "Voting closes %s",
			     debate_page_when(a, d->sched.voting_closes))
		       : "");
}

bool
debate_home_view(struct request *req, struct tv *v, int limit)
{
	struct debate *list = NULL;
	struct tv *items;
	size_t n = 0, i;

	/* One more than shown tells whether there are more. */
	if (debate_list(req->app, &req->arena, false, limit + 1, &list, &n) !=
		ERR_OK ||
	    (items = tv_put_list(v, "debates")) == NULL ||
	    !tv_put_bool(v, "has_debates", n > 0) ||
	    !tv_put_bool(v, "debates_more", n > (size_t)limit))
		return false;
	if (n > (size_t)limit)
		n = (size_t)limit;
	for (i = 0; i < n; i++) {
		struct tv *it = tv_push(items);

		if (it == NULL || !put_summary(req, it, &list[i]))
			return false;
	}
	return true;
}

/*
 * The front page's key: what its debate list depends on, as text
 * ("ID.ID.ID"), kept in the page cache as an ordinary entry.  Its stamp is
 * the debate generation, so a debate write of this process makes it
 * stale, and it expires when the next debate's schedule changes the list;
 * tagged 0, like the front page, so any write to an article drops it too.
 */
const char *
debate_home_key(struct request *req)
{
	struct page_cache *cache = req->app->cache;
	uint64_t gen = debate_generation(req->app), seq = page_cache_seq(cache);
	int64_t now = time_now(), e[4];
	struct page_entry *pe;
	const char *key;

	if (req->app->debates &&
	    (pe = page_cache_get_fresh(cache, "debates-epoch", gen, now)) !=
		NULL) {
		key = arena_strndup(&req->arena, pe->data, pe->len);
		page_cache_release(cache, pe);
		return key;
	}
	if (debate_home_epoch(req->app, now, e) != ERR_OK)
		return NULL;
	key = arena_printf(&req->arena, "%lld.%lld.%lld", (long long)e[0],
			   (long long)e[1], (long long)e[2]);
	if (key != NULL && req->app->debates) {
		struct page_item it = {"debates-epoch", 0,    gen, e[3], key,
				       strlen(key),	NULL, 0};

		if ((pe = page_cache_put(cache, seq, &it)) != NULL)
			page_cache_release(cache, pe);
	}
	return key;
}

/* GET /debates: anyone.  Every public debate, newest first. */
void
debate_list_page(struct request *req, struct response *res)
{
	struct tv *v = page_view(req, "Debates");

	if (v == NULL || !debate_home_view(req, v, 200)) {
		error_page(req, res, 503, NULL);
		return;
	}
	page_render(req, res, 200, "debates", v);
}
