#include "core/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* Keeps the first bits of the address in bin, zeroing the rest. */
static void
address_mask(unsigned char *bin, size_t len, int bits)
{
	size_t i;

	for (i = 0; i < len; i++, bits -= 8) {
		if (bits >= 8)
			continue;
		bin[i] &= bits > 0 ? (unsigned char)(0xff << (8 - bits)) : 0;
	}
}

/* Writes the network of the len-byte address bin, as "TEXT/BITS". */
static int
network_text(int family, unsigned char *bin, size_t len, int bits, char *out,
	     size_t outsz)
{
	char text[INET6_ADDRSTRLEN];

	address_mask(bin, len, bits);
	if (inet_ntop(family, bin, text, sizeof(text)) == NULL)
		return 0;
	snprintf(out, outsz, "%s/%d", text, bits);
	return 1;
}

void
address_network_key(const char *client, int v4_prefix, int v6_prefix, char *out,
		    size_t outsz)
{
	unsigned char bin[16];

	if (inet_pton(AF_INET6, client, bin) == 1) {
		/* "::ffff:192.0.2.7" is an IPv4 reader on a dual-stack socket.
		 */
		if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)bin)) {
			memmove(bin, bin + 12, 4);
			if (network_text(AF_INET, bin, 4, v4_prefix, out,
					 outsz))
				return;
		} else if (network_text(AF_INET6, bin, 16, v6_prefix, out,
					outsz)) {
			return;
		}
	}
	if (inet_pton(AF_INET, client, bin) == 1 &&
	    network_text(AF_INET, bin, 4, v4_prefix, out, outsz))
		return;
	snprintf(out, outsz, "%s", client);
}
