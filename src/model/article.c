#include "model/article.h"

#include <string.h>

#include "app.h"
#include "core/change.h"
#include "core/limits.h"
#include "core/util.h"
#include "render/markdown.h"

/* One front-matter line "key: value" into the article. */
static enum err
front_key(struct arena *a, struct article *out, const char *key,
	  const char *value, bool *open_set, struct buf *err, int line)
{
	const char *copy = arena_strdup(a, value);

	if (copy == NULL)
		return ERR_NOMEM;
	if (strcmp(key, "title") == 0)
		out->title = copy;
	else if (strcmp(key, "slug") == 0)
		out->slug = copy;
	else if (strcmp(key, "author") == 0)
		out->author = copy;
	else if (strcmp(key, "image") == 0)
		out->image = copy;
	else if (strcmp(key, "caption") == 0)
		out->caption = copy;
	else if (strcmp(key, "tags") == 0)
		out->tags = copy;
	else if (strcmp(key, "date") == 0) {
		if (!time_parse(value, &out->published)) {
			buf_seterr(
			    err,
			    "%d: date must look like 2026-11-22 or 2026-11-22 18:30",
			    line);
			return ERR_INVALID;
		}
	} else if (strcmp(key, "comments") == 0) {
		if (strcmp(value, "open") != 0 &&
		    strcmp(value, "closed") != 0) {
			buf_seterr(err, "%d: comments must be open or closed",
				   line);
			return ERR_INVALID;
		}
		out->comments_open = strcmp(value, "open") == 0;
		*open_set = true;
	} else {
		buf_seterr(
		    err,
		    "%d: unknown key \"%.40s\" (known: title, slug, author, "
		    "date, image, caption, tags, comments)",
		    line, key);
		return ERR_INVALID;
	}
	return ERR_OK;
}

enum err
article_parse(struct arena *a, const char *text, size_t n, struct article *out,
	      struct buf *err)
{
	const char *p = text, *end = text + n, *eol;
	bool open_set = false;
	int line = 1;
	enum err e;

	memset(out, 0, sizeof(*out));
	out->image = out->caption = out->tags = out->slug = "";
	out->published = time_now();
	/* Editors on some systems start a UTF-8 file with a byte-order mark. */
	if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		n -= 3;
	}
	if (!utf8_valid(text, n, NULL)) {
		buf_seterr(err, "1: the file is not valid UTF-8 text");
		return ERR_INVALID;
	}
	if (n < 4 || strncmp(text, "---", 3) != 0 ||
	    (text[3] != '\n' && text[3] != '\r')) {
		buf_seterr(
		    err,
		    "1: expected front matter starting with a line \"---\"");
		return ERR_INVALID;
	}
	p = (const char *)memchr(text, '\n', n) + 1;
	for (;;) {
		char *l, *colon, *key, *value;

		line++;
		if (p >= end) {
			buf_seterr(
			    err, "%d: the front matter has no closing \"---\"",
			    line);
			return ERR_INVALID;
		}
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		l = arena_strndup(a, p, (size_t)(eol - p));
		if (l == NULL)
			return ERR_NOMEM;
		p = eol < end ? eol + 1 : end;
		str_trim(l);
		if (strcmp(l, "---") == 0)
			break;
		if (l[0] == '\0' || l[0] == '#')
			continue;
		colon = strchr(l, ':');
		if (colon == NULL) {
			buf_seterr(err, "%d: expected \"key: value\"", line);
			return ERR_INVALID;
		}
		*colon = '\0';
		key = str_trim(l);
		value = str_trim(colon + 1);
		if ((e = front_key(a, out, key, value, &open_set, err, line)) !=
		    ERR_OK)
			return e;
	}
	if (!open_set)
		out->comments_open = true;
	out->body_md = arena_strndup(a, p, (size_t)(end - p));
	if (out->body_md == NULL)
		return ERR_NOMEM;
	if (out->title == NULL || out->title[0] == '\0') {
		buf_seterr(err, "%d: the front matter needs a title", line);
		return ERR_INVALID;
	}
	if (out->author == NULL || out->author[0] == '\0') {
		buf_seterr(err, "%d: the front matter needs an author", line);
		return ERR_INVALID;
	}
	if (out->slug[0] == '\0') {
		char *slug = arena_alloc(a, 101);

		if (slug == NULL)
			return ERR_NOMEM;
		slug_from_title(out->title, slug, 101);
		out->slug = slug;
	} else if (!slug_valid(out->slug)) {
		buf_seterr(err, "%d: slug must be 1-100 of a-z, 0-9 and '-'",
			   line);
		return ERR_INVALID;
	}
	if (out->image[0] && !image_src_valid(out->image)) {
		buf_seterr(
		    err,
		    "%d: image must be an http(s) address or a path starting with /",
		    line);
		return ERR_INVALID;
	}
	return ERR_OK;
}

enum err
article_create(struct app *app, struct article *art, int64_t *id)
{
	struct buf html;
	enum err e;

	buf_init(&html, LIMIT_PAGE_HTML);
	if (!markdown_render(&html, art->body_md, strlen(art->body_md),
			     MARKDOWN_AUTHOR)) {
		buf_clear(&html);
		return ERR_NOMEM;
	}
	art->body_html = buf_cstr(&html);
	e = app->store->ops->article_insert(app->store, art, id);
	art->body_html = NULL;
	buf_clear(&html);
	if (e == ERR_OK)
		change_publish_one(app->changes, CHANGE_ARTICLE, *id);
	return e;
}

enum err
article_by_slug(struct app *app, struct arena *a, const char *slug,
		struct article *out)
{
	return app->store->ops->article_by_slug(app->store, a, slug, out);
}

enum err
article_by_id(struct app *app, struct arena *a, int64_t id, struct article *out)
{
	return app->store->ops->article_by_id(app->store, a, id, out);
}

enum err
article_list(struct app *app, struct arena *a, int offset, int limit,
	     struct article **out, size_t *n, int64_t *total)
{
	return app->store->ops->article_list(app->store, a, offset, limit, out,
					     n, total);
}

enum err
article_set_open(struct app *app, int64_t id, bool open)
{
	enum err e = app->store->ops->article_set_open(app->store, id, open);

	if (e == ERR_OK)
		change_publish_one(app->changes, CHANGE_ARTICLE, id);
	return e;
}
