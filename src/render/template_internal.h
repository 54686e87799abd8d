/*
 * template_internal: what the files of the template engine share
 * (template.c: parsing, loading, rendering; template_html.c: the HTML
 * scanner; template_view.c: the view model; template_check.c: the view
 * contract).  Not for other modules: they use template.h.
 */
#ifndef PARLEY_TEMPLATE_INTERNAL_H
#define PARLEY_TEMPLATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "render/template.h"

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

/* ASCII-only helpers: the tokenizer ignores the locale. */

static inline bool
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static inline bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
is_alnum(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

static inline unsigned char
to_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* template_html.c: the HTML scanner. */

/* Two contexts that give the same escaping. */
bool tpl_ctx_same(const struct html_ctx *a, const struct html_ctx *b);
/* Feeds one byte of literal text; returns a message when refused. */
const char *tpl_html_step(struct parser *p, unsigned char c);
/* Where the scanner is, for messages: "variable <where>". */
const char *tpl_ctx_where(const struct html_ctx *x);
/* Marks where a section tag stands (see template_html.c). */
void tpl_section_point(struct parser *p);
/* True where both branches of a section can be told apart. */
bool tpl_ctx_takes_section(const struct html_ctx *x);

/* template_view.c: the view model. */

/* The member key of obj, or NULL. */
const struct tv *tv_member(const struct tv *obj, const char *key);
/* Whether a section over v is taken. */
bool tv_truthy(const struct tv *v);

/* template.c: names, templates and values. */

/* Dotted names: segments of [A-Za-z0-9_-]; partial names may hold dots. */
bool tpl_name_valid(const char *s, size_t n, bool dotted);
/* The template called name in set, or NULL. */
const struct tpl *tpl_find(const struct tpl_set *set, const char *name);
/* The value an op names, looked up through the scopes. */
const struct tv *tpl_lookup(const struct tpl *t, const struct tpl_op *op,
			    const struct scope *sc);
/* The value a section op stands on. */
const struct tv *tpl_section_value(const struct tpl *t, const struct tpl_op *op,
				   const struct scope *sc);

/* template_check.c: the view contract, in checked mode. */
bool tpl_view_check(const struct tpl_set *set, const struct tpl *t,
		    const struct tv *root);

#endif
