/*
 * Debates: the tally and the winner rule (ties, zero votes, all
 * undecided, one side only), the schedule's clock, the debate file
 * parser, the vote history, the charts' escaping, and the store's debate
 * operations with votes that replace, marks once per reader, sides.
 */
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

#include "app.h"
#include "core/buf.h"
#include "core/util.h"
#include "http/cache.h"
#include "model/comment.h"
#include "model/debate.h"
#include "render/chart.h"
#include "store/store.h"
#include "test.h"
#include "store_fixture.h"

/* A tally from pairs of votes: {pre, post, readers}, ended by {-1}. */
static struct debate_tally
tally(const int (*rows)[3])
{
	struct debate_tally t;

	memset(&t, 0, sizeof(t));
	for (; rows[0][0] >= 0; rows++)
		t.moves[rows[0][0]][rows[0][1]] += rows[0][2];
	return t;
}

static void
test_result(void)
{
	struct debate_tally t;
	struct debate_result r;

	/* Zero votes: no result, no shares, nothing divided by zero. */
	memset(&t, 0, sizeof(t));
	debate_result_of(&t, &r);
	CHECK(r.outcome == OUTCOME_NO_VOTES);
	CHECK(r.pre_total == 0 && r.post_total == 0 && r.pairs == 0);
	CHECK(r.pre_share[SIDE_A] == 0 && r.post_share[SIDE_B] == 0);

	/* Votes only before, only after. */
	{
		static const int rows[][3] = {{1, 0, 3}, {3, 0, 2}, {-1, 0, 0}};

		t = tally(rows);
		debate_result_of(&t, &r);
		CHECK(r.outcome == OUTCOME_NO_POST);
		CHECK(r.pre_total == 5 && r.pre_share[SIDE_A] == 600 &&
		      r.pre_share[SIDE_UNDECIDED] == 400);
	}
	{
		static const int rows[][3] = {{0, 1, 3}, {0, 2, 1}, {-1, 0, 0}};

		t = tally(rows);
		debate_result_of(&t, &r);
		CHECK(r.outcome == OUTCOME_NO_PRE);
		CHECK(r.post_total == 4 && r.post_share[SIDE_A] == 750);
	}

	/* The side with most votes loses when the other gained more. */
	{
		static const int rows[][3] = {
		    {1, 1, 60}, {1, 2, 10}, {2, 2, 30}, {-1, 0, 0}};

		t = tally(rows);
		debate_result_of(&t, &r);
		CHECK(r.pre[SIDE_A] == 70 && r.pre[SIDE_B] == 30);
		CHECK(r.post[SIDE_A] == 60 && r.post[SIDE_B] == 40);
		CHECK(r.outcome == OUTCOME_B);
		CHECK(r.gain[SIDE_A] == -100 && r.gain[SIDE_B] == 100);
		CHECK(r.pairs == 100 && !r.narrow);
	}

	/* All undecided before: the larger side after gained more. */
	{
		static const int rows[][3] = {{3, 1, 6}, {3, 2, 4}, {-1, 0, 0}};

		t = tally(rows);
		debate_result_of(&t, &r);
		CHECK(r.pre_share[SIDE_UNDECIDED] == 1000);
		CHECK(r.outcome == OUTCOME_A);
		CHECK(r.gain[SIDE_A] == 600 && r.gain[SIDE_B] == 400);
	}
	/* All undecided before, an even split after: a tie. */
	{
		static const int rows[][3] = {{3, 1, 5}, {3, 2, 5}, {-1, 0, 0}};

		t = tally(rows);
		debate_result_of(&t, &r);
		CHECK(r.outcome == OUTCOME_TIE);
		CHECK(r.gain[SIDE_A] == 500 && r.gain[SIDE_B] == 500);
	}
	/* All undecided before and after nobody moved to either... */
	{
		static const int rows[][3] = {{3, 0, 7}, {-1, 0, 0}};

		t = tally(rows);
		debate_result_of(&t, &r);
		CHECK(r.outcome == OUTCOME_NO_POST);
	}

	/* One side only, before and after: nobody gained, a tie. */
	{
		static const int rows[][3] = {{1, 1, 10}, {-1, 0, 0}};

		t = tally(rows);
		debate_result_of(&t, &r);
		CHECK(r.outcome == OUTCOME_TIE);
		CHECK(r.gain[SIDE_A] == 0 && r.gain[SIDE_B] == 0);
		CHECK(r.pre_share[SIDE_A] == 1000 &&
		      r.post_share[SIDE_A] == 1000);
	}
	/* One side only after, undecided readers before: that side wins. */
	{
		static const int rows[][3] = {{1, 1, 5}, {3, 1, 5}, {-1, 0, 0}};

		t = tally(rows);
		debate_result_of(&t, &r);
		CHECK(r.outcome == OUTCOME_A);
		CHECK(r.gain[SIDE_A] == 500 && r.gain[SIDE_B] == 0);
	}
	/* Only the second side ever voted for, but it lost ground to nobody. */
	{
		static const int rows[][3] = {{2, 2, 4}, {0, 2, 4}, {-1, 0, 0}};

		t = tally(rows);
		debate_result_of(&t, &r);
		CHECK(r.outcome == OUTCOME_TIE);
	}

	/* A tie with equal, non-zero gains and different totals. */
	{
		static const int rows[][3] = {{1, 1, 1}, {2, 2, 1}, {3, 1, 1},
					      {3, 2, 1}, {0, 1, 3}, {0, 2, 3},
					      {-1, 0, 0}};

		t = tally(rows);
		debate_result_of(&t, &r);
		CHECK(r.pre_total == 4 && r.post_total == 10);
		CHECK(r.outcome == OUTCOME_TIE);
		CHECK(r.gain[SIDE_A] == 250 && r.gain[SIDE_B] == 250);
	}

	/* A winner by less than the shown precision is said to be narrow. */
	{
		struct debate_tally big;

		memset(&big, 0, sizeof(big));
		big.moves[1][1] = 1000;
		big.moves[2][2] = 1000;
		big.moves[3][1] = 1;
		debate_result_of(&big, &r);
		CHECK(r.outcome == OUTCOME_A);
		CHECK(r.narrow);
		CHECK(r.gain[SIDE_A] >= r.gain[SIDE_B]);
	}

	/* Readers counted in pairs, and alone. */
	{
		static const int rows[][3] = {
		    {1, 2, 2}, {1, 0, 1}, {0, 2, 4}, {3, 1, 3}, {-1, 0, 0}};

		t = tally(rows);
		debate_result_of(&t, &r);
		CHECK(r.pairs == 5);
		CHECK(r.pre_total == 6 && r.post_total == 9);
		CHECK(r.pre_share[SIDE_A] == 500 &&
		      r.pre_share[SIDE_UNDECIDED] == 500);
		CHECK(r.post_share[SIDE_B] == 667 &&
		      r.post_share[SIDE_A] == 333);
	}

	/* Large counts do not overflow the exact comparison. */
	{
		struct debate_tally big;

		memset(&big, 0, sizeof(big));
		big.moves[1][1] = 3000000000LL;
		big.moves[2][2] = 3000000000LL;
		big.moves[3][2] = 1;
		debate_result_of(&big, &r);
		CHECK(r.outcome == OUTCOME_B);
	}
}

