/*
 * template_html: the HTML scanner of the template engine.  It follows the
 * WHATWG tokenizer closely enough to know where a tag can put its output.
 * Where it cannot follow the browser (CDATA, <!-- in <script>, <script>
 * inside <svg>) it refuses the template instead of guessing; where it
 * differs on purpose, it sees more markup than the browser does, never
 * less, so it may refuse or over-escape but never under-escape.
 */
#include <string.h>

#include "render/template_internal.h"

bool
tpl_ctx_same(const struct html_ctx *a, const struct html_ctx *b)
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
const char *
tpl_html_step(struct parser *p, unsigned char c)
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
const char *
tpl_ctx_where(const struct html_ctx *x)
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
void
tpl_section_point(struct parser *p)
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
bool
tpl_ctx_takes_section(const struct html_ctx *x)
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
