/*
 * markdown: md4c's parser with our own renderer on its callbacks.
 *
 * md4c reports blocks, spans and text runs; each callback writes only
 * allowlisted tags and every byte that comes from the source goes through
 * html_escape().  Link and image URLs arrive as raw source text with
 * entities still in them, so they are decoded first and checked after,
 * which is the order a browser would read them in.
 *
 * Every element we open is pushed on a small stack together with the text
 * that closes it; a leave callback pops it.  When md4c stops early (an
 * error, or our callback refusing), the stack closes what is still open,
 * so the output is balanced whatever happens.
 *
 * md4c 0.4.8 (Debian 12) still has a few inputs that cost quadratic time
 * or output; markdown_precheck() measures them in one linear pass before
 * parsing (see the comment there).  It also reads past the end of some
 * inputs, so it always parses a private, NUL-padded copy.
 */
#include "render/markdown.h"

#include <ctype.h>
#include <limits.h>
#include <md4c.h>
#include <stdint.h>
#include <string.h>

#include "render/entities.h"
#include "render/html.h"

/*
 * Autolinks are recognised inside md4c, before our URL checks: the order
 * the design asks for (transforms first, sanitizing last).
 */
#define MARKDOWN_FLAGS                                                         \
	(MD_FLAG_NOHTML | MD_FLAG_STRIKETHROUGH | MD_FLAG_TABLES |             \
	 MD_FLAG_PERMISSIVEURLAUTOLINKS | MD_FLAG_PERMISSIVEWWWAUTOLINKS |     \
	 MD_FLAG_TASKLISTS)
/* What a render that passed its output budget tries again without. */
#define MARKDOWN_COSTLY                                                        \
	(MD_FLAG_TABLES | MD_FLAG_PERMISSIVEURLAUTOLINKS |                     \
	 MD_FLAG_PERMISSIVEWWWAUTOLINKS)

/*
 * Budgets for markdown_precheck(), in units of roughly one nanosecond of
 * md4c 0.4.8 time on a current x86 machine.  2^26 is under 0.1 s: far
 * above any real comment or article, far below a denial of service.
 */
#define MARKDOWN_WORK_MAX ((uint64_t)1 << 26)
/* Table cells md4c would emit (it pads every row to the header's width). */
#define MARKDOWN_CELLS_MAX ((uint64_t)1 << 18)
/*
 * Weight of a byte that md4c hashes as a label: 4.5 ns when any
 * reference definition exists; else, for labels across lines, 0.45 ns,
 * but with a copy that costs far more under AddressSanitizer.
 */
#define MARKDOWN_LABEL_WEIGHT 4
#define MARKDOWN_LINES_WEIGHT 2
/*
 * Bytes of reference definitions copied into the output, counted as
 * uses times the longest definition: 2 MB, some 10 ms.
 */
#define MARKDOWN_EXPAND_MAX ((uint64_t)1 << 21)

#define MARKDOWN_LANG_MAX 32
/* What follows md4c's copy of the input (sizeof counts one more NUL). */
#define MARKDOWN_PAD  "\0\0\0\0\0\0\0"
#define MARKDOWN_FFFD "\xef\xbf\xbd"

/* What closes an element we opened; one byte on the element stack. */
enum markdown_close {
	CLOSE_NONE,
	CLOSE_QUOTE,
	CLOSE_UL,
	CLOSE_OL,
	CLOSE_LI,
	CLOSE_H2,
	CLOSE_H3,
	CLOSE_H4,
	CLOSE_H5,
	CLOSE_H6,
	CLOSE_HBOLD,
	CLOSE_PRE,
	CLOSE_P,
	CLOSE_TABLE,
	CLOSE_THEAD,
	CLOSE_TBODY,
	CLOSE_TR,
	CLOSE_TH,
	CLOSE_TD,
	CLOSE_EM,
	CLOSE_STRONG,
	CLOSE_CODE,
	CLOSE_DEL,
	CLOSE_A,
	CLOSE_IMG, /* ends the alt attribute and the <img> tag */
	CLOSE_ALT, /* an image nested in an image's alt text */
	CLOSE__MAX
};

static const char *const markdown_closers[CLOSE__MAX] = {
    [CLOSE_NONE] = "",
    [CLOSE_QUOTE] = "</blockquote>\n",
    [CLOSE_UL] = "</ul>\n",
    [CLOSE_OL] = "</ol>\n",
    [CLOSE_LI] = "</li>\n",
    [CLOSE_H2] = "</h2>\n",
    [CLOSE_H3] = "</h3>\n",
    [CLOSE_H4] = "</h4>\n",
    [CLOSE_H5] = "</h5>\n",
    [CLOSE_H6] = "</h6>\n",
    [CLOSE_HBOLD] = "</strong></p>\n",
    [CLOSE_PRE] = "</code></pre>\n",
    [CLOSE_P] = "</p>\n",
    [CLOSE_TABLE] = "</table>\n",
    [CLOSE_THEAD] = "</thead>\n",
    [CLOSE_TBODY] = "</tbody>\n",
    [CLOSE_TR] = "</tr>\n",
    [CLOSE_TH] = "</th>\n",
    [CLOSE_TD] = "</td>\n",
    [CLOSE_EM] = "</em>",
    [CLOSE_STRONG] = "</strong>",
    [CLOSE_CODE] = "</code>",
    [CLOSE_DEL] = "</del>",
    [CLOSE_A] = "</a>",
    [CLOSE_IMG] = "\">",
    [CLOSE_ALT] = "",
};

struct markdown_state {
	const char *src; /* md4c's input, and its length */
	size_t src_len;
	struct buf *out;
	struct buf stack; /* enum markdown_close, one byte per element */
	struct buf tmp;	  /* a decoded URL, title or info string */
	enum markdown_profile profile;
	unsigned in_a;	 /* open <a> elements: links do not nest */
	unsigned in_alt; /* > 0 while text goes into an alt attribute */
	char task;	 /* task-list mark still to print, or 0 */
	size_t start;	 /* out->len before this render */
	size_t budget;	 /* bytes this render may add to out */
	bool failed;
	bool over; /* stopped because the output passed the budget */
};

