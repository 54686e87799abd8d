/*
 * template: parses HTML templates once into a flat program of literal runs
 * and tags, fixing each variable's escaper from the HTML around it, and
 * renders that program against a view model built in a request's arena.
 *
 * The HTML scanner below follows the WHATWG tokenizer closely enough to
 * know where a tag can put its output.  Where it cannot follow the browser
 * (CDATA, <!-- in <script>, <script> inside <svg>) it refuses the template
 * instead of guessing; where it differs on purpose, it sees more markup
 * than the browser does, never less, so it may refuse or over-escape but
 * never under-escape.
 */
#include "render/template.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "core/log.h"

/* Offsets in a program are 32-bit; this keeps every offset in range. */
#define TPL_MAX_SOURCE ((size_t)1 << 24)
#define TPL_MAX_NAME   128
/* Sections per template, and partials per render: bounds the C stack. */
#define TPL_MAX_NEST	32
#define TPL_MAX_DEPTH	64
#define TPL_MAX_FOREIGN 32
#define TPL_DIR		"templates/"
#define TPL_EXT		".html"

/*
 * View model.  One struct for every kind of value; members of an object
 * and items of a list are chained through next.  Objects put new members
 * in front, so a key put twice finds the newer value first; lists keep a
 * tail for O(1) appends and iterate in insertion order.
 */
enum tv_kind { TV_OBJ, TV_LIST, TV_STR, TV_SAFE, TV_INT, TV_BOOL };

struct tv {
	const char *key; /* in an object; NULL for list items */
	struct tv *next;
	enum tv_kind kind;
	union {
		struct {
			const char *s;
			size_t n;
		} str; /* TV_STR and TV_SAFE */
		long long i;
		bool b;
		struct {
			struct tv *head, *tail;
			struct arena *arena;
		} box; /* TV_OBJ (members) and TV_LIST (items) */
	} u;
};

enum op_kind { OP_TEXT, OP_VAR, OP_SECTION, OP_INVERTED, OP_PARTIAL };
enum esc { ESC_TEXT, ESC_URL, ESC_COMMENT, ESC_RAW };

/*
 * One step of a program.  Names live in the template's pool as their
 * dotted segments, each NUL-terminated, starting at off.
 */
struct tpl_op {
	uint8_t kind;
	uint8_t esc;
	uint16_t nseg;
	uint32_t off;
	union {
		uint32_t len; /* OP_TEXT */
		uint32_t end; /* sections: first op after the body */
		const struct tpl *partial;
	} u;
};

struct tpl {
	char *name;
	struct tpl_op *ops;
	size_t nops;
	char *pool;
};

struct tpl_set {
	struct tpl *tpls; /* sorted by name */
	size_t count;
	enum tpl_check check; /* the view contract (tpl_set_check) */
	char *pending;	      /* ",tpl:key,...," known and only logged */
};

/* Tokenizer states, named after the WHATWG ones they stand for. */
enum hstate {
	H_DATA,
	H_TAG_OPEN,
	H_END_TAG_OPEN,
	H_TAG_NAME,
	H_BEFORE_ATTR,
	H_ATTR_NAME,
	H_AFTER_ATTR,
	H_BEFORE_VALUE,
	H_VALUE_DQ,
	H_VALUE_SQ,
	H_VALUE_UQ,
	H_MARKUP,
	H_MARKUP_DASH,
	H_BOGUS,
	H_COMMENT_START,
	H_COMMENT_START_DASH,
	H_COMMENT,
	H_COMMENT_END_DASH,
	H_COMMENT_END,
	H_COMMENT_END_BANG,
	H_RAW, /* content of a raw text or RCDATA element */
	H_RAW_LT,
	H_RAW_END, /* "</" and ctx.match letters of the end tag seen */
	H_RAW_LT_BANG,
	H_RAW_LT_BANG_DASH,
};

enum elem {
	E_OTHER,
	E_SCRIPT,
	E_STYLE,
	E_TEXTAREA,
	E_TITLE,
	E_XMP,
	E_IFRAME,
	E_NOEMBED,
	E_NOFRAMES,
	E_PLAINTEXT,
	E_SVG,
	E_MATH,
	E__MAX
};

/*
 * <noscript> is left out on purpose: with scripting off its content is
 * markup, and treating it as markup is the stricter reading.
 */
static const char *const elem_names[E__MAX] = {
    "",	      "script",	 "style",    "textarea",  "title", "xmp",
    "iframe", "noembed", "noframes", "plaintext", "svg",   "math",
};

enum attr_kind { A_PLAIN, A_URL, A_UNSAFE };

static const char *const url_attrs[] = {
    "href",   "src",	 "action",     "formaction", "poster",	 "cite",
    "data",   "srcset",	 "xlink:href", "background", "longdesc", "manifest",
    "ping",   "icon",	 "codebase",   "archive",    "usemap",	 "lowsrc",
    "dynsrc", "profile", "classid",    "xml:base",   NULL,
};

/*
 * After a section tag ends an attribute, the next byte may not give it a
 * value ('='), nor, when the name itself was cut, go on with the name.
 */
enum cut { CUT_NONE, CUT_VALUE, CUT_NAME };

/* Where the scanner is; two equal contexts give equal escaping. */
struct html_ctx {
	uint8_t state;
	uint8_t elem;	    /* tag being read, or the raw element */
	uint8_t attr;	    /* enum attr_kind of the attribute */
	uint8_t match;	    /* H_RAW_END: end tag letters seen */
	uint8_t foreign;    /* open <svg> and <math> elements */
	bool url_start;	    /* URL value, scheme not settled yet */
	bool var_in_scheme; /* a variable may have begun that scheme */
	bool in_ref;	    /* after '&' in such a value */
	bool end_tag;
	bool self_closing;
	uint8_t cut; /* enum cut: a section tag ended a name */
};

struct open_section {
	size_t op;
	const char *name;
	size_t name_len;
	unsigned line;
	struct html_ctx ctx;
};

struct parser {
	const struct tpl_set *set;
	const char *file; /* template name, for messages */
	struct buf *err;
	unsigned line;
	struct html_ctx ctx;
	char tag[16];
	size_t tag_len;
	char attr[16];
	size_t attr_len;
	struct tpl_op *ops;
	size_t nops, cap;
	size_t text_op; /* TEXT op that text may extend */
	struct buf pool;
	struct open_section open[TPL_MAX_NEST];
	size_t nopen;
};

struct scope {
	const struct tv *v;
	const struct tv *from; /* the list or object a section entered */
	const struct scope *up;
};

struct tpl_src {
	const char *name;
	const char *src;
	size_t len;
};

/* View model. */

