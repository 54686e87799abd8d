/* site_key: the site's secret key where the database keeps it. */
#include "model/site_key.h"

#include <sodium.h>

#include "store/store.h"

bool
site_key_in_store(const struct store *st)
{
	return st->ops->site_key != NULL;
}

enum err
site_key_load(struct store *st, unsigned char *key, size_t n)
{
	unsigned char fresh[64];
	enum err e;

	if (n > sizeof(fresh))
		return ERR_INVALID;
	randombytes_buf(fresh, n);
	e = st->ops->site_key(st, fresh, n, key);
	sodium_memzero(fresh, sizeof(fresh));
	return e;
}
