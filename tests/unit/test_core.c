/* Buffers, arenas, escaping, UTF-8, the small string checks, the test
 * clock and the rate limiter's buckets. */
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/cidr.h"
#include "core/arena.h"
#include "core/backoff.h"
#include "core/buf.h"
#include "core/mac.h"
#include "core/parse.h"
#include "core/util.h"
#include "core/ratelimit.h"
#include "render/html.h"
#include "test.h"

static const char *
escaped(struct buf *b, const char *s)
{
	buf_reset(b);
	if (!html_escape(b, s, strlen(s)))
		return "(failed)";
	return buf_cstr(b);
}

static const char *
url_out(struct buf *b, const char *s)
{
	buf_reset(b);
	if (!html_escape_url(b, s, strlen(s)))
		return "(failed)";
	return buf_cstr(b);
}

/* Writes the clock file in place at a fixed width, as tests/lib/clock.mjs. */
static void
clock_write(int fd, const char *text)
{
	char line[32];

	memset(line, ' ', sizeof(line));
	memcpy(line, text, strlen(text));
	line[sizeof(line) - 1] = '\n';
	CHECK(pwrite(fd, line, sizeof(line), 0) == (ssize_t)sizeof(line));
}

/* time_now() minus the real clock, in seconds (the second may tick). */
static int64_t
clock_skew(void)
{
	struct timespec ts;
	int64_t now = time_now();

	clock_gettime(CLOCK_REALTIME, &ts);
	return now - (int64_t)ts.tv_sec;
}

