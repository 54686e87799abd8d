/*
 * cidr: IP addresses and networks, IPv4 and IPv6, for bans and blocked
 * lists.  An IPv4 address is kept as the IPv6 address a dual-stack socket
 * shows for it (::ffff:a.b.c.d), so "192.0.2.0/24" matches a reader seen
 * as "::ffff:192.0.2.7" as well as one seen as "192.0.2.7".
 */
#ifndef PARLEY_CIDR_H
#define PARLEY_CIDR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* Longest text cidr_format() writes, with its NUL. */
#define CIDR_TEXT_MAX 64

struct cidr {
	unsigned char addr[16]; /* bits past the prefix are zero */
	int bits;		/* prefix length over the 128 bits */
	bool v4;		/* written as IPv4 */
};

/*
 * Reads s[0..n) as an address ("192.0.2.7", "2001:db8::1") or a network
 * ("192.0.2.0/24", "2001:db8::/32"); an address is a network of one.
 * Bits set past the prefix are cleared.  False for anything else: white
 * space, a prefix out of range or with a leading zero, a zone.
 */
__attribute__((warn_unused_result)) bool cidr_parse(const char *s, size_t n,
						    struct cidr *out);

/* True when addr (a network of one, or any network) lies inside net. */
bool cidr_contains(const struct cidr *net, const struct cidr *addr);

/* Writes c as text: "192.0.2.0/24", "2001:db8::/32", "192.0.2.7". */
void cidr_format(const struct cidr *c, char out[CIDR_TEXT_MAX]);

/*
 * Checks a list of networks separated by spaces or commas; false with
 * the first bad entry named in err.
 */
bool cidr_list_valid(const char *list, struct buf *err);

/* True when the address addr lies in a network of list. */
bool cidr_list_match(const char *list, const char *addr);

/*
 * The key the rate limits count client by: its network, the first
 * v4_prefix bits of an IPv4 address (a dual-stack "::ffff:192.0.2.7" too)
 * or v6_prefix of an IPv6 one ("192.0.2.0/24", "2001:db8:1:2::/64");
 * anything else as it is.  One subscriber holds a whole IPv6 /64, and one
 * host may send from many addresses of its IPv4 network: limits that
 * count the address alone are dodged by changing it.  Written into out
 * (outsz bytes, cut short if need be).
 */
void cidr_network_key(const char *client, int v4_prefix, int v6_prefix,
		      char *out, size_t outsz);

#endif
