/*
 * app: what lives for the whole run of `parley serve` and is shared by
 * every request: configuration, store, templates, page cache, secret.
 * Created at start, read-only afterwards (the cache has its own lock).
 */
#ifndef PARLEY_APP_H
#define PARLEY_APP_H

#include "core/config.h"

struct store;
struct tpl_set;
struct page_cache;

#define APP_SECRET_BYTES 32

struct app {
	struct config cfg;
	struct store *store;
	struct tpl_set *tpl;
	struct page_cache *cache;
	unsigned char secret[APP_SECRET_BYTES];
	char base_url[256];	/* from the config, never from a request */
};

#endif