static struct debate
sched_debate(enum debate_status st)
{
	struct debate d;

	memset(&d, 0, sizeof(d));
	d.status = st;
	d.sched.voting_opens = 1000;
	d.sched.round[ROUND_OPENING] = 1000;
	d.sched.round[ROUND_REBUTTAL] = 2000;
	d.sched.round[ROUND_CLOSING] = 3000;
	d.sched.voting_closes = 4000;
	return d;
}

static void
test_clock(void)
{
	struct debate d = sched_debate(DEBATE_SCHEDULED);
	struct debate_clock c;

	debate_clock_at(&d, 500, &c);
	CHECK(c.status == DEBATE_SCHEDULED && c.round == 0);
	CHECK(!c.round_open[ROUND_OPENING] && !c.pre_open && !c.post_open);
	CHECK(c.next_change == 1000);

	debate_clock_at(&d, 1000, &c);
	CHECK(c.status == DEBATE_OPEN && c.round == ROUND_OPENING);
	CHECK(c.pre_open && !c.post_open);
	CHECK(c.round_open[ROUND_OPENING] && !c.round_open[ROUND_REBUTTAL]);
	CHECK(c.pre_closes == 2000 && c.post_opens == 3000);
	CHECK(c.next_change == 2000);

	debate_clock_at(&d, 2500, &c);
	CHECK(c.status == DEBATE_OPEN && c.round == ROUND_REBUTTAL);
	CHECK(!c.pre_open && !c.post_open);
	CHECK(c.next_change == 3000);

	debate_clock_at(&d, 3500, &c);
	CHECK(c.round == ROUND_CLOSING && !c.pre_open && c.post_open);
	CHECK(c.next_change == 4000);

	debate_clock_at(&d, 4000, &c);
	CHECK(c.status == DEBATE_CLOSED && c.round == 0);
	CHECK(!c.pre_open && !c.post_open);
	CHECK(c.round_open[ROUND_OPENING] && c.round_open[ROUND_CLOSING]);
	CHECK(c.next_change == 0);

	/* Phase times of their own. */
	d.sched.pre_closes = 3500;
	d.sched.post_opens = 1500;
	debate_clock_at(&d, 1600, &c);
	CHECK(c.pre_open && c.post_open);

	/* Drafts show nothing; closed is closed whatever the schedule says. */
	d = sched_debate(DEBATE_DRAFT);
	debate_clock_at(&d, 1500, &c);
	CHECK(c.status == DEBATE_DRAFT && !c.pre_open &&
	      !c.round_open[ROUND_OPENING]);
	d = sched_debate(DEBATE_CLOSED);
	debate_clock_at(&d, 1500, &c);
	CHECK(c.status == DEBATE_CLOSED && !c.pre_open && !c.post_open &&
	      c.next_change == 0);

	/* Opened by hand before the schedule: open now, rounds still on time.
	 */
	d = sched_debate(DEBATE_OPEN);
	debate_clock_at(&d, 500, &c);
	CHECK(c.status == DEBATE_OPEN && c.pre_open &&
	      !c.round_open[ROUND_OPENING]);
	debate_clock_at(&d, 4500, &c);
	CHECK(c.status == DEBATE_CLOSED);

	/* No schedule at all: open by hand, every round and both phases. */
	memset(&d, 0, sizeof(d));
	d.status = DEBATE_OPEN;
	debate_clock_at(&d, 123, &c);
	CHECK(c.status == DEBATE_OPEN && c.round == ROUND_CLOSING);
	CHECK(c.pre_open && c.post_open && c.next_change == 0);
	d.status = DEBATE_SCHEDULED;
	debate_clock_at(&d, 123, &c);
	CHECK(c.status == DEBATE_SCHEDULED && !c.pre_open);
}

