/*
 * test_markdown: markdown_render() in both profiles.  Exact output for
 * ordinary Markdown; hostile input that must come out harmless, checked
 * by a small HTML reader that knows the allowlist; and md4c's
 * pathological inputs, each under a CPU budget measured with clock().
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../html_check.h"
#include "core/buf.h"
#include "render/markdown.h"
#include "test.h"

#define CPU_BUDGET 1.0 /* seconds for ~100 KB of input */

static const char *const profile_names[] = {"reader", "author"};

/* Renders src; returns a malloc'd string (never NULL unless out of memory). */
static char *
render(const char *src, size_t n, enum markdown_profile p, bool *ok)
{
	struct buf b;
	bool r;

	buf_init(&b, 0);
	r = markdown_render(&b, src, n, p);
	if (ok != NULL)
		*ok = r;
	return buf_steal(&b, NULL);
}

static void
expect(enum markdown_profile p, const char *src, const char *want)
{
	bool ok;
	char *got = render(src, strlen(src), p, &ok);

	if (got == NULL || strcmp(got, want) != 0)
		printf("  (%s) input: %s\n", profile_names[p], src);
	CHECK(ok);
	CHECK_STR(got, want);
	free(got);
}

/*
 * The HTML reader for the checks (tests/html_check.h, shared with the
 * fuzzer): every tag must be allowlisted (and allowed for the profile),
 * every attribute allowlisted for its tag, every URL http/https/mailto
 * (or relative, for authors), every '&' one of the entities
 * html_escape() writes, and the tags balanced.
 */

