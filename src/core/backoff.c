#include "core/backoff.h"

#include <math.h>
#include <stdbool.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WAYS	8    /* slots probed for one key */
#define FORGET	3600 /* seconds without a failure that wipe the count */
#define MAX_EXP 30   /* 2^30 s: past any cap, and no overflow */

struct slot {
	uint64_t hash; /* 0: empty */
	int failures;
	double last; /* time of the latest failure */
};

struct backoff {
	pthread_mutex_t lock;
	int free_failures, cap;
	size_t nslots;
	unsigned char key[crypto_shorthash_KEYBYTES];
	struct slot slots[];
};

struct backoff *
backoff_new(int free_failures, int cap, size_t slots)
{
	struct backoff *b;

	if (slots < WAYS)
		slots = WAYS;
	b = calloc(1, sizeof(*b) + slots * sizeof(struct slot));
	if (b == NULL)
		return NULL;
	pthread_mutex_init(&b->lock, NULL);
	b->free_failures = free_failures;
	b->cap = cap;
	b->nslots = slots;
	/* A keyed hash: nobody can aim many keys at one set of slots. */
	crypto_shorthash_keygen(b->key);
	return b;
}

void
backoff_free(struct backoff *b)
{
	if (b == NULL)
		return;
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static uint64_t
key_hash(const struct backoff *b, const char *key)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, (const unsigned char *)key, strlen(key), b->key);
	memcpy(&v, h, sizeof(v));
	return v ? v : 1;
}

/* The slot of key, or NULL; with make, an empty one or the stalest. */
static struct slot *
find(struct backoff *b, uint64_t h, bool make)
{
	size_t start = (size_t)(h % b->nslots), i;
	struct slot *stalest = NULL, *s;

	for (i = 0; i < WAYS; i++) {
		s = &b->slots[(start + i) % b->nslots];
		if (s->hash == h)
			return s;
		if (stalest == NULL || s->hash == 0 ||
		    (stalest->hash != 0 && s->last < stalest->last))
			stalest = s;
	}
	if (!make)
		return NULL;
	stalest->hash = h;
	stalest->failures = 0;
	stalest->last = 0;
	return stalest;
}

/* The wait a slot's count asks for after its latest failure. */
static double
wait_after(const struct backoff *b, int failures)
{
	int over = failures - b->free_failures;

	if (over < 0)
		return 0;
	if (over >= MAX_EXP)
		over = MAX_EXP - 1;
	return fmin(ldexp(1.0, over + 1), (double)b->cap);
}

int
backoff_wait(struct backoff *b, const char *key, double now)
{
	uint64_t h = key_hash(b, key);
	struct slot *s;
	double left = 0;

	pthread_mutex_lock(&b->lock);
	s = find(b, h, false);
	if (s && now - s->last < FORGET)
		left = s->last + wait_after(b, s->failures) - now;
	pthread_mutex_unlock(&b->lock);
	return left > 0 ? (int)ceil(left) : 0;
}

void
backoff_fail(struct backoff *b, const char *key, double now)
{
	uint64_t h = key_hash(b, key);
	struct slot *s;

	pthread_mutex_lock(&b->lock);
	s = find(b, h, true);
	if (now - s->last >= FORGET)
		s->failures = 0;
	if (s->failures < MAX_EXP + b->free_failures)
		s->failures++;
	s->last = now;
	pthread_mutex_unlock(&b->lock);
}

void
backoff_clear(struct backoff *b, const char *key)
{
	uint64_t h = key_hash(b, key);
	struct slot *s;

	pthread_mutex_lock(&b->lock);
	s = find(b, h, false);
	if (s)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&b->lock);
}
