/* site_key: the site's secret key where the database keeps it. */
#ifndef PARLEY_MODEL_SITE_KEY_H
#define PARLEY_MODEL_SITE_KEY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct store;

/* Whether st keeps the key (every node of a shared database then reads
 * the same one), rather than a file beside the database. */
bool site_key_in_store(const struct store *st);

/*
 * The key st keeps, in key[0..n): the one stored, or a new random one
 * stored now when there is none (the first node to start makes it).
 */
enum err site_key_load(struct store *st, unsigned char *key, size_t n);

#endif