/* Images in articles: never mailto, never anything else. */
static const char *const markdown_img_schemes[] = {"http", "https", NULL};

/*
 * Length of the well-formed UTF-8 sequence at s (1 to 4), or 0 when the
 * bytes there are not one: overlong forms, surrogates and code points
 * past U+10FFFF are all refused, as are NUL bytes.
 */
static size_t
markdown_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c >= 0x01 && c <= 0x7f)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0; /* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0; /* past U+10FFFF */
		return 4;
	}
	return 0;
}

/*
 * Appends s[0..n) with every NUL byte and every byte that does not start
 * a well-formed UTF-8 sequence replaced by U+FFFD; escaped for HTML text
 * and quoted attributes when escape is set.
 */
static bool
markdown_put(struct buf *out, const char *s, size_t n, bool escape)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, start = 0, k;
	bool ok;

	while (i < n) {
		if ((k = markdown_utf8_len(u + i, n - i)) != 0) {
			i += k;
			continue;
		}
		ok = escape ? html_escape(out, s + start, i - start)
			    : buf_append(out, s + start, i - start);
		if (!ok || !buf_puts(out, MARKDOWN_FFFD))
			return false;
		start = ++i;
	}
	return escape ? html_escape(out, s + start, n - start)
		      : buf_append(out, s + start, n - start);
}

