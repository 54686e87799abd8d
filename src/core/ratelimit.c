#include "core/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WAYS 8 /* slots probed for one key */

struct slot {
	uint64_t hash; /* 0: empty */
	double tokens;
	double updated;
};

struct ratelimit {
	pthread_mutex_t lock;
	const char *name; /* in the shared table; NULL: not shared */
	double burst, rate;
	size_t nslots;
	unsigned char key[crypto_shorthash_KEYBYTES];
	struct slot slots[];
};

static const struct ratelimit_shared *shared;

void
ratelimit_set_shared(const struct ratelimit_shared *sh)
{
	shared = sh;
}

struct ratelimit *
ratelimit_new(const char *name, double burst, double rate, size_t slots)
{
	struct ratelimit *rl;

	if (slots < WAYS)
		slots = WAYS;
	rl = calloc(1, sizeof(*rl) + slots * sizeof(struct slot));
	if (rl == NULL)
		return NULL;
	pthread_mutex_init(&rl->lock, NULL);
	rl->name = name;
	rl->burst = burst;
	rl->rate = rate;
	rl->nslots = slots;
	/* A keyed hash: nobody can aim many keys at one set of slots. */
	crypto_shorthash_keygen(rl->key);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

static uint64_t
key_hash(const struct ratelimit *rl, const char *key)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, (const unsigned char *)key, strlen(key), rl->key);
	memcpy(&v, h, sizeof(v));
	return v ? v : 1;
}

/* The slot of key: its own, an empty one, or the one idle longest. */
static struct slot *
find(struct ratelimit *rl, uint64_t h, double now)
{
	size_t start = (size_t)(h % rl->nslots), i;
	struct slot *oldest = NULL, *s;

	for (i = 0; i < WAYS; i++) {
		s = &rl->slots[(start + i) % rl->nslots];
		if (s->hash == h)
			return s;
		if (oldest == NULL || s->hash == 0 ||
		    (oldest->hash != 0 && s->updated < oldest->updated))
			oldest = s;
	}
	oldest->hash = h;
	oldest->tokens = rl->burst;
	oldest->updated = now;
	return oldest;
}

bool
ratelimit_take(struct ratelimit *rl, const char *key, double now,
	       int *retry_after)
{
	uint64_t h = key_hash(rl, key);
	struct slot *s;
	bool ok;

	pthread_mutex_lock(&rl->lock);
	s = find(rl, h, now);
	if (now > s->updated) {
		s->tokens += (now - s->updated) * rl->rate;
		if (s->tokens > rl->burst)
			s->tokens = rl->burst;
	}
	s->updated = now;
	ok = s->tokens >= 1.0;
	if (ok)
		s->tokens -= 1.0;
	else if (retry_after)
		*retry_after = rl->rate > 0
				   ? (int)ceil((1.0 - s->tokens) / rl->rate)
				   : 3600;
	pthread_mutex_unlock(&rl->lock);
	if (ok && rl->name && shared) {
		int wait = 0;

		/* Unanswered, this process's own bucket decides alone. */
		if (shared->take(shared->arg, rl->name, key, rl->burst,
				 rl->rate, now, &wait) == 0) {
			ok = false;
			if (retry_after)
				*retry_after = wait;
		}
	}
	if (!ok && retry_after && *retry_after < 1)
		*retry_after = 1;
	return ok;
}

void
ratelimit_reset(struct ratelimit *rl, const char *key)
{
	uint64_t h = key_hash(rl, key);
	size_t start = (size_t)(h % rl->nslots), i;

	pthread_mutex_lock(&rl->lock);
	for (i = 0; i < WAYS; i++) {
		struct slot *s = &rl->slots[(start + i) % rl->nslots];

		if (s->hash == h)
			s->tokens = rl->burst;
	}
	pthread_mutex_unlock(&rl->lock);
	if (rl->name && shared)
		shared->reset(shared->arg, rl->name, key);
}

size_t
ratelimit_used(struct ratelimit *rl)
{
	size_t i, n = 0;

	pthread_mutex_lock(&rl->lock);
	for (i = 0; i < rl->nslots; i++)
		n += rl->slots[i].hash != 0;
	pthread_mutex_unlock(&rl->lock);
	return n;
}
