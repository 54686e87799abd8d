/* debate: adding debates from their files, listing, opening, closing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/embed.h"
#include "core/limits.h"
#include "core/parse.h"
#include "core/util.h"
#include "model/article.h"
#include "model/comment.h"
#include "model/debate.h"

static int
debate_add(struct app *app, const char *path)
{
	struct debate_doc doc;
	struct arena a;
	struct buf err;
	size_t len;
	char *text;
	int64_t id;
	enum err e;
	int rc = 1;

	text = cli_read_file(path, DEBATE_MAX_FILE, &len);
	if (text == NULL) {
		fprintf(stderr, "parley debate add: %s: %s\n", path,
			errno == EFBIG ? "larger than 4 MB" : strerror(errno));
		return 1;
	}
	arena_init(&a);
	buf_init(&err, 512);
	if (debate_parse(&a, text, len, time_now(), &doc, &err) != ERR_OK) {
		fprintf(stderr, "parley debate add: %s:%s\n", path,
			buf_cstr(&err));
		goto done;
	}
	e = debate_create(app, &doc, &id);
	if (e == ERR_CONFLICT) {
		fprintf(stderr,
			"parley debate add: %s: the slug \"%s\" is taken (by a "
			"debate or an article); set another with slug:\n",
			path, doc.d.slug);
		goto done;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "parley debate add: %s: %s\n", path,
			err_str(e));
		goto done;
	}
	printf(
	    "added debate %lld (%s, %zu speakers, %zu statements): /debates/%s\n",
	    (long long)id, debate_status_name(doc.d.status), doc.nspeakers,
	    doc.nstatements, doc.d.slug);
	rc = 0;
done:
	buf_clear(&err);
	arena_clear(&a);
	free(text);
	return rc;
}

static int
print_debates(struct app *app)
{
	struct debate *list;
	struct arena a;
	size_t n, i;

	arena_init(&a);
	if (debate_list(app, &a, true, 100000, &list, &n) != ERR_OK) {
		fprintf(stderr, "parley debate list: database error\n");
		arena_clear(&a);
		return 1;
	}
	printf("%-5s %-10s %-9s %-8s %-9s %s\n", "ID", "STATUS", "ROUND",
	       "VOTES", "COMMENTS", "SLUG / MOTION");
	for (i = 0; i < n; i++) {
		struct debate_clock clk;
		struct debate_tally t;
		struct debate_result r;

		debate_clock_at(&list[i], time_now(), &clk);
		if (debate_tally_get(app, list[i].id, &t) != ERR_OK)
			memset(&t, 0, sizeof(t));
		debate_result_of(&t, &r);
		printf("%-5lld %-10s %-9s %-8lld %-9lld %s / %s\n",
		       (long long)list[i].id, debate_status_name(clk.status),
		       clk.round ? debate_round_name(clk.round) : "-",
		       (long long)(r.pre_total + r.post_total),
		       (long long)list[i].comment_count, list[i].slug,
		       list[i].motion);
	}
	arena_clear(&a);
	return 0;
}

static int
debate_results(struct app *app, const struct debate *d)
{
	static const char *const outcomes[] = {"no votes",
					       "no result (no votes before)",
					       "no result (no votes after)",
					       "",
					       "",
					       "a tie"};
	struct debate_clock clk;
	struct debate_tally t;
	struct debate_result r;
	int pre, post;

	if (debate_tally_get(app, d->id, &t) != ERR_OK) {
		fprintf(stderr, "parley debate results: database error\n");
		return 1;
	}
	debate_clock_at(d, time_now(), &clk);
	debate_result_of(&t, &r);
	printf("%s\nstatus: %s\n", d->motion, debate_status_name(clk.status));
	printf(
	    "before: %s %lld (%d.%d%%), %s %lld (%d.%d%%), undecided %lld (%d.%d%%)\n",
	    d->label[SIDE_A], (long long)r.pre[SIDE_A],
	    r.pre_share[SIDE_A] / 10, r.pre_share[SIDE_A] % 10,
	    d->label[SIDE_B], (long long)r.pre[SIDE_B],
	    r.pre_share[SIDE_B] / 10, r.pre_share[SIDE_B] % 10,
	    (long long)r.pre[SIDE_UNDECIDED], r.pre_share[SIDE_UNDECIDED] / 10,
	    r.pre_share[SIDE_UNDECIDED] % 10);
	printf("after:  %s %lld (%d.%d%%), %s %lld (%d.%d%%)\n",
	       d->label[SIDE_A], (long long)r.post[SIDE_A],
	       r.post_share[SIDE_A] / 10, r.post_share[SIDE_A] % 10,
	       d->label[SIDE_B], (long long)r.post[SIDE_B],
	       r.post_share[SIDE_B] / 10, r.post_share[SIDE_B] % 10);
	printf("moves (before -> after):");
	for (pre = 1; pre <= 3; pre++)
		for (post = 1; post <= 2; post++)
			printf(" %s->%s %lld",
			       pre == 3 ? "undecided" : d->label[pre],
			       d->label[post], (long long)t.moves[pre][post]);
	printf(
	    "\nrefused: %lld duplicate, %lld closed phase, %lld rate limit; changed %lld\n",
	    (long long)d->refused_duplicate, (long long)d->refused_closed,
	    (long long)d->refused_rate, (long long)d->changed_votes);
	if (r.outcome == OUTCOME_A || r.outcome == OUTCOME_B)
		printf("%s: %s (share gained: %s %s%d.%d, %s %s%d.%d points)\n",
		       clk.status == DEBATE_CLOSED ? "winner" : "leading",
		       d->label[r.outcome == OUTCOME_A ? SIDE_A : SIDE_B],
		       d->label[SIDE_A], r.gain[SIDE_A] < 0 ? "-" : "+",
		       abs(r.gain[SIDE_A]) / 10, abs(r.gain[SIDE_A]) % 10,
		       d->label[SIDE_B], r.gain[SIDE_B] < 0 ? "-" : "+",
		       abs(r.gain[SIDE_B]) / 10, abs(r.gain[SIDE_B]) % 10);
	else
		printf("result: %s\n", outcomes[r.outcome]);
	return 0;
}

/* Runs one command on the debate of a slug. */
static int
debate_on(struct app *app, const char *sub, const char *slug, const char *arg)
{
	struct debate d;
	struct arena a;
	enum err e;
	int rc = 1;

	arena_init(&a);
	e = debate_by_slug(app, &a, slug, &d);
	if (e != ERR_OK) {
		fprintf(stderr, "parley debate %s: %s: %s\n", sub, slug,
			e == ERR_NOTFOUND ? "no such debate" : err_str(e));
		goto done;
	}
	if (strcmp(sub, "open") == 0) {
		/* A closing time already past would close it again at once. */
		int64_t closes =
		    d.sched.voting_closes && d.sched.voting_closes <= time_now()
			? 0
			: -1;

		e = debate_set_status(app, &d, DEBATE_OPEN, closes);
		if (e == ERR_OK) {
			char when[64];

			if (closes == 0 || d.sched.voting_closes == 0)
				snprintf(when, sizeof(when),
					 "until: parley debate close %s", slug);
			else
				time_format_human(d.sched.voting_closes, when,
						  sizeof(when));
			printf("debate %s is open; voting closes %s%s\n", slug,
			       when,
			       closes == 0 || d.sched.voting_closes == 0
				   ? ""
				   : " UTC");
		}
	} else if (strcmp(sub, "close") == 0) {
		e = debate_set_status(app, &d, DEBATE_CLOSED, -1);
		if (e == ERR_OK)
			printf("debate %s is closed\n", slug);
	} else if (strcmp(sub, "feature") == 0 ||
		   strcmp(sub, "unfeature") == 0) {
		int64_t id;

		if (!parse_id(arg, &id)) {
			fprintf(
			    stderr,
			    "parley debate %s: %s is not a comment number\n",
			    sub, arg);
			goto done;
		}
		e = debate_feature(app, &d, id, strcmp(sub, "feature") == 0);
		if (e == ERR_NOTFOUND) {
			fprintf(
			    stderr,
			    "parley debate %s: comment %lld is not in the debate %s\n",
			    sub, (long long)id, slug);
			goto done;
		}
		if (e == ERR_OK)
			printf("comment %lld is %s\n", (long long)id,
			       strcmp(sub, "feature") == 0
				   ? "featured"
				   : "no longer featured");
	} else {
		rc = debate_results(app, &d);
		goto done;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "parley debate %s: %s: %s\n", sub, slug,
			err_str(e));
		goto done;
	}
	rc = 0;