/* Writes code point cp as UTF-8 into b (4 bytes at most); returns length. */
static size_t
markdown_utf8_encode(char *b, uint32_t cp)
{
	/*
	 * Control characters (but tab and line ends) never reach a page:
	 * a reference like "&#1;" must not spell bytes the site itself uses.
	 */
	if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
	    (cp >= 0x7f && cp <= 0x9f))
		cp = 0xfffd;
	if (cp < 0x80) {
		b[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (char)(0xf0 | (cp >> 18));
	b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	b[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Decodes the entity s[0..n) ("&name;", "&#123;" or "&#x1F;") into b,
 * which must hold ENTITIES_UTF8_MAX bytes.  Every name of the HTML5 list
 * is known (some stand for two code points); for any other name returns
 * 0, and the caller prints the entity as the text it is.  The result is
 * raw text: the caller escapes it, so "&lt;" never becomes a tag.
 */
static size_t
markdown_entity(char *b, const char *s, size_t n)
{
	uint32_t cp = 0;
	size_t i, len;
	bool hex;

	if (n < 3 || s[0] != '&' || s[n - 1] != ';')
		return 0;
	if (s[1] != '#') {
		const char *utf8 = entities_lookup(s + 1, n - 2, &len);

		if (utf8 == NULL)
			return 0;
		memcpy(b, utf8, len);
		return len;
	}
	hex = n > 3 && (s[2] == 'x' || s[2] == 'X');
	i = hex ? 3 : 2;
	if (i >= n - 1)
		return 0;
	for (; i < n - 1; i++) {
		unsigned d;
		char c = s[i];

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (hex && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return 0;
		/* Anything past U+10FFFF is U+FFFD; stop before overflowing. */
		if (cp <= 0x10ffff)
			cp = cp * (hex ? 16 : 10) + d;
	}
	return markdown_utf8_encode(b, cp);
}

/*
 * Cuts a run md4c hands us where the input ends: md4c 0.4.8 can read
 * past it (into our padding), and nothing there is the author's.
 */
static size_t
markdown_clamp(const struct markdown_state *st, const char *p, size_t n)
{
	uintptr_t at = (uintptr_t)p, end = (uintptr_t)st->src + st->src_len;

	if (at < (uintptr_t)st->src || at > end + sizeof(MARKDOWN_PAD))
		return n; /* not in the input: md4c's own string */
	if (at >= end)
		return 0;
	return n > end - at ? (size_t)(end - at) : n;
}

/*
 * Decodes an md4c attribute (URL, title, info string) into st->tmp:
 * entities become characters, NUL and broken UTF-8 become U+FFFD.  md4c
 * has already removed backslash escapes.  Not escaped: the caller checks
 * the result and escapes it on output.
 */
static bool
markdown_attr(struct markdown_state *st, const MD_ATTRIBUTE *a)
{
	char e[ENTITIES_UTF8_MAX];
	size_t i, len, off, end, size;

	buf_reset(&st->tmp);
	if (a->text == NULL || a->size == 0)
		return true;
	size = markdown_clamp(st, a->text, a->size);
	for (i = 0; a->substr_offsets[i] < size; i++) {
		off = a->substr_offsets[i];
		end = a->substr_offsets[i + 1];
		if (end > a->size || end < off)
			return false; /* md4c promises otherwise */
		if (end > size)
			end = size;
		switch (a->substr_types[i]) {
		case MD_TEXT_NULLCHAR:
			if (!buf_puts(&st->tmp, MARKDOWN_FFFD))
				return false;
			break;
		case MD_TEXT_ENTITY:
			len = markdown_entity(e, a->text + off, end - off);
			if (len != 0) {
				if (!buf_append(&st->tmp, e, len))
					return false;
				break;
			}
			/* FALLTHROUGH */
		default:
			if (!markdown_put(&st->tmp, a->text + off, end - off,
					  false))
				return false;
			break;
		}
	}
	return true;
}

/* The decoded attribute; never NULL, even before the first append. */
static const char *
markdown_tmp(struct markdown_state *st)
{
	return buf_cstr(&st->tmp);
}

/* True when u has a scheme: a colon before any '/', '?' or '#'. */
static bool
markdown_has_scheme(const char *u, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (u[i] == ':')
			return true;
		if (u[i] == '/' || u[i] == '?' || u[i] == '#')
			return false;
	}
	return false;
}

/*
 * May the decoded URL in st->tmp be an href?  Readers may link only to
 * absolute http, https and mailto URLs; authors also to relative ones.
 */
static bool
markdown_link_ok(struct markdown_state *st)
{
	const char *u = markdown_tmp(st);
	size_t n = st->tmp.len;

	if (!html_url_allowed(u, n, html_link_schemes))
		return false;
	return st->profile != MARKDOWN_READER || markdown_has_scheme(u, n);
}

static bool
markdown_push(struct markdown_state *st, enum markdown_close c)
{
	return buf_putc(&st->stack, (char)c);
}

/* Pops the innermost element and writes what closes it. */
static bool
markdown_pop(struct markdown_state *st)
{
	enum markdown_close c;

	if (st->stack.len == 0)
		return true; /* a leave without an enter */
	c = (enum markdown_close)(unsigned char)st->stack.data[--st->stack.len];
	if (c >= CLOSE__MAX)
		return false;
	if (c == CLOSE_A && st->in_a > 0)
		st->in_a--;
	if ((c == CLOSE_IMG || c == CLOSE_ALT) && st->in_alt > 0)
		st->in_alt--;
	return buf_puts(st->out, markdown_closers[c]);
}

static bool
markdown_raw(struct markdown_state *st, const char *s)
{
	return buf_puts(st->out, s);
}

static bool
markdown_text(struct markdown_state *st, const char *s, size_t n)
{
	return markdown_put(st->out, s, n, true);
}

/* Prints a task-list mark as text: there is no checkbox in the allowlist. */
static bool
markdown_flush_task(struct markdown_state *st)
{
	char mark = st->task;

	if (mark == 0)
		return true;
	st->task = 0;
	return markdown_raw(st, mark == ' ' ? "[ ] " : "[x] ");
}

/* Writes ` title="..."` when the attribute is not empty. */
static bool
markdown_title(struct markdown_state *st, const MD_ATTRIBUTE *title)
{
	if (!markdown_attr(st, title))
		return false;
	if (st->tmp.len == 0)
		return true;
	return markdown_raw(st, " title=\"") &&
	       html_escape(st->out, markdown_tmp(st), st->tmp.len) &&
	       markdown_raw(st, "\"");
}

/*
 * Opens <a> for a link or, for readers, for an image shown as a link.
 * Pushes CLOSE_NONE instead when the URL is refused or when we are
 * already inside a link: the text is then shown without one.
 */
static bool
markdown_open_a(struct markdown_state *st, const MD_ATTRIBUTE *href,
		const MD_ATTRIBUTE *title)
{
	bool external;

	if (st->in_a > 0)
		return markdown_push(st, CLOSE_NONE);
	if (!markdown_attr(st, href))
		return false;
	if (!markdown_link_ok(st))
		return markdown_push(st, CLOSE_NONE);
	external = markdown_has_scheme(markdown_tmp(st), st->tmp.len);
	if (!markdown_raw(st, "<a href=\"") ||
	    !html_escape(st->out, markdown_tmp(st), st->tmp.len) ||
	    !markdown_raw(st, "\"") || !markdown_title(st, title))
		return false;
	if (st->profile == MARKDOWN_READER) {
		if (!markdown_raw(st, " rel=\"nofollow ugc noopener\""))
			return false;
	} else if (external) {
		if (!markdown_raw(st, " rel=\"noopener\""))
			return false;
	}
	st->in_a++;
	return markdown_raw(st, ">") && markdown_push(st, CLOSE_A);
}

/* An author's image: <img src="..." title="..." alt="...">. */
static bool
markdown_open_img(struct markdown_state *st, const MD_SPAN_IMG_DETAIL *d)
{
	if (!markdown_attr(st, &d->src))
		return false;
	if (!html_url_allowed(markdown_tmp(st), st->tmp.len,
			      markdown_img_schemes) ||
	    st->tmp.len == 0)
		return markdown_push(st, CLOSE_NONE); /* alt text only */
	if (!markdown_raw(st, "<img src=\"") ||
	    !html_escape(st->out, markdown_tmp(st), st->tmp.len) ||
	    !markdown_raw(st, "\"") || !markdown_title(st, &d->title) ||
	    !markdown_raw(st, " alt=\""))
		return false;
	st->in_alt = 1;
	return markdown_push(st, CLOSE_IMG);
}

/* <pre><code>, with a class only for a plain language name. */
static bool
markdown_open_code(struct markdown_state *st, const MD_BLOCK_CODE_DETAIL *d)
{
	size_t i;
	bool plain;

	if (!markdown_attr(st, &d->lang))
		return false;
	plain = st->tmp.len >= 1 && st->tmp.len <= MARKDOWN_LANG_MAX;
	for (i = 0; plain && i < st->tmp.len; i++) {
		char c = markdown_tmp(st)[i];

		plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '+' ||
			c == '-';
	}
	if (!plain)
		return markdown_raw(st, "<pre><code>") &&
		       markdown_push(st, CLOSE_PRE);
	return markdown_raw(st, "<pre><code class=\"language-") &&
	       buf_append(st->out, markdown_tmp(st), st->tmp.len) &&
	       markdown_raw(st, "\">") && markdown_push(st, CLOSE_PRE);
}

static bool
markdown_open_block(struct markdown_state *st, MD_BLOCKTYPE type, void *detail)
{
	unsigned level;

	/* A task mark goes inside the item's first paragraph or heading. */
	if (type != MD_BLOCK_P && type != MD_BLOCK_H &&
	    !markdown_flush_task(st))
		return false;
	switch (type) {
	case MD_BLOCK_QUOTE:
		return markdown_raw(st, "<blockquote>\n") &&
		       markdown_push(st, CLOSE_QUOTE);
	case MD_BLOCK_UL:
		return markdown_raw(st, "<ul>\n") &&
		       markdown_push(st, CLOSE_UL);
	case MD_BLOCK_OL: {
		const MD_BLOCK_OL_DETAIL *d = detail;

		if (d->start != 1) {
			if (!buf_printf(st->out, "<ol start=\"%u\">\n",
					d->start))
				return false;
		} else if (!markdown_raw(st, "<ol>\n")) {
			return false;
		}
		return markdown_push(st, CLOSE_OL);
	}
	case MD_BLOCK_LI: {
		const MD_BLOCK_LI_DETAIL *d = detail;

		if (d->is_task)
			st->task = d->task_mark == ' ' ? ' ' : 'x';
		return markdown_raw(st, "<li>") && markdown_push(st, CLOSE_LI);
	}
	case MD_BLOCK_HR:
		return markdown_raw(st, "<hr>\n") &&
		       markdown_push(st, CLOSE_NONE);
	case MD_BLOCK_H:
		if (st->profile == MARKDOWN_READER) {
			if (!markdown_raw(st, "<p><strong>") ||
			    !markdown_push(st, CLOSE_HBOLD))
				return false;
			return markdown_flush_task(st);
		}
		/* The page title is the only h1. */
		level = ((const MD_BLOCK_H_DETAIL *)detail)->level;
		if (level < 2)
			level = 2;
		if (level > 6)
			level = 6;
		if (!buf_printf(st->out, "<h%u>", level) ||
		    !markdown_push(
			st, (enum markdown_close)(CLOSE_H2 + (level - 2))))
			return false;
		return markdown_flush_task(st);
	case MD_BLOCK_CODE:
		return markdown_open_code(st, detail);
	case MD_BLOCK_P:
		return markdown_raw(st, "<p>") && markdown_push(st, CLOSE_P) &&
		       markdown_flush_task(st);
	case MD_BLOCK_TABLE:
		return markdown_raw(st, "<table>\n") &&
		       markdown_push(st, CLOSE_TABLE);
	case MD_BLOCK_THEAD:
		return markdown_raw(st, "<thead>\n") &&
		       markdown_push(st, CLOSE_THEAD);
	case MD_BLOCK_TBODY:
		return markdown_raw(st, "<tbody>\n") &&
		       markdown_push(st, CLOSE_TBODY);
	case MD_BLOCK_TR:
		return markdown_raw(st, "<tr>\n") &&
		       markdown_push(st, CLOSE_TR);
	/* Alignment would need a style attribute: left to the stylesheet. */
	case MD_BLOCK_TH:
		return markdown_raw(st, "<th>") && markdown_push(st, CLOSE_TH);
	case MD_BLOCK_TD:
		return markdown_raw(st, "<td>") && markdown_push(st, CLOSE_TD);
	case MD_BLOCK_DOC:
	case MD_BLOCK_HTML: /* never, with MD_FLAG_NOHTML */
	default:
		return markdown_push(st, CLOSE_NONE);
	}
}

static bool
markdown_open_span(struct markdown_state *st, MD_SPANTYPE type, void *detail)
{
	if (!markdown_flush_task(st))
		return false;
	/* Inside alt text only the text counts: no tags in an attribute. */
	if (st->in_alt > 0) {
		if (type != MD_SPAN_IMG)
			return markdown_push(st, CLOSE_NONE);
		st->in_alt++;
		return markdown_push(st, CLOSE_ALT);
	}
	switch (type) {
	case MD_SPAN_EM:
		return markdown_raw(st, "<em>") && markdown_push(st, CLOSE_EM);
	case MD_SPAN_STRONG:
		return markdown_raw(st, "<strong>") &&
		       markdown_push(st, CLOSE_STRONG);
	case MD_SPAN_CODE:
		return markdown_raw(st, "<code>") &&
		       markdown_push(st, CLOSE_CODE);
	case MD_SPAN_DEL:
		return markdown_raw(st, "<del>") &&
		       markdown_push(st, CLOSE_DEL);
	case MD_SPAN_A: {
		const MD_SPAN_A_DETAIL *d = detail;

		return markdown_open_a(st, &d->href, &d->title);
	}
	case MD_SPAN_IMG: {
		const MD_SPAN_IMG_DETAIL *d = detail;

		if (st->profile == MARKDOWN_READER)
			return markdown_open_a(st, &d->src, &d->title);
		return markdown_open_img(st, d);
	}
	default:
		return markdown_push(st, CLOSE_NONE);
	}
}

/*
 * What every callback returns to md4c: non-zero stops the parse.  The
 * output budget is checked here, after each emission, so a render stops
 * as soon as it passes it whatever construct got it there; one callback
 * writes a bounded amount, so the overshoot is small.
 */
static int
markdown_status(struct markdown_state *st)
{
	if (!st->failed && st->out->len - st->start > st->budget) {
		st->over = true;
		st->failed = true;
	}
	return st->failed;
}

static int
markdown_enter_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	struct markdown_state *st = userdata;

	if (st->failed || !markdown_open_block(st, type, detail))
		st->failed = true;
	return markdown_status(st);
}

static int
markdown_leave_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	struct markdown_state *st = userdata;

	(void)detail;
	/* An empty task item ("- [ ]") still shows its mark. */
	if (type == MD_BLOCK_LI && !markdown_flush_task(st))
		st->failed = true;
	if (st->failed || !markdown_pop(st))
		st->failed = true;
	return markdown_status(st);
}

static int
markdown_enter_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	struct markdown_state *st = userdata;

	if (st->failed || !markdown_open_span(st, type, detail))
		st->failed = true;
	return markdown_status(st);
}