static const char good_file[] =
    "# comment\n"
    "motion: Should the river path be lit at night?\n"
    "moderator: Mo Derator\n"
    "side a: Light it\n"
    "side b: Keep it dark\n"
    "opening: 2030-01-01 18:00\n"
    "rebuttal: 2030-01-03 18:00\n"
    "closing: +5d\n"
    "voting closes: +7d\n"
    "\n"
    "[introduction]\n"
    "The path is **dark**.\n"
    "\n"
    "[speaker]\n"
    "name: Ann\n"
    "side: a\n"
    "bio: Walks at night.\n"
    "photo: /static/ann.jpg\n"
    "link: https://example.org/ann\n"
    "\n"
    "[opening]\n"
    "Light helps.\n"
    "\n"
    "## A heading\n"
    "\n"
    "[closing]\n"
    "Still helps.\n"
    "[speaker]\n"
    "name: Bo\n"
    "side: keep it dark\n"
    "[opening]\n"
    "Bats.\n";

/* Parses text; on failure returns the error message ("" when none). */
static const char *
parse(struct arena *a, const char *text, struct debate_doc *doc)
{
	static char msg[512];
	struct buf err;

	buf_init(&err, 512);
	msg[0] = '\0';
	if (debate_parse(a, text, strlen(text), 1893456000 /* 2030-01-01 */,
			 doc, &err) != ERR_OK)
		snprintf(msg, sizeof(msg), "%s", buf_cstr(&err));
	buf_clear(&err);
	return msg;
}

static bool
refused(struct arena *a, const char *text, const char *want)
{
	struct debate_doc doc;
	const char *msg = parse(a, text, &doc);

	if (msg[0] == '\0' || strstr(msg, want) == NULL) {
		printf("  parse: wanted \"%s\", got \"%s\"\n", want, msg);
		return false;
	}
	return true;
}

