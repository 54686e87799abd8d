/*
 * Fuzzes the address and network parser (core/cidr.c), which reads
 * operator input (blocked_networks, `parley ban add`) and every reader's
 * address, for what it promises beyond no crash and no read past the
 * input:
 *
 *  - cidr_parse: an accepted value has a prefix of at most 128 bits (96
 *    and more for IPv4), no bit set past it, and contains itself;
 *    written back by cidr_format and parsed again it is the same network;
 *    a value with a NUL or white space in it is refused;
 *  - cidr_list_valid and cidr_list_match agree: a list that is valid
 *    matches an address exactly when one of its entries contains it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/cidr.h"

static void
fail(const char *why, const char *input)
{
	fprintf(stderr, "fuzz_cidr: %s (input \"%s\")\n", why, input);
	abort();
}

static void
check_one(const char *s, size_t n)
{
	char text[CIDR_TEXT_MAX];
	struct cidr c, again;
	int i;

	if (!cidr_parse(s, n, &c))
		return;
	if (memchr(s, '\0', n) || memchr(s, ' ', n) || memchr(s, '\n', n))
		fail("accepted a NUL or white space", s);
	if (c.bits < 0 || c.bits > 128 || (c.v4 && c.bits < 96))
		fail("prefix out of range", s);
	for (i = c.bits; i < 128; i++)
		if (c.addr[i / 8] & (0x80 >> (i % 8)))
			fail("a bit set past the prefix", s);
	if (!cidr_contains(&c, &c))
		fail("a network that does not contain itself", s);
	cidr_format(&c, text);
	if (!cidr_parse(text, strlen(text), &again) ||
	    memcmp(again.addr, c.addr, 16) != 0 || again.bits != c.bits ||
	    again.v4 != c.v4)
		fail("written back, it reads as another network", s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *nl;
	struct buf err;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_one(s, size);
	/* "LIST\nADDRESS": the list's verdict and the entries' agree. */
	nl = memchr(s, '\n', size);
	if (nl != NULL) {
		const char *addr = nl + 1;
		struct cidr a;

		*nl = '\0';
		buf_init(&err, 256);
		if (cidr_list_valid(s, &err) &&
		    cidr_parse(addr, strlen(addr), &a)) {
			bool want = false;
			const char *p = s;

			while (*p) {
				size_t k;
				struct cidr net;

				p += strspn(p, " ,\t");
				k = strcspn(p, " ,\t");
				if (k > 0 && cidr_parse(p, k, &net) &&
				    cidr_contains(&net, &a))
					want = true;
				p += k;
			}
			if (cidr_list_match(s, addr) != want)
				fail(
				    "the list's match differs from its entries'",
				    addr);
		}
		buf_clear(&err);
	}
	free(s);
	return 0;
}
