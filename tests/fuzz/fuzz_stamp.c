/*
 * Fuzzes the stamp a comment form carries (when it was shown, signed and
 * tied to the form's key): what a post sends in its "stamp" field.  The
 * first byte chooses: 0, "KEY\nSTAMP" as sent, which may be taken only if
 * it is the very stamp the site would have made for that key; 1, a stamp
 * made for a key and a time from the input, which must be taken once old
 * enough, refused before, and refused with any one character changed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "core/arena.h"
#include "model/comment_limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MIN_FILL_MS 3000

static struct app app;

/* Checks the stamp sent under key at now; true when it was taken. */
static bool
taken(struct arena *a, const char *key, const char *stamp, size_t len,
      int64_t now)
{
	struct comment_field f = {stamp, len};
	struct comment_input in = {.key = key};
	struct comment_errors errs = {0};
	enum err e = comment_limits_form(&app, a, &f, &in, &errs, now);

	if (e == ERR_OK) {
		if (strcmp(in.stamp, stamp) != 0 || strcmp(in.key, key) != 0)
			abort();
		return true;
	}
	/* Refused: a message, and a key and stamp to show again. */
	if (e != ERR_INVALID || errs.form == NULL || in.key == NULL ||
	    in.stamp == NULL)
		abort();
	return false;
}

/* The time in a stamp as sent, or -1 when it does not decode. */
static int64_t
stamp_time(const char *s, size_t len)
{
	unsigned char raw[64];
	size_t n = 0, i;
	uint64_t t = 0;

	if (sodium_base642bin(raw, sizeof(raw), s, len, NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n < 8)
		return -1;
	for (i = 0; i < 8; i++)
		t = t << 8 | raw[i];
	return (int64_t)t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct arena a;
	char *in, *nl, key[33];
	const char *made;
	int64_t when;
	size_t n, i, k;

	if (app.cfg.min_fill_seconds == 0) {
		if (sodium_init() < 0)
			abort();
		randombytes_buf(app.secret, sizeof(app.secret));
		app.cfg.min_fill_seconds = MIN_FILL_MS / 1000;
	}
	if (size == 0)
		return 0;
	n = size - 1;
	in = malloc(n + 1);
	if (in == NULL)
		return 0;
	memcpy(in, data + 1, n);
	in[n] = '\0';
	arena_init(&a);
	if (data[0] % 2 == 0) {
		nl = memchr(in, '\n', n);
		if (nl != NULL) {
			*nl = '\0';
			when = stamp_time(nl + 1, strlen(nl + 1));
			/* Taken only if it is the stamp made for this key. */
			if (taken(&a, in, nl + 1, strlen(nl + 1),
				  INT64_MAX / 2) &&
			    (when < 0 ||
			     (made = comment_limits_stamp(&app, &a, in,
							  when)) == NULL ||
			     strcmp(made, nl + 1) != 0))
				abort();
		}
	} else if (n >= 8) {
		for (i = 0, when = 0; i < 6; i++)
			when = when << 8 | (unsigned char)in[i];
		for (k = 0; k + 6 < n && k < sizeof(key) - 1; k++)
			key[k] = alphabet[(unsigned char)in[6 + k] % 64];
		key[k] = '\0';
		if (k == 0)
			strcpy(key, "k");
		made = comment_limits_stamp(&app, &a, key, when);
		if (made == NULL)
			abort();
		if (!taken(&a, key, made, strlen(made), when + MIN_FILL_MS) ||
		    taken(&a, key, made, strlen(made),
			  when + MIN_FILL_MS - 1) ||
		    taken(&a, key, made, strlen(made), when - 1))
			abort();
		/* One character changed: refused. */
		{
			char *bad = arena_strdup(&a, made);
			size_t at = (unsigned char)in[0] % strlen(made);

			if (bad == NULL)
				abort();
			bad[at] = bad[at] == 'A' ? 'B' : 'A';
			if (taken(&a, key, bad, strlen(bad),
				  when + MIN_FILL_MS))
				abort();
		}
	}
	arena_clear(&a);
	free(in);
	return 0;
}