static void
test_ordinary(void)
{
	enum markdown_profile p;

	for (p = MARKDOWN_READER; p <= MARKDOWN_AUTHOR; p++) {
		expect(p, "", "");
		expect(p, "Hello *world* and **you** and ~~not~~ `x<y`",
		       "<p>Hello <em>world</em> and <strong>you</strong> and "
		       "<del>not</del> <code>x&lt;y</code></p>\n");
		expect(p, "one\n\ntwo\nthree",
		       "<p>one</p>\n<p>two\nthree</p>\n");
		expect(p, "a  \nb", "<p>a<br>\nb</p>\n");
		expect(p, "- a\n- b\n",
		       "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
		expect(p, "- a\n\n- b\n",
		       "<ul>\n<li><p>a</p>\n</li>\n"
		       "<li><p>b</p>\n</li>\n</ul>\n");
		expect(p, "3. c\n4. d\n",
		       "<ol start=\"3\">\n<li>c</li>\n<li>d</li>\n</ol>\n");
		expect(p, "1. a\n   - b\n",
		       "<ol>\n<li>a<ul>\n<li>b</li>\n</ul>\n</li>\n</ol>\n");
		expect(p, "- [x] done\n- [ ] todo\n",
		       "<ul>\n<li>[x] done</li>\n<li>[ ] todo</li>\n</ul>\n");
		expect(p, "> quoted\n> > deeper",
		       "<blockquote>\n<p>quoted</p>\n<blockquote>\n"
		       "<p>deeper</p>\n</blockquote>\n</blockquote>\n");
		expect(p, "```c\nint x = a < b;\n```\n",
		       "<pre><code class=\"language-c\">int x = a &lt; b;\n"
		       "</code></pre>\n");
		expect(p, "    indented\n",
		       "<pre><code>indented\n</code></pre>\n");
		expect(p, "```\" onmouseover=\"x\nbad lang\n```\n",
		       "<pre><code>bad lang\n</code></pre>\n");
		expect(p, "---\n", "<hr>\n");
		expect(p, "| a | b |\n|---|:-:|\n| c | d |\n",
		       "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n"
		       "</tr>\n</thead>\n<tbody>\n<tr>\n<td>c</td>\n"
		       "<td>d</td>\n</tr>\n</tbody>\n</table>\n");
		expect(p, "&amp; &lt; &copy; &#65; &#x42; &bogus; &colon;",
		       "<p>&amp; &lt; \xc2\xa9 A B &amp;bogus; :</p>\n");
		expect(p, "&#0; &#xD800; &#x110000; &#1234567;",
		       "<p>\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd "
		       "\xef\xbf\xbd</p>\n");
		expect(p, "<b>raw</b> <!-- c -->",
		       "<p>&lt;b&gt;raw&lt;/b&gt; &lt;!-- c --&gt;</p>\n");
		expect(p, "it's \"quoted\" `tick`",
		       "<p>it&#39;s &quot;quoted&quot; <code>tick</code>"
		       "</p>\n");
		expect(p, "\xf0\x9f\x98\x80 emoji \xe2\x82\xac",
		       "<p>\xf0\x9f\x98\x80 emoji \xe2\x82\xac</p>\n");
	}

	/* Readers: links absolute only, nofollow; no headings, no images. */
	expect(MARKDOWN_READER, "[x](http://e.com \"T&quot;'\")",
	       "<p><a href=\"http://e.com\" title=\"T&quot;&#39;\" "
	       "rel=\"nofollow ugc noopener\">x</a></p>\n");
	expect(MARKDOWN_READER, "[x](/relative) [y](page.html)",
	       "<p>x y</p>\n");
	expect(MARKDOWN_READER, "[m](mailto:a@b.co)",
	       "<p><a href=\"mailto:a@b.co\" rel=\"nofollow ugc noopener\">"
	       "m</a></p>\n");
	expect(MARKDOWN_READER,
	       "see https://e.com/a?b=1&c=2. and www.e.com, <http://x.org>",
	       "<p>see <a href=\"https://e.com/a?b=1&amp;c=2\" "
	       "rel=\"nofollow ugc noopener\">https://e.com/a?b=1&amp;c=2</a>. "
	       "and <a href=\"http://www.e.com\" rel=\"nofollow ugc noopener\">"
	       "www.e.com</a>, <a href=\"http://x.org\" "
	       "rel=\"nofollow ugc noopener\">http://x.org</a></p>\n");
	expect(MARKDOWN_READER, "# Big\n## Small",
	       "<p><strong>Big</strong></p>\n<p><strong>Small</strong></p>\n");
	expect(MARKDOWN_READER, "![a *b*](http://i.org/x.png \"t\")",
	       "<p><a href=\"http://i.org/x.png\" title=\"t\" "
	       "rel=\"nofollow ugc noopener\">a <em>b</em></a></p>\n");
	expect(MARKDOWN_READER, "![alt](/x.png)", "<p>alt</p>\n");
	expect(MARKDOWN_READER, "[![i](http://i/x.png)](http://l/)",
	       "<p><a href=\"http://l/\" rel=\"nofollow ugc noopener\">i</a>"
	       "</p>\n");

	/* Authors: h1 becomes h2, relative links, images. */
	expect(MARKDOWN_AUTHOR, "# Big\n### Third",
	       "<h2>Big</h2>\n<h3>Third</h3>\n");
	expect(MARKDOWN_AUTHOR, "[x](/relative)",
	       "<p><a href=\"/relative\">x</a></p>\n");
	expect(MARKDOWN_AUTHOR, "[x](https://e.com \"T\")",
	       "<p><a href=\"https://e.com\" title=\"T\" rel=\"noopener\">x"
	       "</a></p>\n");
	expect(MARKDOWN_AUTHOR, "www.e.com",
	       "<p><a href=\"http://www.e.com\" rel=\"noopener\">www.e.com"
	       "</a></p>\n");
	expect(MARKDOWN_AUTHOR, "![a *b* ![c](/d)](/x.png \"T\")",
	       "<p><img src=\"/x.png\" title=\"T\" alt=\"a b c\"></p>\n");
	expect(MARKDOWN_AUTHOR, "[![i](http://i/x.png)](http://l/)",
	       "<p><a href=\"http://l/\" rel=\"noopener\"><img "
	       "src=\"http://i/x.png\" alt=\"i\"></a></p>\n");
	expect(MARKDOWN_AUTHOR, "![alt](mailto:a@b.co)", "<p>alt</p>\n");
	/* Nor data: URLs, in any case: the alt text stands alone. */
	expect(MARKDOWN_AUTHOR, "![alt](data:image/png;base64,iVBORw0KGgo=)",
	       "<p>alt</p>\n");
	expect(MARKDOWN_AUTHOR, "![alt](DATA:image/gif,GIF89a)",
	       "<p>alt</p>\n");
	expect(MARKDOWN_AUTHOR, "[ref][r]\n\n[r]: /target \"Title\"",
	       "<p><a href=\"/target\" title=\"Title\">ref</a></p>\n");
}

/*
 * Leading whitespace is Markdown: a comment that starts with four spaces
 * or a tab starts with an indented code block, even when what follows
 * would otherwise be a rule or a list (CommonMark 4.4).
 */
static void
test_indent(void)
{
	enum markdown_profile p;

	for (p = MARKDOWN_READER; p <= MARKDOWN_AUTHOR; p++) {
		expect(p, "    code\n\ntext",
		       "<pre><code>code\n</code></pre>\n<p>text</p>\n");
		expect(p, "\tcode", "<pre><code>code\n</code></pre>\n");
		expect(p, "  \tx < y", "<pre><code>x &lt; y\n</code></pre>\n");
		expect(p, "    ***", "<pre><code>***\n</code></pre>\n");
		expect(p, "   ***", "<hr>\n");
		expect(p, "    - a\n    - b\n",
		       "<pre><code>- a\n- b\n</code></pre>\n");
		expect(p, "      two\n    one\n",
		       "<pre><code>  two\none\n</code></pre>\n");
		expect(p, "\n\n    after blank lines",
		       "<pre><code>after blank lines\n</code></pre>\n");
		/* Trailing spaces before a line end are a hard break. */
		expect(p, "a  \nb  \n", "<p>a<br>\nb</p>\n");
	}
}

/*
 * Every HTML5 named character reference is decoded (CommonMark 6.2),
 * some to two code points; the result is escaped like any text, so a
 * decoded "<" or "&" never starts markup.  The whole list is checked by
 * the golden file entities.md; these are the cases around it.
 */
static void
test_entities(void)
{
	enum markdown_profile p;

	for (p = MARKDOWN_READER; p <= MARKDOWN_AUTHOR; p++) {
		expect(p, "&AElig; &HilbertSpace; &Dcaron;",
		       "<p>\xc3\x86 \xe2\x84\x8b \xc4\x8e</p>\n");
		/* Two code points: U+2267 U+0338, U+003C U+20D2. */
		expect(p, "&ngE; &nvlt;",
		       "<p>\xe2\x89\xa7\xcc\xb8 &lt;\xe2\x83\x92</p>\n");
		/* The first and the last names of the sorted list. */
		expect(p, "&AElig;&zwnj;", "<p>\xc3\x86\xe2\x80\x8c</p>\n");
		expect(p,
		       "&ClockwiseContourIntegral; "
		       "&CounterClockwiseContourIntegral;",
		       "<p>\xe2\x88\xb2 \xe2\x88\xb3</p>\n");
		/* Unknown names, wrong case, no ';': the text as typed. */
		expect(p, "&foo; &Amp; &aelig &AEligx; &AEli;",
		       "<p>&amp;foo; &amp;Amp; &amp;aelig &amp;AEligx; "
		       "&amp;AEli;</p>\n");
		expect(p, "&amp; &AMP; &amp;lt; &amp;amp;",
		       "<p>&amp; &amp; &amp;lt; &amp;amp;</p>\n");
		expect(p, "&lt;script&gt; &quot;&apos;&grave;",
		       "<p>&lt;script&gt; &quot;&#39;&#96;</p>\n");
		expect(p, "&bsol;&ast;not em&ast; &num; &lsqb;x&rsqb;(y)",
		       "<p>\\*not em* # [x](y)</p>\n");
		/* Not decoded in code, as CommonMark says. */
		expect(p, "`&AElig;`", "<p><code>&amp;AElig;</code></p>\n");
		expect(p, "    &AElig;\n",
		       "<pre><code>&amp;AElig;\n</code></pre>\n");
		/* An info string is decoded, then must be a plain name. */
		expect(p, "```c&lt;\nx\n```\n",
		       "<pre><code>x\n</code></pre>\n");
		expect(p, "```&#99;\nx\n```\n",
		       "<pre><code class=\"language-c\">x\n</code></pre>\n");
	}

	/* In link destinations and titles: decoded, checked, escaped. */
	expect(
	    MARKDOWN_READER,
	    "[a](https&colon;//e.com/&ouml;?x=1&amp;y=2 \"&AElig;&quot;&lt;\")",
	    "<p><a href=\"https://e.com/\xc3\xb6?x=1&amp;y=2\" "
	    "title=\"\xc3\x86&quot;&lt;\" rel=\"nofollow ugc noopener\">a"
	    "</a></p>\n");
	expect(MARKDOWN_READER, "[a](http://e.com/&nvlt;&foo;)",
	       "<p><a href=\"http://e.com/&lt;\xe2\x83\x92&amp;foo;\" "
	       "rel=\"nofollow ugc noopener\">a</a></p>\n");
	expect(MARKDOWN_READER, "[a][r]\n\n[r]: http&colon;//e.com 'T&ngE;'",
	       "<p><a href=\"http://e.com\" title=\"T\xe2\x89\xa7\xcc\xb8\" "
	       "rel=\"nofollow ugc noopener\">a</a></p>\n");
	/* An unknown name stays: a relative URL, for authors only. */
	expect(MARKDOWN_READER, "[a](&foo;)", "<p>a</p>\n");
	expect(MARKDOWN_AUTHOR, "[a](&foo;)",
	       "<p><a href=\"&amp;foo;\">a</a></p>\n");
	expect(MARKDOWN_AUTHOR, "![&AElig;](/i.png \"&HilbertSpace;\")",
	       "<p><img src=\"/i.png\" title=\"\xe2\x84\x8b\" "
	       "alt=\"\xc3\x86\"></p>\n");
	/* A decoded scheme is still refused. */
	expect(MARKDOWN_READER,
	       "[a](javascript&colon;x) [b](&#x6a;avascript:x)",
	       "<p>a b</p>\n");
}

struct hostile {
	const char *src;
	size_t len;	    /* 0: strlen(src) */
	bool no_link;	    /* no <a> and no <img> may come out */
	const char *absent; /* must not appear in the output, or NULL */
};

/* A literal with NUL bytes in it, and its length. */
#define BIN(s) s, sizeof(s) - 1

static const struct hostile hostiles[] = {
    {"<script>alert(1)</script>", 0, true, "<script"},
    {"<SCRIPT SRC=//evil/x.js></SCRIPT>", 0, true, "<SCRIPT"},
    {"<img src=x onerror=alert(1)>", 0, true, "<img"},
    {"<svg/onload=alert(1)>", 0, true, "<svg"},
    {"<a href=\"javascript:alert(1)\">x</a>", 0, true, "<a href"},
    {"<div\nonclick=\"alert(1)\">x</div>", 0, true, "<div"},
    {"<iframe src=javascript:alert(1)>", 0, true, "<iframe"},
    {"[x](javascript:alert(1))", 0, true, NULL},
    {"[x](javascript&colon;alert(1))", 0, true, NULL},
    {"[x](&#106;avascript:alert(1))", 0, true, NULL},
    {"[x](&#x6A;avascript&#x3A;alert(1))", 0, true, NULL},
    {"[x](javascript&#58;alert(1))", 0, true, NULL},
    {"[x](JAVASCRIPT:alert(1))", 0, true, NULL},
    {"[x](JaVaScRiPt:alert(1))", 0, true, NULL},
    {"[x]( javascript:alert(1))", 0, true, NULL},
    {"[x](\njavascript:alert(1))", 0, true, NULL},
    {"[x](java&#09;script:alert(1))", 0, true, NULL},
    {"[x](java&Tab;script:alert(1))", 0, true, NULL},
    {"[x](java&NewLine;script:alert(1))", 0, true, NULL},
    {"[x](&#x09;javascript:alert(1))", 0, true, NULL},
    {"[x](javascript\\:alert(1))", 0, true, NULL},
    {"[x](<javascript:alert(1)>)", 0, true, NULL},
    {"[x](javascript&lpar;1&rpar;:x)", 0, true, NULL},
    {"<javascript:alert(1)>", 0, true, NULL},
    {"<JavaScript:alert(1)>", 0, true, NULL},
    {"[x](data:text/html;base64,PHNjcmlwdD4=)", 0, true, NULL},
    {"[x](DATA:text/html,<script>alert(1)</script>)", 0, true, NULL},
    {"[x](vbscript:x)", 0, true, NULL},
    {"[x](file:///etc/passwd)", 0, true, NULL},
    {"[x](//evil.example/)", 0, true, NULL},
    {"[x](/\\evil.example/)", 0, true, NULL},
    {"[x](http:\\\\evil.example)", 0, true, NULL},
    {"[x][r]\n\n[r]: javascript:alert(1)", 0, true, NULL},
    {"[x][r]\n\n[r]: java&#115;cript:alert(1)", 0, true, NULL},
    {"![x](javascript:alert(1))", 0, true, NULL},
    {"![x](data:image/svg+xml,<svg onload=alert(1)>)", 0, true, NULL},
    {"![x](vbscript:alert(1))", 0, true, NULL},
    {"[x](http://e.com\"onmouseover=\"alert(1))", 0, false, NULL},
    {"[x](http://e.com \"a\\\" onclick=\\\"alert(1)\")", 0, false, NULL},
    {"[x](http://e.com 'a\" onclick=\"alert(1)')", 0, false, NULL},
    {"![\" onerror=\"alert(1)](http://e.com/i.png)", 0, false, NULL},
    {"![a' onerror='alert(1)](http://e.com/i.png)", 0, false, NULL},
    {"[<img src=x onerror=alert(1)>](http://e.com)", 0, false, "<img s"},
    {"`<script>alert(1)</script>`", 0, true, "<script"},
    {"```\n<script>alert(1)</script>\n```", 0, true, "<script"},
    {"```js\" onload=\"alert(1)\nx\n```", 0, true, NULL},
    {"```<script>\nx\n```", 0, true, "<script"},
    {"&lt;script&gt;alert(1)&lt;/script&gt;", 0, true, "<script"},
    {"&#60;script&#62;alert(1)&#60;/script&#62;", 0, true, "<script"},
    {"&#x3C;img src=x onerror=alert(1)&#x3E;", 0, true, "<img"},
    {"| <script> | b |\n|---|---|\n| <img onerror=x> | d |", 0, true,
     "<script"},
    {"- <script>x\n- [y](javascript:z)", 0, true, "<script"},
    {"> <script>x</script>\n> [y](vbscript:z)", 0, true, "<script"},
    {"# <script>x</script>", 0, true, "<script"},
    {"www.e.com/<script>", 0, false, "<script"},
    {"http://e.com/\"onmouseover=alert(1)//", 0, false, NULL},
    {BIN("a\0b<script>\0"), true, "<script"},
    {BIN("[x](java\0script:alert(1))"), true, NULL},
    {"\xff\xfe<script>\xc0\xbc", 0, true, "<script"},
    {"\xc0\xbcscript\xc0\xbe", 0, true, "<script"},
    {"[x](\xf0\x9f\x98\x80:alert(1))", 0, true, NULL},
    {"[x](java\xe2\x80\x8bscript:alert(1))", 0, true, NULL},
    {"\xf0\x9f\x98\x80<\xf0\x9f\x98\x80", 0, true, NULL},
    {"[\xf0\x9f\x98](http://e.com)", 0, false, NULL},
    {"*\xed\xa0\x80*", 0, true, NULL},
    {"[x](http://e.com/\xf4\x90\x80\x80)", 0, false, NULL},
};

static void
test_hostile(void)
{
	size_t i;
	enum markdown_profile p;

	for (i = 0; i < sizeof(hostiles) / sizeof(hostiles[0]); i++) {
		const struct hostile *h = &hostiles[i];
		size_t n = h->len ? h->len : strlen(h->src);

		for (p = MARKDOWN_READER; p <= MARKDOWN_AUTHOR; p++) {
			bool ok;
			char *out = render(h->src, n, p, &ok);
			const char *err;

			if (out == NULL)
				abort();
			err = html_check(out, p);
			if (err != NULL || !ok)
				printf("  hostile #%zu (%s): %s\n  out: %s\n",
				       i, profile_names[p],
				       err ? err : "failed", out);
			CHECK(ok);
			CHECK(err == NULL);
			CHECK(html_check_utf8(out));
			CHECK(strstr(out, "<script") == NULL);
			CHECK(strcasestr(out, "href=\"javascript") == NULL);
			CHECK(!html_check_on_attr(out));
			if (h->no_link)
				CHECK(strstr(out, "<a ") == NULL &&
				      strstr(out, "<img ") == NULL);
			if (h->absent != NULL)
				CHECK(strstr(out, h->absent) == NULL);
			free(out);
		}
	}
	/* NUL bytes and broken UTF-8 become U+FFFD, in text and in URLs. */
	{
		char *out = render(BIN("a\0b"), MARKDOWN_READER, NULL);

		CHECK_STR(out, "<p>a\xef\xbf\xbd"
			       "b</p>\n");
		free(out);
		out = render(BIN("\xff x \xc0\xaf"), MARKDOWN_READER, NULL);
		CHECK_STR(out, "<p>\xef\xbf\xbd x "
			       "\xef\xbf\xbd\xef\xbf\xbd</p>\n");
		free(out);
		out = render(BIN("[x](http://e.com/\xff)"), MARKDOWN_READER,
			     NULL);
		CHECK_STR(out, "<p><a href=\"http://e.com/\xef\xbf\xbd\" "
			       "rel=\"nofollow ugc noopener\">x</a></p>\n");
		free(out);
	}
}

/*
 * md4c 0.4.8 reads past the end of "[a](b" looking for ')': what follows
 * the input in memory must never count.
 */
static void
test_overread(void)
{
	static const char mem[] = "[a](b)) [c](d)\n\n<x>";
	static const char *const cases[] = {"[a](b", "[x](][_", "[](*",
					    "![i](u"};
	char buf[64];
	size_t i;
	enum markdown_profile p;

	for (p = MARKDOWN_READER; p <= MARKDOWN_AUTHOR; p++) {
		char *out = render(mem, 5, p, NULL);

		CHECK_STR(out, "<p>[a](b</p>\n");
		free(out);
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i]);
		char *alone, *padded;

		memset(buf, ')', sizeof(buf));
		memcpy(buf, cases[i], n);
		alone = render(cases[i], n, MARKDOWN_AUTHOR, NULL);
		padded = render(buf, n, MARKDOWN_AUTHOR, NULL);
		CHECK_STR(padded, alone);
		free(alone);
		free(padded);
	}
}