static int
markdown_leave_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	struct markdown_state *st = userdata;

	(void)type;
	(void)detail;
	if (st->failed || !markdown_pop(st))
		st->failed = true;
	return markdown_status(st);
}

static int
markdown_text_cb(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size,
		 void *userdata)
{
	struct markdown_state *st = userdata;
	char e[ENTITIES_UTF8_MAX];
	size_t len;
	bool ok;

	if (st->failed)
		return 1;
	if (!markdown_flush_task(st)) {
		st->failed = true;
		return 1;
	}
	size = (MD_SIZE)markdown_clamp(st, text, size);
	switch (type) {
	case MD_TEXT_NULLCHAR:
		ok = markdown_raw(st, MARKDOWN_FFFD);
		break;
	case MD_TEXT_BR:
		ok = markdown_raw(st, st->in_alt ? " " : "<br>\n");
		break;
	case MD_TEXT_SOFTBR:
		ok = markdown_raw(st, st->in_alt ? " " : "\n");
		break;
	case MD_TEXT_ENTITY:
		len = markdown_entity(e, text, size);
		ok = len ? markdown_text(st, e, len)
			 : markdown_text(st, text, size);
		break;
	default: /* normal, code, and raw HTML shown as text */
		ok = markdown_text(st, text, size);
		break;
	}
	if (!ok)
		st->failed = true;
	return markdown_status(st);
}

