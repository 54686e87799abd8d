/* Buffers, arenas, escaping, UTF-8 and the small string checks. */
#include <stdlib.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/util.h"
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
	CHECK(!buf_puts(&small, ""));	/* failure sticks until reset */
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

	/* html_escape: every dangerous byte, NUL dropped. */
	CHECK_STR(escaped(&b, "<script>alert('x')</script>"),
		  "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
	CHECK_STR(escaped(&b, "\" onmouseover=\"x"), "&quot; onmouseover=&quot;x");
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
	CHECK_STR(url_out(&b, "/articles/x#comment-1"), "/articles/x#comment-1");
	CHECK_STR(url_out(&b, "javascript:alert(1)"), "#");
	CHECK_STR(url_out(&b, "JaVaScRiPt:alert(1)"), "#");
	CHECK_STR(url_out(&b, " javascript:alert(1)"), "#");
	CHECK_STR(url_out(&b, "java\tscript:alert(1)"), "#");
	CHECK_STR(url_out(&b, "data:text/html,<b>"), "#");
	CHECK_STR(url_out(&b, "vbscript:x"), "#");
	CHECK_STR(url_out(&b, "//evil.example/x"), "#");
	CHECK_STR(url_out(&b, "/\\evil.example/x"), "#");
	CHECK_STR(url_out(&b, "mailto:a@example.org"), "mailto:a@example.org");
	CHECK_STR(url_out(&b, "javascript&colon;alert(1)"), "javascript&amp;colon;alert(1)");

	/* UTF-8: valid, overlong, surrogate, too big, truncated, controls. */
	CHECK(utf8_valid("héllo ✓ 😀", strlen("héllo ✓ 😀"), &chars) && chars == 9);
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
	CHECK(slug_valid("a-good-slug-2"));
	CHECK(!slug_valid("-bad"));
	CHECK(!slug_valid("Bad"));
	CHECK(!slug_valid("../etc"));
	CHECK(!slug_valid(""));
	slug_from_title("Should the West Cooperate? Yes — or No!", slug, sizeof(slug));
	CHECK_STR(slug, "should-the-west-cooperate-yes-or-no");
	slug_from_title("¿¡!", slug, sizeof(slug));
	CHECK_STR(slug, "post");
	{
		char s[] = "  padded \n";

		CHECK_STR(str_trim(s), "padded");
	}

	/* Time. */
	CHECK(time_parse("2026-11-22", &t) && t == 1795305600);
	CHECK(time_parse("2026-11-22 18:48", &t) && t == 1795305600 + 18 * 3600 + 48 * 60);
	CHECK(time_parse("2026-11-22T18:48:05Z", &t) && t == 1795305600 + 18 * 3600 + 48 * 60 + 5);
	CHECK(!time_parse("2026-13-01", &t));
	CHECK(!time_parse("yesterday", &t));
	CHECK(!time_parse("2026-11-22 18:48 trailing", &t));
	time_format_human(1795305600 + 18 * 3600 + 48 * 60, when, sizeof(when));
	CHECK_STR(when, "22 November 2026 at 18:48");
	time_format_iso(1795305600, when, sizeof(when));
	CHECK_STR(when, "2026-11-22T00:00:00Z");

	buf_clear(&b);
	TEST_DONE();
}