done:
	arena_clear(&a);
	return rc;
}

int
cmd_debate(struct cli_opts *o)
{
	struct app app;
	const char *sub = o->argc > 1 ? o->argv[1] : "";
	bool two = strcmp(sub, "feature") == 0 || strcmp(sub, "unfeature") == 0;
	bool one = strcmp(sub, "open") == 0 || strcmp(sub, "close") == 0 ||
		   strcmp(sub, "results") == 0;
	int rc, i;

	if (strcmp(sub, "add") == 0    ? o->argc < 3
	    : strcmp(sub, "list") == 0 ? o->argc != 2
	    : one		       ? o->argc != 3
	    : two		       ? o->argc != 4
				       : 1) {
		fprintf(
		    stderr,
		    "usage: parley debate add FILE...\n"
		    "       parley debate list\n"
		    "       parley debate open|close|results SLUG\n"
		    "       parley debate feature|unfeature SLUG COMMENT_ID\n"
		    "The file format: docs/debates.md\n");
		return 2;
	}
	if (!cli_app_open(&app, o, false))
		return 1;
	if (strcmp(sub, "add") == 0) {
		rc = 0;
		for (i = 2; i < o->argc; i++)
			rc |= debate_add(&app, o->argv[i]);
	} else if (strcmp(sub, "list") == 0) {
		rc = print_debates(&app);
	} else {
		rc = debate_on(&app, sub, o->argv[2], two ? o->argv[3] : NULL);
	}
	cli_app_close(&app);
	return rc;
}

