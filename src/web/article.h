/* article.h: what the article page shares with the other handlers. */
#ifndef PARLEY_WEB_ARTICLE_H
#define PARLEY_WEB_ARTICLE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/comment.h"
#include "store/store.h"
#include "web/discussion.h"
#include "web/web.h"

int64_t article_page_number(const char *s);

/* The whole view of an article page. */
struct tv *article_view(struct request *req, const struct article *art,
			int64_t page, const struct form_state *form);

#endif
