/*
 * part_memo: parts of a page rendered once and copied for each reader,
 * with the reader's own values put back.  A part's view may hold values
 * of a reader's own (a CSRF token, a fresh form key) and otherwise only
 * what many readers share: the comment form of a page as plain readers
 * get it, a debate's vote panel for readers who voted alike.  Rendering
 * such a part is most of what a cached page's answer costs, so the first
 * render is kept under a key that names everything else its view holds,
 * with the values cut out wherever they appear, and later readers get a
 * copy with theirs put in.  A value found in the key is not the reader's
 * alone, and such a part is not kept.  Nothing a write changes may go
 * into a part but through its key, so nothing drops one; a table of fixed
 * size bounds what it holds.
 */
#include "web/web.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PART_SLOTS 128
/* Longer keys and larger parts are rendered every time. */
#define PART_KEY_MAX  384
#define PART_HTML_MAX 4096
/* The places values may take in one part, all values together. */
#define PART_PLACES_MAX 8

struct part_slot {
	char key[PART_KEY_MAX]; /* "": empty */
	/* The part without its values; where they went, in page order. */
	size_t len, n, nplaces;
	size_t at[PART_PLACES_MAX];
	size_t which[PART_PLACES_MAX]; /* the value that goes there */
	char html[PART_HTML_MAX];
};

struct part_memo {
	pthread_mutex_t lock;
	struct part_slot slots[PART_SLOTS];
};

struct part_memo *
part_memo_new(void)
{
	struct part_memo *m = calloc(1, sizeof(*m));

	if (m != NULL && pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m);
		m = NULL;
	}
	return m;
}

void
part_memo_free(struct part_memo *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* Writes n in decimal and a colon at p; returns the end. */
static char *
put_number(char *p, long long n)
{
	char digits[24];
	unsigned long long u =
	    n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
	size_t k = 0;

	do
		digits[k++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (n < 0)
		*p++ = '-';
	while (k > 0)
		*p++ = digits[--k];
	*p++ = ':';
	return p;
}

char *
part_memo_key(struct arena *a, const char *const *texts, size_t nt,
	      const long long *nums, size_t nn)
{
	size_t i, total = 1;
	char *key, *p;

	for (i = 0; i < nt; i++)
		total += 22 + strlen(texts[i]);
	total += 22 * nn;
	if ((key = arena_alloc(a, total)) == NULL)
		return NULL;
	p = key;
	for (i = 0; i < nt; i++) {
		size_t n = strlen(texts[i]);

		p = put_number(p, (long long)n);
		memcpy(p, texts[i], n);
		p += n;
	}
	for (i = 0; i < nn; i++)
		p = put_number(p, nums[i]);
	*p = '\0';
	return key;
}

static struct part_slot *
slot_of(struct part_memo *m, const char *key)
{
	uint32_t h = 2166136261u;

	while (*key)
		h = (h ^ (unsigned char)*key++) * 16777619u;
	return &m->slots[h % PART_SLOTS];
}

char *
part_memo_get(struct part_memo *m, struct arena *a, const char *key,
	      const char *const *values, size_t n, size_t *len)
{
	size_t vlen[PART_VALUES_MAX], i, from = 0, total;
	struct part_slot *s;
	char *out = NULL, *p;

	if (m == NULL || n > PART_VALUES_MAX || strlen(key) >= PART_KEY_MAX)
		return NULL;
	for (i = 0; i < n; i++)
		vlen[i] = strlen(values[i]);
	s = slot_of(m, key);
	pthread_mutex_lock(&m->lock);
	if (strcmp(s->key, key) != 0 || s->n != n)
		goto done;
	total = s->len;
	for (i = 0; i < s->nplaces; i++)
		total += vlen[s->which[i]];
	if ((out = arena_alloc(a, total + 1)) == NULL)
		goto done;
	p = out;
	for (i = 0; i < s->nplaces; i++) {
		memcpy(p, s->html + from, s->at[i] - from);
		p += s->at[i] - from;
		memcpy(p, values[s->which[i]], vlen[s->which[i]]);
		p += vlen[s->which[i]];
		from = s->at[i];
	}
	memcpy(p, s->html + from, s->len - from);
	out[total] = '\0';
	*len = total;
done:
	pthread_mutex_unlock(&m->lock);
	return out;
}

struct place {
	const char *at;
	size_t which, len;
};

/*
 * Adds the places of value v (vlen bytes) in html to p[*np], kept in page
 * order; false when there are more than PART_PLACES_MAX.
 */
static bool
find_places(const char *html, size_t len, const char *v, size_t vlen,
	    size_t which, struct place *p, size_t *np)
{
	const char *at = html, *end = html + len;
	size_t j;

	while ((at = memmem(at, (size_t)(end - at), v, vlen)) != NULL) {
		if (*np == PART_PLACES_MAX)
			return false;
		for (j = *np; j > 0 && p[j - 1].at > at; j--)
			p[j] = p[j - 1];
		p[j] = (struct place){at, which, vlen};
		(*np)++;
		at += vlen;
	}
	return true;
}

void
part_memo_put(struct part_memo *m, const char *key, const char *html,
	      size_t len, const char *const *values, size_t n)
{
	struct place place[PART_PLACES_MAX];
	size_t i, np = 0, cut = 0, from = 0;
	struct part_slot *s;
	char *p;

	if (m == NULL || n > PART_VALUES_MAX || strlen(key) >= PART_KEY_MAX)
		return;
	/*
	 * Each value somewhere, never in the key, apart from the others:
	 * else the part is not a copy with the reader's values put in, and
	 * it is rendered every time.
	 */
	for (i = 0; i < n; i++) {
		size_t before = np;

		if (values[i][0] == '\0' || strstr(key, values[i]) != NULL ||
		    !find_places(html, len, values[i], strlen(values[i]), i,
				 place, &np) ||
		    np == before)
			return;
	}
	for (i = 0; i < np; i++) {
		if (i > 0 && place[i - 1].at + place[i - 1].len > place[i].at)
			return;
		cut += place[i].len;
	}
	if (len - cut >= PART_HTML_MAX)
		return;
	s = slot_of(m, key);
	pthread_mutex_lock(&m->lock);
	p = s->html;
	for (i = 0; i < np; i++) {
		size_t at = (size_t)(place[i].at - html);

		memcpy(p, html + from, at - from);
		p += at - from;
		s->at[i] = (size_t)(p - s->html);
		s->which[i] = place[i].which;
		from = at + place[i].len;
	}
	memcpy(p, html + from, len - from);
	p += len - from;
	s->len = (size_t)(p - s->html);
	s->n = n;
	s->nplaces = np;
	strcpy(s->key, key);
	pthread_mutex_unlock(&m->lock);
}
