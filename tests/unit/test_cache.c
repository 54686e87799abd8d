/*
 * The page cache (http/cache.c) and the one hole cutter (web/page.c): a
 * page kept once with several holes, memory counted as it is held and
 * kept under the cap, eviction least recently used first, exact
 * invalidation by tag, freshness by stamp and expiry, and a mark found
 * twice refusing the hole and the caching.
 */
#include <stdint.h>

#include "http/cache.h"
#include "test.h"
#include "web/web.h"

static struct page_item
item(const char *key, int64_t tag, const char *data)
{
	struct page_item it = {key, tag, 0, 0, data, strlen(data), NULL, 0};

	return it;
}

/* Stores it; true when it was kept. */
static bool
keep(struct page_cache *c, const struct page_item *it)
{
	struct page_entry *e = page_cache_put(c, page_cache_seq(c), it);

	page_cache_release(c, e);
	return e != NULL;
}

static bool
cached(struct page_cache *c, const char *key)
{
	struct page_entry *e = page_cache_get(c, key);

	page_cache_release(c, e);
	return e != NULL;
}

static void
test_basics(void)
{
	struct page_cache *c = page_cache_new(1 << 20);
	struct page_item it = item("article:a:1", 7, "<p>A</p>");
	struct page_entry *e;
	uint64_t seq = page_cache_seq(c);

	e = page_cache_put(c, seq, &it);
	CHECK(e != NULL && e->len == 8 && e->tag == 7);
	page_cache_release(c, e);
	e = page_cache_get(c, "article:a:1");
	CHECK(e != NULL && e->len == 8 && memcmp(e->data, "<p>A</p>", 8) == 0);
	page_cache_release(c, e);
	it = item("home:1", 0, "home");
	CHECK(keep(c, &it));
	/* A write to another article drops list pages but keeps this one. */
	page_cache_invalidate(c, 8);
	CHECK(!cached(c, "home:1"));
	e = page_cache_get(c, "article:a:1");
	CHECK(e != NULL);
	/* A write to it drops it; a reader holding it keeps its copy. */
	page_cache_invalidate(c, 7);
	CHECK(!cached(c, "article:a:1"));
	CHECK(e && e->len == 8 && memcmp(e->data, "<p>A</p>", 8) == 0);
	page_cache_release(c, e);
	/* A render that began before a write may not be stored. */
	it = item("article:a:1", 7, "stale");
	CHECK(page_cache_put(c, seq, &it) == NULL);
	CHECK(!cached(c, "article:a:1"));
	page_cache_free(c);

	/* Size 0: off. */
	c = page_cache_new(0);
	it = item("k", 1, "x");
	CHECK(!keep(c, &it));
	CHECK(!cached(c, "k"));
	page_cache_free(c);
}

/* A page kept once with its holes, in page order, of their kinds. */
static void
test_holes(void)
{
	struct page_cache *c = page_cache_new(1 << 20);
	const struct page_hole holes[3] = {
	    {2, PAGE_HOLE_VOTE}, {5, PAGE_HOLE_RESULTS}, {9, PAGE_HOLE_FORM}};
	struct page_item it = {"debate:x", 4, 0, 0, "0123456789", 10, holes, 3};
	struct page_hole many[PAGE_HOLES_MAX + 1];
	struct page_entry *e;
	size_t i;

	CHECK(keep(c, &it));
	e = page_cache_get(c, "debate:x");
	CHECK(e != NULL && e->nholes == 3);
	for (i = 0; e && i < 3; i++)
		CHECK(e->holes[i].at == holes[i].at &&
		      e->holes[i].kind == holes[i].kind);
	/* The entry holds its own copy of the list. */
	CHECK(e && e->holes != holes);
	page_cache_release(c, e);
	/* More holes than a response has pieces for: not kept. */
	for (i = 0; i <= PAGE_HOLES_MAX; i++)
		many[i] = (struct page_hole){i, PAGE_HOLE_FORM};
	it.key = "many";
	it.holes = many;
	it.nholes = PAGE_HOLES_MAX + 1;
	CHECK(!keep(c, &it));
	page_cache_free(c);
}