static void
test_parse(void)
{
	struct debate_doc doc;
	struct arena a;
	const char *msg;

	arena_init(&a);
	msg = parse(&a, good_file, &doc);
	CHECK_STR(msg, "");
	CHECK_STR(doc.d.motion, "Should the river path be lit at night?");
	CHECK_STR(doc.d.slug, "should-the-river-path-be-lit-at-night");
	CHECK_STR(doc.d.label[SIDE_A], "Light it");
	CHECK_STR(doc.d.label[SIDE_B], "Keep it dark");
	CHECK(doc.d.status == DEBATE_SCHEDULED && doc.d.comments_open);
	CHECK(doc.d.sched.round[ROUND_OPENING] == 1893520800);
	CHECK(doc.d.sched.round[ROUND_CLOSING] == 1893456000 + 5 * 86400);
	CHECK(doc.d.sched.voting_closes == 1893456000 + 7 * 86400);
	CHECK(doc.d.bucket_secs == 21600); /* 6.75 days / 48, rounded up */
	CHECK_STR(doc.d.intro_md, "The path is **dark**.");
	CHECK(doc.nspeakers == 2 && doc.nstatements == 3);
	CHECK(doc.speakers[0].side == SIDE_A && doc.speakers[1].side == SIDE_B);
	CHECK(doc.speakers[0].position == 1 && doc.speakers[1].position == 1);
	CHECK_STR(doc.speakers[0].photo, "/static/ann.jpg");
	CHECK(doc.statements[0].round == ROUND_OPENING &&
	      doc.statements[0].speaker == 0);
	CHECK_STR(doc.statements[0].body_md, "Light helps.\n\n## A heading");
	CHECK(doc.statements[2].speaker == 1 &&
	      doc.statements[2].round == ROUND_OPENING);

	/* Defaults: Yes / No, and relative "now". */
	msg = parse(
	    &a,
	    "motion: Is it?\nstatus: open\nvoting opens: now\n"
	    "[speaker]\nname: A\nside: yes\n[speaker]\nname: B\nside: No\n",
	    &doc);
	CHECK_STR(msg, "");
	CHECK_STR(doc.d.label[SIDE_A], "Yes");
	CHECK(doc.d.status == DEBATE_OPEN &&
	      doc.d.sched.voting_opens == 1893456000);
	CHECK(doc.speakers[0].side == SIDE_A && doc.speakers[1].side == SIDE_B);
	CHECK(doc.nstatements == 0);

	/* Refusals, each with its line. */
	CHECK(refused(&a, "moderator: X\n", "needs a motion"));
	CHECK(refused(&a,
		      "motion: A statement.\n[speaker]\nname: A\nside: a\n"
		      "[speaker]\nname: B\nside: b\n",
		      "question"));
	CHECK(refused(&a, "motion: Q?\ncolour: red\n",
		      "2: unknown key \"colour\""));
	CHECK(refused(&a, "motion: Q?\n[openning]\n",
		      "2: unknown section [openning]"));
	CHECK(refused(&a, "motion: Q?\n[opening]\ntext\n",
		      "belongs to a speaker"));
	CHECK(refused(&a,
		      "motion: Q?\n[speaker]\nname: A\nside: a\n[opening]\nx\n"
		      "[opening]\ny\n",
		      "already has an [opening]"));
	CHECK(refused(&a, "motion: Q?\n[speaker]\nname: A\nside: c\n",
		      "side must be"));
	CHECK(refused(
	    &a, "motion: Q?\n[speaker]\nside: a\n[speaker]\nname: B\nside: b\n",
	    "needs a name"));
	CHECK(refused(&a, "motion: Q?\n[speaker]\nname: A\nside: a\n",
		      "each side needs"));
	CHECK(refused(
	    &a,
	    "motion: Q?\nside a: Same\nside b: same\n[speaker]\nname: A\n"
	    "side: a\n[speaker]\nname: B\nside: b\n",
	    "different labels"));
	CHECK(refused(&a, "motion: Q?\nopening: tomorrow\n",
		      "2: opening: a time"));
	CHECK(refused(&a,
		      "motion: Q?\n[speaker]\nname: A\nside: a\n"
		      "photo: javascript:alert(1)\n",
		      "photo must be"));
	CHECK(refused(&a,
		      "motion: Q?\n[speaker]\nname: A\nside: a\n"
		      "link: //evil.example/x\n",
		      "link must be"));
	CHECK(refused(&a,
		      "motion: Q?\n[speaker]\nname: A\nside: a\nHello there\n",
		      "5: expected \"key: value\""));
	CHECK(refused(&a,
		      "motion: Q?\n[speaker]\nname: A\nside: a\n[opening]\n\n\n"
		      "[speaker]\nname: B\nside: b\n",
		      "is empty"));
	CHECK(refused(
	    &a,
	    "motion: Q?\nopening: 2030-01-02\nrebuttal: 2030-01-01\n"
	    "[speaker]\nname: A\nside: a\n[speaker]\nname: B\nside: b\n",
	    "must open after"));
	CHECK(refused(
	    &a,
	    "motion: Q?\nvoting opens: 2030-01-02\nvoting closes: 2030-01-01\n"
	    "[speaker]\nname: A\nside: a\n[speaker]\nname: B\nside: b\n",
	    "close after it opens"));
	CHECK(refused(
	    &a,
	    "motion: Q?\nslug: Not A Slug\n[speaker]\nname: A\nside: a\n"
	    "[speaker]\nname: B\nside: b\n",
	    "slug must be"));
	CHECK(refused(&a, "motion: Q\xff?\n", "not valid UTF-8"));
	CHECK(refused(&a, "motion: Q?\nstatus: maybe\n", "status must be"));
	{
		struct buf many;
		int i;

		buf_init(&many, 1 << 20);
		CHECK(buf_puts(&many, "motion: Q?\n"));
		for (i = 0; i < 9; i++)
			CHECK(buf_printf(&many,
					 "[speaker]\nname: S%d\nside: a\n", i));
		CHECK(refused(&a, buf_cstr(&many),
			      "at most 8 speakers per side"));
		buf_clear(&many);
	}
	arena_clear(&a);
}