static struct tv *
tv_new(struct arena *a, enum tv_kind kind)
{
	struct tv *v = arena_zalloc(a, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->kind = kind;
	if (kind == TV_OBJ || kind == TV_LIST)
		v->u.box.arena = a;
	return v;
}

struct tv *
tv_obj(struct arena *a)
{
	if (a == NULL)
		return NULL;
	return tv_new(a, TV_OBJ);
}

/* NULL obj is refused, so calls can chain after a failed tv_put_obj(). */
static struct tv *
tv_put(struct tv *obj, const char *key, enum tv_kind kind)
{
	struct tv *v;

	if (obj == NULL || obj->kind != TV_OBJ || key == NULL)
		return NULL;
	v = tv_new(obj->u.box.arena, kind);
	if (v == NULL)
		return NULL;
	v->key = key;
	v->next = obj->u.box.head;
	obj->u.box.head = v;
	return v;
}

bool
tv_put_strn(struct tv *obj, const char *key, const char *s, size_t n)
{
	struct tv *v = tv_put(obj, key, TV_STR);

	if (v == NULL)
		return false;
	v->u.str.s = s != NULL ? s : "";
	v->u.str.n = s != NULL ? n : 0;
	return true;
}

bool
tv_put_str(struct tv *obj, const char *key, const char *s)
{
	return tv_put_strn(obj, key, s, s != NULL ? strlen(s) : 0);
}

bool
tv_put_int(struct tv *obj, const char *key, long long i)
{
	struct tv *v = tv_put(obj, key, TV_INT);

	if (v == NULL)
		return false;
	v->u.i = i;
	return true;
}

bool
tv_put_bool(struct tv *obj, const char *key, bool b)
{
	struct tv *v = tv_put(obj, key, TV_BOOL);

	if (v == NULL)
		return false;
	v->u.b = b;
	return true;
}

bool
tv_put_safe(struct tv *obj, const char *key, struct safe_html h)
{
	struct tv *v = tv_put(obj, key, TV_SAFE);

	if (v == NULL)
		return false;
	v->u.str.s = h.html != NULL ? h.html : "";
	v->u.str.n = h.html != NULL ? h.len : 0;
	return true;
}

struct tv *
tv_put_obj(struct tv *obj, const char *key)
{
	return tv_put(obj, key, TV_OBJ);
}

struct tv *
tv_put_list(struct tv *obj, const char *key)
{
	return tv_put(obj, key, TV_LIST);
}

struct tv *
tv_push(struct tv *list)
{
	struct tv *v;

	if (list == NULL || list->kind != TV_LIST)
		return NULL;
	v = tv_new(list->u.box.arena, TV_OBJ);
	if (v == NULL)
		return NULL;
	if (list->u.box.tail != NULL)
		list->u.box.tail->next = v;
	else
		list->u.box.head = v;
	list->u.box.tail = v;
	return v;
}

static const struct tv *
tv_member(const struct tv *obj, const char *key)
{
	const struct tv *m;

	if (obj == NULL || obj->kind != TV_OBJ)
		return NULL;
	for (m = obj->u.box.head; m != NULL; m = m->next)
		if (m->key[0] == key[0] && strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

static bool
tv_truthy(const struct tv *v)
{
	if (v == NULL)
		return false;
	switch (v->kind) {
	case TV_OBJ:
		return true;
	case TV_LIST:
		return v->u.box.head != NULL;
	case TV_STR:
	case TV_SAFE:
		return v->u.str.n > 0;
	case TV_INT:
		return v->u.i != 0;
	case TV_BOOL:
		return v->u.b;
	}
	return false;
}

/* HTML scanner.  ASCII-only helpers: the tokenizer ignores the locale. */

static bool
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_alnum(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

static unsigned char
to_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool
ctx_same(const struct html_ctx *a, const struct html_ctx *b)
{
	/* url_start, var_in_scheme and cut are merged by the caller. */
	return a->state == b->state && a->elem == b->elem &&
	       a->attr == b->attr && a->match == b->match &&
	       a->foreign == b->foreign && a->in_ref == b->in_ref &&
	       a->end_tag == b->end_tag && a->self_closing == b->self_closing;
}

/* Names are compared with their length so "textarea\0" is not textarea. */
static bool
name_is(const char *buf, size_t len, const char *name)
{
	return len == strlen(name) && memcmp(buf, name, len) == 0;
}

/* Keeps up to 15 bytes; a longer name is marked too long to match. */
static void
name_add(char *buf, size_t *len, unsigned char c)
{
	if (*len < 15)
		buf[(*len)++] = (char)to_lower(c);
	else
		*len = 16;
}

static void
tag_start(struct parser *p, unsigned char c, bool end)
{
	p->ctx.state = H_TAG_NAME;
	p->ctx.end_tag = end;
	p->tag_len = 0;
	name_add(p->tag, &p->tag_len, c);
}

static void
tag_named(struct parser *p)
{
	size_t i;

	p->ctx.elem = E_OTHER;
	for (i = 1; i < E__MAX; i++)
		if (name_is(p->tag, p->tag_len, elem_names[i]))
			p->ctx.elem = (uint8_t)i;
}

static void
attr_start(struct parser *p, unsigned char c)
{
	p->ctx.state = H_ATTR_NAME;
	p->ctx.attr = A_PLAIN;
	p->ctx.self_closing = false;
	p->attr_len = 0;
	name_add(p->attr, &p->attr_len, c);
}

static void
attr_named(struct parser *p)
{
	size_t i;

	p->ctx.attr = A_PLAIN;
	if (p->attr_len >= 2 && p->attr[0] == 'o' && p->attr[1] == 'n') {
		p->ctx.attr = A_UNSAFE;
		return;
	}
	if (name_is(p->attr, p->attr_len, "style") ||
	    name_is(p->attr, p->attr_len, "srcdoc")) {
		p->ctx.attr = A_UNSAFE;
		return;
	}
	for (i = 0; url_attrs[i] != NULL; i++)
		if (name_is(p->attr, p->attr_len, url_attrs[i]))
			p->ctx.attr = A_URL;
}

static void
attr_done(struct html_ctx *x)
{
	x->state = H_BEFORE_ATTR;
	x->attr = A_PLAIN;
	x->url_start = x->var_in_scheme = false;
	x->in_ref = false;
}

/* At the '>' of a tag: decides what the content after it is. */
static const char *
tag_end(struct html_ctx *x)
{
	uint8_t e = x->elem;
	bool end = x->end_tag, self = x->self_closing;

	x->state = H_DATA;
	x->elem = E_OTHER;
	x->attr = A_PLAIN;
	x->url_start = x->var_in_scheme = false;
	x->in_ref = x->end_tag = x->self_closing = false;
	x->match = 0;
	if (e == E_SVG || e == E_MATH) {
		if (end && x->foreign > 0)
			x->foreign--;
		else if (!end && !self) {
			if (x->foreign >= TPL_MAX_FOREIGN)
				return "<svg> and <math> nested too deeply";
			x->foreign++;
		}
		return NULL;
	}
	if (end)
		return NULL;
	if (x->foreign > 0) {
		/* Foreign <script> is tokenized as markup: easy to misread. */
		if (e == E_SCRIPT || e == E_STYLE)
			return "<script> and <style> inside <svg> or <math> are not supported";
		return NULL;
	}
	if (e >= E_SCRIPT && e <= E_PLAINTEXT) {
		x->state = H_RAW;
		x->elem = e;
	}
	return NULL;
}

/*
 * Tracks whether a URL attribute value can still gain a scheme.  After a
 * variable there, a literal ':' (or a reference that may decode to one)
 * would make the variable's letters a scheme that its escaping never saw
 * ("{{v}}:alert(1)" with v = "javascript"): refused.
 */
static const char *
value_char(struct html_ctx *x, unsigned char c)
{
	if (!x->url_start)
		return NULL;
	if (x->var_in_scheme && (c == ':' || c == '&'))
		return "':' or '&' after a variable that starts a URL could give it a scheme";
	if (x->in_ref) {
		if (is_alnum(c) || c == '#')
			return NULL;
		x->in_ref = false;
		/* A character reference may decode to anything. */
		if (c == ';')
			return NULL;
	}
	if (c == '&') {
		x->in_ref = true;
		return NULL;
	}
	/* URL parsers strip leading spaces and controls: no settling. */
	if (c <= 0x20 || is_alnum(c) || c == '+' || c == '-' || c == '.')
		return NULL;
	x->url_start = x->var_in_scheme = false;
	return NULL;
}

/* Feeds one byte of literal text; returns a message when refused. */
static const char *
html_step(struct parser *p, unsigned char c)
{
	struct html_ctx *x = &p->ctx;

again:
	switch (x->state) {
	case H_DATA:
		if (c == '<')
			x->state = H_TAG_OPEN;
		break;
	case H_TAG_OPEN:
		if (is_alpha(c)) {
			tag_start(p, c, false);
		} else if (c == '/') {
			x->state = H_END_TAG_OPEN;
		} else if (c == '!') {
			x->state = H_MARKUP;
		} else if (c == '?') {
			x->state = H_BOGUS;
		} else {
			x->state = H_DATA;
			goto again;
		}
		break;
	case H_END_TAG_OPEN:
		if (is_alpha(c)) {
			tag_start(p, c, true);
		} else if (c == '>') {
			x->state = H_DATA;
		} else {
			x->state = H_BOGUS;
			goto again;
		}
		break;
	case H_TAG_NAME:
		if (is_ws(c) || c == '/') {
			tag_named(p);
			x->state = H_BEFORE_ATTR;
			x->self_closing = c == '/';
		} else if (c == '>') {
			tag_named(p);
			return tag_end(x);
		} else {
			name_add(p->tag, &p->tag_len, c);
		}
		break;
	case H_BEFORE_ATTR:
		if (x->cut != CUT_NONE) {
			bool ends = is_ws(c) || c == '/' || c == '>';

			if (c == '=' || (x->cut == CUT_NAME && !ends))
				return "attribute name split by a section tag";
			x->cut = CUT_NONE;
		}
		if (is_ws(c))
			x->self_closing = false;
		else if (c == '/')
			x->self_closing = true;
		else if (c == '>')
			return tag_end(x);
		else
			attr_start(p, c);
		break;
	case H_ATTR_NAME:
		if (is_ws(c) || c == '/' || c == '>' || c == '=') {
			attr_named(p);
			x->state = H_AFTER_ATTR;
			goto again;
		}
		name_add(p->attr, &p->attr_len, c);
		break;
	case H_AFTER_ATTR:
		if (c == '/') {
			attr_done(x);
			x->self_closing = true;
		} else if (c == '=') {
			x->state = H_BEFORE_VALUE;
		} else if (c == '>') {
			return tag_end(x);
		} else if (!is_ws(c)) {
			attr_start(p, c);
		}
		break;
	case H_BEFORE_VALUE:
		if (c == '"' || c == '\'') {
			x->state = c == '"' ? H_VALUE_DQ : H_VALUE_SQ;
			x->url_start = x->attr == A_URL;
			x->in_ref = false;
		} else if (c == '>') {
			return tag_end(x);
		} else if (!is_ws(c)) {
			x->state = H_VALUE_UQ;
		}
		break;
	case H_VALUE_DQ:
	case H_VALUE_SQ:
		if (c == (x->state == H_VALUE_DQ ? '"' : '\''))
			attr_done(x);
		else
			return value_char(x, c);
		break;
	case H_VALUE_UQ:
		if (is_ws(c))
			attr_done(x);
		else if (c == '>')
			return tag_end(x);
		break;
	case H_MARKUP:
		if (c == '-') {
			x->state = H_MARKUP_DASH;
		} else if (c == '[') {
			/* CDATA ends at "]]>" in foreign content, else at '>'.
			 */
			return "<![CDATA[ is not supported";
		} else {
			x->state = H_BOGUS;
			goto again;
		}
		break;
	case H_MARKUP_DASH:
		x->state = H_BOGUS;
		if (c == '-')
			x->state = H_COMMENT_START;
		else
			goto again;
		break;
	case H_BOGUS:
		if (c == '>')
			x->state = H_DATA;
		break;
	case H_COMMENT_START:
	case H_COMMENT_START_DASH:
		if (c == '-') {
			x->state = x->state == H_COMMENT_START
				       ? H_COMMENT_START_DASH
				       : H_COMMENT_END;
		} else if (c == '>') {
			x->state = H_DATA; /* <!--> and <!---> are closed */
		} else {
			x->state = H_COMMENT;
			goto again;
		}
		break;
	case H_COMMENT:
		if (c == '-')
			x->state = H_COMMENT_END_DASH;
		break;
	case H_COMMENT_END_DASH:
		x->state = c == '-' ? H_COMMENT_END : H_COMMENT;
		break;
	case H_COMMENT_END:
		if (c == '>')
			x->state = H_DATA;
		else if (c == '!')
			x->state = H_COMMENT_END_BANG;
		else if (c != '-')
			x->state = H_COMMENT;
		break;
	case H_COMMENT_END_BANG:
		if (c == '>')
			x->state = H_DATA;
		else
			x->state = c == '-' ? H_COMMENT_END_DASH : H_COMMENT;
		break;
	case H_RAW:
		if (c == '<')
			x->state = H_RAW_LT;
		break;
	case H_RAW_LT:
		if (c == '/') {
			x->state = H_RAW_END;
			x->match = 0;
		} else if (c == '!' && x->elem == E_SCRIPT) {
			x->state = H_RAW_LT_BANG;
		} else {
			x->state = H_RAW;
			goto again;
		}
		break;
	case H_RAW_LT_BANG:
		if (c != '-') {
			x->state = H_RAW;
			goto again;
		}
		x->state = H_RAW_LT_BANG_DASH;
		break;
	case H_RAW_LT_BANG_DASH:
		/* The script data escaped states would need following too. */
		if (c == '-')
			return "<!-- inside <script> is not supported";
		x->state = H_RAW;
		goto again;
	case H_RAW_END: {
		const char *name = elem_names[x->elem];

		if (name[x->match] != '\0') {
			if (to_lower(c) == (unsigned char)name[x->match]) {
				x->match++;
				break;
			}
		} else if (is_ws(c) || c == '/' || c == '>') {
			x->state = H_BEFORE_ATTR;
			x->end_tag = true;
			x->match = 0;
			goto again;
		}
		x->state = H_RAW;
		x->match = 0;
		goto again;
	}
	}
	return NULL;
}

/* Where the scanner is, for messages: "variable <where>". */
static const char *
ctx_where(const struct html_ctx *x)
{
	switch (x->state) {
	case H_DATA:
		return x->foreign ? "inside <svg> or <math>"
				  : "in element text";
	case H_TAG_OPEN:
	case H_END_TAG_OPEN:
	case H_TAG_NAME:
		return "in a tag name";
	case H_BEFORE_ATTR:
	case H_ATTR_NAME:
	case H_AFTER_ATTR:
		return "in an attribute name";
	case H_BEFORE_VALUE:
	case H_VALUE_UQ:
		return "in an unquoted attribute value";
	case H_VALUE_DQ:
	case H_VALUE_SQ:
		return "in an attribute value";
	case H_MARKUP:
	case H_MARKUP_DASH:
	case H_BOGUS:
		return "inside <!...> or <?...>";
	case H_COMMENT_START:
	case H_COMMENT_START_DASH:
	case H_COMMENT:
	case H_COMMENT_END_DASH:
	case H_COMMENT_END:
	case H_COMMENT_END_BANG:
		return "inside a comment";
	case H_RAW:
		switch (x->elem) {
		case E_SCRIPT:
			return "inside <script>";
		case E_STYLE:
			return "inside <style>";
		default:
			return "inside a raw text element";
		}
	default:
		return "inside an end tag";
	}
}

/*
 * A section tag right after an attribute name ends that name, so that
 * {{#on}}checked{{/on}} works; the name may not go on after the tag, or
 * take a value, or it would differ between the branches.
 */
static void
section_point(struct parser *p)
{
	uint8_t cut;

	if (p->ctx.state == H_ATTR_NAME || p->ctx.state == H_AFTER_ATTR) {
		cut = p->ctx.state == H_ATTR_NAME ? CUT_NAME : CUT_VALUE;
		attr_done(&p->ctx);
		if (p->ctx.cut < cut)
			p->ctx.cut = cut;
	}
}

/* Section tags: where both branches of the section can be told apart. */
static bool
ctx_takes_section(const struct html_ctx *x)
{
	switch (x->state) {
	case H_DATA:
	case H_RAW:
	case H_COMMENT_START:
	case H_COMMENT_START_DASH:
	case H_COMMENT:
	case H_COMMENT_END_DASH:
	case H_COMMENT_END:
	case H_COMMENT_END_BANG:
	case H_BEFORE_ATTR:
	case H_VALUE_DQ:
	case H_VALUE_SQ:
		return true;
	default:
		return false;
	}
}

/* Parser. */

__attribute__((format(printf, 3, 4))) static bool
parse_error(struct parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (p->err == NULL)
		return false;
	if (buf_printf(p->err, "%s.html:%u: ", p->file, line)) {
		va_start(ap, fmt);
		(void)!buf_vprintf(p->err, fmt, ap);
		va_end(ap);
	}
	return false;
}

static struct tpl_op *
op_add(struct parser *p, uint8_t kind)
{
	struct tpl_op *ops;
	size_t ncap;

	if (p->nops == p->cap) {
		ncap = p->cap ? p->cap * 2 : 64;
		ops = realloc(p->ops, ncap * sizeof(*ops));
		if (ops == NULL)
			return NULL;
		p->ops = ops;
		p->cap = ncap;
	}
	ops = &p->ops[p->nops++];
	memset(ops, 0, sizeof(*ops));
	ops->kind = kind;
	p->text_op = SIZE_MAX;
	return ops;
}

static bool
parse_literal(struct parser *p, const char *s, size_t n)
{
	const char *why;
	struct tpl_op *op;
	size_t i, off = p->pool.len;

	for (i = 0; i < n; i++) {
		why = html_step(p, (unsigned char)s[i]);
		if (why != NULL)
			return parse_error(p, p->line, "%s", why);
		if (s[i] == '\n')
			p->line++;
	}
	if (n == 0)
		return true;
	if (!buf_append(&p->pool, s, n))
		return parse_error(p, p->line, "out of memory");
	/* Text split only by {{! comments }} stays one run. */
	if (p->text_op != SIZE_MAX) {
		p->ops[p->text_op].u.len += (uint32_t)n;
		return true;
	}
	op = op_add(p, OP_TEXT);
	if (op == NULL)
		return parse_error(p, p->line, "out of memory");
	op->off = (uint32_t)off;
	op->u.len = (uint32_t)n;
	p->text_op = p->nops - 1;
	return true;
}

/* Dotted names: segments of [A-Za-z0-9_-]; partial names may hold dots. */
static bool
name_valid(const char *s, size_t n, bool dotted)
{
	size_t i, seg = 0;

	if (n == 0 || n > TPL_MAX_NAME)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.' && dotted) {
			if (seg == 0)
				return false;
			seg = 0;
			continue;
		}
		if (!is_alnum(c) && c != '_' && c != '-' && c != '.')
			return false;
		seg++;
	}
	return seg > 0;
}

/* Adds an op naming a value: the pool gets "a\0b\0c\0" for "a.b.c". */
static struct tpl_op *
op_add_named(struct parser *p, uint8_t kind, const char *name, size_t n)
{
	struct tpl_op *op;
	size_t i, off = p->pool.len;
	unsigned nseg = 1;

	for (i = 0; i < n; i++) {
		bool dot = name[i] == '.';

		nseg += dot;
		if (!buf_putc(&p->pool, dot ? '\0' : name[i]))
			return NULL;
	}
	if (!buf_putc(&p->pool, '\0'))
		return NULL;
	op = op_add(p, kind);
	if (op == NULL)
		return NULL;
	op->off = (uint32_t)off;
	op->nseg = (uint16_t)nseg;
	return op;
}

static bool
parse_var(struct parser *p, unsigned line, const char *name, size_t n, bool raw)
{
	const struct html_ctx *x = &p->ctx;
	struct tpl_op *op;
	uint8_t esc;

	if (!name_valid(name, n, true))
		return parse_error(p, line, "bad name \"%.*s\"", (int)n, name);
	if (raw && (x->state != H_DATA))
		return parse_error(
		    p, line, "{{{%.*s}}} %s: raw output only in element text",
		    (int)n, name, ctx_where(x));
	switch (x->state) {
	case H_DATA:
		esc = raw ? ESC_RAW : ESC_TEXT;
		break;
	case H_RAW:
		if (x->elem == E_SCRIPT || x->elem == E_STYLE)
			goto refuse;
		esc = ESC_TEXT;
		break;
	case H_COMMENT_START:
	case H_COMMENT_START_DASH:
	case H_COMMENT:
	case H_COMMENT_END_DASH:
	case H_COMMENT_END:
	case H_COMMENT_END_BANG:
		esc = ESC_COMMENT;
		break;
	case H_VALUE_DQ:
	case H_VALUE_SQ:
		if (x->attr == A_UNSAFE)
			return parse_error(p, line,
					   "variable in the %.*s attribute",
					   (int)p->attr_len, p->attr);
		if (x->in_ref)
			return parse_error(p, line,
					   "variable right after '&' in a URL");
		esc = x->url_start ? ESC_URL : ESC_TEXT;
		break;
	default:
		goto refuse;
	}
	op = op_add_named(p, OP_VAR, name, n);
	if (op == NULL)
		return parse_error(p, line, "out of memory");
	op->esc = esc;
	if (esc == ESC_URL)
		p->ctx.var_in_scheme = true;
	return true;
refuse:
	return parse_error(p, line, "variable %s", ctx_where(x));
}

static bool
parse_open(struct parser *p, unsigned line, const char *name, size_t n,
	   bool inverted)
{
	struct open_section *o;
	struct tpl_op *op;
	char sigil = inverted ? '^' : '#';

	if (!name_valid(name, n, true))
		return parse_error(p, line, "bad name \"%.*s\"", (int)n, name);
	section_point(p);
	if (!ctx_takes_section(&p->ctx))
		return parse_error(p, line, "{{%c%.*s}} %s", sigil, (int)n,
				   name, ctx_where(&p->ctx));
	if (p->nopen == TPL_MAX_NEST)
		return parse_error(p, line, "sections nested deeper than %d",
				   TPL_MAX_NEST);
	op = op_add_named(p, inverted ? OP_INVERTED : OP_SECTION, name, n);
	if (op == NULL)
		return parse_error(p, line, "out of memory");
	o = &p->open[p->nopen++];
	o->op = p->nops - 1;
	o->name = name;
	o->name_len = n;
	o->line = line;
	o->ctx = p->ctx;
	return true;
}

/*
 * A section's body may run zero, one or many times, so the HTML context
 * after it must not depend on how often it ran.
 */
static bool
parse_close(struct parser *p, unsigned line, const char *name, size_t n)
{
	struct open_section *o;

	section_point(p);
	if (!ctx_takes_section(&p->ctx))
		return parse_error(p, line, "{{/%.*s}} %s", (int)n, name,
				   ctx_where(&p->ctx));
	if (p->nopen == 0)
		return parse_error(p, line, "{{/%.*s}} closes no section",
				   (int)n, name);
	o = &p->open[p->nopen - 1];
	if (o->name_len != n || memcmp(o->name, name, n) != 0)
		return parse_error(
		    p, line, "{{/%.*s}} does not match {{#%.*s}} on line %u",
		    (int)n, name, (int)o->name_len, o->name, o->line);
	/* A body that reopens a URL's start would run unchecked on repeat. */
	if (!ctx_same(&o->ctx, &p->ctx) ||
	    (p->ctx.url_start && !o->ctx.url_start))
		return parse_error(
		    p, line,
		    "{{/%.*s}} is in another HTML context than its {{#%.*s}} on line %u",
		    (int)n, name, (int)n, name, o->line);
	/* Skipped, the body leaves the value where the section started. */
	p->ctx.url_start = o->ctx.url_start;
	p->ctx.var_in_scheme = p->ctx.var_in_scheme || o->ctx.var_in_scheme;
	if (p->ctx.cut < o->ctx.cut)
		p->ctx.cut = o->ctx.cut;
	p->ops[o->op].u.end = (uint32_t)p->nops;
	p->nopen--;
	p->text_op = SIZE_MAX;
	return true;
}

static int
tpl_cmp(const void *key, const void *elt)
{
	return strcmp(key, ((const struct tpl *)elt)->name);
}

static const struct tpl *
tpl_find(const struct tpl_set *set, const char *name)
{
	if (set == NULL || name == NULL || set->count == 0)
		return NULL;
	return bsearch(name, set->tpls, set->count, sizeof(*set->tpls),
		       tpl_cmp);
}

/*
 * Partials start and end in element text, so they may only be placed
 * there: elsewhere the parent would lose track of the context.
 */
static bool
parse_partial(struct parser *p, unsigned line, const char *name, size_t n)
{
	char key[TPL_MAX_NAME + 1];
	const struct tpl *t;
	struct tpl_op *op;

	if (!name_valid(name, n, false))
		return parse_error(p, line, "bad partial name \"%.*s\"", (int)n,
				   name);
	if (p->ctx.state != H_DATA || p->ctx.foreign > 0)
		return parse_error(
		    p, line, "{{>%.*s}} %s: partials only in element text",
		    (int)n, name, ctx_where(&p->ctx));
	memcpy(key, name, n);
	key[n] = '\0';
	t = tpl_find(p->set, key);
	if (t == NULL)
		return parse_error(p, line, "unknown partial {{>%s}}", key);
	op = op_add(p, OP_PARTIAL);
	if (op == NULL)
		return parse_error(p, line, "out of memory");
	op->u.partial = t;
	return true;
}

/* Parses the tag whose "{{" is at *pos and moves *pos past it. */
static bool
parse_tag(struct parser *p, const char *src, size_t n, size_t *pos)
{
	size_t i, start = *pos + 2, end, next;
	unsigned line = p->line;
	const char *close;
	bool triple = start < n && src[start] == '{';
	char sigil = '\0';

	if (triple)
		start++;
	close = memmem(src + start, n - start, triple ? "}}}" : "}}",
		       triple ? 3 : 2);
	if (close == NULL)
		return parse_error(p, line, "unterminated {{");
	end = (size_t)(close - src);
	next = end + (triple ? 3 : 2);
	for (i = *pos; i < next; i++)
		p->line += src[i] == '\n';
	*pos = next;
	if (!triple && start < end && memchr("#^/>!", src[start], 5) != NULL)
		sigil = src[start++];
	if (sigil == '!')
		return true;
	while (start < end && is_ws((unsigned char)src[start]))
		start++;
	while (end > start && is_ws((unsigned char)src[end - 1]))
		end--;
	switch (sigil) {
	case '#':
	case '^':
		return parse_open(p, line, src + start, end - start,
				  sigil == '^');
	case '/':
		return parse_close(p, line, src + start, end - start);
	case '>':
		return parse_partial(p, line, src + start, end - start);
	default:
		return parse_var(p, line, src + start, end - start, triple);
	}
}

static bool
parse_finish(struct parser *p)
{
	const struct open_section *o;
	const struct html_ctx *x = &p->ctx;

	if (p->nopen > 0) {
		o = &p->open[p->nopen - 1];
		return parse_error(p, o->line, "{{%c%.*s}} is not closed",
				   p->ops[o->op].kind == OP_INVERTED ? '^'
								     : '#',
				   (int)o->name_len, o->name);
	}
	if (x->state == H_RAW)
		return parse_error(p, p->line, "template ends inside <%s>",
				   elem_names[x->elem]);
	if (x->state != H_DATA)
		return parse_error(p, p->line, "template ends %s",
				   ctx_where(x));
	if (x->foreign > 0)
		return parse_error(p, p->line,
				   "template ends inside <svg> or <math>");
	return true;
}

/* Parses src into t; on error writes to err and leaves t to tpl_set_free. */
static bool
tpl_parse(const struct tpl_set *set, struct tpl *t, const char *src, size_t n,
	  struct buf *err)
{
	struct parser p;
	struct tpl_op *ops;
	size_t i = 0;
	const char *open;
	bool ok = false;

	memset(&p, 0, sizeof(p));
	p.set = set;
	p.file = t->name;
	p.err = err;
	p.line = 1;
	p.text_op = SIZE_MAX;
	buf_init(&p.pool, 2 * TPL_MAX_SOURCE + 16);
	if (n > TPL_MAX_SOURCE) {
		parse_error(&p, 1, "template larger than %zu bytes",
			    TPL_MAX_SOURCE);
		goto out;
	}
	if (src == NULL)
		src = "";
	while (i < n) {
		open = memmem(src + i, n - i, "{{", 2);
		if (!parse_literal(&p, src + i,
				   (open ? (size_t)(open - src) : n) - i))
			goto out;
		if (open == NULL)
			break;
		i = (size_t)(open - src);
		if (!parse_tag(&p, src, n, &i))
			goto out;
	}
	if (!parse_finish(&p))
		goto out;
	if (p.nops > 0 && p.nops < p.cap) {
		ops = realloc(p.ops, p.nops * sizeof(*ops));
		if (ops != NULL)
			p.ops = ops;
	}
	t->ops = p.ops;
	t->nops = p.nops;
	t->pool = buf_steal(&p.pool, NULL);
	p.ops = NULL;
	ok = t->pool != NULL || parse_error(&p, p.line, "out of memory");
out:
	free(p.ops);
	buf_clear(&p.pool);
	return ok;
}

void
tpl_set_free(struct tpl_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->count; i++) {
		free(set->tpls[i].name);
		free(set->tpls[i].ops);
		free(set->tpls[i].pool);
	}
	free(set->tpls);
	free(set->pending);
	free(set);
}

static int
src_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tpl_src *)a)->name,
		      ((const struct tpl_src *)b)->name);
}