/* The one cutter: marks out, holes in page order; a mark twice refused. */
static void
test_cut(void)
{
	char page[256];
	struct page_hole holes[PAGE_HOLE__MAX];
	size_t len, n;

	snprintf(page, sizeof(page), "<a>%s<b>%s<c>%s<d>%s<e>",
		 PAGE_HOLE_VOTE_MARK, PAGE_HOLE_RESULTS_MARK,
		 PAGE_HOLE_INTEGRITY_MARK, PAGE_HOLE);
	len = strlen(page);
	CHECK(page_cut_holes(page, &len, holes, &n));
	CHECK(len == 15 && memcmp(page, "<a><b><c><d><e>", 15) == 0);
	CHECK(n == 4);
	CHECK(n == 4 && holes[0].at == 3 && holes[0].kind == PAGE_HOLE_VOTE &&
	      holes[1].at == 6 && holes[1].kind == PAGE_HOLE_RESULTS &&
	      holes[2].at == 9 && holes[2].kind == PAGE_HOLE_INTEGRITY &&
	      holes[3].at == 12 && holes[3].kind == PAGE_HOLE_FORM);

	/* The form's mark twice: no form hole at all, and not cacheable. */
	snprintf(page, sizeof(page), "x%sy%sz%s", PAGE_HOLE,
		 PAGE_HOLE_VOTE_MARK, PAGE_HOLE);
	len = strlen(page);
	CHECK(!page_cut_holes(page, &len, holes, &n));
	CHECK(len == 3 && memcmp(page, "xyz", 3) == 0);
	CHECK(n == 1 && holes[0].at == 2 && holes[0].kind == PAGE_HOLE_VOTE);

	/* A lead that is no mark of ours stays as it was. */
	snprintf(page, sizeof(page), "a\x01parley-zz\x01%sb", PAGE_HOLE);
	len = strlen(page);
	CHECK(page_cut_holes(page, &len, holes, &n));
	CHECK(n == 1 && holes[0].at == 12 && len == 13 &&
	      memcmp(page,
		     "a\x01parley-zz\x01"
		     "b",
		     13) == 0);

	/* No marks: nothing moves. */
	strcpy(page, "plain");
	len = 5;
	CHECK(page_cut_holes(page, &len, holes, &n) && n == 0 && len == 5);
}

/* What the cache counts is what it holds: entry, key, holes and bytes. */
static void
test_accounting(void)
{
	struct page_cache *c = page_cache_new(1 << 20);
	const struct page_hole holes[2] = {{1, PAGE_HOLE_VOTE},
					   {3, PAGE_HOLE_FORM}};
	struct page_item it = {
	    "a-rather-long-key-for-one-page", 1, 0, 0, "abcdef", 6, holes, 2};
	struct page_cache_stats st;
	struct page_entry *e;
	size_t sum = 0;
	char key[32];
	int i;

	e = page_cache_put(c, page_cache_seq(c), &it);
	CHECK(e != NULL);
	if (e == NULL)
		return;
	/* Every part of the entry, not only the page's bytes. */
	CHECK(e->bytes >= sizeof(struct page_entry) + 2 * sizeof(holes[0]) +
			      strlen(it.key) + 1 + it.len + sizeof(size_t));
	CHECK(e->bytes == page_cache_entry_bytes(&it));
	sum = e->bytes;
	page_cache_release(c, e);
	for (i = 0; i < 10; i++) {
		struct page_item small = item(key, 2, "x");

		snprintf(key, sizeof(key), "k%d", i);
		e = page_cache_put(c, page_cache_seq(c), &small);
		CHECK(e != NULL);
		sum += e ? e->bytes : 0;
		page_cache_release(c, e);
	}
	page_cache_stats(c, &st);
	CHECK(st.entries == 11 && st.bytes == sum && st.max_bytes == 1 << 20);
	/* Replacing a page counts the new one only. */
	CHECK(keep(c, &it));
	page_cache_stats(c, &st);
	CHECK(st.entries == 11 && st.bytes == sum);
	/* Dropping gives the bytes back. */
	page_cache_invalidate(c, 2);
	page_cache_stats(c, &st);
	CHECK(st.entries == 1 && st.bytes == page_cache_entry_bytes(&it));
	page_cache_invalidate(c, 1);
	page_cache_stats(c, &st);
	CHECK(st.entries == 0 && st.bytes == 0);
	page_cache_free(c);
}