/*
 * What markdown_precheck() measures, as upper bounds of md4c's work.  A
 * "block" is a run of lines between lines that surely end a paragraph
 * (blank ones, and bullet items): md4c's paragraphs never cross them.
 */
struct markdown_cost {
	uint64_t line_work;   /* sum over ']' of its line in the block */
	uint64_t label_work;  /* sum over bracket pairs of their length */
	uint64_t label_lines; /* the same, for pairs across lines */
	uint64_t closers;     /* ']' outside definitions: possible uses */
	uint64_t def_len;     /* longest text a definition may span */
	uint64_t www_work;    /* sum over "www." of the rest of its word */
	uint64_t link_work;   /* sum over autolinks of the marks after */
	uint64_t tilde_work;  /* sum over '~' of marks since the first */
	uint64_t cells;	      /* table cells, rows times columns */
	uint64_t nest_work;   /* sum over lines of the deepest prefix */
	bool colon_label;     /* "]:" seen: there may be definitions */
	bool nomem;
};

struct markdown_block {
	uint64_t line;	   /* paragraph lines so far */
	uint64_t marks;	   /* inline marks so far */
	uint64_t links;	   /* possible permissive autolinks */
	uint64_t tilde;	   /* marks at the first tilde, or none */
	bool defs;	   /* only definitions so far */
	bool hiding;	   /* code spans or autolinks may hide ']' */
	size_t first_open; /* the block's first '[', or SIZE_MAX */
	uint64_t first[2]; /* sum over ']' of distance to that, [1]: */
	uint64_t pairs[2]; /* sum over pairs a plain stack makes, */
			   /* [1]: only those across lines */
	struct buf opens;  /* uint32_t offsets of unpaired '[' */
	size_t table_cols; /* inside a table: its width; else 0 */
	size_t def_start;  /* where a definition may start, or SIZE_MAX */
	enum { DEF_LABEL, DEF_DEST, DEF_TITLE } def_part;
	unsigned dquote, squote; /* in the title part */
	size_t parens;
};

static bool
markdown_blank(const char *s, size_t n)
{
	size_t i;

	/* A line of only '>' and spaces ends a paragraph too. */
	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '>' && s[i] != '\r')
			return false;
	return true;
}

/* A non-empty bullet item: it always interrupts a paragraph. */
static bool
markdown_bullet(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && i < 3 && s[i] == ' ')
		i++;
	if (i + 1 >= n || (s[i] != '-' && s[i] != '*' && s[i] != '+') ||
	    (s[i + 1] != ' ' && s[i + 1] != '\t'))
		return false;
	for (i += 2; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return true;
	return false;
}

/*
 * Could a definition start on this line?  After container marks it must
 * start with '[', and the label's first ']' must be followed by ':' (a
 * label may go on to the next line, but holds no bracket).
 */
static bool
markdown_def_start(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '[')
			break;
		if (c != ' ' && c != '\t' && c != '>' && c != '-' && c != '*' &&
		    c != '+' && c != '.' && c != ')' && (c < '0' || c > '9'))
			return false;
	}
	if (i == n)
		return false;
	for (i++; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		else if (s[i] == '[')
			return false;
		else if (s[i] == ']')
			return i + 1 < n && s[i + 1] == ':';
	}
	return true;
}

static bool
markdown_hspace(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * Is the line, by itself, a complete link reference definition
 * ("[label]: dest 'title'")?  Strict on purpose: a line wrongly taken
 * for one would make md4c's paragraphs look shorter than they are.
 */
static bool
markdown_def_line(const char *s, size_t n)
{
	size_t i = 0, start, depth = 0;
	bool text = false;
	char close;

	while (i < n && i < 3 && s[i] == ' ')
		i++;
	if (i >= n || s[i++] != '[')
		return false;
	for (start = i; i < n && s[i] != ']'; i++) {
		if (s[i] == '[' || s[i] == '|')
			return false;
		if (s[i] == '\\' && i + 1 < n)
			i++;
		if (!markdown_hspace(s[i]))
			text = true;
	}
	if (!text || i - start > 999 || i + 1 >= n || s[i + 1] != ':')
		return false;
	for (i += 2; i < n && markdown_hspace(s[i]); i++)
		;
	if (i >= n)
		return false;
	if (s[i] == '<') {
		for (i++; i < n && s[i] != '>'; i++) {
			if (s[i] == '<' || s[i] == '|')
				return false;
			if (s[i] == '\\' && i + 1 < n)
				i++;
		}
		if (i++ >= n)
			return false;
	} else {
		for (start = i; i < n && !markdown_hspace(s[i]); i++) {
			unsigned char c = (unsigned char)s[i];

			if (c < 0x20 || c == 0x7f || c == '|')
				return false;
			if (c == '\\' && i + 1 < n)
				i++;
			else if (c == '(')
				depth++;
			else if (c == ')' && depth-- == 0)
				return false;
		}
		if (i == start || depth != 0)
			return false;
	}
	if (i < n && !markdown_hspace(s[i]))
		return false;
	while (i < n && markdown_hspace(s[i]))
		i++;
	if (i < n) {
		if (s[i] != '"' && s[i] != '\'' && s[i] != '(')
			return false;
		close = s[i] == '(' ? ')' : s[i];
		for (i++; i < n && s[i] != close; i++) {
			if (s[i] == '|' || (close == ')' && s[i] == '('))
				return false;
			if (s[i] == '\\' && i + 1 < n)
				i++;
		}
		if (i++ >= n)
			return false;
		while (i < n && markdown_hspace(s[i]))
			i++;
	}
	return i == n;
}

/*
 * Columns of container marks ('>', list markers, indentation) that start
 * the line: more than the number of blocks the line can open or match.
 */
static size_t
markdown_prefix_cols(const char *s, size_t n)
{
	size_t i = 0, k, cols = 0;

	for (;;) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			cols += s[i++] == '\t' ? 4 : 1;
		if (i < n && s[i] == '>') {
			cols++;
			i++;
			continue;
		}
		k = i;
		if (k < n && (s[k] == '-' || s[k] == '+' || s[k] == '*')) {
			k++;
		} else {
			while (k < n && k - i < 9 && s[k] >= '0' && s[k] <= '9')
				k++;
			if (k == i || k >= n || (s[k] != '.' && s[k] != ')'))
				return cols;
			k++;
		}
		if (k < n && s[k] != ' ' && s[k] != '\t')
			return cols;
		cols += k - i;
		i = k;
	}
}