/* Sorts srcs in place; every name is known before any partial is read. */
static struct tpl_set *
tpl_set_build(struct tpl_src *srcs, size_t count, struct buf *err)
{
	struct tpl_set *set;
	size_t i;

	set = calloc(1, sizeof(*set));
	if (set == NULL ||
	    (set->tpls = calloc(count + 1, sizeof(*set->tpls))) == NULL)
		goto nomem;
	qsort(srcs, count, sizeof(*srcs), src_cmp);
	for (i = 0; i < count; i++) {
		set->tpls[i].name = strdup(srcs[i].name);
		if (set->tpls[i].name == NULL)
			goto nomem;
		set->count++;
		if (i > 0 && strcmp(srcs[i].name, srcs[i - 1].name) == 0) {
			if (err != NULL)
				(void)!buf_printf(
				    err, "%s.html:1: duplicate template name",
				    srcs[i].name);
			goto fail;
		}
	}
	for (i = 0; i < count; i++)
		if (!tpl_parse(set, &set->tpls[i], srcs[i].src, srcs[i].len,
			       err))
			goto fail;
	return set;
nomem:
	if (err != NULL)
		(void)!buf_puts(err, "templates: out of memory");
fail:
	tpl_set_free(set);
	return NULL;
}

struct tpl_set *
tpl_set_from_strings(const char *const *names, const char *const *sources,
		     size_t count, struct buf *err)
{
	struct tpl_set *set = NULL;
	struct tpl_src *srcs;
	size_t i;

	srcs = calloc(count + 1, sizeof(*srcs));
	if (srcs == NULL) {
		if (err != NULL)
			(void)!buf_puts(err, "templates: out of memory");
		return NULL;
	}
	for (i = 0; i < count; i++) {
		if (names == NULL || sources == NULL || names[i] == NULL ||
		    names[i][0] == '\0' || sources[i] == NULL) {
			if (err != NULL)
				(void)!buf_puts(
				    err, "templates: missing name or source");
			goto out;
		}
		srcs[i].name = names[i];
		srcs[i].src = sources[i];
		srcs[i].len = strlen(sources[i]);
	}
	set = tpl_set_build(srcs, count, err);
out:
	free(srcs);
	return set;
}

