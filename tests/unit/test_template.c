/*
 * test_template: context-aware escaping, sections, partials and the
 * load-time refusals of the template engine.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/embed.h"
#include "render/template.h"
#include "test.h"

static struct buf out, err;

/* Renders src as template "t"; returns the output or "ERR: message". */
static const char *
render1(const char *src, const struct tv *root)
{
	const char *names[] = {"t"};
	const char *srcs[] = {src};
	struct tpl_set *set;

	buf_reset(&out);
	buf_reset(&err);
	set = tpl_set_from_strings(names, srcs, 1, &err);
	if (set == NULL) {
		if (!buf_puts(&out, "ERR: ") || !buf_puts(&out, buf_cstr(&err)))
			return "ERR: buffer";
		return buf_cstr(&out);
	}
	if (!tpl_render(set, "t", root, &out)) {
		buf_reset(&out);
		if (!buf_puts(&out, "RENDER FAILED"))
			return "ERR: buffer";
	}
	tpl_set_free(set);
	return buf_cstr(&out);
}

/* The load error for src as template "t", or "" when it loads. */
static const char *
load_err(const char *src)
{
	const char *names[] = {"t"};
	const char *srcs[] = {src};
	struct tpl_set *set;

	buf_reset(&err);
	set = tpl_set_from_strings(names, srcs, 1, &err);
	tpl_set_free(set);
	return set != NULL ? "" : buf_cstr(&err);
}

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
test_escaping(struct arena *a)
{
	struct tv *v = tv_obj(a);
	const char *bad = "<script>\"'&";

	CHECK(tv_put_str(v, "x", bad));
	CHECK(tv_put_int(v, "n", -42));
	CHECK(tv_put_bool(v, "b", true));
	CHECK_STR(render1("Hello {{x}}!", v),
		  "Hello &lt;script&gt;&quot;&#39;&amp;!");
	CHECK_STR(render1("<p title=\"{{x}}\">", v),
		  "<p title=\"&lt;script&gt;&quot;&#39;&amp;\">");
	CHECK_STR(render1("<p title='{{ x }}'>", v),
		  "<p title='&lt;script&gt;&quot;&#39;&amp;'>");
	CHECK_STR(render1("{{n}}|{{b}}|{{missing}}|{{x.y}}", v), "-42|||");
	/* Numbers are printed by hand: every width, both ends of the range. */
	CHECK(tv_put_int(v, "zero", 0) && tv_put_int(v, "big", 1234567890123) &&
	      tv_put_int(v, "min", INT64_MIN) &&
	      tv_put_int(v, "max", INT64_MAX));
	CHECK_STR(render1("{{zero}} {{big}} {{min}} {{max}}", v),
		  "0 1234567890123 -9223372036854775808 9223372036854775807");
	CHECK_STR(render1("<textarea>{{x}}</textarea><title>{{x}}</title>", v),
		  "<textarea>&lt;script&gt;&quot;&#39;&amp;</textarea>"
		  "<title>&lt;script&gt;&quot;&#39;&amp;</title>");
	CHECK_STR(render1("a{{! a comment }}b", v), "ab");
}

static void
test_urls(struct arena *a)
{
	static const char *const bad[] = {
	    "javascript:alert(1)",  "JaVaScRiPt:alert(1)",
	    " javascript:alert(1)", "java\tscript:alert(1)",
	    "data:text/html,x",	    "//evil.example/",
	};
	struct tv *v;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = tv_obj(a);
		CHECK(tv_put_str(v, "u", bad[i]));
		CHECK_STR(render1("<a href=\"{{u}}\">x</a>", v),
			  "<a href=\"#\">x</a>");
	}
	v = tv_obj(a);
	CHECK(tv_put_str(v, "u", "https://x/y?a=1&b=2"));
	CHECK(tv_put_str(v, "j", "javascript:alert(1)"));
	CHECK_STR(render1("<a href=\"{{u}}\">", v),
		  "<a href=\"https://x/y?a=1&amp;b=2\">");
	CHECK_STR(render1("<img SRC='{{u}}'><form action=\"{{j}}\">", v),
		  "<img SRC='https://x/y?a=1&amp;b=2'><form action=\"#\">");
	/* Leading spaces are stripped by URL parsers: still the start. */
	CHECK_STR(render1("<a href=\" {{j}}\">", v), "<a href=\" #\">");
	/* Two values at the start: each one is checked. */
	CHECK_STR(render1("<a href=\"{{missing}}{{j}}\">", v),
		  "<a href=\"#\">");
	/* After a settled scheme or path the value is only escaped. */
	CHECK_STR(render1("<a href=\"/u/{{j}}\">", v),
		  "<a href=\"/u/javascript:alert(1)\">");
	/* A section that may be skipped leaves the start open. */
	CHECK_STR(render1("<a href=\"{{#missing}}/x/{{/missing}}{{j}}\">", v),
		  "<a href=\"#\">");
}