/* A full buffer is cut back to what it held; it stays marked failed. */
static void
test_cap(void)
{
	struct buf b;
	bool ok;

	buf_init(&b, 40);
	CHECK(buf_puts(&b, "kept"));
	ok = markdown_render(&b, "*a* **b** [c](http://example.com/long)", 38,
			     MARKDOWN_READER);
	CHECK(!ok);
	CHECK(buf_failed(&b));
	CHECK_STR(buf_cstr(&b), "kept");
	buf_clear(&b);

	/* Output is appended to what the buffer already holds. */
	buf_init(&b, 0);
	CHECK(buf_puts(&b, "<div>"));
	CHECK(markdown_render(&b, "x", 1, MARKDOWN_AUTHOR));
	CHECK_STR(buf_cstr(&b), "<div><p>x</p>\n");
	buf_clear(&b);
}

/* Inputs that markdown_precheck() defuses by switching an extension off. */
static void
test_defused(void)
{
	struct buf in;
	size_t i;
	bool ok;
	char *out;

	buf_init(&in, 0);
	for (i = 0; i < 30000; i++)
		if (!buf_puts(&in, "www._"))
			break;
	CHECK(!buf_failed(&in));
	out = render(in.data, in.len, MARKDOWN_READER, &ok);
	CHECK(ok);
	CHECK(out != NULL && strstr(out, "<a ") == NULL);
	free(out);

	buf_reset(&in);
	for (i = 0; i < 2000; i++)
		if (!buf_puts(&in, "|a"))
			break;
	CHECK(buf_puts(&in, "\n"));
	for (i = 0; i < 2000; i++)
		if (!buf_puts(&in, "|---"))
			break;
	CHECK(buf_puts(&in, "\n"));
	for (i = 0; i < 2000; i++)
		if (!buf_puts(&in, "x\n"))
			break;
	out = render(in.data, in.len, MARKDOWN_AUTHOR, &ok);
	CHECK(ok);
	CHECK(out != NULL && strstr(out, "<table>") == NULL);
	CHECK(out != NULL && strlen(out) < 4 * in.len);
	free(out);

	/* Autolinks followed by many marks: plain text, same words. */
	buf_reset(&in);
	for (i = 0; i < 5000; i++)
		if (!buf_puts(&in, "see http://a.example "))
			break;
	for (i = 0; i < 20000; i++)
		if (!buf_puts(&in, "**"))
			break;
	CHECK(!buf_failed(&in));
	out = render(in.data, in.len, MARKDOWN_READER, &ok);
	CHECK(ok);
	CHECK(out != NULL && strstr(out, "<a ") == NULL);
	CHECK(out != NULL && strstr(out, "see http://a.example see") != NULL);
	free(out);

	/* Nested strikethrough: the tildes stay as text. */
	buf_reset(&in);
	for (i = 0; i < 20000; i++)
		if (!buf_puts(&in, "~a "))
			break;
	for (i = 0; i < 20000; i++)
		if (!buf_puts(&in, "_~"))
			break;
	CHECK(!buf_failed(&in));
	out = render(in.data, in.len, MARKDOWN_AUTHOR, &ok);
	CHECK(ok);
	CHECK(out != NULL && strstr(out, "<del>") == NULL);
	free(out);

	/* Ordinary amounts keep every extension. */
	out = render("~~old~~ www.example.com http://example.com |a|\n|---|",
		     52, MARKDOWN_AUTHOR, &ok);
	CHECK(ok);
	CHECK(out != NULL && strstr(out, "<del>old</del>") != NULL);
	CHECK(out != NULL &&
	      strstr(out, "href=\"http://www.example.com\"") != NULL);
	CHECK(out != NULL && strstr(out, "<table>") != NULL);
	free(out);
	buf_clear(&in);
}