static void
test_history(void)
{
	static const struct debate_bucket b[] = {
	    {0, PHASE_PRE, SIDE_A, 2},		{0, PHASE_PRE, SIDE_B, 1},
	    {60, PHASE_PRE, SIDE_A, -1}, /* a changed vote */
	    {60, PHASE_PRE, SIDE_UNDECIDED, 1}, {120, PHASE_POST, SIDE_B, 3},
	    {180, PHASE_POST, SIDE_A, 1},
	};
	struct debate_point *p;
	struct arena a;
	size_t n;

	arena_init(&a);
	CHECK(debate_history(&a, b, 6, 100, &p, &n) == ERR_OK);
	CHECK(n == 4);
	CHECK(p[0].at == 0 && p[0].pre[SIDE_A] == 2 && p[0].pre[SIDE_B] == 1);
	CHECK(p[1].at == 60 && p[1].pre[SIDE_A] == 1 &&
	      p[1].pre[SIDE_UNDECIDED] == 1);
	CHECK(p[3].at == 180 && p[3].post[SIDE_A] == 1 &&
	      p[3].post[SIDE_B] == 3 && p[3].pre[SIDE_A] == 1);
	/* Fewer points than buckets: the last is always kept. */
	CHECK(debate_history(&a, b, 6, 2, &p, &n) == ERR_OK);
	CHECK(n == 2 && p[1].at == 180 && p[1].post[SIDE_B] == 3);
	CHECK(debate_history(&a, b, 0, 10, &p, &n) == ERR_OK && n == 0);
	arena_clear(&a);
}

static void
test_charts(void)
{
	static const double y1[] = {10, -1, 50}, y2[] = {40, 45, 60};
	static const int64_t x[] = {1893456000, 1893459600, 1893463200};
	struct chart_series s[2] = {{"line side-a\"><script>", true, y1},
				    {"line side-b", false, y2}};
	struct chart_lines c = {3, x, 2, s};
	struct chart_flow f;
	struct buf b;

	buf_init(&b, 1 << 20);
	CHECK(chart_lines_svg(&b, &c));
	CHECK(strstr(buf_cstr(&b), "<script") == NULL);
	CHECK(strstr(buf_cstr(&b), "class=\"line side-ascript\"") != NULL);
	CHECK(strstr(buf_cstr(&b), "stroke-dasharray") != NULL);
	/* The first series has a gap: two lone points drawn as dots. */
	CHECK(strstr(buf_cstr(&b), " dot\"") != NULL);
	buf_reset(&b);

	memset(&f, 0, sizeof(f));
	f.nleft = 2;
	f.nright = 2;
	f.left[0] = "<script>alert(1)</script>";
	f.left[1] = "O'Brien & \"Co\"";
	f.right[0] = "Yes";
	f.right[1] = "No";
	f.left_css[0] = f.right_css[0] = "side-a";
	f.left_css[1] = f.right_css[1] = "side-b";
	f.count[0][0] = 3;
	f.count[0][1] = 1;
	f.count[1][1] = 2;
	CHECK(chart_flow_svg(&b, &f));
	CHECK(strstr(buf_cstr(&b), "<script") == NULL);
	CHECK(strstr(buf_cstr(&b),
		     "&lt;script&gt;alert(1)&lt;/script&gt; (4)") != NULL);
	CHECK(strstr(buf_cstr(&b), "O&#39;Brien &amp; &quot;Co&quot; (2)") !=
	      NULL);
	CHECK(strstr(buf_cstr(&b), "Yes (3)") != NULL);
	buf_reset(&b);
	/* Nobody moved: still a valid drawing. */
	memset(f.count, 0, sizeof(f.count));
	CHECK(chart_flow_svg(&b, &f));
	CHECK(strstr(buf_cstr(&b), "</svg>") != NULL);
	buf_clear(&b);
}

static enum err
vote(struct store *st, int64_t debate, const char *voter, int phase, int choice,
     int64_t at, enum vote_result *vr)
{
	struct debate_vote v;

	memset(&v, 0, sizeof(v));
	v.debate_id = debate;
	v.voter = voter;
	v.phase = phase;
	v.choice = choice;
	v.at = at;
	v.bucket_secs = 60;
	return st->ops->debate_vote(st, &v, NULL, vr);
}