/* Many small pages under a small cap: the cap holds, the oldest go. */
static void
test_eviction(void)
{
	struct page_item probe = item("p0000", 1, "<p>a small page</p>");
	size_t one = page_cache_entry_bytes(&probe);
	struct page_cache *c = page_cache_new(20 * one);
	struct page_cache_stats st;
	char key[32];
	int i, found = 0;

	for (i = 0; i < 1000; i++) {
		struct page_item it = item(key, i % 7, "<p>a small page</p>");

		snprintf(key, sizeof(key), "p%04d", i);
		CHECK(keep(c, &it));
		page_cache_stats(c, &st);
		if (st.bytes > st.max_bytes)
			break;
		/* The first page, read often, stays the most recent. */
		CHECK(cached(c, "p0000"));
	}
	page_cache_stats(c, &st);
	CHECK(st.bytes <= st.max_bytes);
	CHECK(st.entries >= 15 && st.entries <= 20);
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "p%04d", i);
		found += cached(c, key);
	}
	CHECK((size_t)found == st.entries);
	CHECK(cached(c, "p0999") && cached(c, "p0000") && !cached(c, "p0500"));
	/* A page over a quarter of the cap is not kept at all. */
	{
		static char big[8192];
		struct page_item it = {"big", 1,	   0,	 0,
				       big,   sizeof(big), NULL, 0};

		memset(big, 'b', sizeof(big));
		CHECK(20 * one < 4 * sizeof(big) && !keep(c, &it));
	}
	page_cache_free(c);
}

/* A write drops exactly the pages of its tag (and the list pages). */
static void
test_exact(void)
{
	struct page_cache *c = page_cache_new(1 << 20);
	struct page_item a1 = item("/articles/a", 11, "a"),
			 a2 = item("/articles/a?cpage=2", 11, "a2"),
			 b = item("/articles/b", 12, "b"),
			 d = item("debate:d", 13, "d"),
			 home = item("/", 0, "h");
	struct page_cache_stats st;

	CHECK(keep(c, &a1) && keep(c, &a2) && keep(c, &b) && keep(c, &d) &&
	      keep(c, &home));
	page_cache_invalidate(c, 11);
	CHECK(!cached(c, "/articles/a") && !cached(c, "/articles/a?cpage=2") &&
	      !cached(c, "/"));
	CHECK(cached(c, "/articles/b") && cached(c, "debate:d"));
	page_cache_stats(c, &st);
	CHECK(st.entries == 2);
	page_cache_free(c);
}

/* A page made from another stamp, or past its expiry, is dropped. */
static void
test_fresh(void)
{
	struct page_cache *c = page_cache_new(1 << 20);
	struct page_item it = {"debate:s", 3, 41, 1000, "v41", 3, NULL, 0};
	struct page_cache_stats st;
	struct page_entry *e;

	CHECK(keep(c, &it));
	e = page_cache_get_fresh(c, "debate:s", 41, 999);
	CHECK(e != NULL);
	page_cache_release(c, e);
	/* Expired at 1000. */
	CHECK(page_cache_get_fresh(c, "debate:s", 41, 1000) == NULL);
	page_cache_stats(c, &st);
	CHECK(st.entries == 0);
	/* Made from version 41; the debate is at 42 now. */
	CHECK(keep(c, &it));
	CHECK(page_cache_get_fresh(c, "debate:s", 42, 10) == NULL);
	CHECK(!cached(c, "debate:s"));
	/* No expiry: fresh at any time. */
	it.expires = 0;
	CHECK(keep(c, &it));
	e = page_cache_get_fresh(c, "debate:s", 41, INT64_MAX);
	CHECK(e != NULL);
	page_cache_release(c, e);
	page_cache_free(c);
}

/* Entries dropped while a response holds them stay live until released. */
static void
test_live(void)
{
	struct page_cache *c = page_cache_new(1 << 20);
	struct page_item it = item("held", 3, "page");
	struct page_cache_stats st;
	struct page_entry *e = page_cache_put(c, page_cache_seq(c), &it);

	CHECK(e != NULL);
	page_cache_stats(c, &st);
	CHECK(st.entries == 1 && st.live == 1);
	page_cache_invalidate(c, 3);
	page_cache_stats(c, &st);
	CHECK(st.entries == 0 && st.bytes == 0 && st.live == 1);
	page_cache_release(c, e);
	page_cache_stats(c, &st);
	CHECK(st.live == 0);
	/* One in the table, given back by its reader: live as long as kept. */
	page_cache_release(c, page_cache_put(c, page_cache_seq(c), &it));
	page_cache_stats(c, &st);
	CHECK(st.entries == 1 && st.live == 1);
	page_cache_flush(c);
	page_cache_stats(c, &st);
	CHECK(st.entries == 0 && st.live == 0);
	page_cache_free(c);
}

