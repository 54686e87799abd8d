/*
 * markdown_cost: the linear pre-check of what md4c 0.4.8 would cost on a
 * source (see markdown_cost.h).  Kept apart from the renderer: it reads
 * only the source, never md4c's callbacks.
 */
#include "render/markdown_cost.h"

#include <ctype.h>
#include <md4c.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"

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
bool
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
