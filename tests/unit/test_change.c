/*
 * The change stream (core/change.c) and the page cache's subscription to
 * it (http/cache.c): events arrive in order at every subscriber, and a
 * write drops exactly the cached pages tagged with what it changed.
 */
#include <stdint.h>

#include "core/change.h"
#include "http/cache.h"
#include "test.h"

/* What one subscriber heard. */
struct heard {
	uint64_t seq[8];
	int64_t first_id[8];
	size_t ntags[8];
	size_t n;
};

static void
listen(void *arg, const struct change_event *ev)
{
	struct heard *h = arg;

	if (h->n < 8) {
		h->seq[h->n] = ev->seq;
		h->first_id[h->n] = ev->tags[0].id;
		h->ntags[h->n] = ev->ntags;
	}
	h->n++;
}

/* True when the page under key is still cached. */
static bool
cached(struct page_cache *c, const char *key)
{
	struct page_entry *e = page_cache_get(c, key);

	if (e == NULL)
		return false;
	page_cache_release(c, e);
	return true;
}

/* Caches a small page under key with tag; false when it was not stored. */
static bool
store_page(struct page_cache *c, const char *key, int64_t tag)
{
	struct page_item it = {key, tag, 0, 0, "<p>page</p>", 11, NULL, 0};
	struct page_entry *e = page_cache_put(c, page_cache_seq(c), &it);

	if (e == NULL)
		return false;
	page_cache_release(c, e);
	return true;
}

/* Caches a page that must be stored. */
static void
put(struct page_cache *c, const char *key, int64_t tag)
{
	CHECK(store_page(c, key, tag));
}

static void
test_stream(void)
{
	struct change_bus *bus = change_bus_new();
	struct heard one = {.n = 0}, two = {.n = 0};
	struct change_tag tags[] = {{CHANGE_USER, 7}, {CHANGE_ARTICLE, 3}};
	size_t i;

	CHECK(bus != NULL);
	if (bus == NULL)
		return;
	/* Nothing wired: publishing is a no-op, not a crash. */
	CHECK(change_publish_one(NULL, CHANGE_ARTICLE, 1) == 0);
	CHECK(change_publish(bus, tags, 0) == 0);

	CHECK(change_subscribe(bus, listen, &one));
	CHECK(change_subscribe(bus, listen, &two));
	CHECK(change_publish_one(bus, CHANGE_ARTICLE, 12) == 1);
	CHECK(change_publish(bus, tags, 2) == 2);
	CHECK(change_publish_one(bus, CHANGE_FRONT, 0) == 3);

	/* Every subscriber hears every event, in the order of its number. */
	CHECK(one.n == 3 && two.n == 3);
	CHECK(one.seq[0] == 1 && one.seq[1] == 2 && one.seq[2] == 3);
	CHECK(two.seq[0] == 1 && two.seq[1] == 2 && two.seq[2] == 3);
	CHECK(one.first_id[0] == 12 && one.ntags[1] == 2 &&
	      one.first_id[1] == 7);

	/* The table of subscribers is bounded: parts of the program only. */
	for (i = 2; i < CHANGE_SUBSCRIBERS_MAX; i++)
		CHECK(change_subscribe(bus, listen, &two));
	CHECK(!change_subscribe(bus, listen, &two));
	change_bus_free(bus);
	change_bus_free(NULL);
}

static void
test_cache_subscribes(void)
{
	struct change_bus *bus = change_bus_new();
	struct page_cache *c = page_cache_new(1 << 20);
	struct change_tag rename[] = {
	    {CHANGE_USER, 7}, {CHANGE_ARTICLE, 2}, {CHANGE_ARTICLE, 3}};

	CHECK(bus != NULL && c != NULL);
	if (bus == NULL || c == NULL)
		goto done;
	CHECK(change_subscribe(bus, page_cache_on_change, c));
	put(c, "/articles/one", 1);
	put(c, "/articles/two", 2);
	put(c, "/articles/three", 3);
	put(c, "/", 0);

	/* A comment on article 1: its page and the list go, nothing else. */
	change_publish_one(bus, CHANGE_ARTICLE, 1);
	CHECK(!cached(c, "/articles/one"));
	CHECK(!cached(c, "/"));
	CHECK(cached(c, "/articles/two"));
	CHECK(cached(c, "/articles/three"));

	/* A user or a debate alone tags no page. */
	put(c, "/", 0);
	change_publish_one(bus, CHANGE_USER, 7);
	change_publish_one(bus, CHANGE_DEBATE, 2);
	CHECK(cached(c, "/") && cached(c, "/articles/two") &&
	      cached(c, "/articles/three"));

	/* The front page's tag drops the lists only. */
	change_publish_one(bus, CHANGE_FRONT, 0);
	CHECK(!cached(c, "/"));
	CHECK(cached(c, "/articles/two") && cached(c, "/articles/three"));

	/* One event naming several articles drops each of them. */
	put(c, "/articles/one", 1);
	change_publish(bus, rename, 3);
	CHECK(!cached(c, "/articles/two") && !cached(c, "/articles/three"));
	CHECK(cached(c, "/articles/one"));
done:
	page_cache_free(c);
	change_bus_free(bus);
}

/*
 * More tags than the index has buckets, so tags share buckets: a write
 * still drops only its own tag's pages (and the lists), then pages come
 * and go by eviction and replacement without breaking the index.
 */
static void
test_cache_index_exact(void)
{
	struct page_cache *c = page_cache_new(64 << 20);
	char key[32];
	int64_t t;
	int kept = 0, stored = 0;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	for (t = 1; t <= 3000; t++) {
		snprintf(key, sizeof(key), "/articles/%lld", (long long)t);
		stored += store_page(c, key, t);
	}
	CHECK(stored == 3000);
	put(c, "/", 0);
	page_cache_invalidate(c, 1500);
	for (t = 1; t <= 3000; t++) {
		snprintf(key, sizeof(key), "/articles/%lld", (long long)t);
		kept += cached(c, key);
	}
	CHECK(kept == 2999);
	CHECK(!cached(c, "/articles/1500") && !cached(c, "/"));

	/* The same key put again under another tag moves to that tag. */
	put(c, "/articles/7", 9);
	page_cache_invalidate(c, 7);
	CHECK(cached(c, "/articles/7"));
	page_cache_invalidate(c, 9);
	CHECK(!cached(c, "/articles/9") && !cached(c, "/articles/7"));
	page_cache_free(c);

	/* A cache that holds few pages evicts; the index forgets them too. */
	{
		struct page_item it = {"/articles/50", 0,  0,	 0,
				       "<p>page</p>",  11, NULL, 0};

		c = page_cache_new(4 * page_cache_entry_bytes(&it));
	}
	CHECK(c != NULL);
	if (c == NULL)
		return;
	for (t = 1; t <= 50; t++) {
		snprintf(key, sizeof(key), "/articles/%lld", (long long)t);
		stored += store_page(c, key, t % 3);
		if (t % 5 == 0)
			page_cache_invalidate(c, t % 3);
	}
	CHECK(stored == 3050);
	page_cache_invalidate(c, 1);
	page_cache_invalidate(c, 2);
	CHECK(!cached(c, "/articles/49") && !cached(c, "/articles/50"));
	page_cache_free(c);
}

int
main(void)
{
	test_stream();
	test_cache_subscribes();
	test_cache_index_exact();
	TEST_DONE();
}