/* Reads path into b; returns 0 or an errno value (ENOENT: no override). */
static int
read_file(const char *path, struct buf *b)
{
	char chunk[8192];
	FILE *f;
	size_t n;
	int rc = 0;

	f = fopen(path, "rb");
	if (f == NULL)
		return errno ? errno : EIO;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (!buf_append(b, chunk, n)) {
			rc = b->len + n > TPL_MAX_SOURCE ? EFBIG : ENOMEM;
			break;
		}
	}
	if (rc == 0 && ferror(f))
		rc = errno ? errno : EIO;
	fclose(f);
	return rc;
}

/* Where an embedded template's name starts, or NULL for other files. */
static const char *
embedded_base(const char *path, size_t *n)
{
	const char *base;
	size_t len, ext = strlen(TPL_EXT);

	if (path == NULL || strncmp(path, TPL_DIR, strlen(TPL_DIR)) != 0)
		return NULL;
	base = strrchr(path, '/') + 1;
	len = strlen(base);
	if (len <= ext || strcmp(base + len - ext, TPL_EXT) != 0)
		return NULL;
	*n = len - ext;
	return base;
}

struct tpl_set *
tpl_set_load(const char *override_dir, struct buf *err)
{
	struct tpl_set *set = NULL;
	struct tpl_src *srcs;
	struct buf *files, path;
	const char *base;
	size_t i, n, count = 0;
	char *name;
	int rc;

	srcs = calloc(embedded_count + 1, sizeof(*srcs));
	files = calloc(embedded_count + 1, sizeof(*files));
	buf_init(&path, 4096);
	if (srcs == NULL || files == NULL)
		goto nomem;
	for (i = 0; i < embedded_count; i++) {
		base = embedded_base(embedded_files[i].path, &n);
		if (base == NULL)
			continue;
		if ((name = strndup(base, n)) == NULL)
			goto nomem;
		srcs[count].name = name;
		srcs[count].src = (const char *)embedded_files[i].data;
		srcs[count].len = embedded_files[i].len;
		buf_init(&files[count], TPL_MAX_SOURCE);
		count++;
		if (override_dir == NULL)
			continue;
		buf_reset(&path);
		if (!buf_printf(&path, "%s/%s%s", override_dir, name, TPL_EXT))
			goto nomem;
		rc = read_file(buf_cstr(&path), &files[count - 1]);
		if (rc == ENOENT)
			continue;
		if (rc != 0) {
			if (err != NULL)
				(void)!buf_printf(err, "%s.html:0: %s: %s",
						  name, buf_cstr(&path),
						  strerror(rc));
			goto out;
		}
		srcs[count - 1].src = buf_cstr(&files[count - 1]);
		srcs[count - 1].len = files[count - 1].len;
	}
	set = tpl_set_build(srcs, count, err);
	goto out;
nomem:
	if (err != NULL)
		(void)!buf_puts(err, "templates: out of memory");
out:
	for (i = 0; i < count; i++) {
		free((char *)srcs[i].name);
		buf_clear(&files[i]);
	}
	free(srcs);
	free(files);
	buf_clear(&path);
	return set;
}

