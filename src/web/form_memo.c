/*
 * form_memo: the comment form as a plain reader gets it, kept per page
 * address.  Readers who are not signed in, have no remembered name and
 * no refused post all get the same form on a page but for two values:
 * their CSRF token and a fresh form key.  Rendering that form is most of
 * what a cached page's answer costs, so the first render is kept with the
 * two values cut out, and later readers get a copy with theirs put back.
 * The form shows nothing a write changes (the page's address, the site's
 * settings and templates), so nothing drops it; a table of fixed size
 * bounds what it holds.
 */
#include "web/web.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define FORM_SLOTS 64
/* Longer addresses and larger forms are rendered every time. */
#define FORM_PATH_MAX 160
#define FORM_HTML_MAX 4096

struct form_slot {
	char path[FORM_PATH_MAX]; /* "": empty */
	/* The form without its two values, and where each went, in order. */
	size_t len;
	size_t at[2];
	int which[2]; /* 0: the token, 1: the key */
	char html[FORM_HTML_MAX];
};

struct form_memo {
	pthread_mutex_t lock;
	struct form_slot slots[FORM_SLOTS];
};

struct form_memo *
form_memo_new(void)
{
	struct form_memo *m = calloc(1, sizeof(*m));

	if (m != NULL && pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m);
		m = NULL;
	}
	return m;
}

void
form_memo_free(struct form_memo *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static struct form_slot *
slot_of(struct form_memo *m, const char *path)
{
	uint32_t h = 2166136261u;

	while (*path)
		h = (h ^ (unsigned char)*path++) * 16777619u;
	return &m->slots[h % FORM_SLOTS];
}

char *
form_memo_get(struct form_memo *m, struct arena *a, const char *path,
	      const char *token, const char *key, size_t *len)
{
	const char *value[2] = {token, key};
	size_t vlen[2] = {strlen(token), strlen(key)};
	struct form_slot *s;
	char *out = NULL, *p;
	size_t i, from = 0;

	if (m == NULL || strlen(path) >= FORM_PATH_MAX)
		return NULL;
	s = slot_of(m, path);
	pthread_mutex_lock(&m->lock);
	if (strcmp(s->path, path) != 0)
		goto done;
	*len = s->len + vlen[0] + vlen[1];
	if ((out = arena_alloc(a, *len + 1)) == NULL)
		goto done;
	p = out;
	for (i = 0; i < 2; i++) {
		memcpy(p, s->html + from, s->at[i] - from);
		p += s->at[i] - from;
		memcpy(p, value[s->which[i]], vlen[s->which[i]]);
		p += vlen[s->which[i]];
		from = s->at[i];
	}
	memcpy(p, s->html + from, s->len - from);
	out[*len] = '\0';
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
form_memo_put(struct form_memo *m, const char *path, const char *html,
	      size_t len, const char *token, const char *key)
{
	size_t tlen = strlen(token), klen = strlen(key);
	const char *t = only_place(html, len, token, tlen);
	const char *k = only_place(html, len, key, klen);
	const char *first, *second;
	size_t flen, slen;
	struct form_slot *s;
	char *p;

	/*
	 * Each value in one place, apart: else the form is not a copy with
	 * two values put in, and it is rendered every time.
	 */
	if (m == NULL || t == NULL || k == NULL ||
	    strlen(path) >= FORM_PATH_MAX || len - tlen - klen >= FORM_HTML_MAX)
		return;
	first = t < k ? t : k;
	second = t < k ? k : t;
	flen = t < k ? tlen : klen;
	slen = t < k ? klen : tlen;
	if (first + flen > second)
		return;
	s = slot_of(m, path);
	pthread_mutex_lock(&m->lock);
	p = s->html;
	memcpy(p, html, (size_t)(first - html));
	p += first - html;
	s->at[0] = (size_t)(p - s->html);
	s->which[0] = first == t ? 0 : 1;
	memcpy(p, first + flen, (size_t)(second - first - (ptrdiff_t)flen));
	p += second - first - (ptrdiff_t)flen;
	s->at[1] = (size_t)(p - s->html);
	s->which[1] = second == t ? 0 : 1;
	memcpy(p, second + slen, len - (size_t)(second + slen - html));
	p += len - (size_t)(second + slen - html);
	s->len = (size_t)(p - s->html);
	strcpy(s->path, path);
	pthread_mutex_unlock(&m->lock);
}