/* A table's delimiter row: only '|', '-', ':' and spaces, with a '|'. */
static size_t
markdown_delim_cols(const char *s, size_t n)
{
	size_t i, pipes = 0;
	bool dash = false;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '|':
			pipes++;
			break;
		case '-':
			dash = true;
			break;
		case ':':
		case ' ':
		case '\t':
		case '>':
		case '\r':
			break;
		default:
			return 0;
		}
	}
	return dash && pipes ? pipes + 1 : 0;
}

static size_t
markdown_count(const char *s, size_t n, char c)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}

static bool
markdown_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* "www." in any case; no library call, this runs on every byte. */
static bool
markdown_is_www(const char *s, size_t n)
{
	return n >= 4 && (s[0] | 0x20) == 'w' && (s[1] | 0x20) == 'w' &&
	       (s[2] | 0x20) == 'w' && s[3] == '.';
}

/* Is c one of the bytes md4c records as an inline mark? */
static bool
markdown_is_mark(char c)
{
	switch (c) {
	case '&':
	case '*':
	case '_':
	case '~':
	case '`':
	case '\\':
	case '<':
	case '>':
	case '[':
	case ']':
	case '!':
		return true;
	default:
		return false;
	}
}

/* Each "www." makes md4c scan the rest of its word. */
static uint64_t
markdown_www_work(const char *s, size_t n)
{
	uint64_t work = 0, word = 0, wwws = 0;
	size_t i;

	for (i = 0; i <= n; i++) {
		if (i == n || markdown_space(s[i])) {
			work += wwws * word;
			word = wwws = 0;
			continue;
		}
		word++;
		if (markdown_is_www(s + i, n - i))
			wwws++;
	}
	return work;
}

/* Ends the definition that may have started at b->def_start. */
static void
markdown_def_end(struct markdown_block *b, size_t at, struct markdown_cost *c)
{
	if (b->def_start != SIZE_MAX && at - b->def_start > c->def_len)
		c->def_len = at - b->def_start;
	b->def_start = SIZE_MAX;
	b->def_part = DEF_LABEL;
	b->dquote = b->squote = 0;
	b->parens = 0;
}

/*
 * Does the definition under way go on to the line s[0..n)?  Only while
 * its label or destination is incomplete, while a title is open, or when
 * the line starts a title.
 */
static bool
markdown_def_goes_on(const struct markdown_block *b, const char *s, size_t n)
{
	size_t i = 0;

	if (b->def_part != DEF_TITLE || (b->dquote & 1) || (b->squote & 1) ||
	    b->parens > 0)
		return true;
	while (i < n && (markdown_hspace(s[i]) || s[i] == '>'))
		i++;
	return i < n && (s[i] == '"' || s[i] == '\'' || s[i] == '(');
}

/* Follows a definition's parts through one line. */
static void
markdown_def_scan(struct markdown_block *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '\\' && i + 1 < n &&
		    ispunct((unsigned char)s[i + 1])) {
			i++;
			continue;
		}
		switch (b->def_part) {
		case DEF_LABEL:
			if (ch == ']' && i + 1 < n && s[i + 1] == ':') {
				b->def_part = DEF_DEST;
				i++;
			}
			break;
		case DEF_DEST:
			if (!markdown_hspace(ch) && ch != '>')
				b->def_part = DEF_TITLE;
			break;
		case DEF_TITLE:
			if (ch == '"')
				b->dquote++;
			else if (ch == '\'')
				b->squote++;
			else if (ch == '(')
				b->parens++;
			else if (ch == ')' && b->parens > 0)
				b->parens--;
			break;
		}
	}
}

static void
markdown_block_end(struct markdown_block *b, size_t at, struct markdown_cost *c)
{
	/* A plain stack pairs brackets as md4c does, unless some may hide. */
	c->label_work += b->hiding ? b->first[0] : b->pairs[0];
	c->label_lines += b->hiding ? b->first[1] : b->pairs[1];
	markdown_def_end(b, at, c);
	b->line = 0;
	b->marks = b->links = 0;
	b->tilde = UINT64_MAX;
	b->defs = true;
	b->hiding = false;
	b->first_open = SIZE_MAX;
	memset(b->first, 0, sizeof(b->first));
	memset(b->pairs, 0, sizeof(b->pairs));
	buf_reset(&b->opens);
	b->table_cols = 0;
}

static void
markdown_measure_line(const char *s, size_t ls, size_t le,
		      struct markdown_block *b, struct markdown_cost *c)
{
	size_t i;
	uint32_t off;

