/*
 * mac: HMAC-SHA-256 under the site's secret key, started from the state
 * that key gives instead of hashing the key again every time.  Keying
 * costs two of the four SHA-256 blocks a short message's MAC takes, and
 * the cached page of an article makes a MAC or two per request (the
 * visitor's cookie, the form's stamp).
 */
#ifndef PARLEY_MAC_H
#define PARLEY_MAC_H

#include <sodium.h>

#define MAC_KEY_BYTES 32

/*
 * Starts st as crypto_auth_hmacsha256_init(st, key, MAC_KEY_BYTES) would.
 * Each thread remembers the keyed state of the last key it saw: one key
 * serves a whole run, and a changed key is keyed afresh.
 */
void mac_start(crypto_auth_hmacsha256_state *st,
	       const unsigned char key[MAC_KEY_BYTES]);

#endif