/*
 * md4c's pathological inputs (its test/pathological_tests.py, plus the
 * ones later md4c releases fixed), each about 100 KB.  expect: 1 must
 * render, 0 must be refused by the pre-check, -1 either.
 */
struct patho {
	const char *name;
	const char *prefix;
	const char *unit; /* repeated count times */
	const char *mid;
	const char *unit2; /* then repeated count times, if set */
	size_t count;
	void (*gen)(struct buf *, size_t);
	int expect;
};

static void
gen_backticks(struct buf *b, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		if (!buf_putc(b, 'e'))
			return;
		for (j = 0; j < i; j++)
			if (!buf_putc(b, '`'))
				return;
	}
}

static void
gen_backtick_runs(struct buf *b, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j <= i % 7; j++)
			if (!buf_putc(b, '`'))
				return;
		if (!buf_puts(b, "a "))
			return;
	}
}

static void
gen_nested_lists(struct buf *b, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (!buf_puts(b, "  "))
				return;
		if (!buf_puts(b, "* a\n"))
			return;
	}
}

static void
gen_nested_ol(struct buf *b, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (!buf_puts(b, "   "))
				return;
		if (!buf_puts(b, "1. a\n"))
			return;
	}
}

static void
gen_refs(struct buf *b, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (!buf_printf(b, "[%zu]: u\n", i))
			return;
	for (i = 0; i < n; i++)
		if (!buf_puts(b, "[0] "))
			return;
}

