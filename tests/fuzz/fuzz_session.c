/*
 * Fuzzes what identity reads from outside: Cookie headers and session
 * tokens, and the JSON that sign-in providers send (discovery, token
 * answers, user endpoints, GitHub's email list, ID tokens with their
 * JWKS).  No crash, no leak, nothing accepted that should not be.
 * The first byte chooses the parser; for ID tokens the rest is
 * "JWT\nJWKS".  From 0xF0 on it chooses the known-device mark (a cookie)
 * or the display name cleaner.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/util.h"
#include "http/form.h"
#include "model/oidc.h"
#include "model/session.h"
#include "model/user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_endpoints ep;
	struct oidc_claims c;
	struct arena a;
	struct fields f;
	struct buf why;
	const char *s1, *s2;
	char *in, *nl;
	size_t i, n;

	if (size == 0)
		return 0;
	in = malloc(size);
	if (in == NULL)
		return 0;
	n = size - 1;
	memcpy(in, data + 1, n);
	in[n] = '\0';
	arena_init(&a);
	buf_init(&why, 512);
	switch (data[0] < 0xF0 ? data[0] % 7 : 7 + data[0] % 2) {
	case 0:
		if (cookie_parse(&a, in, 32, &f) == FORM_OK)
			for (i = 0; i < f.count; i++) {
				char h[65];

				if (session_token_valid(f.items[i].value)) {
					if (strlen(f.items[i].value) !=
						USER_TOKEN_LEN ||
					    strspn(f.items[i].value,
						   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
						   "abcdefghijklmnopqrstuvwxyz"
						   "0123456789-_") !=
						USER_TOKEN_LEN)
						abort();
					user_token_hash(f.items[i].value, h);
				}
			}
		break;
	case 1:
		if (oidc_parse_discovery(&a, in, n, "https://id.example.org",
					 &ep, &why) == ERR_OK &&
		    (strcmp(ep.issuer, "https://id.example.org") != 0 ||
		     !config_url_allowed(ep.token)))
			abort();
		break;
	case 2:
		(void)oidc_parse_token(&a, in, n, &s1, &s2, &why);
		break;
	case 3:
		(void)oidc_parse_user(&a, OIDC_CONNECT, in, n, &c);
		(void)oidc_parse_user(&a, OIDC_GITHUB, in, n, &c);
		(void)oidc_parse_user(&a, OIDC_WORDPRESS, in, n, &c);
		break;
	case 4:
		(void)oidc_parse_github_emails(&a, in, n);
		break;
	case 5:
		nl = strchr(in, '\n');
		if (nl) {
			*nl = '\0';
			/* Whatever comes in, an unsigned or self-made token is
			 * never good. */
			if (oidc_verify_jwt(&a, in, nl + 1,
					    "https://id.example.org", "client",
					    "nonce", 1800000000, &c,
					    &why) == ERR_OK &&
			    (c.sub == NULL || c.sub[0] == '\0'))
				abort();
		}
		break;
	case 6: {
		unsigned char *out;
		size_t len;

		/* Unpadded base64url: 6 bits a character, whole bytes only. */
		if (oidc_b64url_decode(&a, in, n, &out, &len) &&
		    len > n * 6 / 8)
			abort();
		break;
	}
	case 7: {
		/* A mark is good only with our MAC: with a zero secret the
		 * input would have to carry it; what is accepted names the
		 * account its first part says. */
		static struct app app;
		int64_t id = session_device_user(&app, in);

		if (id < 0 || (id > 0 && strtoll(in, NULL, 10) != id))
			abort();
		break;
	}
	case 8: {
		/* No reordering control is left, and nothing else goes. */
		size_t before = strlen(in), k, left = 0;
		char *copy = strdup(in);

		if (copy == NULL)
			break;
		(void)str_strip_bidi(in);
		if (strstr(in, "\xe2\x80\xae") || strstr(in, "\xe2\x81\xa6") ||
		    strstr(in, "\xe2\x80\x8f") || strstr(in, "\xd8\x9c"))
			abort();
		/* What is left is the input with some bytes taken out. */
		for (k = 0; k < before && in[left]; k++)
			if (copy[k] == in[left])
				left++;
		if (in[left] != '\0')
			abort();
		free(copy);
		break;
	}
	}
	buf_clear(&why);
	arena_clear(&a);
	free(in);
	return 0;
}