bool
tpl_has(const struct tpl_set *set, const char *name)
{
	return tpl_find(set, name) != NULL;
}

/* Rendering. */

static const struct tv *
lookup(const struct tpl *t, const struct tpl_op *op, const struct scope *sc)
{
	const char *seg = t->pool + op->off;
	const struct tv *v = NULL;
	unsigned i;

	for (; sc != NULL && v == NULL; sc = sc->up)
		v = tv_member(sc->v, seg);
	for (i = 1; v != NULL && i < op->nseg; i++) {
		seg += strlen(seg) + 1;
		v = tv_member(v, seg);
	}
	return v;
}

/*
 * The list or object a section names, or NULL when it is false.  A value
 * that an enclosing section is already rendering counts as missing: a
 * reply without "replies" would otherwise find its parent's through the
 * scope chain and recurse on it forever.
 */
static const struct tv *
section_value(const struct tpl *t, const struct tpl_op *op,
	      const struct scope *sc)
{
	const struct tv *v = lookup(t, op, sc);

	if (!tv_truthy(v))
		return NULL;
	if (v->kind == TV_OBJ || v->kind == TV_LIST)
		for (; sc != NULL; sc = sc->up)
			if (sc->from == v)
				return NULL;
	return v;
}

/*
 * Comments end at "-->" or "--!>": html_escape() already removes '>' and
 * '<', and turning '-' into a reference (never decoded in a comment)
 * keeps a value from completing a "--" the template started.
 */