/* The demo. */

#define DEMO_MAX_COMMENTS 500

/* A time between from and to, spread evenly by i of n, deterministic. */
static int64_t
spread(int64_t from, int64_t to, long i, long n)
{
	/* Votes come sooner than later: a square root bunches them early. */
	double x = n > 1 ? (double)i / (double)(n - 1) : 0.5;

	if (to <= from)
		return from;
	x = x * x * 0.4 + x * 0.6;
	return from + (int64_t)(x * (double)(to - from - 1));
}

/*
 * demo/votes-SLUG.txt: lines "BEFORE AFTER COUNT" (a, b, undecided or
 * - for none), spread over each phase's time; "mind statement N ROUND
 * COUNT" (the Nth speaker in the file), "mind comment ID COUNT",
 * "feature ID" (ids of the comments file), "refused duplicate|closed|rate N".
 */
static int
demo_votes(struct app *app, struct arena *a, const struct debate *d,
	   const struct embedded_file *f, const int64_t *ids, int *votes)
{
	char *text = arena_strndup(a, (const char *)f->data, f->len),
	     *save = NULL, *line;
	struct debate_statement *stmts = NULL;
	struct debate_speaker *sps = NULL;
	size_t nstmts = 0, nsps = 0;
	struct debate_clock clk;
	long voter = 0;
	int64_t now = time_now();
	int64_t opens = d->sched.voting_opens ? d->sched.voting_opens
					      : d->sched.round[ROUND_OPENING];

	if (text == NULL ||
	    debate_speakers(app, a, d->id, &sps, &nsps) != ERR_OK ||
	    debate_statements(app, a, d->id, &stmts, &nstmts) != ERR_OK)
		return -1;
	debate_clock_at(d, now, &clk);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *w[6], *wsave = NULL, *t;
		int nw = 0;
		long k, count;
		int64_t item = 0;
		size_t i, j;

		if (line[0] == '#')
			continue;
		for (t = strtok_r(line, " \t", &wsave); t && nw < 6;
		     t = strtok_r(NULL, " \t", &wsave))
			w[nw++] = t;
		if (nw == 2 && strcmp(w[0], "feature") == 0) {
			long id = atol(w[1]);

			if (id > 0 && id <= DEMO_MAX_COMMENTS && ids[id] &&
			    debate_feature(app, d, ids[id], true) != ERR_OK)
				return -1;
		} else if (nw == 3 && strcmp(w[0], "refused") == 0) {
			int64_t r[REFUSED__MAX] = {0};

			r[strcmp(w[1], "duplicate") == 0 ? REFUSED_DUPLICATE
			  : strcmp(w[1], "closed") == 0	 ? REFUSED_CLOSED
							 : REFUSED_RATE] =
			    atol(w[2]);
			if (debate_import_refusals(app, d->id, r) != ERR_OK)
				return -1;
		} else if (nw >= 4 && strcmp(w[0], "mind") == 0) {
			if (strcmp(w[1], "statement") == 0 && nw == 5) {
				long nth = atol(w[2]);
				int round = strcmp(w[3], "opening") == 0
						? ROUND_OPENING
					    : strcmp(w[3], "rebuttal") == 0
						? ROUND_REBUTTAL
						: ROUND_CLOSING;

				/* The nth speaker of the file is the nth by id.
				 */
				for (i = 0; i < nstmts; i++)
					for (j = 0; j < nsps; j++)
						if (sps[j].id ==
							stmts[i].speaker_id &&
						    sps[j].id - sps[0].id + 1 ==
							nth &&
						    stmts[i].round == round)
							item = stmts[i].id;
				count = atol(w[4]);
			} else if (strcmp(w[1], "comment") == 0 && nw == 4) {
				long id = atol(w[2]);

				if (id > 0 && id <= DEMO_MAX_COMMENTS)
					item = ids[id];
				count = atol(w[3]);
			} else {
				continue;
			}
			for (k = 0; item && k < count; k++) {
				char who[32], hash[33];
				bool added;

				snprintf(who, sizeof(who), "demo-mind:%ld", k);
				debate_voter_hash(app, d->id, who, hash);
				if (debate_import_mind(app, d->id, w[1][0],
						       item, hash, opens + k,
						       &added) != ERR_OK)
					return -1;
			}
		} else if (nw == 3) {
			int pre = strcmp(w[0], "a") == 0   ? SIDE_A
				  : strcmp(w[0], "b") == 0 ? SIDE_B
				  : strcmp(w[0], "undecided") == 0
				      ? SIDE_UNDECIDED
				      : SIDE_NONE;
			int post = strcmp(w[1], "a") == 0   ? SIDE_A
				   : strcmp(w[1], "b") == 0 ? SIDE_B
							    : SIDE_NONE;
			int64_t pre_to = clk.pre_closes && clk.pre_closes < now
					     ? clk.pre_closes
					     : now;
			int64_t post_from =
			    clk.post_opens ? clk.post_opens : opens;
			int64_t post_to = d->sched.voting_closes &&
						  d->sched.voting_closes < now
					      ? d->sched.voting_closes
					      : now;

			count = atol(w[2]);
			for (k = 0; k < count; k++, voter++) {
				struct debate_vote v;
				enum vote_result vr;
				char who[32], hash[33];

				snprintf(who, sizeof(who), "demo-voter:%ld",
					 voter);
				debate_voter_hash(app, d->id, who, hash);
				memset(&v, 0, sizeof(v));
				v.debate_id = d->id;
				v.voter = hash;
				v.bucket_secs = d->bucket_secs;
				if (pre) {
					v.phase = PHASE_PRE;
					v.choice = pre;
					v.at = spread(opens, pre_to, k, count);
					if (debate_import_vote(app, &v, &vr) !=
					    ERR_OK)
						return -1;
				}
				if (post) {
					v.phase = PHASE_POST;
					v.choice = post;
					v.at = spread(post_from, post_to, k,
						      count);
					if (debate_import_vote(app, &v, &vr) !=
					    ERR_OK)
						return -1;
				}
				(*votes)++;
			}
		}
	}
	return 0;
}

