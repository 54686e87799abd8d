/*
 * address: the network a client address belongs to, as the key the rate
 * limits count by.  One subscriber holds a whole IPv6 /64, and one host
 * may send from many addresses of its IPv4 network: limits that count the
 * address alone are dodged by changing it.
 */
#ifndef PARLEY_ADDRESS_H
#define PARLEY_ADDRESS_H

#include <stddef.h>

/*
 * The key for client: its network, the first v4_prefix bits of an IPv4
 * address (a dual-stack "::ffff:192.0.2.7" too) or v6_prefix of an IPv6
 * one ("192.0.2.0/24", "2001:db8:1:2::/64"); anything else as it is.
 * Written into out (outsz bytes, cut short if need be).
 */
void address_network_key(const char *client, int v4_prefix, int v6_prefix,
			 char *out, size_t outsz);

#endif