/* A part of the memo with values put back, or NULL. */
static char *
memo_get(struct part_memo *m, struct arena *a, const char *key, const char *v0,
	 const char *v1, size_t n)
{
	const char *values[2] = {v0, v1};
	size_t len = 0;
	char *got = part_memo_get(m, a, key, values, n, &len);

	CHECK(got == NULL || len == strlen(got));
	return got;
}

static void
memo_put(struct part_memo *m, const char *key, const char *html, const char *v0,
	 const char *v1, size_t n)
{
	const char *values[2] = {v0, v1};

	part_memo_put(m, key, html, strlen(html), values, n);
}

/*
 * Parts of pages kept by key (web/part_memo.c): a copy with this reader's
 * values put back where the first reader's were, in either order; another
 * key, or another number of values, gets nothing; a part where a value is
 * not found, or is found in the key too, or where two values overlap, is
 * not kept.
 */
static void
test_part_memo(void)
{
	struct part_memo *m = part_memo_new();
	struct arena a;
	const char *form = "<input name=\"csrf\" value=\"TOKEN-ONE\">"
			   "<input name=\"key\" value=\"KEY-1\"><p>rest</p>";

	arena_init(&a);
	CHECK(m != NULL);
	CHECK(memo_get(m, &a, "form:/articles/a", "T", "K", 2) == NULL);
	memo_put(m, "form:/articles/a", form, "TOKEN-ONE", "KEY-1", 2);
	CHECK_STR(
	    memo_get(m, &a, "form:/articles/a", "TOKEN-TWO-LONGER", "K2", 2),
	    "<input name=\"csrf\" value=\"TOKEN-TWO-LONGER\">"
	    "<input name=\"key\" value=\"K2\"><p>rest</p>");
	CHECK(memo_get(m, &a, "form:/articles/b", "T", "K", 2) == NULL);
	CHECK(memo_get(m, &a, "form:/articles/a/", "T", "K", 2) == NULL);
	CHECK(memo_get(m, &a, "form:/articles/a", "T", NULL, 1) == NULL);
	/* The values in the other order in the page. */
	memo_put(m, "form:/debates/d", "<i>KEY-1</i><b>TOKEN-ONE</b>",
		 "TOKEN-ONE", "KEY-1", 2);
	CHECK_STR(memo_get(m, &a, "form:/debates/d", "tok", "key", 2),
		  "<i>key</i><b>tok</b>");
	/* One value. */
	memo_put(m, "vote:1", "<form>TOKEN</form>", "TOKEN", NULL, 1);
	CHECK_STR(memo_get(m, &a, "vote:1", "other", NULL, 1),
		  "<form>other</form>");
	/* A value in several places goes back in each. */
	memo_put(m, "twice", "TOK TOK KEY", "TOK", "KEY", 2);
	CHECK_STR(memo_get(m, &a, "twice", "T", "K", 2), "T T K");
	/* A value found nowhere, or in the key, or overlapping: not kept. */
	memo_put(m, "key TOK", "<p>TOK</p>", "TOK", NULL, 1);
	CHECK(memo_get(m, &a, "key TOK", "T", NULL, 1) == NULL);
	memo_put(m, "none", "TOK", "TOK", "KEY", 2);
	CHECK(memo_get(m, &a, "none", "T", "K", 2) == NULL);
	memo_put(m, "overlap", "xABCDx", "ABC", "BCD", 2);
	CHECK(memo_get(m, &a, "overlap", "T", "K", 2) == NULL);
	/* Keys: each text after its length, so no two lists share one. */
	{
		const char *ab_c[] = {"ab", "c"}, *a_bc[] = {"a", "bc"};
		const long long one[] = {1, -12};
		char *k1 = part_memo_key(&a, ab_c, 2, NULL, 0);
		char *k2 = part_memo_key(&a, a_bc, 2, NULL, 0);

		CHECK(k1 && k2 && strcmp(k1, k2) != 0);
		CHECK_STR(part_memo_key(&a, ab_c, 2, one, 2), "2:ab1:c1:-12:");
	}
	/* Without a table, nothing is kept and nothing found. */
	memo_put(NULL, "form:/articles/a", form, "TOKEN-ONE", "KEY-1", 2);
	CHECK(memo_get(NULL, &a, "form:/articles/a", "T", "K", 2) == NULL);
	part_memo_free(m);
	part_memo_free(NULL);
	arena_clear(&a);
}

int
main(void)
{
	test_basics();
	test_holes();
	test_cut();
	test_accounting();
	test_eviction();
	test_exact();
	test_fresh();
	test_live();
	test_part_memo();
	TEST_DONE();
}
