#include "http/cache.h"

#include "core/change.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#define BUCKETS 4096
/* The index by tag: a write looks only at the pages of its tag's bucket. */
#define TAG_BUCKETS 1024
/*
 * What the allocator keeps beside each block it hands out (glibc: the
 * chunk's size word), counted with every entry.
 */
#define ALLOC_HEADER sizeof(size_t)

struct page_cache {
	pthread_mutex_t lock;
	size_t max_bytes, bytes, entries;
	/* Entries not yet freed: in the table, or dropped but still held. */
	size_t live;
	uint64_t seq;
	struct page_entry *buckets[BUCKETS];
	struct page_entry *head, *tail; /* LRU */
	struct page_entry *tags[TAG_BUCKETS];
};

static size_t
hash_key(const char *s)
{
	size_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h % BUCKETS;
}

/* Fibonacci hashing: consecutive article ids spread over the buckets. */
static size_t
tag_bucket(int64_t tag)
{
	return (size_t)(((uint64_t)tag * 11400714819323198485ULL) >> 54) %
	       TAG_BUCKETS;
}

struct page_cache *
page_cache_new(size_t max_bytes)
{
	struct page_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->max_bytes = max_bytes;
	return c;
}

/* The entry, its holes, key and bytes are one block: one free. */
static void
entry_free(struct page_entry *e)
{
	free(e);
}

/* Takes e out of the table and the LRU; frees it unless still referenced. */
static void
unlink_entry(struct page_cache *c, struct page_entry *e)
{
	struct page_entry **p = &c->buckets[hash_key(e->key)];

	while (*p != e)
		p = &(*p)->hnext;
	*p = e->hnext;
	if (e->tprev)
		e->tprev->tnext = e->tnext;
	else
		c->tags[tag_bucket(e->tag)] = e->tnext;
	if (e->tnext)
		e->tnext->tprev = e->tprev;
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	c->bytes -= e->bytes;
	c->entries--;
	e->prev = e->next = e->hnext = e->tprev = e->tnext = NULL;
	if (--e->refs == 0) { /* the table's own reference */
		c->live--;
		entry_free(e);
	}
}