/*
 * Every attribute the engine reads as a URL, one case each, so dropping
 * any one from its list fails here: a script URL (and its case, space,
 * control and entity variants) becomes "#".  The same values in other
 * attributes are only escaped.
 */
static void
test_url_attrs(struct arena *a)
{
	static const char *const url_attrs[] = {
	    "href",
	    "src",
	    "action",
	    "formaction",
	    "poster",
	    "cite",
	    "data",
	    "srcset",
	    "xlink:href",
	    "background",
	    "longdesc",
	    "manifest",
	    "ping",
	    "icon",
	    "codebase",
	    "archive",
	    "usemap",
	    "lowsrc",
	    "dynsrc",
	    "profile",
	    "classid",
	    "xml:base",
	    /* Attribute names are case-insensitive in HTML. */
	    "HREF",
	    "FormAction",
	    "SrcSet",
	};
	static const char *const plain_attrs[] = {
	    "title",	 "alt",	  "value", "class",   "name",	  "id",
	    "data-href", "hrefs", "xhref", "actions", "data-src", "aria-label",
	};
	static const char *const bad[] = {
	    "javascript:alert(1)",
	    "JAVASCRIPT:alert(1)",
	    "JaVaScRiPt:alert(1)",
	    " javascript:alert(1)",
	    "\tjavascript:alert(1)",
	    "java\nscript:alert(1)",
	    "javascript\t:alert(1)",
	    "vbscript:msgbox(1)",
	    "data:text/html,<script>alert(1)</script>",
	};
	static const char *const entities[][2] = {
	    {"javascript&colon;alert(1)", "javascript&amp;colon;alert(1)"},
	    {"&#106;avascript:alert(1)", "&amp;#106;avascript:alert(1)"},
	    {"&#x6A;avascript:alert(1)", "&amp;#x6A;avascript:alert(1)"},
	};
	char src[128], want[256];
	struct buf esc;
	struct tv *v;
	size_t i, j;

	buf_init(&esc, 0);
	for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
		v = tv_obj(a);
		CHECK(tv_put_str(v, "u", bad[j]));
		for (i = 0; i < sizeof(url_attrs) / sizeof(url_attrs[0]); i++) {
			snprintf(src, sizeof(src), "<div %s=\"{{u}}\">",
				 url_attrs[i]);
			snprintf(want, sizeof(want), "<div %s=\"#\">",
				 url_attrs[i]);
			CHECK_STR(render1(src, v), want);
		}
		buf_reset(&esc);
		CHECK(html_escape(&esc, bad[j], strlen(bad[j])));
		for (i = 0; i < sizeof(plain_attrs) / sizeof(plain_attrs[0]);
		     i++) {
			snprintf(src, sizeof(src), "<div %s=\"{{u}}\">",
				 plain_attrs[i]);
			snprintf(want, sizeof(want), "<div %s=\"%s\">",
				 plain_attrs[i], buf_cstr(&esc));
			CHECK_STR(render1(src, v), want);
		}
	}
	/*
	 * An entity spelled in the value is escaped, never decoded: the
	 * browser reads "&colon;" or "&#106;" as text, so the link stays
	 * relative.
	 */
	for (j = 0; j < sizeof(entities) / sizeof(entities[0]); j++) {
		v = tv_obj(a);
		CHECK(tv_put_str(v, "u", entities[j][0]));
		for (i = 0; i < sizeof(url_attrs) / sizeof(url_attrs[0]); i++) {
			snprintf(src, sizeof(src), "<div %s=\"{{u}}\">",
				 url_attrs[i]);
			snprintf(want, sizeof(want), "<div %s=\"%s\">",
				 url_attrs[i], entities[j][1]);
			CHECK_STR(render1(src, v), want);
		}
	}
	/* A safe URL passes every URL attribute, escaped. */
	v = tv_obj(a);
	CHECK(tv_put_str(v, "u", "https://example.org/a?b=1&c=2"));
	for (i = 0; i < sizeof(url_attrs) / sizeof(url_attrs[0]); i++) {
		snprintf(src, sizeof(src), "<div %s='{{u}}'>", url_attrs[i]);
		snprintf(want, sizeof(want),
			 "<div %s='https://example.org/a?b=1&amp;c=2'>",
			 url_attrs[i]);
		CHECK_STR(render1(src, v), want);
	}
	buf_clear(&esc);
}