static bool
escape_comment(struct buf *out, const char *s, size_t n)
{
	const char *dash;

	while ((dash = memchr(s, '-', n)) != NULL) {
		if (!html_escape(out, s, (size_t)(dash - s)) ||
		    !buf_puts(out, "&#45;"))
			return false;
		n -= (size_t)(dash - s) + 1;
		s = dash + 1;
	}
	return html_escape(out, s, n);
}

static bool
render_value(struct buf *out, const struct tv *v, uint8_t esc)
{
	char num[24];
	unsigned long long u;
	int n;

	switch (v->kind) {
	case TV_SAFE:
		if (esc == ESC_RAW)
			return buf_append(out, v->u.str.s, v->u.str.n);
		/* fall through */
	case TV_STR:
		if (esc == ESC_URL)
			return html_escape_url(out, v->u.str.s, v->u.str.n);
		if (esc == ESC_COMMENT)
			return escape_comment(out, v->u.str.s, v->u.str.n);
		return html_escape(out, v->u.str.s, v->u.str.n);
	case TV_INT:
		/*
		 * Digits by hand: snprintf() cost more than the rest of a
		 * number's rendering, and a page prints hundreds of ids.
		 */
		u = v->u.i < 0 ? 0 - (unsigned long long)v->u.i
			       : (unsigned long long)v->u.i;
		n = (int)sizeof(num);
		do {
			num[--n] = (char)('0' + u % 10);
			u /= 10;
		} while (u != 0);
		if (v->u.i < 0)
			num[--n] = '-';
		return buf_append(out, num + n, sizeof(num) - (size_t)n);
	default:
		return true; /* bools, objects and lists print nothing */
	}
}

