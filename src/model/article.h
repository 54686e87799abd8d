/*
 * article: reading an article from a Markdown file with front matter,
 * and storing it with its body rendered once.
 */
#ifndef PARLEY_MODEL_ARTICLE_H
#define PARLEY_MODEL_ARTICLE_H

#include <stddef.h>

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

#endif