static void
test_sections(struct arena *a)
{
	struct tv *v = tv_obj(a), *l, *it, *o;

	CHECK(tv_put_str(v, "site", "S"));
	CHECK(tv_put_str(v, "empty", ""));
	CHECK(tv_put_int(v, "zero", 0));
	CHECK(tv_put_bool(v, "yes", true));
	CHECK(tv_put_bool(v, "no", false));
	l = tv_put_list(v, "items");
	it = tv_push(l);
	CHECK(tv_put_str(it, "name", "a"));
	it = tv_push(l);
	CHECK(tv_put_str(it, "name", "b<"));
	CHECK(tv_put_str(it, "site", "inner"));
	it = tv_push(l);
	CHECK(tv_put_str(it, "name", "c"));
	CHECK(tv_put_list(v, "none") != NULL);
	o = tv_put_obj(v, "user");
	CHECK(tv_put_str(o, "name", "ann"));
	o = tv_put_obj(o, "home");
	CHECK(tv_put_str(o, "city", "Oslo"));
	/* The last put of a key wins. */
	CHECK(tv_put_str(v, "dup", "first"));
	CHECK(tv_put_str(v, "dup", "second"));

	CHECK_STR(render1("{{#items}}[{{name}}]{{/items}}", v),
		  "[a][b&lt;][c]");
	CHECK_STR(render1("{{#items}}{{name}}@{{site}} {{/items}}", v),
		  "a@S b&lt;@inner c@S ");
	CHECK_STR(render1("{{#none}}x{{/none}}{{^none}}no items{{/none}}", v),
		  "no items");
	CHECK_STR(
	    render1("{{#user}}{{name}} in {{home.city}} ({{site}}){{/user}}",
		    v),
	    "ann in Oslo (S)");
	CHECK_STR(
	    render1("{{user.home.city}}/{{user.name}}/{{user.nope.x}}", v),
	    "Oslo/ann/");
	CHECK_STR(render1("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{^no}}n{{/no}}"
			  "{{^yes}}y{{/yes}}",
			  v),
		  "Yn");
	CHECK_STR(render1("{{#site}}1{{/site}}{{#empty}}2{{/empty}}"
			  "{{^empty}}3{{/empty}}{{#zero}}4{{/zero}}"
			  "{{^zero}}5{{/zero}}{{^gone}}6{{/gone}}",
			  v),
		  "135"
		  "6");
	CHECK_STR(render1("{{#items}}{{#user}}{{name}}{{/user}},{{/items}}", v),
		  "ann,ann,ann,");
	CHECK_STR(render1("{{dup}}", v), "second");
	CHECK_STR(render1("<a {{#yes}}class=\"on\"{{/yes}} "
			  "title=\"t{{#no}} x{{/no}}\">",
			  v),
		  "<a class=\"on\" title=\"t\">");
	CHECK_STR(render1("{{x}}", NULL), "");
}

static void
test_raw(struct arena *a)
{
	struct tv *v = tv_obj(a);

	CHECK(tv_put_safe(v, "html", html_literal("<em>ok</em>")));
	CHECK(tv_put_str(v, "plain", "<em>no</em>"));
	CHECK_STR(render1("{{{html}}}|{{html}}", v),
		  "<em>ok</em>|&lt;em&gt;ok&lt;/em&gt;");
	CHECK_STR(render1("{{{plain}}}", v), "&lt;em&gt;no&lt;/em&gt;");
	CHECK(starts(load_err("<p title=\"{{{html}}}\">"), "t.html:1: "));
	CHECK(
	    starts(load_err("<textarea>{{{html}}}</textarea>"), "t.html:1: "));
}

