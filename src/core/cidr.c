#include "core/cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/parse.h"

/* The twelve bytes that make an IPv6 address an IPv4-mapped one. */
static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0,    0,
					    0, 0, 0, 0, 0xff, 0xff};

/* Clears every bit of addr past the first bits. */
static void
mask(unsigned char addr[16], int bits)
{
	int i;

	for (i = 0; i < 16; i++) {
		int keep = bits - i * 8;

		if (keep <= 0)
			addr[i] = 0;
		else if (keep < 8)
			addr[i] &= (unsigned char)(0xff << (8 - keep));
	}
}

bool
cidr_parse(const char *s, size_t n, struct cidr *out)
{
	char text[INET6_ADDRSTRLEN + 8];
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	unsigned char v4[4];
	int64_t bits = -1;

	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= INET6_ADDRSTRLEN || memchr(s, '\0', n))
		return false;
	memcpy(text, s, alen);
	text[alen] = '\0';
	if (slash && !parse_int(slash + 1, n - alen - 1, 0, 128, &bits))
		return false;
	if (inet_pton(AF_INET, text, v4) == 1) {
		if (bits > 32)
			return false;
		memcpy(out->addr, v4_mapped, 12);
		memcpy(out->addr + 12, v4, 4);
		out->bits = 96 + (int)(bits < 0 ? 32 : bits);
		out->v4 = true;
	} else if (inet_pton(AF_INET6, text, out->addr) == 1) {
		out->bits = (int)(bits < 0 ? 128 : bits);
		/* "::ffff:192.0.2.7" is the IPv4 reader of a dual-stack socket.
		 */
		out->v4 =
		    out->bits >= 96 && memcmp(out->addr, v4_mapped, 12) == 0;
	} else {
		return false;
	}
	mask(out->addr, out->bits);
	return true;
}

bool
cidr_contains(const struct cidr *net, const struct cidr *addr)
{
	unsigned char a[16];

	if (addr->bits < net->bits)
		return false;
	memcpy(a, addr->addr, 16);
	mask(a, net->bits);
	return memcmp(a, net->addr, 16) == 0;
}

void
cidr_format(const struct cidr *c, char out[CIDR_TEXT_MAX])
{
	char text[INET6_ADDRSTRLEN];
	int bits = c->v4 ? c->bits - 96 : c->bits;
	bool ok =
	    c->v4 ? inet_ntop(AF_INET, c->addr + 12, text, sizeof(text)) != NULL
		  : inet_ntop(AF_INET6, c->addr, text, sizeof(text)) != NULL;

	if (!ok)
		text[0] = '\0';
	if (bits == (c->v4 ? 32 : 128))
		snprintf(out, CIDR_TEXT_MAX, "%s", text);
	else
		snprintf(out, CIDR_TEXT_MAX, "%s/%d", text, bits);
}

/* The next entry of a list at *p (its length in *n); false at the end. */
static bool
next_entry(const char **p, size_t *n)
{
	const char *s = *p + strspn(*p, " ,\t");

	*n = strcspn(s, " ,\t");
	*p = s;
	return *n > 0;
}

bool
cidr_list_valid(const char *list, struct buf *err)
{
	const char *p = list ? list : "";
	struct cidr c;
	size_t n;

	for (; next_entry(&p, &n); p += n)
		if (!cidr_parse(p, n, &c)) {
			buf_seterr(err, "\"%.*s\" is not an address or network",
				   (int)(n > 64 ? 64 : n), p);
			return false;
		}
	return true;
}

bool
cidr_list_match(const char *list, const char *addr)
{
	const char *p = list ? list : "";
	struct cidr net, a;
	size_t n;

	if (addr == NULL || !cidr_parse(addr, strlen(addr), &a))
		return false;
	for (; next_entry(&p, &n); p += n)
		if (cidr_parse(p, n, &net) && cidr_contains(&net, &a))
			return true;
	return false;
}

void
cidr_network_key(const char *client, int v4_prefix, int v6_prefix, char *out,
		 size_t outsz)
{
	char text[INET6_ADDRSTRLEN];
	struct cidr c;
	int bits;

	if (!cidr_parse(client, strlen(client), &c)) {
		snprintf(out, outsz, "%s", client);
		return;
	}
	/* A dual-stack "::ffff:192.0.2.7" parses as the IPv4 address. */
	bits = c.v4 ? v4_prefix : v6_prefix;
	mask(c.addr, c.v4 ? 96 + bits : bits);
	if (c.v4 ? inet_ntop(AF_INET, c.addr + 12, text, sizeof(text)) == NULL
		 : inet_ntop(AF_INET6, c.addr, text, sizeof(text)) == NULL) {
		snprintf(out, outsz, "%s", client);
		return;
	}
	snprintf(out, outsz, "%s/%d", text, bits);
}
