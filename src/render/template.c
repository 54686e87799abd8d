/*
 * template: parses HTML templates once into a flat program of literal runs
 * and tags, fixing each variable's escaper from the HTML around it (the
 * scanner is template_html.c), and renders that program against a view
 * model built in a request's arena (template_view.c).
 */
#include "render/template.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/embed.h"
#include "core/log.h"
#include "render/template_internal.h"

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
		why = tpl_html_step(p, (unsigned char)s[i]);
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
bool
tpl_name_valid(const char *s, size_t n, bool dotted)
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

	if (!tpl_name_valid(name, n, true))
		return parse_error(p, line, "bad name \"%.*s\"", (int)n, name);
	if (raw && (x->state != H_DATA))
		return parse_error(
		    p, line, "{{{%.*s}}} %s: raw output only in element text",
		    (int)n, name, tpl_ctx_where(x));
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
	return parse_error(p, line, "variable %s", tpl_ctx_where(x));
}

static bool
parse_open(struct parser *p, unsigned line, const char *name, size_t n,
	   bool inverted)
{
	struct open_section *o;
	struct tpl_op *op;
	char sigil = inverted ? '^' : '#';

	if (!tpl_name_valid(name, n, true))
		return parse_error(p, line, "bad name \"%.*s\"", (int)n, name);
	tpl_section_point(p);
	if (!tpl_ctx_takes_section(&p->ctx))
		return parse_error(p, line, "{{%c%.*s}} %s", sigil, (int)n,
				   name, tpl_ctx_where(&p->ctx));
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

	tpl_section_point(p);
	if (!tpl_ctx_takes_section(&p->ctx))
		return parse_error(p, line, "{{/%.*s}} %s", (int)n, name,
				   tpl_ctx_where(&p->ctx));
	if (p->nopen == 0)
		return parse_error(p, line, "{{/%.*s}} closes no section",
				   (int)n, name);
	o = &p->open[p->nopen - 1];
	if (o->name_len != n || memcmp(o->name, name, n) != 0)
		return parse_error(
		    p, line, "{{/%.*s}} does not match {{#%.*s}} on line %u",
		    (int)n, name, (int)o->name_len, o->name, o->line);
	/* A body that reopens a URL's start would run unchecked on repeat. */
	if (!tpl_ctx_same(&o->ctx, &p->ctx) ||
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

const struct tpl *
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

	if (!tpl_name_valid(name, n, false))
		return parse_error(p, line, "bad partial name \"%.*s\"", (int)n,
				   name);
	if (p->ctx.state != H_DATA || p->ctx.foreign > 0)
		return parse_error(
		    p, line, "{{>%.*s}} %s: partials only in element text",
		    (int)n, name, tpl_ctx_where(&p->ctx));
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
				   tpl_ctx_where(x));
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

	/* A folder named but missing is a mistake, not "no overrides". */
	if (override_dir != NULL) {
		struct stat sb;
		const char *why = NULL;

		if (stat(override_dir, &sb) != 0)
			why = strerror(errno);
		else if (!S_ISDIR(sb.st_mode))
			why = "not a folder";
		if (why != NULL) {
			if (err != NULL)
				(void)!buf_printf(err, "%s: %s", override_dir,
						  why);
			return NULL;
		}
	}
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

const struct tv *
tpl_lookup(const struct tpl *t, const struct tpl_op *op, const struct scope *sc)
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
const struct tv *
tpl_section_value(const struct tpl *t, const struct tpl_op *op,
		  const struct scope *sc)
{
	const struct tv *v = tpl_lookup(t, op, sc);

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
	const struct tv *v = tpl_section_value(t, op, sc), *item;
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
			v = tpl_lookup(t, op, sc);
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
			if (tpl_section_value(t, op, sc) == NULL &&
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

bool
tpl_render(const struct tpl_set *set, const char *name, const struct tv *root,
	   struct buf *out)
{
	const struct tpl *t = tpl_find(set, name);
	struct scope top = {root, NULL, NULL};

	if (t == NULL || out == NULL)
		return false;
	if (set->check != TPL_CHECK_OFF && !tpl_view_check(set, t, root) &&
	    set->check == TPL_CHECK_FAIL)
		return false;
	return render_ops(t, 0, t->nops, root != NULL ? &top : NULL, out, 0) &&
	       !buf_failed(out);
}