static int64_t
clock_skew_usec(void)
{
	struct timespec ts;
	int64_t now = time_now_usec();

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return now - ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/*
 * PARLEY_CLOCK_FILE moves both clocks by its seconds, and a rewrite of the
 * file shows at the next call.  Runs first: the file is looked at once.
 */
static void
test_clock_file(void)
{
	const char *dir = getenv("TMPDIR");
	char path[512];
	int64_t d;
	int fd;

	snprintf(path, sizeof(path), "%s/parley-clock-XXXXXX",
		 dir && dir[0] ? dir : "/tmp");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	clock_write(fd, "3600");
	CHECK(setenv("PARLEY_CLOCK_FILE", path, 1) == 0);
	d = clock_skew();
	CHECK(d == 3600 || d == 3599);
	d = clock_skew_usec();
	CHECK(d >= 3599000000 && d <= 3600000000);
	/* Rewritten while in use: seen at once, negative too. */
	clock_write(fd, "-86400");
	d = clock_skew();
	CHECK(d == -86400 || d == -86401);
	d = clock_skew_usec();
	CHECK(d >= -86401000000 && d <= -86400000000);
	clock_write(fd, "+90");
	d = clock_skew();
	CHECK(d == 90 || d == 89);
	clock_write(fd, "not a number");
	d = clock_skew();
	CHECK(d == 0 || d == -1);
	clock_write(fd, "0");
	close(fd);
	unlink(path);
}

/*
 * Backoff: free failures, then waits that double up to the cap, counted
 * from the latest failure; a success or a quiet hour forgets them.
 */
static void
test_backoff(void)
{
	struct backoff *b = backoff_new(2, 60, 64);
	int k;

	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK(backoff_wait(b, "k", 100.0) == 0);
	backoff_fail(b, "k", 100.0);
	CHECK(backoff_wait(b, "k", 100.0) == 0); /* one is free */
	backoff_fail(b, "k", 100.0);
	CHECK(backoff_wait(b, "k", 100.0) == 2); /* two: the waits begin */
	CHECK(backoff_wait(b, "k", 101.5) == 1);
	CHECK(backoff_wait(b, "k", 102.0) == 0);
	backoff_fail(b, "k", 102.0);
	CHECK(backoff_wait(b, "k", 102.0) == 4);
	for (k = 0; k < 40; k++)
		backoff_fail(b, "k", 200.0);
	CHECK(backoff_wait(b, "k", 200.0) == 60); /* the cap */
	CHECK(backoff_wait(b, "other", 200.0) == 0);
	backoff_clear(b, "k");
	CHECK(backoff_wait(b, "k", 200.0) == 0);
	for (k = 0; k < 5; k++)
		backoff_fail(b, "q", 300.0);
	CHECK(backoff_wait(b, "q", 300.0) == 16);
	CHECK(backoff_wait(b, "q", 300.0 + 3600) == 0); /* a quiet hour */
	backoff_fail(b, "q", 300.0 + 3600);
	CHECK(backoff_wait(b, "q", 300.0 + 3600) == 0); /* counted afresh */
	backoff_free(b);
}

/*
 * Token buckets at a rate of a token every 4 s (binary-exact, so the
 * sums below are exact): a burst, then refusal with the whole seconds
 * until the next token; refill at the rate; never more than the burst.
 */
static void
test_ratelimit_buckets(void)
{
	struct ratelimit *rl = ratelimit_new(NULL, 3, 0.25, 64);
	int retry = -1, ok, k;

	CHECK(rl != NULL);
	if (rl == NULL)
		return;
	/* A new key starts with its whole burst, and not one more. */
	for (ok = 0, k = 0; k < 3; k++)
		ok += ratelimit_take(rl, "a", 100.0, &retry);
	CHECK(ok == 3);
	CHECK(!ratelimit_take(rl, "a", 100.0, &retry) && retry == 4);
	/* Part of a token: Retry-After rounds the rest up. */
	CHECK(!ratelimit_take(rl, "a", 101.5, &retry) && retry == 3);
	CHECK(!ratelimit_take(rl, "a", 103.5, &retry) && retry == 1);
	CHECK(ratelimit_take(rl, "a", 104.0, &retry));
	CHECK(!ratelimit_take(rl, "a", 104.0, &retry) && retry == 4);
	/* Refill at the rate: 8 s give two tokens. */
	CHECK(ratelimit_take(rl, "a", 112.0, &retry));
	CHECK(ratelimit_take(rl, "a", 112.0, &retry));
	CHECK(!ratelimit_take(rl, "a", 112.0, &retry) && retry == 4);
	/* Keys are independent: b has its burst while a is empty. */
	for (ok = 0, k = 0; k < 4; k++)
		ok += ratelimit_take(rl, "b", 112.0, &retry);
	CHECK(ok == 3);
	CHECK(!ratelimit_take(rl, "a", 112.0, &retry));
	/* After a long idle time a bucket holds exactly its burst. */
	for (ok = 0, k = 0; k < 10; k++)
		ok += ratelimit_take(rl, "a", 112.0 + 1e6, &retry);
	CHECK(ok == 3);
	CHECK(retry == 4);
	/* A clock that steps back gives nothing and takes nothing. */
	CHECK(!ratelimit_take(rl, "a", 50.0, &retry));
	CHECK(ratelimit_take(rl, "a", 112.0 + 1e6 + 4, &retry));
	/*
	 * Refill a little past the burst is capped too, not only a long
	 * idle time: 2 tokens left + 12 s (3 tokens) hold 3, not 5.
	 */
	CHECK(ratelimit_take(rl, "c", 200.0, &retry));
	for (ok = 0, k = 0; k < 10; k++)
		ok += ratelimit_take(rl, "c", 212.0, &retry);
	CHECK(ok == 3);
	/* One token past the burst (2 left + 8 s, 2 tokens): still 3. */
	CHECK(ratelimit_take(rl, "d", 300.0, &retry));
	for (ok = 0, k = 0; k < 10; k++)
		ok += ratelimit_take(rl, "d", 308.0, &retry);
	CHECK(ok == 3);
	ratelimit_free(rl);
}

static void
test_address_key(void)
{
	char k[80];

	cidr_network_key("192.0.2.7", 24, 64, k, sizeof(k));
	CHECK_STR(k, "192.0.2.0/24");
	cidr_network_key("192.0.2.200", 24, 64, k, sizeof(k));
	CHECK_STR(k, "192.0.2.0/24");
	cidr_network_key("192.0.3.7", 24, 64, k, sizeof(k));
	CHECK_STR(k, "192.0.3.0/24");
	cidr_network_key("::ffff:192.0.2.7", 24, 64, k, sizeof(k));
	CHECK_STR(k, "192.0.2.0/24");
	cidr_network_key("192.0.2.7", 32, 64, k, sizeof(k));
	CHECK_STR(k, "192.0.2.7/32");
	cidr_network_key("192.0.2.7", 20, 64, k, sizeof(k));
	CHECK_STR(k, "192.0.0.0/20");
	cidr_network_key("2001:db8:1:2:aaaa::1", 24, 48, k, sizeof(k));
	CHECK_STR(k, "2001:db8:1::/48");
	cidr_network_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 24, 64, k,
			 sizeof(k));
	CHECK_STR(k, "2001:db8:1:2::/64");
	cidr_network_key("2001:db8:1:2::1", 24, 64, k, sizeof(k));
	CHECK_STR(k, "2001:db8:1:2::/64");
	cidr_network_key("2001:db8:1:3::1", 24, 64, k, sizeof(k));
	CHECK_STR(k, "2001:db8:1:3::/64");
	cidr_network_key("unknown", 24, 64, k, sizeof(k));
	CHECK_STR(k, "unknown");
}

