/* The form, query and cookie parsers: the first code to see a reader's bytes.
 */
#include <sodium.h>
#include <string.h>

#include "app.h"
#include "core/arena.h"
#include "http/csrf.h"
#include "http/form.h"
#include "http/request.h"
#include "test.h"

/* Declared fields: each kind read as declared, bad values marked. */
static void
test_inputs(struct arena *a)
{
	static const struct input text = {
	    .name = "t", .kind = INPUT_TEXT, .cap = 8};
	static const struct input raw = {
	    .name = "r", .kind = INPUT_RAW, .cap = 8};
	static const struct input num = {
	    .name = "n", .kind = INPUT_INT, .min = 1, .max = 99};
	static const struct input id = {.name = "i", .kind = INPUT_ID};
	struct input_value v;

	CHECK(input_read(a, &text, NULL, 0, &v));
	CHECK(!v.present && !v.bad && v.text[0] == '\0' && v.num == 0);
	CHECK(input_read(a, &text, "  hi  ", 6, &v));
	CHECK(v.present && !v.bad && v.len == 2);
	CHECK_STR(v.text, "hi");
	CHECK(input_read(a, &raw, "  hi  ", 6, &v));
	CHECK(!v.bad && v.len == 6);
	CHECK_STR(v.text, "  hi  ");
	/* Over the cap, or a NUL inside: bad, and no text to use. */
	CHECK(input_read(a, &text, "123456789", 9, &v));
	CHECK(v.present && v.bad && v.text[0] == '\0');
	CHECK(input_read(a, &raw, "12345678", 8, &v) && !v.bad);
	CHECK(input_read(a, &raw, "a\0b", 3, &v) && v.bad);
	/* The value as sent stays at hand for a model that checks it itself. */
	CHECK(v.raw != NULL && v.raw_len == 3 && memcmp(v.raw, "a\0b", 3) == 0);
	CHECK(input_read(a, &raw, NULL, 0, &v) && v.raw == NULL);
	/* Numbers by core/parse's rules, within the declared range. */
	CHECK(input_read(a, &num, "42", 2, &v) && !v.bad && v.num == 42);
	CHECK(input_read(a, &num, "0", 1, &v) && v.bad && v.num == 0);
	CHECK(input_read(a, &num, "100", 3, &v) && v.bad);
	CHECK(input_read(a, &num, "4x", 2, &v) && v.bad);
	CHECK(input_read(a, &num, "", 0, &v) && v.present && v.bad);
	CHECK(input_read(a, &id, "9223372036854775807", 19, &v) && !v.bad &&
	      v.num == INT64_MAX);
	CHECK(input_read(a, &id, "-1", 2, &v) && v.bad);
	CHECK(input_read(a, &id, "07", 2, &v) && v.bad);
}

/*
 * A request computes its CSRF token once and reuses it, but only for the
 * visitor it was made for: another visitor gets their own, the same as a
 * request of theirs alone would.
 */
static void
test_csrf_token_once(void)
{
	static struct app app;
	static struct request one, other;
	const char *a, *b;

	CHECK(sodium_init() >= 0);
	memset(app.secret, 7, sizeof(app.secret));
	one.app = other.app = &app;
	arena_init(&one.arena);
	arena_init(&other.arena);
	a = csrf_token(&one, "AAAAAAAAAAAAAAAAAAAAAA");
	CHECK(a != NULL && csrf_token(&one, "AAAAAAAAAAAAAAAAAAAAAA") == a);
	b = csrf_token(&one, "BBBBBBBBBBBBBBBBBBBBBB");
	CHECK(b != NULL && a != NULL && strcmp(a, b) != 0);
	CHECK_STR(b, csrf_token(&other, "BBBBBBBBBBBBBBBBBBBBBB"));
	arena_clear(&one.arena);
	arena_clear(&other.arena);
}

/* The token of visitor under secret, made here the way the check wants it. */
static void
token_by_hand(const unsigned char *secret, const char *visitor, char *out,
	      size_t n)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, secret, APP_SECRET_BYTES);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"csrf:", 5);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)visitor,
				      strlen(visitor));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, n, mac, sizeof(mac),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/*
 * Tokens are remembered per thread, but each request still gets the
 * token of its own visitor under its own site's secret: more visitors
 * than the table has slots, asked for twice over, under two secrets.
 */
static void
test_csrf_tokens_remembered(void)
{
	static struct app one, two;
	struct app *apps[2] = {&one, &two};
	char visitor[23], want[64];
	int round, i, k;
	bool all = true;

	memset(one.secret, 1, sizeof(one.secret));
	memset(two.secret, 2, sizeof(two.secret));
	/*
	 * One site's visitors, twice over, then the same ids on the other,
	 * last first: each slot is first asked for the visitor it holds
	 * under the other secret.
	 */
	for (k = 0; k < 2; k++) {
		for (round = 0; round < 2; round++) {
			for (i = 0; i < 300; i++) {
				struct request req;
				const char *got;

				memset(&req, 0, sizeof(req));
				req.app = apps[k];
				arena_init(&req.arena);
				snprintf(visitor, sizeof(visitor),
					 "visitor%015d", k ? 299 - i : i);
				token_by_hand(apps[k]->secret, visitor, want,
					      sizeof(want));
				got = csrf_token(&req, visitor);
				if (got == NULL || strcmp(got, want) != 0)
					all = false;
				arena_clear(&req.arena);
			}
		}
	}
	CHECK(all);
}

