/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MAP66 address mapping: replace the prefix of an IPv6 address, keeping the
 * ones' complement sum of the address unchanged (RFC 6296 section 3) so that
 * transport checksums stay valid without being touched. Plain C with no
 * kernel dependency: unit-tested in userspace and compiled into xt_MAP66.
 */
#ifndef MAP66_CORE_H
#define MAP66_CORE_H

#include "softwire_csum.h"

enum map66_prefix_error {
	MAP66_PREFIX_OK = 0,
	MAP66_PREFIX_BAD_LENGTH,	/* not in 1..128 */
	MAP66_PREFIX_HOST_BITS,		/* bits set after the prefix length */
};

enum map66_result {
	/* The address sum is unchanged: no checksum needs touching. */
	MAP66_NEUTRAL,
	/*
	 * The host part could not (or, with keep_host, must not) carry the
	 * adjustment: the caller updates the transport checksum (RFC 1624).
	 */
	MAP66_UPDATE_CSUM,
};

/*
 * Everything map66_rewrite() needs, precomputed at rule insertion so that a
 * packet costs two 64-bit masks, one 16-bit sum and one word adjustment.
 * The 64-bit words and sum are in memory order (as loaded from the packet):
 * the ones' complement sum does not depend on byte order (RFC 1071 section
 * 2(B)), so neither the packet nor the prefix is ever byte-swapped.
 */
struct map66_prefix {
	uint64_t mask[2];	/* the first len bits set */
	uint64_t pfx[2];	/* addr, as two words */
	uint8_t addr[16];	/* host bits zero */
	uint8_t len;		/* 1..128 */
	bool keep_host;		/* never touch the bits after the prefix */
	uint8_t carrier;	/* first word that may carry the adjustment */
	uint16_t sum;		/* ones' complement sum of addr, memory order */
};

enum map66_prefix_error map66_prefix_check(const uint8_t addr[16],
					   unsigned int len);
/* Fill p; the prefix must have passed map66_prefix_check(). */
void map66_prefix_init(struct map66_prefix *p, const uint8_t addr[16],
		       unsigned int len, bool keep_host);
/* Do the first len bits of a and b agree? */
bool map66_prefix_match(const uint8_t a[16], const uint8_t b[16],
			unsigned int len);
/* Rewrite addr in place to carry p's prefix. */
enum map66_result map66_rewrite(const struct map66_prefix *p, uint8_t addr[16]);

#endif /* MAP66_CORE_H */
