/*
 * article: reading an article from a Markdown file with front matter,
 * and storing it with its body rendered once.
 */
#ifndef PARLEY_MODEL_ARTICLE_H
#define PARLEY_MODEL_ARTICLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

struct app;

/*
 * Parses text (front matter between "---" lines, then the Markdown body)
 * into out, in the arena.  Keys: title (required), slug (made from the
 * title when absent), author (required), date, image, caption, tags,
 * comments (open|closed).  On error returns ERR_INVALID with
 * "LINE: message" in err.
 */
enum err article_parse(struct arena *a, const char *text, size_t n,
		       struct article *out, struct buf *err);

/* Renders the body and stores the article; ERR_CONFLICT for a used slug. */
enum err article_create(struct app *app, struct article *art, int64_t *id);

/*
 * Reads for handlers and commands, which go through the model, never to
 * the store: records in the arena a.
 */
enum err article_by_slug(struct app *app, struct arena *a, const char *slug,
			 struct article *out);
enum err article_by_id(struct app *app, struct arena *a, int64_t id,
		       struct article *out);
/* Newest first; *total counts every article. */
enum err article_list(struct app *app, struct arena *a, int offset, int limit,
		      struct article **out, size_t *n, int64_t *total);

/* Opens or closes an article's comments. */
enum err article_set_open(struct app *app, int64_t id, bool open);

#endif