/* Random tokens drawn from the pool differ, across its refills too. */
static void
test_random_tokens(void)
{
	struct arena a;
	char *seen[200];
	bool differ = true;
	size_t i, j;

	arena_init(&a);
	for (i = 0; i < 200; i++) {
		seen[i] = random_token(&a, 16);
		CHECK(seen[i] != NULL && strlen(seen[i]) == 22);
	}
	for (i = 0; i < 200; i++)
		for (j = i + 1; j < 200; j++)
			if (seen[i] && seen[j] && strcmp(seen[i], seen[j]) == 0)
				differ = false;
	CHECK(differ);
	/* The largest token there is, and one too large. */
	CHECK(random_token(&a, 64) != NULL);
	CHECK(random_token(&a, 65) == NULL);
	arena_clear(&a);
}

int
main(void)
{
	struct arena a;
	struct fields f;
	const struct field *x;
	char big[4096];
	size_t i;

	arena_init(&a);
	test_inputs(&a);

	CHECK(form_parse(&a, "a=1&b=x+y%21&c=", 15, 64, &f) == FORM_OK);
	CHECK(f.count == 3);
	CHECK_STR(fields_get(&f, "a")->value, "1");
	CHECK_STR(fields_get(&f, "b")->value, "x y!");
	CHECK_STR(fields_get(&f, "c")->value, "");
	CHECK(fields_get(&f, "d") == NULL);

	/* Empty pairs skipped, names without '=' get empty values. */
	CHECK(form_parse(&a, "&&flag&&z=9&", 12, 64, &f) == FORM_OK);
	CHECK(f.count == 2);
	CHECK_STR(fields_get(&f, "flag")->value, "");
	CHECK_STR(fields_get(&f, "z")->value, "9");

	/* The first of repeated names wins. */
	CHECK(form_parse(&a, "n=1&n=2", 7, 64, &f) == FORM_OK);
	CHECK_STR(fields_get(&f, "n")->value, "1");

	/* Encoded names, '=' inside values, UTF-8. */
	CHECK(form_parse(&a, "na%6De=a%3Db=c&u=%C3%A9", 23, 64, &f) == FORM_OK);
	CHECK_STR(fields_get(&f, "name")->value, "a=b=c");
	CHECK_STR(fields_get(&f, "u")->value, "\xc3\xa9");

	/* %00 decodes, and the length tells the truth about it. */
	CHECK(form_parse(&a, "b=x%00y", 7, 64, &f) == FORM_OK);
	x = fields_get(&f, "b");
	CHECK(x && x->len == 3 && x->value[1] == '\0');

	/* Broken escapes are refused, not guessed. */
	CHECK(form_parse(&a, "a=%zz", 5, 64, &f) == FORM_BAD);
	CHECK(form_parse(&a, "a=%4", 4, 64, &f) == FORM_BAD);
	CHECK(form_parse(&a, "a=%", 3, 64, &f) == FORM_BAD);
	CHECK(form_parse(&a, "%g0=1", 5, 64, &f) == FORM_BAD);

	/* Field count cap. */
	for (i = 0; i + 4 < sizeof(big) && i < 200 * 4; i += 4)
		memcpy(big + i, "a=1&", 4);
	CHECK(form_parse(&a, big, i, 64, &f) == FORM_TOO_MANY);
	CHECK(form_parse(&a, big, 64 * 4, 64, &f) == FORM_OK && f.count == 64);

	/* Not NUL-terminated input: only n bytes are read. */
	CHECK(form_parse(&a, "a=12345", 3, 64, &f) == FORM_OK);
	CHECK_STR(fields_get(&f, "a")->value, "1");
	CHECK(form_parse(&a, "", 0, 64, &f) == FORM_OK && f.count == 0);

	/* Cookies. */
	CHECK(cookie_parse(&a, "parley_v=abc; theme=dark;x=\"quoted\"", 32,
			   &f) == FORM_OK);
	CHECK(f.count == 3);
	CHECK_STR(fields_get(&f, "parley_v")->value, "abc");
	CHECK_STR(fields_get(&f, "theme")->value, "dark");
	CHECK_STR(fields_get(&f, "x")->value, "quoted");
	CHECK(cookie_parse(&a, "  a = 1 ;; =nope; noval; b=2 ", 32, &f) ==
	      FORM_OK);
	CHECK(f.count == 2);
	CHECK_STR(fields_get(&f, "a")->value, "1");
	CHECK_STR(fields_get(&f, "b")->value, "2");
	CHECK(cookie_parse(&a, "", 32, &f) == FORM_OK && f.count == 0);
	CHECK(cookie_parse(&a, ";;;", 32, &f) == FORM_OK && f.count == 0);
	CHECK(cookie_parse(&a, "a=1; b=2; c=3", 2, &f) == FORM_TOO_MANY);
	CHECK(cookie_parse(&a, "who=a=Al%20B&e=x", 32, &f) == FORM_OK);
	CHECK_STR(fields_get(&f, "who")->value, "a=Al%20B&e=x");

	/* url_encode round-trips through form_parse. */
	{
		const char *raw = "Al <b>'\"&=+%é";
		char *enc = url_encode(&a, raw), *pair;

		pair = arena_printf(&a, "v=%s", enc);
		CHECK(form_parse(&a, pair, strlen(pair), 4, &f) == FORM_OK);
		CHECK_STR(fields_get(&f, "v")->value, raw);
	}

	arena_clear(&a);
	test_csrf_token_once();
	test_csrf_tokens_remembered();
	test_random_tokens();
	TEST_DONE();
}
