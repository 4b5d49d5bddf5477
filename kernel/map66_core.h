/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MAP66 address mapping: replace the prefix of an IPv6 address, keeping the
 * ones' complement sum of the address unchanged (RFC 6296 section 3) so that
 * transport checksums stay valid without being touched. Plain C with no
 * kernel dependency: unit-tested in userspace and compiled into xt_MAP66.
 */
#ifndef MAP66_CORE_H
#define MAP66_CORE_H

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif
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

/* The per-packet part, inline: it is all a packet costs. */

/* Ones' complement sum of a 128-bit value held as two 64-bit words. */
static inline uint16_t map66_sum128(uint64_t a, uint64_t b)
{
	uint64_t s = (a & 0xffffffff) + (a >> 32) + (b & 0xffffffff) + (b >> 32);

	s = (s & 0xffff) + (s >> 16);	/* at most 34 bits before, 19 after */
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)(s + (s >> 16));
}

/* The 16-bit word w of addr, in memory order. */
static inline uint16_t map66_word_get(const uint8_t addr[16], unsigned int w)
{
	uint16_t v;

	memcpy(&v, addr + 2 * w, sizeof(v));
	return v;
}

/*
 * Which 16-bit word carries the adjustment, or -1 if none can.
 *
 * RFC 6296 section 3.5: for a /48 or shorter prefix, word 3 (the subnet
 * field). Section 3.7: for a longer prefix, the first word after the prefix
 * that is not 0xffff. This is also the choice of the kernel's ip6t_NPT for
 * the lengths it accepts (up to /64), so the two produce identical packets.
 *
 * A carrier of 0xffff is refused in both cases: 0xffff and 0x0000 are the
 * same number in ones' complement, the adjusted word would be ambiguous and
 * the mapping could not be reversed (RFC 6296 drops such packets; ip6t_NPT
 * maps a /48 subnet 0xffff irreversibly). We leave the host part alone and
 * update the transport checksum instead, so the packet still goes through.
 * (0xffff is the same in either byte order.)
 */
static inline int map66_carrier_word(const struct map66_prefix *p,
				     const uint8_t addr[16])
{
	unsigned int w = p->carrier;

	if (w == 3)
		return map66_word_get(addr, 3) == 0xffff ? -1 : 3;
	for (; w < 8; w++)
		if (map66_word_get(addr, w) != 0xffff)
			return (int)w;
	return -1;
}

/*
 * Rewrite addr in place to carry p's prefix.
 *
 * All in memory order: the old prefix's sum comes from the packet (see
 * map66_core.c), the new one's was precomputed, and the carrier word
 * takes their difference, so the address sum is unchanged.
 */
static inline __attribute__((always_inline)) enum map66_result
map66_rewrite(const struct map66_prefix *p, uint8_t addr[16])
{
	uint64_t a[2];
	uint16_t old_sum, adj, word;
	int w;

	memcpy(a, addr, sizeof(a));
	old_sum = map66_sum128(a[0] & p->mask[0], a[1] & p->mask[1]);
	a[0] = (a[0] & ~p->mask[0]) | p->pfx[0];
	a[1] = (a[1] & ~p->mask[1]) | p->pfx[1];
	memcpy(addr, a, sizeof(a));
	if (oc16_equal(old_sum, p->sum))
		return MAP66_NEUTRAL;
	if (p->keep_host)
		return MAP66_UPDATE_CSUM;

	w = map66_carrier_word(p, addr);
	if (w < 0)
		return MAP66_UPDATE_CSUM;

	adj = oc16_sub(p->sum, old_sum);
	/*
	 * The carrier loses what the prefix gained. RFC 6296 section 3.5:
	 * a result of 0xffff is written as 0x0000.
	 */
	word = oc16_sub(map66_word_get(addr, (unsigned int)w), adj);
	if (word == 0xffff)
		word = 0;
	memcpy(addr + 2 * w, &word, sizeof(word));
	return MAP66_NEUTRAL;
}

#endif /* MAP66_CORE_H */
