/*
 * template: HTML templates that escape by context.
 *
 * Templates are HTML files (templates/NAME.html, embedded in the binary,
 * each overridable from a site folder).  They are parsed once, at start,
 * into a list of literal runs and tags.  While parsing, the engine follows
 * the HTML around each variable and fixes its context:
 *
 *   element text, quoted attribute value   -> html_escape()
 *   start of a URL attribute's value
 *     (href, src, action, formaction, ...)  -> html_escape_url()
 *   inside <script> or <style>, unquoted
 *     attribute values, on* and style
 *     attributes, tag and attribute names  -> refused at load time
 *
 * Syntax:
 *   {{name}}            a value, escaped for its context; dotted a.b looks
 *                       into objects; names resolve innermost scope first
 *   {{{name}}}          raw output, only for values made by tv_put_safe();
 *                       any other value is escaped as if {{name}}
 *   {{#name}}..{{/name}} list: once per item; object: once, inside it;
 *                       true / non-empty string / non-zero int: once
 *   {{^name}}..{{/name}} once when the value is missing, false, empty or 0
 *   {{>name}}           another template, inline (may recurse; depth
 *                       capped at render time)
 *   {{! comment }}      nothing
 *
 * View models (struct tv) are built in a request's arena and are never
 * freed one by one.  Keys and strings are not copied: they must live as
 * long as the render, which holds for anything in the same arena.
 *
 * A section naming a list or object that an enclosing section is already
 * rendering counts as missing, so a recursive partial stops where the
 * data does; partials nest at most 64 deep.  On failure tpl_render may
 * leave part of the output in out.
 */
#ifndef PARLEY_TEMPLATE_H
#define PARLEY_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "render/html.h"

struct tpl_set;
struct tv;

/*
 * Loads every embedded template; a file NAME.html in override_dir (may be
 * NULL) replaces the embedded one of that name.  On error returns NULL
 * and writes "NAME.html:LINE: what" to err.
 */
struct tpl_set *tpl_set_load(const char *override_dir, struct buf *err);
void tpl_set_free(struct tpl_set *set);

/* True when the set has a template by that name (without ".html"). */
bool tpl_has(const struct tpl_set *set, const char *name);

/* Renders template name with root as the outermost scope. */
__attribute__((warn_unused_result)) bool tpl_render(const struct tpl_set *set,
						    const char *name,
						    const struct tv *root,
						    struct buf *out);

/*
 * Checked mode, for the tests: each render first checks the view against
 * the template, and fails (logging every mismatch) when the template
 * reads a {{value}} the view does not put (a section may test for a
 * missing name), or the view puts a key that the template and its
 * partials never name, in any section, taken or not.
 */
enum tpl_check {
	TPL_CHECK_OFF,
	TPL_CHECK_LOG,	/* log each mismatch, render anyway */
	TPL_CHECK_FAIL, /* log each mismatch and fail the render */
};
void tpl_set_check(struct tpl_set *set, enum tpl_check check);
/*
 * Mismatches known and waiting for their fix, only logged: a comma-
 * separated list of TEMPLATE:KEY (a key read or put).  False when out of
 * memory.
 */
__attribute__((warn_unused_result)) bool
tpl_set_check_pending(struct tpl_set *set, const char *list);

/*
 * Parses templates from memory, for tests and the fuzzer: count names and
 * sources; partials resolve among them.
 */
struct tpl_set *tpl_set_from_strings(const char *const *names,
				     const char *const *sources, size_t count,
				     struct buf *err);

/* View model.  All return NULL (or false) only when the arena is out of memory.
 */
struct tv *tv_obj(struct arena *a);
bool tv_put_str(struct tv *obj, const char *key, const char *s);
bool tv_put_strn(struct tv *obj, const char *key, const char *s, size_t n);
bool tv_put_int(struct tv *obj, const char *key, long long v);
bool tv_put_bool(struct tv *obj, const char *key, bool v);
bool tv_put_safe(struct tv *obj, const char *key, struct safe_html h);
struct tv *tv_put_obj(struct tv *obj, const char *key);
struct tv *tv_put_list(struct tv *obj, const char *key);
/* Appends a new empty object to a list made by tv_put_list(). */
struct tv *tv_push(struct tv *list);
/*
 * Says that the root view obj is also rendered with template tpl_name
 * (one view rendered in parts): the view contract then lets obj put what
 * that template reads.
 */
bool tv_shared_with(struct tv *obj, const char *tpl_name);

#endif