static void
gen_huge_table(struct buf *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!buf_puts(b, "th|"))
			return;
	if (!buf_putc(b, '\n'))
		return;
	for (i = 0; i < n; i++)
		if (!buf_puts(b, "---|"))
			return;
	if (!buf_putc(b, '\n'))
		return;
	for (i = 0; i < n; i++)
		if (!buf_puts(b, "td\n"))
			return;
}

static void
gen_ref_inst(struct buf *b, size_t n)
{
	size_t i;

	if (!buf_puts(b, "[x]: "))
		return;
	for (i = 0; i < n; i++)
		if (!buf_putc(b, 'x'))
			return;
	for (i = 0; i < n; i++)
		if (!buf_puts(b, "\n[x]"))
			return;
}

static void
gen_disabled_openers(struct buf *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!buf_putc(b, '['))
			return;
	if (!buf_puts(b, "![img](/url"))
		return;
	for (i = 0; i < n; i++)
		if (!buf_putc(b, '['))
			return;
	if (!buf_puts(b, ")](/outer)"))
		return;
	for (i = 1; i < n; i++)
		if (!buf_putc(b, ']'))
			return;
}

static const struct patho pathos[] = {
    {"nested strong emph", NULL, "*a **a ", "b", " a** a*", 3500, NULL, 1},
    {"*a**a* repeated", NULL, "*a**a*", NULL, NULL, 16000, NULL, 1},
    {"emph closers, no openers", NULL, "a_ ", NULL, NULL, 33000, NULL, 1},
    {"emph openers, no closers", NULL, "_a ", NULL, NULL, 33000, NULL, 1},
    {"3-emph openers", NULL, "a***", NULL, NULL, 25000, NULL, 1},
    {"link closers, no openers", NULL, "a]", NULL, NULL, 50000, NULL, 1},
    {"link openers, no closers", NULL, "[a", NULL, NULL, 50000, NULL, 1},
    {"mismatched openers/closers", NULL, "*a_ ", NULL, NULL, 25000, NULL, 1},
    {"closers multiple of 3", "a**b", "c* ", NULL, NULL, 33000, NULL, 1},
    {"link openers, emph closers", NULL, "[ a_", NULL, NULL, 25000, NULL, 1},
    {"50000 nested [", NULL, "[", NULL, NULL, 50000, NULL, 1},
    {"nested brackets", NULL, "[", "a", "]", 25000, NULL, 1},
    {"nested block quotes", NULL, "> ", "a", NULL, 50000, NULL, 1},
    {"10000 nested >", NULL, ">", "a", NULL, 10000, NULL, 1},
    {"backticks", NULL, NULL, NULL, NULL, 450, gen_backticks, 1},
    {"10000 backtick runs", NULL, NULL, NULL, NULL, 10000, gen_backtick_runs,
     1},
    {"many links", NULL, "[t](/u) ", NULL, NULL, 12500, NULL, 1},
    {"images with brackets", NULL, "[![img](url[)]() ", NULL, NULL, 6000, NULL,
     1},
    {"disabled bracket openers", NULL, NULL, NULL, NULL, 33000,
     gen_disabled_openers, 1},
    {"many references", NULL, NULL, NULL, NULL, 9000, gen_refs, 1},
    {"deeply nested lists", NULL, NULL, NULL, NULL, 300, gen_nested_lists, 1},
    {"deeply nested ordered", NULL, NULL, NULL, NULL, 250, gen_nested_ol, 1},
    {"html openers and closers", NULL, "<>", NULL, NULL, 50000, NULL, 1},
    {"html proc. inst. openers", "x", "<?", NULL, NULL, 50000, NULL, 1},
    {"html CDATA openers", "x", "<![CDATA[", NULL, NULL, 11000, NULL, 1},
    {"backticks and escapes", NULL, "\\``", NULL, NULL, 33000, NULL, 1},
    {"broken link titles", NULL, "[ (](", NULL, NULL, 20000, NULL, 1},
    {"broken thematic break", NULL, "* ", "a", NULL, 50000, NULL, 1},
    {"line of <", NULL, "<", NULL, NULL, 100000, NULL, 1},
    {"line of &", NULL, "&", NULL, NULL, 100000, NULL, 1},
    {"lines of <", NULL, "<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n", NULL,
     NULL, 2500, NULL, 1},
    {"lines of &amp;", NULL, "&amp;&#1;&bogus;&\n", NULL, NULL, 5500, NULL, 1},
    {"unclosed links A", NULL, "[a](<b", NULL, NULL, 16000, NULL, 1},
    {"unclosed links B", NULL, "[a](b", NULL, NULL, 20000, NULL, 1},
    {"permissive autolinks", NULL, "http://a.b/c?d www.e.f ", NULL, NULL, 4000,
     NULL, 1},
    {"broken www autolinks", NULL, "www._", "x", NULL, 20000, NULL, 1},
    {"huge table", NULL, NULL, NULL, NULL, 8000, gen_huge_table, 1},
    /* Quadratic in md4c 0.4.8: rendered with the extension off. */
    {"autolinks, then marks", NULL, "a http://a.b", NULL, "&&&&&&&&&&", 4500,
     NULL, 1},
    {"nested www autolinks", NULL, "a www.www.a", NULL, "**", 8000, NULL, 1},
    {"nested strikethrough", NULL, "~a ", NULL, "_~", 20000, NULL, 1},
    {"strikethrough over marks", "~a ", "~a ", NULL, "_*_*_*~", 7000, NULL, 1},
    /* Quadratic in md4c 0.4.8: refused by the pre-check. */
    {"nested invalid link refs", "[a]: /b\n\n", "[", NULL, "]", 25000, NULL, 0},
    {"many broken links", NULL, "]([\n", NULL, NULL, 25000, NULL, 0},
    {"labels across lines", NULL, "[", "\n", "] ", 25000, NULL, 0},
    {"deep list, then lines", NULL, "1. \t", "a", "\n", 18000, NULL, 0},
    {"deep quote, then lines", NULL, "> ", "a", "\n\n", 16000, NULL, 0},
    {"[](\\n repeated", NULL, "[](\n", NULL, NULL, 25000, NULL, 0},
    {"code spans hiding ]", "[x]: /u\n\n", "[`]`a", NULL, "]", 16000, NULL, 0},
    {"link ref. def. instances", NULL, NULL, NULL, NULL, 20000, gen_ref_inst,
     0},
};

