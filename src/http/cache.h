/*
 * cache: rendered pages kept in memory, invalidated exactly on writes.
 *
 * A page is cached under its canonical key (path plus the page number)
 * with a tag: the article it shows, or 0 for lists of articles.  A write
 * to an article drops that article's pages and every list page.  A render
 * that began before a write may not store its (stale) result: callers
 * take page_cache_seq() before reading the store and pass it to put.
 */
#ifndef PARLEY_CACHE_H
#define PARLEY_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct page_cache;

struct page_entry {
	char *key;
	int64_t tag;
	char *data;
	size_t len;
	size_t hole; /* where each reader's tokens go */
	/* The rest is the cache's own. */
	int refs;
	struct page_entry *hnext;	  /* bucket chain */
	struct page_entry *tprev, *tnext; /* chain of a tag bucket */
	struct page_entry *prev, *next;	  /* LRU, most recent first */
};

/* max_bytes 0 turns caching off (get always misses, put does nothing). */
struct page_cache *page_cache_new(size_t max_bytes);
void page_cache_free(struct page_cache *c);

uint64_t page_cache_seq(struct page_cache *c);

/* The page under key with a reference taken, or NULL. */
struct page_entry *page_cache_get(struct page_cache *c, const char *key);
void page_cache_release(struct page_cache *c, struct page_entry *e);

/*
 * Stores a copy of data and returns it with a reference taken, or NULL
 * when nothing was stored (caching off, out of memory, or a write since
 * seq).
 */
struct page_entry *page_cache_put(struct page_cache *c, const char *key,
				  int64_t tag, uint64_t seq, const char *data,
				  size_t len, size_t hole);

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