/*
 * A table of 64 slots fed 100,000 keys (an attacker rotating addresses):
 * it holds 64 at most, each new key gets its burst, and the key seen
 * longest ago is the one forgotten, so a key in use keeps its count.
 */
static void
test_ratelimit_bounded(void)
{
	struct ratelimit *rl = ratelimit_new(NULL, 2, 0.001, 64);
	char key[32];
	int retry = 0, k, fresh = 0;

	CHECK(rl != NULL);
	if (rl == NULL)
		return;
	CHECK(ratelimit_take(rl, "busy", 1.0, &retry));
	CHECK(ratelimit_take(rl, "busy", 1.0, &retry));
	for (k = 0; k < 100000; k++) {
		snprintf(key, sizeof(key), "2001:db8:%x::/64", k);
		fresh += ratelimit_take(rl, key, 2.0 + k * 1e-3, &retry);
		/* The busy key is used now and then: it is never the oldest. */
		if (k % 2 == 0)
			CHECK(!ratelimit_take(rl, "busy", 2.0 + k * 1e-3,
					      &retry));
	}
	CHECK(fresh == 100000);
	CHECK(ratelimit_used(rl) == 64);
	ratelimit_free(rl);
}

/* The one integer parser and the one id parser: strict, bounded, exact. */
static void
test_parse_numbers(void)
{
	int64_t v = 7;

	CHECK(parse_int_str("0", 0, 10, &v) && v == 0);
	CHECK(parse_int_str("10", 0, 10, &v) && v == 10);
	CHECK(parse_int_str("-5", -10, 10, &v) && v == -5);
	CHECK(parse_int_str("9223372036854775807", INT64_MIN, INT64_MAX, &v) &&
	      v == INT64_MAX);
	CHECK(parse_int_str("-9223372036854775808", INT64_MIN, INT64_MAX, &v) &&
	      v == INT64_MIN);
	v = 7;
	/* Out of range, overflowing, or not only digits: refused, v kept. */
	CHECK(!parse_int_str("11", 0, 10, &v) && v == 7);
	CHECK(!parse_int_str("-1", 0, 10, &v) && v == 7);
	CHECK(!parse_int_str("9223372036854775808", INT64_MIN, INT64_MAX, &v));
	CHECK(!parse_int_str("-9223372036854775809", INT64_MIN, INT64_MAX, &v));
	CHECK(!parse_int_str("99999999999999999999", INT64_MIN, INT64_MAX, &v));
	CHECK(!parse_int_str("", 0, 10, &v));
	CHECK(!parse_int_str("-", -10, 10, &v));
	CHECK(!parse_int_str("+1", 0, 10, &v));
	CHECK(!parse_int_str(" 1", 0, 10, &v));
	CHECK(!parse_int_str("1 ", 0, 10, &v));
	CHECK(!parse_int_str("01", 0, 10, &v));
	CHECK(!parse_int_str("-0", -10, 10, &v));
	CHECK(!parse_int_str("1x", 0, 10, &v));
	CHECK(!parse_int_str("0x1", 0, 100, &v));
	CHECK(!parse_int_str(NULL, 0, 10, &v));
	CHECK(!parse_int("12", 0, 0, 100, &v));
	/* Only the n bytes given are read, NULs included. */
	CHECK(parse_int("123", 2, 0, 100, &v) && v == 12);
	CHECK(!parse_int("1\0", 2, 0, 100, &v));
	CHECK(v == 12);
	/* Ids: positive, whole, nothing else. */
	CHECK(parse_id("1", &v) && v == 1);
	CHECK(parse_id("9223372036854775807", &v) && v == INT64_MAX);
	CHECK(!parse_id("0", &v));
	CHECK(!parse_id("-3", &v));
	CHECK(!parse_id("007", &v));
	CHECK(!parse_id("12abc", &v));
	CHECK(!parse_id("", &v));
	CHECK(v == INT64_MAX);
}