static void
test_partials(struct arena *a)
{
	const char *names[] = {"page", "comment"};
	const char *srcs[] = {
	    "<ul>{{#comments}}{{>comment}}{{/comments}}</ul>",
	    "<li>{{body}}{{#replies}}<ul>{{>comment}}</ul>{{/replies}}</li>",
	};
	struct tpl_set *set;
	struct tv *v = tv_obj(a), *l, *c, *r;

	l = tv_put_list(v, "comments");
	c = tv_push(l);
	CHECK(tv_put_str(c, "body", "one"));
	r = tv_push(tv_put_list(c, "replies"));
	CHECK(tv_put_str(r, "body", "<two>"));
	c = tv_push(l);
	CHECK(tv_put_str(c, "body", "three"));

	buf_reset(&err);
	set = tpl_set_from_strings(names, srcs, 2, &err);
	CHECK(set != NULL);
	CHECK(tpl_has(set, "comment") && !tpl_has(set, "nope"));
	buf_reset(&out);
	CHECK(tpl_render(set, "page", v, &out));
	CHECK_STR(buf_cstr(&out), "<ul><li>one<ul><li>&lt;two&gt;</li></ul>"
				  "</li><li>three</li></ul>");
	buf_reset(&out);
	CHECK(!tpl_render(set, "nope", v, &out));
	tpl_set_free(set);
}

/* root.comments[0].replies[0]... n levels deep, each with a body. */
static bool
chain(struct tv *root, int n)
{
	struct tv *c = tv_push(tv_put_list(root, "comments"));
	int i;

	for (i = 0; c != NULL && i < n; i++) {
		if (!tv_put_str(c, "body", "x"))
			return false;
		if (i + 1 < n)
			c = tv_push(tv_put_list(c, "replies"));
	}
	return c != NULL;
}

static void
test_depth(struct arena *a)
{
	const char *names[] = {"page", "comment", "loop"};
	const char *srcs[] = {
	    "{{#comments}}{{>comment}}{{/comments}}",
	    "{{body}}{{#replies}}{{>comment}}{{/replies}}",
	    "{{>loop}}",
	};
	struct tpl_set *set;
	struct tv *v;

	buf_reset(&err);
	set = tpl_set_from_strings(names, srcs, 3, &err);
	CHECK(set != NULL);
	v = tv_obj(a);
	CHECK(chain(v, 60));
	buf_reset(&out);
	CHECK(tpl_render(set, "page", v, &out) && out.len == 60);
	v = tv_obj(a);
	CHECK(chain(v, 100));
	buf_reset(&out);
	CHECK(!tpl_render(set, "page", v, &out));
	buf_reset(&out);
	CHECK(!tpl_render(set, "loop", v, &out));
	tpl_set_free(set);
}