/* Valgrind preloads its own library, and runs everything ~50x slower. */
static bool
under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p != NULL && strstr(p, "vgpreload") != NULL;
}

static void
test_pathological(void)
{
	double scale = under_valgrind() ? 60.0 : 1.0;
	size_t i, k;
	enum markdown_profile p;

	for (i = 0; i < sizeof(pathos) / sizeof(pathos[0]); i++) {
		const struct patho *t = &pathos[i];
		struct buf in;

		buf_init(&in, 0);
		if (t->prefix != NULL)
			CHECK(buf_puts(&in, t->prefix));
		if (t->gen != NULL)
			t->gen(&in, t->count);
		for (k = 0; t->unit != NULL && k < t->count; k++)
			if (!buf_puts(&in, t->unit))
				break;
		if (t->mid != NULL && !buf_puts(&in, t->mid))
			break;
		for (k = 0; t->unit2 != NULL && k < t->count; k++)
			if (!buf_puts(&in, t->unit2))
				break;
		CHECK(!buf_failed(&in));

		for (p = MARKDOWN_READER; p <= MARKDOWN_AUTHOR; p++) {
			struct buf out;
			clock_t c0;
			double secs;
			bool ok;
			const char *err;

			buf_init(&out, 0);
			c0 = clock();
			ok = markdown_render(&out, in.data, in.len, p);
			secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
			err = ok ? html_check(buf_cstr(&out), p) : NULL;
			printf("  %-28s %s %7zu B -> %8zu B  %-8s %.3f s\n",
			       t->name, profile_names[p], in.len, out.len,
			       ok ? "rendered" : "refused", secs);
			if (err != NULL)
				printf("  %s: %s\n", t->name, err);
			CHECK(secs < CPU_BUDGET * scale);
			CHECK(err == NULL);
			CHECK(t->expect < 0 || ok == (t->expect == 1));
			CHECK(ok || out.len == 0);
			CHECK(out.len <= in.len * MARKDOWN_OUT_PER_BYTE +
					     MARKDOWN_OUT_BASE);
			buf_clear(&out);
		}
		buf_clear(&in);
	}
}