void
page_cache_free(struct page_cache *c)
{
	if (c == NULL)
		return;
	while (c->head)
		unlink_entry(c, c->head);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

uint64_t
page_cache_seq(struct page_cache *c)
{
	uint64_t s;

	pthread_mutex_lock(&c->lock);
	s = c->seq;
	pthread_mutex_unlock(&c->lock);
	return s;
}

static void
lru_front(struct page_cache *c, struct page_entry *e)
{
	if (c->head == e)
		return;
	if (e->prev)
		e->prev->next = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else if (c->tail == e)
		c->tail = e->prev;
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (c->tail == NULL)
		c->tail = e;
}

/* The entry under key, or NULL; lock held. */
static struct page_entry *
find(struct page_cache *c, const char *key)
{
	struct page_entry *e;

	for (e = c->buckets[hash_key(key)]; e != NULL; e = e->hnext)
		if (strcmp(e->key, key) == 0)
			break;
	return e;
}

struct page_entry *
page_cache_get(struct page_cache *c, const char *key)
{
	struct page_entry *e;

	if (c->max_bytes == 0)
		return NULL;
	pthread_mutex_lock(&c->lock);
	e = find(c, key);
	if (e) {
		e->refs++;
		lru_front(c, e);
	}
	pthread_mutex_unlock(&c->lock);
	return e;
}

struct page_entry *
page_cache_get_fresh(struct page_cache *c, const char *key, uint64_t stamp,
		     int64_t now)
{
	struct page_entry *e;

	if (c->max_bytes == 0)
		return NULL;
	pthread_mutex_lock(&c->lock);
	e = find(c, key);
	if (e && (e->stamp != stamp || (e->expires && now >= e->expires))) {
		/* Made from what has changed since: it will not hold again. */
		unlink_entry(c, e);
		e = NULL;
	}
	if (e) {
		e->refs++;
		lru_front(c, e);
	}
	pthread_mutex_unlock(&c->lock);
	return e;
}

void
page_cache_release(struct page_cache *c, struct page_entry *e)
{
	bool last;

	if (e == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	last = --e->refs == 0;
	if (last)
		c->live--;
	pthread_mutex_unlock(&c->lock);
	if (last)
		entry_free(e);
}

/* The size of the one block that holds an entry of it. */
static size_t
block_size(const struct page_item *it)
{
	return sizeof(struct page_entry) +
	       it->nholes * sizeof(struct page_hole) + strlen(it->key) + 1 +
	       it->len;
}

/*
 * What a block of n bytes really takes: what the allocator hands out
 * (malloc_usable_size() where there is one, else n rounded up to its
 * 16-byte granule) and its header.
 */
static size_t
held_bytes(void *block, size_t n)
{
#if defined(__GLIBC__)
	if (block != NULL)
		return malloc_usable_size(block) + ALLOC_HEADER;
#else
	(void)block;
#endif
	return ((n + ALLOC_HEADER + 15) & ~(size_t)15);
}

size_t
page_cache_entry_bytes(const struct page_item *it)
{
	size_t n = block_size(it);
	void *b = malloc(n);
	size_t held = held_bytes(b, n);

	free(b);
	return held;
}

/* Builds the entry of it in one block; NULL when out of memory. */
static struct page_entry *
entry_new(const struct page_item *it)
{
	size_t n = block_size(it), klen = strlen(it->key) + 1;
	struct page_entry *e = malloc(n);
	struct page_hole *holes;
	char *key, *data;

	if (e == NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	holes = (struct page_hole *)(e + 1);
	key = (char *)(holes + it->nholes);
	data = key + klen;
	if (it->nholes)
		memcpy(holes, it->holes, it->nholes * sizeof(*holes));
	memcpy(key, it->key, klen);
	if (it->len)
		memcpy(data, it->data, it->len);
	e->key = key;
	e->tag = it->tag;
	e->stamp = it->stamp;
	e->expires = it->expires;
	e->data = data;
	e->len = it->len;
	e->holes = holes;
	e->nholes = it->nholes;
	e->bytes = held_bytes(e, n);
	e->refs = 2; /* the table's and the caller's */
	return e;
}

struct page_entry *
page_cache_put(struct page_cache *c, uint64_t seq, const struct page_item *it)
{
	struct page_entry *e, *old;
	size_t b;

	if (c->max_bytes == 0 || it->nholes > PAGE_HOLES_MAX ||
	    block_size(it) > c->max_bytes / 4)
		return NULL;
	if ((e = entry_new(it)) == NULL)
		return NULL;
	if (e->bytes > c->max_bytes / 4) {
		entry_free(e);
		return NULL;
	}
	pthread_mutex_lock(&c->lock);
	if (c->seq != seq) {
		/* A write happened while this page was rendered. */
		pthread_mutex_unlock(&c->lock);
		entry_free(e);
		return NULL;
	}
	if ((old = find(c, e->key)) != NULL)
		unlink_entry(c, old);
	while (c->tail && c->bytes + e->bytes > c->max_bytes)
		unlink_entry(c, c->tail);
	b = hash_key(e->key);
	e->hnext = c->buckets[b];
	c->buckets[b] = e;
	b = tag_bucket(e->tag);
	e->tnext = c->tags[b];
	if (e->tnext)
		e->tnext->tprev = e;
	c->tags[b] = e;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (c->tail == NULL)
		c->tail = e;
	c->bytes += e->bytes;
	c->entries++;
	c->live++;
	pthread_mutex_unlock(&c->lock);
	return e;
}

void
page_cache_stats(struct page_cache *c, struct page_cache_stats *out)
{
	pthread_mutex_lock(&c->lock);
	out->entries = c->entries;
	out->bytes = c->bytes;
	out->max_bytes = c->max_bytes;
	out->live = c->live;
	pthread_mutex_unlock(&c->lock);
}

/* Drops the pages tagged tag, found through the index; lock held. */
static void
drop_tag(struct page_cache *c, int64_t tag)
{
	struct page_entry *e, *next;

	for (e = c->tags[tag_bucket(tag)]; e != NULL; e = next) {
		next = e->tnext;
		if (e->tag == tag)
			unlink_entry(c, e);
	}
}

void
page_cache_invalidate(struct page_cache *c, int64_t tag)
{
	pthread_mutex_lock(&c->lock);
	c->seq++;
	drop_tag(c, tag);
	/* Lists of articles (tag 0) show every article's comment count. */
	if (tag != 0)
		drop_tag(c, 0);
	pthread_mutex_unlock(&c->lock);
}

void
page_cache_flush(void *cache)
{
	struct page_cache *c = cache;

	pthread_mutex_lock(&c->lock);
	c->seq++;
	while (c->head)
		unlink_entry(c, c->head);
	pthread_mutex_unlock(&c->lock);
}

void
page_cache_on_change(void *cache, const struct change_event *ev)
{
	struct page_cache *c = cache;
	size_t i;

	for (i = 0; i < ev->ntags; i++) {
		if (ev->tags[i].kind == CHANGE_ARTICLE)
			page_cache_invalidate(c, ev->tags[i].id);
		else if (ev->tags[i].kind == CHANGE_FRONT)
			page_cache_invalidate(c, 0);
	}
}
