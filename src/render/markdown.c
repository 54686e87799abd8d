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
 * parsing (markdown_cost.c).  It also reads past the end of some
 * inputs, so it always parses a private, NUL-padded copy.
 */
#include "render/markdown.h"

#include <limits.h>
#include <md4c.h>
#include <stdint.h>
#include <string.h>

#include "render/entities.h"
#include "render/markdown_cost.h"
#include "render/markdown_text.h"
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

#define MARKDOWN_LANG_MAX 32
/* What follows md4c's copy of the input (sizeof counts one more NUL). */
#define MARKDOWN_PAD "\0\0\0\0\0\0\0"

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
