/*
 * debate: the rules of a debate.  Reading a debate file; the schedule
 * (which status, round and voting phases hold at a given time); the
 * tally and the winner rule; who may vote, when, how often; "this
 * changed my mind".  No HTTP and no HTML here.
 *
 * The winner rule is Intelligence Squared's: the side whose share of the
 * vote grew most from before the debate to after it wins, not the side
 * with most votes at the end.
 */
#ifndef PARLEY_MODEL_DEBATE_H
#define PARLEY_MODEL_DEBATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

struct app;
struct config;

/* Limits of a debate file (characters unless named otherwise). */
#define DEBATE_MAX_FILE	     (4 * 1024 * 1024) /* bytes */
#define DEBATE_MAX_MOTION    300
#define DEBATE_MAX_LABEL     40
#define DEBATE_MAX_NAME	     100
#define DEBATE_MAX_BIO	     300
#define DEBATE_MAX_SPEAKERS  8 /* per side */
#define DEBATE_MAX_STATEMENT 100000

/* "Opening", "Rebuttal", "Closing"; "" for anything else. */
const char *debate_round_name(int round);
/* "draft", "scheduled", "open", "closed". */
const char *debate_status_name(enum debate_status s);

/*
 * Parses a debate file (see docs/debates.md) into out, in the arena.
 * Relative times ("now", "+3d") count from now.  On error returns
 * ERR_INVALID with "LINE: message" in err.  Statements' HTML is not
 * rendered here (debate_create does it).
 */
enum err debate_parse(struct arena *a, const char *text, size_t n, int64_t now,
		      struct debate_doc *out, struct buf *err);

/* Renders the Markdown and stores the debate; ERR_CONFLICT for a used slug. */
enum err debate_create(struct app *app, struct debate_doc *doc, int64_t *id);

/* What the schedule says at one moment. */
struct debate_clock {
	enum debate_status status;   /* draft, scheduled, open or closed */
	bool round_open[ROUND__MAX]; /* statements of this round shown */
	int round;		     /* the current round; 0 when none */
	bool pre_open, post_open;    /* voting phases taking votes */
	/* The effective phase bounds: 0 where the phase has none. */
	int64_t pre_closes, post_opens;
	/* The next time any of the above changes; 0 when never. */
	int64_t next_change;
};

/*
 * The status, round and phases of d at now.  A stored "scheduled"
 * debate opens at voting_opens (else at its opening round) and closes at
 * voting_closes; "open" is open now and still closes at voting_closes;
 * "draft" and "closed" are what they say.  A round opens at its time, or
 * with the debate when it has none.  The "before" vote closes at
 * pre_closes (default: when the rebuttals open); the "after" vote opens
 * at post_opens (default: when the closing statements open).
 */
void debate_clock_at(const struct debate *d, int64_t now,
		     struct debate_clock *out);

enum debate_outcome {
	OUTCOME_NO_VOTES, /* nobody voted */
	OUTCOME_NO_PRE,	  /* votes after, none before */
	OUTCOME_NO_POST,  /* votes before, none after */
	OUTCOME_A,	  /* the first side gained most */
	OUTCOME_B,
	OUTCOME_TIE, /* both gained exactly as much */
};

/* Shares are in tenths of a percent, gains in tenths of a point. */
struct debate_result {
	int64_t pre[4]; /* votes before: [SIDE_A], [SIDE_B], [SIDE_UNDECIDED] */
	int64_t post[3]; /* votes after: [SIDE_A], [SIDE_B] */
	int64_t pre_total, post_total;
	int64_t pairs; /* readers who voted both before and after */
	int pre_share[4];
	int post_share[3];
	int gain[3]; /* post share minus pre share, per side */
	enum debate_outcome outcome;
	/* Decided by less than the shown precision (0.1 point). */
	bool narrow;
};

/* The tally's shares, gains and winner (a pure function). */
void debate_result_of(const struct debate_tally *t, struct debate_result *out);

/* The vote over time: the counts of each choice when a bucket ended. */
struct debate_point {
	int64_t at;	 /* the bucket's start */
	int64_t pre[4];	 /* [SIDE_A], [SIDE_B], [SIDE_UNDECIDED] */
	int64_t post[3]; /* [SIDE_A], [SIDE_B] */
};

/*
 * Adds up the buckets (as the store returns them, oldest first) into at
 * most max points; with more buckets than that, points are dropped
 * evenly (each point is a running total, so the last is always kept).
 */
enum err debate_history(struct arena *a, const struct debate_bucket *b,
			size_t n, size_t max, struct debate_point **out,
			size_t *npoints);

/* The site's per-run debate state: rate limits and refusals not yet saved. */
struct debate_runtime;

struct debate_runtime *debate_runtime_new(const struct config *cfg);
/* Saves pending refusal counts to st (may be NULL), then frees. */
void debate_runtime_free(struct debate_runtime *rt, struct store *st);

/*
 * The keyed hash (hex, 32 characters) that stands for a reader in one
 * debate's votes and marks: a MAC of the reader's id under the site's
 * secret, per debate, so no two debates' records can be joined.
 */
