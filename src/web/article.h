/* article.h: what the article page shares with the comment handlers. */
#ifndef PARLEY_WEB_ARTICLE_H
#define PARLEY_WEB_ARTICLE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/comment.h"
#include "store/store.h"
#include "web/web.h"

/* The comment form as it is to be shown. */
struct form_state {
	int64_t parent; /* replying to this comment, or 0 */
	int64_t page;	/* the page of the discussion shown */
	/* True: render the reader's part in place (not cacheable). */
	bool with_identity;
	/* After a refused post: what was sent, and why it was refused. */
	const struct comment_input *input;
	const struct comment_errors *errors;
};

int64_t article_page_number(const char *s);

/* The whole view of an article page. */
struct tv *article_view(struct request *req, const struct article *art,
			int64_t page, const struct form_state *form);

/*
 * The comment form's fields as req's body carried them, for
 * comment_read_form(); in the request's arena, NULL when out of memory.
 */
const struct comment_form *comment_form_read(struct request *req);

/* Adds the form's part of the view ("form") under av. */
bool comment_form_view(struct request *req, struct tv *av,
		       const struct article *art,
		       const struct form_state *form);

#endif
