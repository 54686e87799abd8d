/*
 * rules: what the site's configured rules ([moderation] in the config)
 * make of a new comment: blocked senders go to spam, too many links or a
 * listed word make it wait for a moderator, a refused word sends the form
 * back.  Pure functions of the config and the comment, so each rule is
 * tested alone (tests/unit/test_rules.c).
 */
#ifndef PARLEY_MODEL_RULES_H
#define PARLEY_MODEL_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"

/* The parts of a new comment the rules look at; none NULL. */
struct rules_input {
	const char *body;      /* the Markdown as typed */
	const char *body_html; /* as rendered: its links are counted */
	const char *author;
	const char *email;
	const char *url;
	const char *ip;	 /* the reader's address, as the server prints it */
	int64_t user_id; /* 0: not signed in */
};

/* The links a rendered comment shows. */
size_t rules_count_links(const char *html);

/*
 * The entry of list (words and phrases separated by commas) found in
 * text as whole words, in any case; NULL when none is.  The entry is
 * returned trimmed, in the arena.
 */
const char *rules_words_match(struct arena *a, const char *list,
			      const char *text);

/*
 * True when email is listed in emails (exact, any case) or its domain is
 * one of domains, or under one ("mail.example.com" under "example.com").
 */
bool rules_email_blocked(const char *emails, const char *domains,
			 const char *email);

/* True when id (not 0) is in list (ids separated by spaces or commas). */
bool rules_id_listed(const char *list, int64_t id);

/* The first refused word in the comment's fields, or NULL. */
const char *rules_refused(const struct config *cfg, struct arena *a,
			  const struct rules_input *in);

/*
 * The status the rules give (enum comment_status: approved when no rule
 * applies) and, when one applies, why in *reason (in the arena).
 */
int rules_judge(const struct config *cfg, struct arena *a,
		const struct rules_input *in, const char **reason);

#endif