static void
test_refusals(void)
{
	static const struct {
		const char *src, *want;
	} cases[] = {
	    {"<script>var x = {{x}};</script>",
	     "t.html:1: variable inside <script>"},
	    {"a\n<style>\nb { color: {{c}} }</style>",
	     "t.html:3: variable inside <style>"},
	    {"<a href={{u}}>",
	     "t.html:1: variable in an unquoted attribute value"},
	    {"<a title=x{{u}}>",
	     "t.html:1: variable in an unquoted attribute value"},
	    {"<{{tag}}>", "t.html:1: variable in a tag name"},
	    {"<di{{tag}}>", "t.html:1: variable in a tag name"},
	    {"<div {{attr}}=\"x\">", "t.html:1: variable in an attribute name"},
	    {"<div\n\nonclick=\"go({{x}})\">",
	     "t.html:3: variable in the onclick attribute"},
	    {"<div OnMouseOver='{{x}}'>",
	     "t.html:1: variable in the onmouseover attribute"},
	    {"<p style=\"color: {{c}}\">",
	     "t.html:1: variable in the style attribute"},
	    {"<iframe srcdoc=\"{{c}}\">",
	     "t.html:1: variable in the srcdoc attribute"},
	    {"<a href=\"&{{u}}\">",
	     "t.html:1: variable right after '&' in a URL"},
	    {"<textarea></textarea{{x}}>",
	     "t.html:1: variable inside an end tag"},
	    {"{{#a}}\n{{/b}}",
	     "t.html:2: {{/b}} does not match {{#a}} on line 1"},
	    {"x\n{{#a}}\n", "t.html:2: {{#a}} is not closed"},
	    {"{{^a}}", "t.html:1: {{^a}} is not closed"},
	    {"{{/a}}", "t.html:1: {{/a}} closes no section"},
	    {"ok\n\nthen {{broken", "t.html:3: unterminated {{"},
	    {"{{{raw}}", "t.html:1: unterminated {{"},
	    {"{{a b}}", "t.html:1: bad name \"a b\""},
	    {"{{a..b}}", "t.html:1: bad name \"a..b\""},
	    {"{{>nope}}", "t.html:1: unknown partial {{>nope}}"},
	    {"<p title=\"{{>t}}\">",
	     "t.html:1: {{>t}} in an attribute value: partials only in element text"},
	    {"<a {{#x}}href=\"{{/x}}\">",
	     "t.html:1: {{/x}} is in another HTML context than its {{#x}} on line 1"},
	    {"{{#x}}<b {{/x}}>",
	     "t.html:1: {{/x}} is in another HTML context than its {{#x}} on line 1"},
	    {"<b{{#x}} a{{/x}}>", "t.html:1: {{#x}} in a tag name"},
	    {"<a hr{{#x}}ef{{/x}}=\"\">",
	     "t.html:1: attribute name split by a section tag"},
	    {"<a x {{#y}}b{{/y}}=\"{{u}}\">",
	     "t.html:1: attribute name split by a section tag"},
	    {"<a x {{#y}}{{/y}}=\"{{u}}\">",
	     "t.html:1: attribute name split by a section tag"},
	    {"<a {{#y}}on{{/y}}{{#z}}click{{/z}}=\"\">",
	     "t.html:1: attribute name split by a section tag"},
	    {"<a href=\"/x{{#y}}\" href=\"{{/y}}\">",
	     "t.html:1: {{/y}} is in another HTML context than its {{#y}} on line 1"},
	    {"<div", "t.html:1: template ends in a tag name"},
	    {"<script>", "t.html:1: template ends inside <script>"},
	    {"<!-- open", "t.html:1: template ends inside a comment"},
	    {"<script><!-- x</script>",
	     "t.html:1: <!-- inside <script> is not supported"},
	    {"<svg><script>x</script></svg>",
	     "t.html:1: <script> and <style> inside <svg> or <math> are not supported"},
	    {"<![CDATA[x]]>", "t.html:1: <![CDATA[ is not supported"},
	    {"<!DOCTYPE {{x}}>", "t.html:1: variable inside <!...> or <?...>"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(load_err(cases[i].src), cases[i].want);
}

static void
test_contexts(struct arena *a)
{
	struct tv *v = tv_obj(a);

	CHECK(tv_put_str(v, "x", "--><b>"));
	CHECK(tv_put_str(v, "j", "javascript:alert(1)"));
	/* In a comment, '-' can't help close it. */
	CHECK_STR(render1("<!-- {{x}} -->", v),
		  "<!-- &#45;&#45;&gt;&lt;b&gt; -->");
	/* Markup after a comment, an end tag, and raw text is seen again. */
	CHECK_STR(render1("<!-- <a href=\" --><a href=\"{{j}}\">", v),
		  "<!-- <a href=\" --><a href=\"#\">");
	CHECK_STR(
	    render1("<textarea><a href=\"</textarea><a href=\"{{j}}\">", v),
	    "<textarea><a href=\"</textarea><a href=\"#\">");
	CHECK_STR(render1("<script>if (a<b) x();</script ><p>{{j}}</p>", v),
		  "<script>if (a<b) x();</script ><p>javascript:alert(1)</p>");
	/* "</textareax" does not end the element: still text. */
	CHECK_STR(
	    render1("<textarea></textareax><a href=\"{{j}}\"></textarea>", v),
	    "<textarea></textareax><a href=\"javascript:alert(1)\"></textarea>");
	CHECK_STR(
	    render1("<svg><title>{{j}}</title><a href=\"{{j}}\"/></svg>", v),
	    "<svg><title>javascript:alert(1)</title><a href=\"#\"/></svg>");
	CHECK_STR(render1("<input value=\"{{j}}\" {{#j}}checked{{/j}}>", v),
		  "<input value=\"javascript:alert(1)\" checked>");
	CHECK_STR(
	    render1("<input disabled {{#j}}checked{{/j}} {{^j}}x{{/j}} />", v),
	    "<input disabled checked  />");
}

static void
test_view_model(struct arena *a)
{
	struct tv *v = tv_obj(a), *l;

	CHECK(tv_obj(NULL) == NULL);
	CHECK(!tv_put_str(NULL, "k", "v"));
	CHECK(tv_put_obj(NULL, "k") == NULL);
	CHECK(tv_push(v) == NULL); /* not a list */
	l = tv_put_list(v, "l");
	CHECK(!tv_put_str(l, "k", "v")); /* not an object */
	CHECK(tv_put_strn(v, "s", "abcdef", 3));
	CHECK_STR(render1("{{s}}", v), "abc");
}

static void
test_load(void)
{
	const struct embedded_file *f = NULL;
	struct tpl_set *set;
	char dir[512], path[600], name[128];
	const char *base;
	size_t i, n;
	FILE *fp;

	buf_reset(&err);
	/* A folder of overrides named but missing is an error, said. */
	set = tpl_set_load("/nonexistent/dir", &err);
	CHECK(set == NULL);
	CHECK(strstr(buf_cstr(&err), "/nonexistent/dir") != NULL);
	tpl_set_free(set);
	buf_reset(&err);
	set = tpl_set_load(NULL, &err);
	CHECK(set != NULL);
	tpl_set_free(set);

	for (i = 0; i < embedded_count && f == NULL; i++) {
		n = strlen(embedded_files[i].path);
		if (strncmp(embedded_files[i].path, "templates/", 10) == 0 &&
		    n > 15 &&
		    strcmp(embedded_files[i].path + n - 5, ".html") == 0)
			f = &embedded_files[i];
	}
	if (f == NULL || test_scratch_dir(dir, sizeof(dir), "template") == NULL)
		return;
	base = f->path + 10;
	snprintf(name, sizeof(name), "%.*s", (int)(strlen(base) - 5), base);
	snprintf(path, sizeof(path), "%s/%s", dir, base);
	fp = fopen(path, "w");
	if (fp == NULL)
		return;
	fputs("overridden", fp);
	fclose(fp);
	buf_reset(&err);
	set = tpl_set_load(dir, &err);
	CHECK(set != NULL && tpl_has(set, name));
	buf_reset(&out);
	CHECK(set != NULL && tpl_render(set, name, NULL, &out));
	CHECK_STR(buf_cstr(&out), "overridden");
	tpl_set_free(set);

	fp = fopen(path, "w");
	if (fp != NULL) {
		fputs("line one\n<script>{{x}}</script>", fp);
		fclose(fp);
		buf_reset(&err);
		set = tpl_set_load(dir, &err);
		CHECK(set == NULL);
		snprintf(path, sizeof(path),
			 "%s.html:2: variable inside <script>", name);
		CHECK_STR(buf_cstr(&err), path);
		tpl_set_free(set);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, base);
	unlink(path);
	rmdir(dir);
}

/* Renders names[0] from a checked set of n templates; true when it passed. */
static bool
render_checked(const char *const *names, const char *const *srcs, size_t n,
	       const struct tv *root, enum tpl_check mode)
{
	struct tpl_set *set;
	bool ok;

	buf_reset(&err);
	set = tpl_set_from_strings(names, srcs, n, &err);
	if (set == NULL)
		return false;
	tpl_set_check(set, mode);
	buf_reset(&out);
	ok = tpl_render(set, names[0], root, &out);
	tpl_set_free(set);
	return ok;
}

static bool
checked1(const char *src, const struct tv *root)
{
	const char *names[] = {"t"};
	const char *srcs[] = {src};

	return render_checked(names, srcs, 1, root, TPL_CHECK_FAIL);
}

/*
 * The view contract: every {{value}} reached is put, every key put is
 * named by the template (any section, taken or not, or a partial).
 */
static void
test_view_contract(struct arena *a)
{
	struct tv *empty = tv_obj(a), *one = tv_obj(a), *two = tv_obj(a);
	struct tv *lists = tv_obj(a), *l, *it, *dotted = tv_obj(a), *o;
	struct tv *parts = tv_obj(a);
	const char *pnames[] = {"page", "part"};
	const char *psrcs[] = {"<p>{{>part}}</p>", "{{a}}"};
	const char *snames[] = {"results", "integrity"};
	const char *ssrcs[] = {"<p>{{a}}</p>", "<p>{{b}}</p>"};

	CHECK(tv_put_str(one, "a", "x"));
	CHECK(tv_put_str(two, "a", "x") && tv_put_str(two, "b", "y"));
	CHECK(checked1("<p>{{a}}</p>", one));
	/* A value read and not put is an error, not "". */
	CHECK(!checked1("<p>{{a}}</p>", empty));
	CHECK(!checked1("<p>{{a}}{{{c}}}</p>", one));
	/* A section may ask whether a value is there. */
	CHECK(checked1("{{#a}}<p>{{a}}</p>{{/a}}{{^a}}none{{/a}}", empty));
	/* A key put and never named is an error... */
	CHECK(!checked1("<p>{{a}}</p>", two));
	/* ...unless a section names it, even one not taken. */
	CHECK(checked1("<p>{{a}}</p>{{#never}}{{b}}{{/never}}", two));
	/* Keys of list items and nested objects count too. */
	l = tv_put_list(lists, "items");
	CHECK(tv_put_str(tv_push(l), "x", "1"));
	it = tv_push(l);
	CHECK(tv_put_str(it, "x", "2"));
	CHECK(checked1("{{#items}}<i>{{x}}</i>{{/items}}", lists));
	CHECK(tv_put_str(it, "y", "3"));
	CHECK(!checked1("{{#items}}<i>{{x}}</i>{{/items}}", lists));
	o = tv_put_obj(dotted, "o");
	CHECK(tv_put_str(o, "a", "1"));
	CHECK(checked1("<p>{{o.a}}</p>", dotted));
	CHECK(tv_put_str(o, "z", "1"));
	CHECK(!checked1("<p>{{o.a}}</p>", dotted));
	/* Names in partials are the template's names. */
	CHECK(render_checked(pnames, psrcs, 2, one, TPL_CHECK_FAIL));
	CHECK(!render_checked(pnames, psrcs, 2, empty, TPL_CHECK_FAIL));
	/* A view rendered in parts says so, and may put what each reads. */
	CHECK(!render_checked(snames, ssrcs, 2, two, TPL_CHECK_FAIL));
	CHECK(tv_put_str(parts, "a", "x") && tv_put_str(parts, "b", "y") &&
	      tv_shared_with(parts, "integrity"));
	CHECK(render_checked(snames, ssrcs, 2, parts, TPL_CHECK_FAIL));
	CHECK_STR(buf_cstr(&out), "<p>x</p>");
	CHECK(tv_shared_with(parts, "nope"));
	CHECK(!render_checked(snames, ssrcs, 2, parts, TPL_CHECK_FAIL));
	/* A mismatch on the pending list is only logged; others still fail. */
	{
		const char *tn[] = {"t"};
		const char *ts[] = {"<p>{{a}}{{c}}</p>"};
		struct tpl_set *set = tpl_set_from_strings(tn, ts, 1, &err);

		CHECK(set != NULL);
		tpl_set_check(set, TPL_CHECK_FAIL);
		CHECK(tpl_set_check_pending(set, "u:c,t:b,t:c"));
		buf_reset(&out);
		CHECK(tpl_render(set, "t", two, &out));
		CHECK(tpl_set_check_pending(set, "t:b,t:cc,tt:c"));
		buf_reset(&out);
		CHECK(!tpl_render(set, "t", two, &out));
		tpl_set_free(set);
	}
	/* Logged only, or off: the page renders as it always did. */
	CHECK(render_checked(pnames, psrcs, 2, empty, TPL_CHECK_LOG));
	CHECK(render_checked(pnames, psrcs, 2, empty, TPL_CHECK_OFF));
	CHECK_STR(buf_cstr(&out), "<p></p>");
}

int
main(void)
{
	struct arena a;

	buf_init(&out, 0);
	buf_init(&err, 0);
	arena_init(&a);
	test_escaping(&a);
	test_urls(&a);
	test_url_attrs(&a);
	test_sections(&a);
	test_raw(&a);
	test_partials(&a);
	test_depth(&a);
	test_refusals();
	test_contexts(&a);
	test_view_model(&a);
	test_load();
	test_view_contract(&a);
	arena_clear(&a);
	buf_clear(&out);
	buf_clear(&err);
	TEST_DONE();
}