static bool render_ops(const struct tpl *t, size_t i, size_t end,
		       const struct scope *sc, struct buf *out, unsigned depth);

static bool
render_section(const struct tpl *t, size_t i, const struct scope *sc,
	       struct buf *out, unsigned depth)
{
	const struct tpl_op *op = &t->ops[i];
	const struct tv *v = section_value(t, op, sc), *item;
	struct scope inner = {v, v, sc};

	if (v == NULL)
		return true;
	if (v->kind == TV_OBJ)
		return render_ops(t, i + 1, op->u.end, &inner, out, depth);
	if (v->kind != TV_LIST)
		return render_ops(t, i + 1, op->u.end, sc, out, depth);
	for (item = v->u.box.head; item != NULL; item = item->next) {
		inner.v = item;
		if (!render_ops(t, i + 1, op->u.end, &inner, out, depth))
			return false;
	}
	return true;
}

static bool
render_ops(const struct tpl *t, size_t i, size_t end, const struct scope *sc,
	   struct buf *out, unsigned depth)
{
	const struct tpl_op *op;
	const struct tv *v;

	while (i < end) {
		op = &t->ops[i];
		switch (op->kind) {
		case OP_TEXT:
			if (!buf_append(out, t->pool + op->off, op->u.len))
				return false;
			i++;
			break;
		case OP_VAR:
			v = lookup(t, op, sc);
			if (v != NULL && !render_value(out, v, op->esc))
				return false;
			i++;
			break;
		case OP_SECTION:
			if (!render_section(t, i, sc, out, depth))
				return false;
			i = op->u.end;
			break;
		case OP_INVERTED:
			if (section_value(t, op, sc) == NULL &&
			    !render_ops(t, i + 1, op->u.end, sc, out, depth))
				return false;
			i = op->u.end;
			break;
		case OP_PARTIAL:
			/* Recursive partials (comment threads) stop here. */
			if (depth >= TPL_MAX_DEPTH)
				return false;
			if (!render_ops(op->u.partial, 0, op->u.partial->nops,
					sc, out, depth + 1))
				return false;
			i++;
			break;
		default:
			return false;
		}
	}
	return true;
}

static bool view_check(const struct tpl_set *set, const struct tpl *t,
		       const struct tv *root);

bool
tpl_render(const struct tpl_set *set, const char *name, const struct tv *root,
	   struct buf *out)
{
	const struct tpl *t = tpl_find(set, name);
	struct scope top = {root, NULL, NULL};

	if (t == NULL || out == NULL)
		return false;
	if (set->check != TPL_CHECK_OFF && !view_check(set, t, root) &&
	    set->check == TPL_CHECK_FAIL)
		return false;
	return render_ops(t, 0, t->nops, root != NULL ? &top : NULL, out, 0) &&
	       !buf_failed(out);
}

/*
 * The view contract.  In checked mode (the test suite's) a render first
 * proves that the view and the template agree: every {{value}} the
 * render reaches is put by the view (a section's name may be missing:
 * that is how a template asks whether it is there), and every key the
 * view puts is named somewhere in the template or its partials, in a
 * section taken or not.  A string left out is then an error, not "",
 * and a key no template reads is found when it is put, not never.  It is
 * kept apart from the render loop, which it mirrors without output.
 */
/* A key no template can name: name_valid() refuses '!'. */
#define TV_SHARED "!shared"

bool
tv_shared_with(struct tv *obj, const char *tpl_name)
{
	return tv_put_str(obj, TV_SHARED, tpl_name);
}

void
tpl_set_check(struct tpl_set *set, enum tpl_check check)
{
	if (set != NULL)
		set->check = check;
}