	for (i = ls; i < le; i++) {
		char ch = s[i];

		if (ch == '\\' && i + 1 < le &&
		    ispunct((unsigned char)s[i + 1])) {
			i++; /* an escaped bracket or quote is no mark */
			continue;
		}
		switch (ch) {
		case '[':
			if (b->first_open == SIZE_MAX)
				b->first_open = i;
			off = (uint32_t)i;
			if (!buf_append(&b->opens, &off, sizeof(off)))
				c->nomem = true;
			break;
		case ']':
			c->closers++;
			c->line_work += b->line;
			if (b->first_open != SIZE_MAX) {
				b->first[0] += i - b->first_open;
				if (b->first_open < ls)
					b->first[1] += i - b->first_open;
			}
			if (b->opens.len >= sizeof(off)) {
				b->opens.len -= sizeof(off);
				memcpy(&off, b->opens.data + b->opens.len,
				       sizeof(off));
				b->pairs[0] += i - off;
				if (off < ls)
					b->pairs[1] += i - off;
			}
			if (i + 1 < le && s[i + 1] == ':')
				c->colon_label = true;
			break;
		case '`':
		case '<':
			b->hiding = true;
			break;
		case ':':
			if (le - i >= 3 && s[i + 1] == '/' && s[i + 2] == '/')
				b->hiding = true;
			break;
		case 'w':
		case 'W':
			if (markdown_is_www(s + i, le - i))
				b->hiding = true;
			break;
		default:
			break;
		}
	}
}

/*
 * In md4c 0.4.8 every permissive autolink costs a walk over the inline
 * marks after it in its paragraph, and every strikethrough pair one over
 * the marks between its ends: count marks (generously) to bound both.
 */
static void
markdown_measure_marks(const char *s, size_t ls, size_t le,
		       struct markdown_block *b, struct markdown_cost *c)
{
	size_t i;

	for (i = ls; i < le; i++) {
		char ch = s[i];

		if ((ch == ':' && le - i >= 3 && s[i + 1] == '/' &&
		     s[i + 2] == '/') ||
		    markdown_is_www(s + i, le - i)) {
			b->links++;
			b->marks += 2;
			c->link_work += 2 * b->links;
			continue;
		}
		if (!markdown_is_mark(ch))
			continue;
		b->marks++;
		c->link_work += b->links;
		if (ch != '~')
			continue;
		if (b->tilde == UINT64_MAX)
			b->tilde = b->marks;
		/* A run that may close: after something not a space. */
		else if (i > ls && !markdown_hspace(s[i - 1]) &&
			 s[i - 1] != '~')
			c->tilde_work += b->marks - b->tilde;
	}
}

static void
markdown_measure(const char *s, size_t n, struct markdown_cost *c)
{
	struct markdown_block b;
	size_t ls, le, cols, prev = 0, prev_len = 0, deepest = 0;

	memset(c, 0, sizeof(*c));
	memset(&b, 0, sizeof(b));
	buf_init(&b.opens, 0);
	b.def_start = SIZE_MAX;
	markdown_block_end(&b, 0, c);
	for (ls = 0; ls < n; ls = le + 1) {
		const char *p = memchr(s + ls, '\n', n - ls);

		le = p ? (size_t)(p - s) : n;
		/*
		 * md4c matches every line against every open container; a
		 * lazy line or a blank one keeps them all open.
		 */
		cols = markdown_prefix_cols(s + ls, le - ls);
		if (cols > deepest)
			deepest = cols;
		c->nest_work += deepest;
		if (markdown_blank(s + ls, le - ls) ||
		    markdown_bullet(s + ls, le - ls))
			markdown_block_end(&b, ls, c);
		if (b.def_start != SIZE_MAX &&
		    !markdown_def_goes_on(&b, s + ls, le - ls))
			markdown_def_end(&b, ls, c);
		if (b.def_start == SIZE_MAX &&
		    markdown_def_start(s + ls, le - ls))
			b.def_start = ls;
		if (b.def_start != SIZE_MAX)
			markdown_def_scan(&b, s + ls, le - ls);
		/* Definitions are cut from the paragraph md4c then walks. */
		if (b.defs && markdown_def_line(s + ls, le - ls)) {
			c->colon_label = true;
			prev = ls;
			prev_len = le - ls;
			continue;
		}
		b.defs = false;
		/* md4c pads every body row to the header's width. */
		if (b.table_cols) {
			c->cells += b.table_cols;
		} else if ((cols = markdown_delim_cols(s + ls, le - ls)) != 0 &&
			   b.line > 0) {
			size_t head = markdown_count(s + prev, prev_len, '|');

			b.table_cols = cols > head + 1 ? cols : head + 1;
			c->cells += 2 * (uint64_t)b.table_cols;
		}
		markdown_measure_line(s, ls, le, &b, c);
		markdown_measure_marks(s, ls, le, &b, c);
		prev = ls;
		prev_len = le - ls;
		b.line++;
	}
	markdown_block_end(&b, n, c);
	buf_clear(&b.opens);
	c->www_work = markdown_www_work(s, n);
}

/*
 * Bounds md4c 0.4.8's quadratic cases (later md4c releases fixed most):
 *
 *  - every bracket pair makes md4c walk the paragraph's lines from the
 *    first one ("[](\n" or "]([\n" repeated: md4c #236), and hash the
 *    text between its brackets when that spans lines, or when any
 *    reference definition exists ("[[[...]]]": md4c #172);
 *  - a reference to a long definition copies it at every use
 *    ("[x]: xxxx..." then "[x]" repeated: md4c #238);
 *  - a word holding many "www." is rescanned from each of them;
 *  - each permissive autolink walks the marks after it ("http://a.b"
 *    repeated, then "&" or "*" repeated), each strikethrough pair the
 *    marks between its ends ("~a " repeated, then "_~" repeated);
 *  - a wide table pads every row to its width (output rows x columns);
 *  - every line is matched against every open container ("1. " or "> "
 *    repeated on one line, then many lines).
 *
 * Autolinks, strikethrough and tables only lose a convenience, so they
 * are switched off for such an input.  The bracket and nesting cases are
 * refused (false): no real text comes near the budget, and there is
 * nothing to switch off.
 */