/*
 * A wide table with empty rows: each "|" line is padded to the header's
 * width, so 1,972 bytes wrote some 740 KB.  Within the output budget it
 * is shown with less formatting, every character still there; a real
 * table next to the budget keeps its markup.
 */
static void
test_budget(void)
{
	enum markdown_profile p;
	struct buf in;
	size_t i;
	bool ok;
	char *out;

	buf_init(&in, 0);
	for (i = 0; i < 101; i++)
		CHECK(buf_putc(&in, '|'));
	CHECK(buf_putc(&in, '\n'));
	for (i = 0; i < 100; i++)
		CHECK(buf_puts(&in, "|---"));
	CHECK(buf_putc(&in, '\n'));
	while (in.len + 2 <= 1972)
		CHECK(buf_puts(&in, "|\n"));
	for (p = MARKDOWN_READER; p <= MARKDOWN_AUTHOR; p++) {
		out = render(in.data, in.len, p, &ok);
		CHECK(ok);
		CHECK(out != NULL &&
		      strlen(out) <=
			  in.len * MARKDOWN_OUT_PER_BYTE + MARKDOWN_OUT_BASE);
		CHECK(out != NULL && strstr(out, "<table>") == NULL);
		CHECK(out != NULL && strstr(out, "|---|---|") != NULL);
		free(out);
	}

	/*
	 * A long link definition used at every word: each use copies the
	 * URL, tables or not.  Shown as text, with every character.
	 */
	buf_reset(&in);
	CHECK(buf_puts(&in, "[x]: http://e.example/"));
	for (i = 0; i < 1000; i++)
		CHECK(buf_putc(&in, 'a'));
	CHECK(buf_puts(&in, "\n\n"));
	for (i = 0; i < 300; i++)
		CHECK(buf_puts(&in, "[x] "));
	out = render(in.data, in.len, MARKDOWN_READER, &ok);
	CHECK(ok);
	CHECK(out != NULL && strlen(out) <= in.len * MARKDOWN_OUT_PER_BYTE +
						MARKDOWN_OUT_BASE);
	CHECK(out != NULL && strstr(out, "<a ") == NULL);
	CHECK(out != NULL && strstr(out, "[x] [x] [x]") != NULL);
	free(out);

	/* An ordinary table of many rows is well inside. */
	buf_reset(&in);
	CHECK(buf_puts(&in, "| a | b |\n|---|---|\n"));
	for (i = 0; i < 200; i++)
		CHECK(buf_puts(&in, "| c | d |\n"));
	out = render(in.data, in.len, MARKDOWN_READER, &ok);
	CHECK(ok);
	CHECK(out != NULL && strstr(out, "<table>") != NULL);
	free(out);
	buf_clear(&in);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (!buf_append(&b, chunk, n))
			break;
	fclose(f);
	if (buf_failed(&b)) {
		buf_clear(&b);
		return NULL;
	}
	return buf_steal(&b, len);
}