int
cli_debate_demo(struct app *app, struct arena *a, const struct embedded_file *f,
		int *comments, int *votes)
{
	const struct embedded_file *cf, *vf;
	struct debate_doc doc;
	struct article art;
	struct debate d;
	struct buf err;
	int64_t id, *ids;
	const char *path;
	enum err e;
	int n, rc = -1;

	buf_init(&err, 512);
	if (debate_parse(a, (const char *)f->data, f->len, time_now(), &doc,
			 &err) != ERR_OK) {
		fprintf(stderr, "parley demo: %s:%s\n", f->path,
			buf_cstr(&err));
		buf_clear(&err);
		return -1;
	}
	buf_clear(&err);
	e = debate_create(app, &doc, &id);
	if (e == ERR_CONFLICT) {
		printf("demo debate %s is already there\n", doc.d.slug);
		return 0;
	}
	if (e != ERR_OK || debate_by_slug(app, a, doc.d.slug, &d) != ERR_OK ||
	    article_by_id(app, a, d.article_id, &art) != ERR_OK) {
		fprintf(stderr, "parley demo: debate %s: %s\n", doc.d.slug,
			err_str(e));
		return -1;
	}
	ids = calloc(DEMO_MAX_COMMENTS + 1, sizeof(*ids));
	if (ids == NULL)
		return -1;
	path = arena_printf(a, "demo/comments-%s.txt", d.slug);
	if (path && (cf = embed_find(path)) != NULL) {
		if ((n = cli_demo_comments(app, a, &art, cf, ids,
					   DEMO_MAX_COMMENTS)) < 0)
			goto done;
		*comments += n;
	}
	path = arena_printf(a, "demo/votes-%s.txt", d.slug);
	if (path && (vf = embed_find(path)) != NULL &&
	    demo_votes(app, a, &d, vf, ids, votes) != 0) {
		fprintf(stderr, "parley demo: votes of %s not stored\n",
			d.slug);
		goto done;
	}
	rc = 1;
done:
	free(ids);
	return rc;
}
