/*
 * mac: HMAC-SHA-256 started from a remembered keyed state (see mac.h).
 */
#include <stdbool.h>
#include <string.h>

#include "core/mac.h"

/* Per thread: no lock, and no thread sees another's half-made state. */
static _Thread_local struct {
	unsigned char key[MAC_KEY_BYTES];
	crypto_auth_hmacsha256_state keyed;
	bool set;
} memo;

void
mac_start(crypto_auth_hmacsha256_state *st,
	  const unsigned char key[MAC_KEY_BYTES])
{
	if (!memo.set || sodium_memcmp(memo.key, key, MAC_KEY_BYTES) != 0) {
		crypto_auth_hmacsha256_init(&memo.keyed, key, MAC_KEY_BYTES);
		memcpy(memo.key, key, MAC_KEY_BYTES);
		memo.set = true;
	}
	*st = memo.keyed;
}