bool
tpl_set_check_pending(struct tpl_set *set, const char *list)
{
	char *copy;

	if (set == NULL || list == NULL)
		return set != NULL;
	copy = malloc(strlen(list) + 3);
	if (copy == NULL)
		return false;
	snprintf(copy, strlen(list) + 3, ",%s,", list);
	free(set->pending);
	set->pending = copy;
	return true;
}

/* What one check has found, and the names its template can read. */
struct view_audit {
	const struct tpl_set *set;
	const struct tpl *root;
	const struct tpl **seen; /* templates whose names are collected */
	size_t nseen, capseen;
	const char **names; /* every segment of every name, with repeats */
	size_t nnames, capnames;
	unsigned faults;
	bool nomem;
};

#define VIEW_FAULTS_LOGGED 200

/* True when ",TEMPLATE:KEY," is on the set's pending list. */
static bool
audit_pending(const struct view_audit *va, const char *key)
{
	const char *p = va->set->pending;
	size_t nt = strlen(va->root->name), nk = strlen(key);

	while (p != NULL && (p = strstr(p, va->root->name)) != NULL) {
		if (p[-1] == ',' && p[nt] == ':' &&
		    strncmp(p + nt + 1, key, nk) == 0 && p[nt + 1 + nk] == ',')
			return true;
		p += nt;
	}
	return false;
}

static void
audit_fault(struct view_audit *va, const char *what, const char *key)
{
	if (audit_pending(va, key)) {
		log_debug("view contract: %s.html: %s \"%s\" (pending)",
			  va->root->name, what, key);
		return;
	}
	if (va->faults++ < VIEW_FAULTS_LOGGED)
		log_warnx("view contract: %s.html: %s \"%s\"", va->root->name,
			  what, key);
}

static bool
audit_grow(void *arr, size_t *cap, size_t need, size_t size)
{
	void **p = arr, *n;
	size_t c = *cap ? *cap * 2 : 64;

	if (need <= *cap)
		return true;
	n = realloc(*p, c * size);
	if (n == NULL)
		return false;
	*p = n;
	*cap = c;
	return true;
}

/* Collects the names of t and of every partial it reaches, once each. */
static void
audit_names(struct view_audit *va, const struct tpl *t)
{
	size_t i;
	unsigned k;

	for (i = 0; i < va->nseen; i++)
		if (va->seen[i] == t)
			return;
	if (!audit_grow(&va->seen, &va->capseen, va->nseen + 1,
			sizeof(*va->seen))) {
		va->nomem = true;
		return;
	}
	va->seen[va->nseen++] = t;
	for (i = 0; i < t->nops; i++) {
		const struct tpl_op *op = &t->ops[i];
		const char *seg = t->pool + op->off;

		if (op->kind == OP_PARTIAL) {
			audit_names(va, op->u.partial);
			continue;
		}
		if (op->kind == OP_TEXT)
			continue;
		for (k = 0; k < op->nseg; k++, seg += strlen(seg) + 1) {
			if (!audit_grow(&va->names, &va->capnames,
					va->nnames + 1, sizeof(*va->names))) {
				va->nomem = true;
				return;
			}
			va->names[va->nnames++] = seg;
		}
	}
}

static bool
audit_named(const struct view_audit *va, const char *key)
{
	size_t i;

	for (i = 0; i < va->nnames; i++)
		if (strcmp(va->names[i], key) == 0)
			return true;
	return false;
}

/* Every key put anywhere in v must be a name the template can read. */
static void
audit_puts(struct view_audit *va, const struct tv *v, unsigned depth)
{
	const struct tv *m;

	if (v == NULL || depth > TPL_MAX_DEPTH)
		return;
	if (v->kind != TV_OBJ && v->kind != TV_LIST)
		return;
	for (m = v->u.box.head; m != NULL; m = m->next) {
		if (v->kind == TV_OBJ && m->key[0] == '!')
			continue;
		if (v->kind == TV_OBJ && !audit_named(va, m->key))
			audit_fault(
			    va, "the view puts a key it never reads:", m->key);
		audit_puts(va, m, depth + 1);
	}
}

/* Walks ops as render_ops() does, noting each {{value}} not put. */
static void
audit_reads(struct view_audit *va, const struct tpl *t, size_t i, size_t end,
	    const struct scope *sc, unsigned depth)
{
	while (i < end) {
		const struct tpl_op *op = &t->ops[i];
		const struct tv *v, *item;
		struct scope inner;

		switch (op->kind) {
		case OP_VAR:
			if (lookup(t, op, sc) == NULL)
				audit_fault(va,
					    "reads a value the view does "
					    "not put:",
					    t->pool + op->off);
			i++;
			break;
		case OP_SECTION:
			v = section_value(t, op, sc);
			inner = (struct scope){v, v, sc};
			if (v != NULL && v->kind == TV_OBJ) {
				audit_reads(va, t, i + 1, op->u.end, &inner,
					    depth);
			} else if (v != NULL && v->kind == TV_LIST) {
				for (item = v->u.box.head; item != NULL;
				     item = item->next) {
					inner.v = item;
					audit_reads(va, t, i + 1, op->u.end,
						    &inner, depth);
				}
			} else if (v != NULL) {
				audit_reads(va, t, i + 1, op->u.end, sc, depth);
			}
			i = op->u.end;
			break;
		case OP_INVERTED:
			if (section_value(t, op, sc) == NULL)
				audit_reads(va, t, i + 1, op->u.end, sc, depth);
			i = op->u.end;
			break;
		case OP_PARTIAL:
			if (depth < TPL_MAX_DEPTH)
				audit_reads(va, op->u.partial, 0,
					    op->u.partial->nops, sc, depth + 1);
			i++;
			break;
		default:
			i++;
			break;
		}
	}
}

static bool
view_check(const struct tpl_set *set, const struct tpl *t,
	   const struct tv *root)
{
	struct view_audit va;
	struct scope top = {root, NULL, NULL};
	const struct tv *m;
	bool ok;

	memset(&va, 0, sizeof(va));
	va.set = set;
	va.root = t;
	audit_reads(&va, t, 0, t->nops, root != NULL ? &top : NULL, 0);
	audit_names(&va, t);
	/* A view rendered in parts may put what any of its parts reads. */
	for (m = root && root->kind == TV_OBJ ? root->u.box.head : NULL;
	     m != NULL; m = m->next) {
		const struct tpl *other;

		if (strcmp(m->key, TV_SHARED) != 0 || m->kind != TV_STR)
			continue;
		other = tpl_find(set, m->u.str.s);
		if (other == NULL)
			audit_fault(&va, "shares its view with no template",
				    m->u.str.s);
		else
			audit_names(&va, other);
	}
	if (!va.nomem)
		audit_puts(&va, root, 0);
	ok = !va.nomem && va.faults == 0;
	if (va.faults > VIEW_FAULTS_LOGGED)
		log_warnx("view contract: %s.html: %u faults in all", t->name,
			  va.faults);
	free(va.seen);
	free(va.names);
	return ok;
}