static bool
markdown_precheck(const char *s, size_t n, unsigned *flags)
{
	struct markdown_cost c;
	uint64_t work;

	markdown_measure(s, n, &c);
	if (c.nomem)
		return false;
	if (c.www_work > MARKDOWN_WORK_MAX)
		*flags &= ~(unsigned)MD_FLAG_PERMISSIVEWWWAUTOLINKS;
	if (c.link_work > MARKDOWN_WORK_MAX)
		*flags &= ~(unsigned)(MD_FLAG_PERMISSIVEWWWAUTOLINKS |
				      MD_FLAG_PERMISSIVEURLAUTOLINKS);
	if (c.tilde_work > MARKDOWN_WORK_MAX)
		*flags &= ~(unsigned)MD_FLAG_STRIKETHROUGH;
	if (c.cells > MARKDOWN_CELLS_MAX)
		*flags &= ~(unsigned)MD_FLAG_TABLES;
	if (c.line_work > MARKDOWN_WORK_MAX ||
	    c.label_lines > MARKDOWN_WORK_MAX ||
	    c.nest_work > MARKDOWN_WORK_MAX)
		return false;
	work =
	    c.line_work + c.label_lines * MARKDOWN_LINES_WEIGHT + c.nest_work;
	if (c.colon_label) {
		if (c.label_work > MARKDOWN_WORK_MAX ||
		    (c.closers > 0 &&
		     c.def_len > MARKDOWN_EXPAND_MAX / c.closers))
			return false;
		work += c.label_work * MARKDOWN_LABEL_WEIGHT;
	}
	return work <= MARKDOWN_WORK_MAX;
}

/* Closes whatever md4c left open when it stopped early. */
static void
markdown_close_all(struct markdown_state *st)
{
	while (st->stack.len > 0)
		if (!markdown_pop(st))
			return;
}

/* Drops what this render wrote, keeping out a C string. */
static void
markdown_cut(struct markdown_state *st)
{
	st->out->len = st->start;
	if (st->out->data != NULL)
		st->out->data[st->start] = '\0';
}

/*
 * One pass of md4c over st->src with flags, appending to st->out from
 * st->start.  Returns true when it finished within the budget; st->over
 * tells a pass stopped by the budget from a failure.
 */
static bool
markdown_pass(struct markdown_state *st, unsigned flags)
{
	MD_PARSER parser;
	int rc;

	markdown_cut(st);
	buf_reset(&st->stack);
	st->in_a = st->in_alt = 0;
	st->task = 0;
	st->failed = st->over = false;

	memset(&parser, 0, sizeof(parser));
	parser.abi_version = 0;
	parser.flags = flags;
	parser.enter_block = markdown_enter_block;
	parser.leave_block = markdown_leave_block;
	parser.enter_span = markdown_enter_span;
	parser.leave_span = markdown_leave_span;
	parser.text = markdown_text_cb;

	rc = md_parse(st->src, (MD_SIZE)st->src_len, &parser, st);
	if (rc != 0 || st->stack.len != 0)
		markdown_close_all(st);
	/* What closing added counts too. */
	(void)markdown_status(st);
	return rc == 0 && !st->failed && !buf_failed(st->out);
}

/*
 * The last resort for a source whose Markdown would write more than the
 * budget: its text, escaped, one paragraph with the line ends kept.  At
 * most 6 bytes per source byte ("&quot;"), well within any budget.
 */
static bool
markdown_as_text(struct markdown_state *st)
{
	const char *s = st->src, *nl;
	size_t n = st->src_len;

	markdown_cut(st);
	if (!markdown_raw(st, "<p>"))
		return false;
	while ((nl = memchr(s, '\n', n)) != NULL) {
		if (!markdown_text(st, s, (size_t)(nl - s)) ||
		    !markdown_raw(st, "<br>\n"))
			return false;
		n -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
	return markdown_text(st, s, n) && markdown_raw(st, "</p>\n");
}

/*
 * On failure out is still balanced: what was opened is closed, or, when
 * out itself is full (cap or memory), it is cut back to where it was;
 * it then stays marked failed.
 *
 * The output is bounded by the input: a source whose HTML would pass
 * MARKDOWN_OUT_PER_BYTE bytes per source byte (plus MARKDOWN_OUT_BASE)
 * is rendered again without the constructs that multiply what they
 * write (tables pad every row to the header's width; autolinks add an
 * href and rel to a bare word), and when that still does not fit, as
 * plain text.  Nothing is refused for its size: the author sees their
 * words, only less formatted.
 */
bool
markdown_render(struct buf *out, const char *src, size_t n,
		enum markdown_profile profile)
{
	struct markdown_state st;
	struct buf fixed;
	unsigned flags = MARKDOWN_FLAGS;
	bool ok = false;

	if (buf_failed(out))
		return false;
	memset(&st, 0, sizeof(st));
	st.out = out;
	st.start = out->len;
	st.profile = profile;
	buf_init(&st.stack, 0);
	buf_init(&st.tmp, 0);
	buf_init(&fixed, 0);
	if (n > (SIZE_MAX - MARKDOWN_OUT_BASE) / MARKDOWN_OUT_PER_BYTE)
		goto done;
	st.budget = n * MARKDOWN_OUT_PER_BYTE + MARKDOWN_OUT_BASE;

	/*
	 * md4c gets its own copy: valid UTF-8 without NULs (one meaning
	 * everywhere), followed by NULs, because md4c 0.4.8 reads past the
	 * end of some inputs ("[a](b" at the very end scans on for a ')').
	 */
	if ((n > 0 && !markdown_put(&fixed, src, n, false)) ||
	    !buf_append(&fixed, MARKDOWN_PAD, sizeof(MARKDOWN_PAD)))
		goto done;
	n = fixed.len - sizeof(MARKDOWN_PAD);
	st.src = fixed.data;
	st.src_len = n;
	if (n > UINT_MAX || !markdown_precheck(st.src, n, &flags))
		goto done;

	ok = markdown_pass(&st, flags);
	if (!ok && st.over)
		ok = markdown_pass(&st, flags & ~(unsigned)MARKDOWN_COSTLY);
	if (!ok && st.over)
		ok = markdown_as_text(&st) && !buf_failed(out);
done:
	if (buf_failed(out) || (!ok && st.over))
		markdown_cut(&st);
	buf_clear(&fixed);
	buf_clear(&st.tmp);
	buf_clear(&st.stack);
	return ok;
}