void debate_voter_hash(const struct app *app, int64_t debate_id,
		       const char *reader, char out[33]);

/*
 * Casts a reader's vote.  ERR_OK with *res: VOTE_NEW, VOTE_CHANGED (a
 * second vote in a phase replaces the first), VOTE_SAME (a duplicate,
 * counted as refused).  ERR_FORBIDDEN when the phase is not taking votes,
 * ERR_LIMIT when the address is over its rate (*retry_after seconds),
 * ERR_INVALID for a choice the phase does not offer.  Refusals are
 * counted; the counts reach the store within seconds.
 */
enum err debate_vote_cast(struct app *app, const struct debate *d,
			  const char *reader, const char *client, int phase,
			  int choice, int64_t now, enum vote_result *res,
			  int *retry_after);

/* A vote on its way to the store (debate_vote_submit). */
struct debate_ballot {
	struct app *app;
	struct debate_vote v;
	char voter[33];
	int64_t pending[REFUSED__MAX]; /* refusals saved with the vote */
	enum err e;		       /* the store's report */
	enum vote_result res;
	bool queued; /* written later: see debate_vote_submit */
	void (*done)(void *arg);
	void *done_arg;
};

/*
 * debate_vote_cast without waiting for the disk.  A vote the checks
 * answer (refused, a duplicate) is answered now: its result is returned
 * with b->queued false.  Else the vote is queued (ERR_OK, b->queued true)
 * and done(arg) is called on the store's writer thread once its commit
 * is over (it must be quick); the caller then calls debate_vote_finish()
 * on a server thread for the result.  b must live until then.
 */
enum err debate_vote_submit(struct app *app, const struct debate *d,
			    const char *reader, const char *client, int phase,
			    int choice, int64_t now, struct debate_ballot *b,
			    enum vote_result *res, int *retry_after,
			    void (*done)(void *arg), void *arg);

/* A queued vote's result, as debate_vote_cast returns it; sets *res. */
enum err debate_vote_finish(struct app *app, struct debate_ballot *b,
			    enum vote_result *res);

/*
 * "This changed my mind" on a statement ('s') or comment ('c'), once per
 * reader (*added false the second time); only while the debate is open.
 */
enum err debate_mind_mark(struct app *app, const struct debate *d,
			  const char *reader, const char *client, char kind,
			  int64_t item_id, int64_t now, bool *added,
			  int *retry_after);

/*
 * A counter of this process's writes to debates (votes, marks, refusals
 * saved): what was read from the store while it had another value may be
 * stale.  Other processes' writes flush the page cache instead (see the
 * store's changed_elsewhere).  0 when not serving.
 */
uint64_t debate_generation(const struct app *app);

/* An editor's pick: a comment of d's discussion shown at the top (on), or not.
 */
enum err debate_feature(struct app *app, const struct debate *d,
			int64_t comment_id, bool on);

/* Saves refusal counts waiting for d when they are due (after a while). */
void debate_refusals_flush(struct app *app, int64_t debate_id, bool force);

/* Reads for handlers and commands: records in the arena a. */
enum err debate_by_slug(struct app *app, struct arena *a, const char *slug,
			struct debate *out);
/* Newest first, without introductions; drafts only when asked. */
enum err debate_list(struct app *app, struct arena *a, bool drafts, int limit,
		     struct debate **out, size_t *n);
enum err debate_speakers(struct app *app, struct arena *a, int64_t debate_id,
			 struct debate_speaker **out, size_t *n);
enum err debate_statements(struct app *app, struct arena *a, int64_t debate_id,
			   struct debate_statement **out, size_t *n);
enum err debate_tally_get(struct app *app, int64_t debate_id,
			  struct debate_tally *out);
/* The vote history, oldest bucket first. */
enum err debate_buckets(struct app *app, struct arena *a, int64_t debate_id,
			struct debate_bucket **out, size_t *n);
/* A reader's votes by their voter hash (0 where none). */
enum err debate_voter(struct app *app, int64_t debate_id, const char *voter,
		      int *pre, int *post);
enum err debate_featured(struct app *app, struct arena *a, int64_t article_id,
			 int limit, struct comment **out, size_t *n);
/* Comments that changed most minds (at least one). */
enum err debate_top_comments(struct app *app, struct arena *a,
			     int64_t article_id, int limit,
			     struct comment **out, size_t *n);
/* What the front page's list of debates depends on (see store.h). */
enum err debate_home_epoch(struct app *app, int64_t now, int64_t out[4]);

/* Sets d's status; voting_closes >= 0 replaces that time too. */
enum err debate_set_status(struct app *app, const struct debate *d,
			   enum debate_status status, int64_t voting_closes);

/*
 * Imports recorded history (the demo's votes, marks and refusals) as it
 * is, without the rules of a live vote: no clock, no rate limit.
 */
enum err debate_import_vote(struct app *app, const struct debate_vote *v,
			    enum vote_result *out);
enum err debate_import_mind(struct app *app, int64_t debate_id, char kind,
			    int64_t item_id, const char *voter, int64_t at,
			    bool *added);
enum err debate_import_refusals(struct app *app, int64_t debate_id,
				const int64_t refused[REFUSED__MAX]);

#endif