/*
 * Golden files: NAME.md with NAME.reader.html and NAME.author.html, the
 * exact expected output.  Looked up from the repository's root, or in
 * $PARLEY_GOLDEN_DIR.
 */
static void
test_golden(void)
{
	const char *dir = getenv("PARLEY_GOLDEN_DIR");
	struct dirent *e;
	DIR *d;
	int files = 0;

	if (dir == NULL)
		dir = "tests/golden/markdown";
	if ((d = opendir(dir)) == NULL) {
		printf("SKIP golden files: no %s (run from the repository's "
		       "root or set PARLEY_GOLDEN_DIR)\n",
		       dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name), n;
		enum markdown_profile p;
		char path[4096];
		char *src;

		if (len < 4 || strcmp(e->d_name + len - 3, ".md") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		src = read_file(path, &n);
		CHECK(src != NULL);
		for (p = MARKDOWN_READER; src != NULL && p <= MARKDOWN_AUTHOR;
		     p++) {
			char *want, *got;
			bool ok;

			snprintf(path, sizeof(path), "%s/%.*s.%s.html", dir,
				 (int)(len - 3), e->d_name, profile_names[p]);
			want = read_file(path, NULL);
			got = render(src, n, p, &ok);
			if (want == NULL || got == NULL ||
			    strcmp(want, got) != 0)
				printf("  golden: %s\n", path);
			CHECK(ok);
			CHECK_STR(got, want);
			CHECK(got != NULL && html_check(got, p) == NULL);
			free(want);
			free(got);
		}
		free(src);
		files++;
	}
	closedir(d);
	CHECK(files > 0);
}

int
main(void)
{
	test_ordinary();
	test_indent();
	test_entities();
	test_hostile();
	test_overread();
	test_cap();
	test_defused();
	test_golden();
	test_pathological();
	test_budget();
	TEST_DONE();
}
