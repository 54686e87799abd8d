/*
 * part_memo: parts of a page rendered once and copied for each reader,
 * with the reader's own values put back.  A part's view may hold values
 * of a reader's own (a CSRF token, a fresh form key) and otherwise only
 * what many readers share: the comment form of a page as plain readers
 * get it, a debate's vote panel for readers who voted alike.  Rendering
 * such a part is most of what a cached page's answer costs, so the first
 * render is kept under a key that names everything else its view holds,
 * with the values cut out, and later readers get a copy with theirs put
 * in.  Nothing a write changes may go into a part but through its key, so
 * nothing drops one; a table of fixed size bounds what it holds.
 */
#include "web/web.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PART_SLOTS 128
/* Longer keys and larger parts are rendered every time. */
#define PART_KEY_MAX  384
#define PART_HTML_MAX 4096

struct part_slot {
	char key[PART_KEY_MAX]; /* "": empty */
	/* The part without its values; where each went, in page order. */
	size_t len, n;
	size_t at[PART_VALUES_MAX];
	size_t which[PART_VALUES_MAX]; /* the value that goes there */
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
	for (i = 0; i < n; i++)
		total += vlen[i];
	if ((out = arena_alloc(a, total + 1)) == NULL)
		goto done;
	p = out;
	for (i = 0; i < n; i++) {
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

/* Where needle is in html, when it is there exactly once; else NULL. */
static const char *
only_place(const char *html, size_t len, const char *needle, size_t n)
{
	const char *at = memmem(html, len, needle, n), *again;

	if (at == NULL || n == 0)
		return NULL;
	again = memmem(at + 1, len - (size_t)(at + 1 - html), needle, n);
	return again ? NULL : at;
}

void
part_memo_put(struct part_memo *m, const char *key, const char *html,
	      size_t len, const char *const *values, size_t n)
{
	const char *place[PART_VALUES_MAX];
	size_t vlen[PART_VALUES_MAX], order[PART_VALUES_MAX], i, j, cut = 0;
	size_t from = 0;
	struct part_slot *s;
	char *p;

	if (m == NULL || n > PART_VALUES_MAX || strlen(key) >= PART_KEY_MAX)
		return;
	/*
	 * Each value in one place, apart from the others: else the part is
	 * not a copy with the values put in, and it is rendered every time.
	 */
	for (i = 0; i < n; i++) {
		vlen[i] = strlen(values[i]);
		if ((place[i] = only_place(html, len, values[i], vlen[i])) ==
		    NULL)
			return;
		cut += vlen[i];
		/* In page order: insertion among the few values. */
		for (j = i; j > 0 && place[order[j - 1]] > place[i]; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	for (i = 1; i < n; i++)
		if (place[order[i - 1]] + vlen[order[i - 1]] > place[order[i]])
			return;
	if (len - cut >= PART_HTML_MAX)
		return;
	s = slot_of(m, key);
	pthread_mutex_lock(&m->lock);
	p = s->html;
	for (i = 0; i < n; i++) {
		size_t at = (size_t)(place[order[i]] - html);

		memcpy(p, html + from, at - from);
		p += at - from;
		s->at[i] = (size_t)(p - s->html);
		s->which[i] = order[i];
		from = at + vlen[order[i]];
	}
	memcpy(p, html + from, len - from);
	p += len - from;
	s->len = (size_t)(p - s->html);
	s->n = n;
	strcpy(s->key, key);
	pthread_mutex_unlock(&m->lock);
}