/* A MAC started from the remembered keyed state is the MAC of its key. */
static void
test_mac_start(void)
{
	unsigned char k1[MAC_KEY_BYTES], k2[MAC_KEY_BYTES];
	unsigned char want[crypto_auth_hmacsha256_BYTES];
	unsigned char got[crypto_auth_hmacsha256_BYTES];
	const unsigned char msg[] = "form-stamp:1234";
	crypto_auth_hmacsha256_state st;
	int round;

	memset(k1, 1, sizeof(k1));
	memset(k2, 2, sizeof(k2));
	/* Twice each, alternating: a changed key is keyed afresh. */
	for (round = 0; round < 4; round++) {
		const unsigned char *k = round % 2 ? k2 : k1;

		crypto_auth_hmacsha256(want, msg, sizeof(msg) - 1, k);
		mac_start(&st, k);
		crypto_auth_hmacsha256_update(&st, msg, sizeof(msg) - 1);
		crypto_auth_hmacsha256_final(&st, got);
		CHECK(memcmp(want, got, sizeof(want)) == 0);
	}
}

int
main(void)
{
	struct buf b, small;
	struct arena a;
	size_t chars;
	int64_t t;
	char slug[101], when[64];
	char *p;
	int i;

	test_clock_file();
	CHECK(sodium_init() >= 0);
	test_ratelimit_buckets();
	test_mac_start();
	test_ratelimit_bounded();
	test_address_key();
	test_backoff();
	test_parse_numbers();

	/* buf: appends, printf, cap, failure is sticky. */
	buf_init(&b, 0);
	CHECK(buf_puts(&b, "abc"));
	CHECK(buf_printf(&b, "-%d-", 42));
	CHECK_STR(buf_cstr(&b), "abc-42-");
	CHECK(b.len == 7);
	buf_init(&small, 8);
	CHECK(buf_puts(&small, "12345678"));
	CHECK(!buf_putc(&small, '9'));
	CHECK(buf_failed(&small));
	CHECK(!buf_puts(&small, "")); /* failure sticks until reset */
	CHECK_STR(buf_cstr(&small), "12345678");
	buf_reset(&small);
	CHECK(!buf_failed(&small) && small.len == 0);
	CHECK(!buf_printf(&small, "%s", "far too long for eight"));
	buf_seterr(&small, "error %d", 7);
	CHECK_STR(buf_cstr(&small), "error 7");
	buf_clear(&small);
	for (i = 0; i < 10000; i++)
		if (!buf_putc(&b, 'x'))
			break;
	CHECK(i == 10000 && b.len == 10007);
	{
		size_t len;
		char *s = buf_steal(&b, &len);

		CHECK(len == 10007 && s[len] == '\0');
		free(s);
		CHECK(b.len == 0 && b.data == NULL);
	}

	/* arena: many allocations, big ones, strings. */
	arena_init(&a);
	for (i = 0; i < 5000; i++)
		if ((p = arena_alloc(&a, (size_t)(i % 97) + 1)) == NULL)
			break;
	CHECK(i == 5000);
	p = arena_alloc(&a, 100000);
	CHECK(p != NULL);
	CHECK_STR(arena_printf(&a, "%s=%d", "n", 5), "n=5");
	CHECK_STR(arena_strndup(&a, "hello", 3), "hel");
	arena_clear(&a);
	/*
	 * arena_printf formats into the block's free space first: strings of
	 * every length around the end of a block come out whole, and what is
	 * allocated next never overlaps them.
	 */
	{
		char *s, *next, want[400];
		int k, bad = 0;

		memset(want, 'x', sizeof(want) - 1);
		want[sizeof(want) - 1] = '\0';
		arena_init(&a);
		for (k = 0; k < 3000; k++) {
			int len = k % 397;

			s = arena_printf(&a, "%.*s", len, want);
			next = arena_alloc(&a, 8);
			if (s == NULL || next == NULL) {
				bad++;
				continue;
			}
			memset(next, 'y', 8);
			if ((int)strlen(s) != len)
				bad++;
		}
		CHECK(bad == 0);
		arena_clear(&a);
	}

	/* html_escape: every dangerous byte, NUL dropped. */
	CHECK_STR(escaped(&b, "<script>alert('x')</script>"),
		  "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
	CHECK_STR(escaped(&b, "\" onmouseover=\"x"),
		  "&quot; onmouseover=&quot;x");
	CHECK_STR(escaped(&b, "a & b ` c"), "a &amp; b &#96; c");
	{
		const char with_nul[] = "a\0b";

		buf_reset(&b);
		CHECK(html_escape(&b, with_nul, 3));
		CHECK_STR(buf_cstr(&b), "ab");
	}
	CHECK_STR(escaped(&b, "plain text é ✓"), "plain text é ✓");

	/* URLs in attributes. */
	CHECK_STR(url_out(&b, "https://example.org/a?b=1&c=2"),
		  "https://example.org/a?b=1&amp;c=2");
	CHECK_STR(url_out(&b, "/articles/x#comment-1"),
		  "/articles/x#comment-1");
	CHECK_STR(url_out(&b, "javascript:alert(1)"), "#");
	CHECK_STR(url_out(&b, "JaVaScRiPt:alert(1)"), "#");
	CHECK_STR(url_out(&b, " javascript:alert(1)"), "#");
	CHECK_STR(url_out(&b, "java\tscript:alert(1)"), "#");
	CHECK_STR(url_out(&b, "data:text/html,<b>"), "#");
	CHECK_STR(url_out(&b, "vbscript:x"), "#");
	CHECK_STR(url_out(&b, "//evil.example/x"), "#");
	CHECK_STR(url_out(&b, "/\\evil.example/x"), "#");
	CHECK_STR(url_out(&b, "mailto:a@example.org"), "mailto:a@example.org");
	CHECK_STR(url_out(&b, "javascript&colon;alert(1)"),
		  "javascript&amp;colon;alert(1)");

	/* UTF-8: valid, overlong, surrogate, too big, truncated, controls. */
	CHECK(utf8_valid("héllo ✓ 😀", strlen("héllo ✓ 😀"), &chars) &&
	      chars == 9);
	CHECK(!utf8_valid("\xc0\xaf", 2, NULL));
	CHECK(!utf8_valid("\xe0\x80\xaf", 3, NULL));
	CHECK(!utf8_valid("\xed\xa0\x80", 3, NULL));
	CHECK(!utf8_valid("\xf4\x90\x80\x80", 4, NULL));
	CHECK(!utf8_valid("\xf0\x9f\x98", 3, NULL));
	CHECK(!utf8_valid("\xff", 1, NULL));
	CHECK(!utf8_valid("a\0b", 3, NULL));
	CHECK(!utf8_valid("a\x1b[31m", 6, NULL));
	CHECK(utf8_valid("line\r\nnext\ttab", 14, NULL));

	/* Small checks. */
	CHECK(email_valid("reader@example.org"));
	CHECK(!email_valid("reader@localhost"));
	CHECK(!email_valid("no-at.example.org"));
	CHECK(!email_valid("a@b@example.org"));
	CHECK(!email_valid("\"><script>@example.org"));
	CHECK(!email_valid("a b@example.org"));
	CHECK(http_url_valid("https://example.org/x"));
	CHECK(http_url_valid("HTTP://example.org"));
	CHECK(!http_url_valid("javascript:alert(1)"));
	CHECK(!http_url_valid("https://"));
	CHECK(!http_url_valid("https://exa mple.org"));
	CHECK(!http_url_valid("https://example.org/\"onmouseover="));
	/* An author's image: http(s) or a path here, never another site. */
	CHECK(image_src_valid("/static/photo.jpg"));
	CHECK(image_src_valid("https://example.org/p.png"));
	CHECK(!image_src_valid("//evil.example/p.png"));
	CHECK(!image_src_valid("/\\evil.example/p.png"));
	CHECK(!image_src_valid("data:image/png;base64,AAAA"));
	CHECK(!image_src_valid("photo.jpg"));
	CHECK(!image_src_valid("/a b.png"));
	CHECK(!image_src_valid(""));
	CHECK(slug_valid("a-good-slug-2"));
	CHECK(!slug_valid("-bad"));
	CHECK(!slug_valid("Bad"));
	CHECK(!slug_valid("../etc"));
	CHECK(!slug_valid(""));
	slug_from_title("Should the West Cooperate? Yes — or No!", slug,
			sizeof(slug));
	CHECK_STR(slug, "should-the-west-cooperate-yes-or-no");
	slug_from_title("¿¡!", slug, sizeof(slug));
	CHECK_STR(slug, "post");
	{
		char s[] = "  padded \n";

		CHECK_STR(str_trim(s), "padded");
	}

	/* Time. */
	CHECK(time_parse("2026-11-22", &t) && t == 1795305600);
	CHECK(time_parse("2026-11-22 18:48", &t) &&
	      t == 1795305600 + 18 * 3600 + 48 * 60);
	CHECK(time_parse("2026-11-22T18:48:05Z", &t) &&
	      t == 1795305600 + 18 * 3600 + 48 * 60 + 5);
	CHECK(!time_parse("2026-13-01", &t));
	CHECK(!time_parse("yesterday", &t));
	/* Days the month does not have; leap years by the Gregorian rule. */
	CHECK(!time_parse("2026-02-30", &t));
	CHECK(!time_parse("2026-04-31", &t));
	CHECK(!time_parse("2027-02-29", &t) && !time_parse("2100-02-29", &t));
	CHECK(time_parse("2028-02-29", &t) && time_parse("2000-02-29", &t));
	CHECK(time_parse("2026-12-31 23:59:59", &t) &&
	      !time_parse("2026-12-31 23:59:60", &t));
	CHECK(!time_parse("2026-11-22 18:48 trailing", &t));
	time_format_human(1795305600 + 18 * 3600 + 48 * 60, when, sizeof(when));
	CHECK_STR(when, "22 November 2026 at 18:48");
	time_format_iso(1795305600, when, sizeof(when));
	CHECK_STR(when, "2026-11-22T00:00:00Z");
	/*
	 * The dates are computed without gmtime_r(): they must agree with it
	 * on every kind of day (leap days, century years, before 1970), on
	 * a spread of times from year 0 to 9999.
	 */
	{
		static const char *const mn[] = {
		    "January",	 "February", "March",	 "April",
		    "May",	 "June",     "July",	 "August",
		    "September", "October",  "November", "December"};
		int64_t x, bad = 0;
		char want[64];
		struct tm tm;
		time_t tt;

		for (x = -62167219200LL; x < 253402300800LL;
		     x += 86400LL * 37 + 3671) {
			int64_t probe[3] = {x, x - x % 86400, x + 86399};
			int k;

			for (k = 0; k < 3; k++) {
				tt = (time_t)probe[k];
				gmtime_r(&tt, &tm);
				snprintf(want, sizeof(want),
					 "%d %s %d at %02d:%02d", tm.tm_mday,
					 mn[tm.tm_mon], tm.tm_year + 1900,
					 tm.tm_hour, tm.tm_min);
				time_format_human(probe[k], when, sizeof(when));
				bad += strcmp(when, want) != 0;
				strftime(want, sizeof(want),
					 "%Y-%m-%dT%H:%M:%SZ", &tm);
				time_format_iso(probe[k], when, sizeof(when));
				bad += strcmp(when, want) != 0;
			}
		}
		CHECK(bad == 0);
		time_format_human(951782400, when, sizeof(when));
		CHECK_STR(when, "29 February 2000 at 00:00");
		time_format_iso(-1, when, sizeof(when));
		CHECK_STR(when, "1969-12-31T23:59:59Z");
		time_format_human(1795305600, when, 8);
		CHECK_STR(when, "22 Nove");
	}

	buf_clear(&b);
	TEST_DONE();
}