static void
test_store(const char *path)
{
	struct app app;
	struct buf err;
	struct arena a;
	struct debate_doc doc;
	struct debate d, *list;
	struct debate_tally t;
	struct debate_bucket *bk;
	struct debate_statement *stmts;
	struct debate_speaker *sps;
	struct comment_input in;
	struct comment *cs;
	struct article art;
	enum vote_result vr;
	int64_t id, c1, c2, c3, c4, epoch[4],
	    refused3[REFUSED__MAX] = {1, 2, 3};
	size_t n, i;
	int pre, post, retry = 0;
	bool added;

	memset(&app, 0, sizeof(app));
	config_defaults(&app.cfg);
	buf_init(&err, 512);
	app.store = store_open(path, &err);
	CHECK(app.store != NULL);
	buf_clear(&err);
	if (app.store == NULL)
		return;
	app.cache = page_cache_new(0);
	randombytes_buf(app.secret, sizeof(app.secret));
	arena_init(&a);

	CHECK_STR(parse(&a, good_file, &doc), "");
	CHECK(debate_create(&app, &doc, &id) == ERR_OK);
	CHECK(debate_create(&app, &doc, &id) == ERR_CONFLICT); /* the slug */
	CHECK(app.store->ops->debate_by_slug(app.store, &a, doc.d.slug, &d) ==
	      ERR_OK);
	CHECK(d.id == id && d.status == DEBATE_SCHEDULED && d.comments_open);
	CHECK_STR(d.intro_html, "<p>The path is <strong>dark</strong>.</p>\n");
	CHECK_STR(d.label[SIDE_B], "Keep it dark");
	CHECK(app.store->ops->debate_speakers(app.store, &a, id, &sps, &n) ==
		  ERR_OK &&
	      n == 2);
	CHECK(app.store->ops->debate_statements(app.store, &a, id, &stmts,
						&n) == ERR_OK &&
	      n == 3);
	/* A debate's discussion row is no article. */
	CHECK(app.store->ops->article_by_slug(app.store, &a, doc.d.slug,
					      &art) == ERR_NOTFOUND);
	CHECK(app.store->ops->article_by_id(app.store, &a, d.article_id,
					    &art) == ERR_OK);
	CHECK_STR(art.kind, "debate");

	/* Votes: a second vote in a phase replaces the first. */
	CHECK(vote(app.store, id, "v1", PHASE_PRE, SIDE_A, 100, &vr) ==
		  ERR_OK &&
	      vr == VOTE_NEW);
	CHECK(vote(app.store, id, "v1", PHASE_PRE, SIDE_B, 130, &vr) ==
		  ERR_OK &&
	      vr == VOTE_CHANGED);
	CHECK(vote(app.store, id, "v1", PHASE_PRE, SIDE_B, 140, &vr) ==
		  ERR_OK &&
	      vr == VOTE_SAME);
	CHECK(vote(app.store, id, "v1", PHASE_POST, SIDE_A, 200, &vr) ==
		  ERR_OK &&
	      vr == VOTE_NEW);
	CHECK(vote(app.store, id, "v2", PHASE_PRE, SIDE_UNDECIDED, 210, &vr) ==
	      ERR_OK);
	CHECK(app.store->ops->debate_tally(app.store, id, &t) == ERR_OK);
	CHECK(t.moves[SIDE_B][SIDE_A] == 1 && t.moves[SIDE_UNDECIDED][0] == 1);
	CHECK(t.moves[SIDE_A][0] == 0 && t.moves[SIDE_A][SIDE_A] == 0);
	CHECK(app.store->ops->debate_voter(app.store, id, "v1", &pre, &post) ==
	      ERR_OK);
	CHECK(pre == SIDE_B && post == SIDE_A);
	CHECK(app.store->ops->debate_voter(app.store, id, "nobody", &pre,
					   &post) == ERR_OK);
	CHECK(pre == 0 && post == 0);
	/* The history keeps the change: +1 A, then -1 A and +1 B. */
	CHECK(app.store->ops->debate_buckets(app.store, &a, id, &bk, &n) ==
	      ERR_OK);
	CHECK(n == 5);
	CHECK(bk[0].start == 60 && bk[0].phase == PHASE_PRE &&
	      bk[0].choice == SIDE_A && bk[0].delta == 1);
	CHECK(bk[1].start == 120 && bk[1].choice == SIDE_A &&
	      bk[1].delta == -1);
	CHECK(bk[2].start == 120 && bk[2].choice == SIDE_B && bk[2].delta == 1);
	CHECK(bk[3].start == 180 && bk[3].phase == PHASE_PRE &&
	      bk[3].choice == SIDE_UNDECIDED);
	CHECK(bk[4].start == 180 && bk[4].phase == PHASE_POST &&
	      bk[4].choice == SIDE_A);
	CHECK(app.store->ops->debate_add_refusals(app.store, id, refused3) ==
	      ERR_OK);
	CHECK(app.store->ops->debate_by_slug(app.store, &a, doc.d.slug, &d) ==
	      ERR_OK);
	CHECK(d.changed_votes == 1 && d.refused_duplicate == 1 &&
	      d.refused_closed == 2 && d.refused_rate == 3);
	CHECK(d.activity >= 5);

	/* The model's rules on top: the schedule is in 2030, so closed now. */
	CHECK(debate_vote_cast(&app, &d, "reader", "127.0.0.1", PHASE_PRE,
			       SIDE_A, time_now(), &vr,
			       &retry) == ERR_FORBIDDEN);
	CHECK(debate_vote_cast(&app, &d, "reader", "127.0.0.1", PHASE_POST,
			       SIDE_UNDECIDED, time_now(), &vr,
			       &retry) == ERR_INVALID);
	CHECK(app.store->ops->debate_set_status(app.store, id, DEBATE_OPEN,
						0) == ERR_OK);
	CHECK(app.store->ops->debate_by_slug(app.store, &a, doc.d.slug, &d) ==
	      ERR_OK);
	CHECK(d.status == DEBATE_OPEN && d.sched.voting_closes == 0);
	CHECK(debate_vote_cast(&app, &d, "reader", "127.0.0.1", PHASE_PRE,
			       SIDE_A, time_now(), &vr, &retry) == ERR_OK &&
	      vr == VOTE_NEW);
	CHECK(debate_vote_cast(&app, &d, "reader", "127.0.0.1", PHASE_PRE,
			       SIDE_A, time_now(), &vr, &retry) == ERR_OK &&
	      vr == VOTE_SAME);
	CHECK(app.store->ops->debate_set_status(app.store, 999, DEBATE_OPEN,
						-1) == ERR_NOTFOUND);

	/* Comments with sides; sides take turns in the alternating order. */
	memset(&in, 0, sizeof(in));
	in.author = "R";
	in.email = in.url = in.key = "";
	in.body = "a1";
	in.side = SIDE_A;
	CHECK(comment_create(&app, &a, &art, &in, "127.0.0.1", &c1) == ERR_OK);
	in.body = "a2";
	CHECK(comment_create(&app, &a, &art, &in, "127.0.0.1", &c2) == ERR_OK);
	in.body = "a3";
	CHECK(comment_create(&app, &a, &art, &in, "127.0.0.1", &c3) == ERR_OK);
	in.body = "b1";
	in.side = SIDE_B;
	CHECK(comment_create(&app, &a, &art, &in, "127.0.0.1", &c4) == ERR_OK);
	CHECK(app.store->ops->comment_page(app.store, &a, d.article_id,
					   SORT_ALTERNATE, 0, 10, &cs,
					   &n) == ERR_OK);
	CHECK(n == 4 && cs[0].id == c1 && cs[1].id == c4 && cs[2].id == c2 &&
	      cs[3].id == c3);
	CHECK(cs[0].side == SIDE_A && cs[1].side == SIDE_B);
	CHECK(app.store->ops->comment_page(app.store, &a, d.article_id,
					   SORT_ALTERNATE, 1, 2, &cs,
					   &n) == ERR_OK);
	CHECK(n == 2 && cs[0].id == c4 && cs[1].id == c2);

	/* "Changed my mind": once per reader and item; only items of the
	 * debate. */
	CHECK(app.store->ops->debate_mind(app.store, id, 'c', c3, "m1", 1,
					  &added) == ERR_OK &&
	      added);
	CHECK(app.store->ops->debate_mind(app.store, id, 'c', c3, "m1", 2,
					  &added) == ERR_OK &&
	      !added);
	CHECK(app.store->ops->debate_mind(app.store, id, 'c', c3, "m2", 3,
					  &added) == ERR_OK &&
	      added);
	CHECK(app.store->ops->debate_mind(app.store, id, 's', stmts[0].id, "m1",
					  4, &added) == ERR_OK &&
	      added);
	CHECK(app.store->ops->debate_mind(app.store, id, 'c', 424242, "m1", 5,
					  &added) == ERR_NOTFOUND);
	CHECK(app.store->ops->debate_mind(app.store, id + 1, 's', stmts[0].id,
					  "m1", 5, &added) == ERR_NOTFOUND);
	CHECK(app.store->ops->comment_page(app.store, &a, d.article_id,
					   SORT_MINDS, 0, 10, &cs,
					   &n) == ERR_OK);
	CHECK(n == 4 && cs[0].id == c3 && cs[0].minds == 2 && cs[1].id == c1);
	CHECK(app.store->ops->debate_top_comments(app.store, &a, d.article_id,
						  3, &cs, &n) == ERR_OK);
	CHECK(n == 1 && cs[0].id == c3);
	CHECK(app.store->ops->debate_statements(app.store, &a, id, &stmts,
						&n) == ERR_OK);
	for (i = 0; i < n; i++)
		if (stmts[i].round == ROUND_OPENING &&
		    stmts[i].speaker_id == sps[0].id)
			CHECK(stmts[i].minds == 1);

	/* Featured by an editor: only a comment of this debate. */
	CHECK(app.store->ops->debate_feature(app.store, id, c2, true) ==
	      ERR_OK);
	CHECK(app.store->ops->debate_feature(app.store, id, 424242, true) ==
	      ERR_NOTFOUND);
	CHECK(app.store->ops->debate_featured(app.store, &a, d.article_id, 5,
					      &cs, &n) == ERR_OK);
	CHECK(n == 1 && cs[0].id == c2 && cs[0].featured);
	CHECK(app.store->ops->debate_feature(app.store, id, c2, false) ==
	      ERR_OK);
	CHECK(app.store->ops->debate_featured(app.store, &a, d.article_id, 5,
					      &cs, &n) == ERR_OK &&
	      n == 0);

	/* Lists and the front page's key. */
	CHECK(app.store->ops->debate_list(app.store, &a, false, 10, &list,
					  &n) == ERR_OK &&
	      n == 1);
	CHECK(list[0].intro_md[0] == '\0' && list[0].comment_count == 4);
	/* Opened by hand, voting_closes cleared: the opening is all that is
	 * left. */
	CHECK(app.store->ops->debate_home_epoch(app.store, 1893456000, epoch) ==
	      ERR_OK);
	CHECK(epoch[0] == 1 && epoch[2] == 0 && epoch[3] == 1893520800);
	CHECK(app.store->ops->debate_home_epoch(app.store, 1893456000 + 86400,
						epoch) == ERR_OK);
	CHECK(epoch[0] == 1 && epoch[2] == 1 && epoch[3] == 0);
	CHECK(app.store->ops->debate_set_status(app.store, id, DEBATE_DRAFT,
						-1) == ERR_OK);
	CHECK(app.store->ops->debate_list(app.store, &a, false, 10, &list,
					  &n) == ERR_OK &&
	      n == 0);
	CHECK(app.store->ops->debate_list(app.store, &a, true, 10, &list, &n) ==
		  ERR_OK &&
	      n == 1);

	arena_clear(&a);
	page_cache_free(app.cache);
	store_close(app.store);
	config_clear(&app.cfg);
}

