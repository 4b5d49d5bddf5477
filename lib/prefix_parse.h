/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "ADDRESS/LENGTH" prefixes, IPv4 or IPv6, for the userspace side: the
 * ip(6)tables extensions (libxt_MAP66, libxt_LW4O6) and softwirectl. Each
 * caller words its own messages from the error returned.
 */
#ifndef PREFIX_PARSE_H
#define PREFIX_PARSE_H

#include <stdbool.h>
#include <stdint.h>

enum prefix_error {
	PREFIX_OK = 0,
	PREFIX_NO_SLASH,	/* no "/", or longer than any prefix */
	PREFIX_BAD_ADDRESS,	/* what comes before "/" is no address */
	PREFIX_BAD_LENGTH,	/* no decimal number from min to max */
	/* Bits are set past the length: addr and len are filled. */
	PREFIX_HOST_BITS,
};

/*
 * Parses s as a prefix of family af (AF_INET or AF_INET6) into addr (4 or
 * 16 bytes, network order) and *len, a length from min to max. PREFIX_OK,
 * or why not; *len_str then points at the length part (for messages), and
 * the address part is the first len_str - s - 1 characters of s.
 */
enum prefix_error prefix_parse(const char *s, int af, void *addr,
			       unsigned int *len, unsigned int min,
			       unsigned int max, const char **len_str);

/* addr (of family af) with every bit past len cleared. */
void prefix_mask(void *addr, int af, unsigned int len);

/* a (network order) is not 0/8, 127/8, multicast or the broadcast address. */
bool prefix_ip4_unicast(uint32_t a);

#endif /* PREFIX_PARSE_H */
