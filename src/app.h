/*
 * app: what lives for the whole run of `parley serve` and is shared by
 * every request: configuration, store, templates, page cache, secret.
 * Created at start, read-only afterwards (the cache has its own lock).
 */
#ifndef PARLEY_APP_H
#define PARLEY_APP_H

#include <stdbool.h>

#include "core/config.h"
#include "core/mac.h"

struct store;
struct tpl_set;
struct page_cache;
struct change_bus;
struct route_table;
struct throttle;
struct workers;
struct mailer;
struct oidc_registry;
struct debate_runtime;
struct debate_voters;
struct comment_limits;
struct flag_limits;
struct part_memo;
struct spam_live;
struct spam_trainer;

/* The site's secret key: what core/mac.h keys its MACs with. */
#define APP_SECRET_BYTES MAC_KEY_BYTES

struct app {
	struct config cfg;
	struct store *store;
	struct tpl_set *tpl;
	struct page_cache *cache;
	/* What committed writes changed; the cache subscribes (core/change.h).
	 */
	struct change_bus *changes;
	/* The handlers' route table, which the router reads (http/route.h). */
	const struct route_table *routes;
	unsigned char secret[APP_SECRET_BYTES];
	char base_url[256]; /* from the config, never from a request */
	size_t body_limit;  /* bytes a form may send; see server_start */
	/* Identity: what accounts may cost (model/throttle.h), the mail
	 * sender, external providers, the password hashers. */
	struct throttle *throttle;
	/* Moderation actions: per account and per address, and overall. */
	struct ratelimit *limit_moderation;
	struct ratelimit *limit_moderation_all;
	struct mailer *mailer;	    /* NULL when not serving */
	struct oidc_registry *oidc; /* NULL when none is configured */
	bool fetch_ready;	    /* libcurl set up */
	struct workers *hashers;    /* NULL when not serving */
	struct workers *callers;    /* for calls out; NULL when not serving */
	/* Debates: vote rate limits, refusals not yet saved (serving only). */
	struct debate_runtime *debates;
	/* Readers' votes remembered for debate pages (web/debate_cache.c). */
	struct debate_voters *voters;
	/* Comment post budgets (model/comment_limits.h; serving only). */
	struct comment_limits *comment_limits;
	/* Readers' flag budgets (model/flag.h; serving only). */
	struct flag_limits *flag_limits;
	/* Parts of pages copied for each reader (web/part_memo.c). */
	struct part_memo *parts;
	/* The spam model new comments are scored with (NULL: none). */
	struct spam_live *spam;
	struct spam_trainer *spam_trainer; /* its background learner */
	/* Wakes the background learner after a decision (NULL: none). */
	void (*spam_wake)(void *arg);
	void *spam_wake_arg;
};

#endif