/*
 * The voter id is keyed per debate: one reader is two unrelated voters in
 * two debates, so votes cannot be linked across debates.
 */
static void
test_voter_hash(void)
{
	static struct app app;
	char one[33], again[33], other[33], someone[33];

	memset(&app, 0, sizeof(app));
	randombytes_buf(app.secret, sizeof(app.secret));
	debate_voter_hash(&app, 1, "reader-cookie", one);
	debate_voter_hash(&app, 1, "reader-cookie", again);
	debate_voter_hash(&app, 2, "reader-cookie", other);
	debate_voter_hash(&app, 1, "another-reader", someone);
	CHECK(strlen(one) == 32);
	CHECK_STR(one, again);
	CHECK(strcmp(one, other) != 0);
	CHECK(strcmp(one, someone) != 0);
	/* Ids and readers that print alike joined stay apart. */
	debate_voter_hash(&app, 1, "2x", one);
	debate_voter_hash(&app, 12, "x", other);
	CHECK(strcmp(one, other) != 0);
	/* Keyed by the site secret, too. */
	debate_voter_hash(&app, 1, "reader-cookie", one);
	app.secret[0] ^= 1;
	debate_voter_hash(&app, 1, "reader-cookie", other);
	CHECK(strcmp(one, other) != 0);
}

/* The store's part on a fresh database of the backend being tested. */
static void
test_store_each(void)
{
	char dir[512], path[600];

	CHECK(test_scratch_dir(dir, sizeof(dir), "debate") != NULL);
	CHECK(fixture_db_path(dir, "t", path, sizeof(path)));
	test_store(path);
	fixture_remove_dir(dir);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_result();
	test_clock();
	test_parse();
	test_history();
	test_charts();
	test_voter_hash();
	fixture_each_backend(test_store_each);
	TEST_DONE();
}
