/*
 * cache: rendered pages kept in memory, invalidated exactly on writes.
 *
 * A page is cached under its canonical key (path plus the page number)
 * with a tag: the article it shows, or 0 for lists of articles.  A write
 * to an article drops that article's pages and every list page.  A render
 * that began before a write may not store its (stale) result: callers
 * take page_cache_seq() before reading the store and pass it to put.
 *
 * A page is kept once, with a list of holes: the places where each
 * reader's own parts (form tokens, a debate reader's vote panel) go.  The
 * cache knows only where they are and what kind each is; the web layer
 * fills them per response and sends the pieces without copying the page.
 *
 * Memory is counted as it is held: the entry, its key, its hole list and
 * its bytes, in one allocation whose real size the allocator reports,
 * plus the allocator's own header.  The cap bounds that sum.
 */
#ifndef PARLEY_CACHE_H
#define PARLEY_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct page_cache;

/* The most holes one page may have: what a response's pieces allow. */
#define PAGE_HOLES_MAX 16

/* A place in a page where a reader's own part goes; the web layer names
 * the kinds. */
struct page_hole {
	size_t at;
	int kind;
};

struct page_entry {
	const char *key;
	int64_t tag;
	/*
	 * What the page was made from, as its maker counts it (a debate's
	 * version), and the time it goes stale (0: never); see
	 * page_cache_get_fresh().
	 */
	uint64_t stamp;
	int64_t expires;
	const char *data;
	size_t len;
	const struct page_hole *holes; /* in page order */
	size_t nholes;
	/* The rest is the cache's own. */
	size_t bytes; /* what this entry holds, counted against the cap */
	int refs;
	struct page_entry *hnext;	  /* bucket chain */
	struct page_entry *tprev, *tnext; /* chain of a tag bucket */
	struct page_entry *prev, *next;	  /* LRU, most recent first */
};

/* What to keep: a page, its holes (in page order), and when it holds. */
struct page_item {
	const char *key;
	int64_t tag;
	uint64_t stamp;
	int64_t expires; /* 0: until a write drops it */
	const char *data;
	size_t len;
	const struct page_hole *holes;
	size_t nholes;
};

/*
 * What the cache holds now, as counted against its cap; and live, the
 * entries not yet freed: those in the table and those dropped from it
 * that a response still holds, so a reference never given back shows.
 */
struct page_cache_stats {
	size_t entries, bytes, max_bytes, live;
};

/* max_bytes 0 turns caching off (get always misses, put does nothing). */
struct page_cache *page_cache_new(size_t max_bytes);
void page_cache_free(struct page_cache *c);

uint64_t page_cache_seq(struct page_cache *c);

/* The page under key with a reference taken, or NULL. */
struct page_entry *page_cache_get(struct page_cache *c, const char *key);
/*
 * The page under key when it was made from stamp and has not expired at
 * now; a page that no longer holds is dropped, and NULL returned.
 */
struct page_entry *page_cache_get_fresh(struct page_cache *c, const char *key,
					uint64_t stamp, int64_t now);
void page_cache_release(struct page_cache *c, struct page_entry *e);

/*
 * Stores a copy of the item and returns it with a reference taken, or
 * NULL when nothing was stored (caching off, out of memory, too large for
 * a quarter of the cap, more than PAGE_HOLES_MAX holes, or a write since
 * seq).  Older pages are evicted,
 * least recently used first, until the new one fits under the cap.
 */
struct page_entry *page_cache_put(struct page_cache *c, uint64_t seq,
				  const struct page_item *it);

/* The bytes an entry of item it would be counted for (tests, estimates). */
size_t page_cache_entry_bytes(const struct page_item *it);

void page_cache_stats(struct page_cache *c, struct page_cache_stats *out);

/*
 * Drops every page tagged tag, and every list page (tag 0).  Pages are
 * found through an index by tag: the cost is the pages that share the
 * tag's bucket, not every page in the cache.
 */
void page_cache_invalidate(struct page_cache *c, int64_t tag);

/*
 * The cache's subscription to the change stream (core/change.h), cache
 * passed as void *: an article's tag drops its pages and the list pages,
 * the front page's drops the list pages.  Debates' and users' tags drop
 * nothing themselves: a page shows them through an article (a debate's
 * discussion row, the articles a user commented on), which the writer
 * names in the same event.
 */
struct change_event;
void page_cache_on_change(void *cache, const struct change_event *ev);

/* Drops every page; takes the cache as void * to serve as a store hook. */
void page_cache_flush(void *cache);

#endif
