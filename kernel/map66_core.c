// SPDX-License-Identifier: GPL-2.0
/*
 * MAP66 address mapping, checksum-neutral (RFC 6296 section 3).
 *
 * The new address is the new prefix followed by the old host part, with one
 * 16-bit word of the host part (the "carrier") changed by the difference of
 * the two prefixes' ones' complement sums, so that the sum over the whole
 * address, and with it every pseudo-header checksum, is unchanged.
 *
 * The old prefix is read from the packet rather than from the rule: the nft
 * backend of ip6tables does not tell a target the rule's -s/-d match, and
 * the old prefix is whatever the packet carries anyway. Its sum is a handful
 * of additions; the new prefix's sum is precomputed at rule insertion.
 */
#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif
#include "map66_core.h"

/* dst gets the first len bits of src, the rest of dst is left alone. */
static void copy_prefix(uint8_t dst[16], const uint8_t src[16],
			unsigned int len)
{
	unsigned int full = len / 8, bits = len % 8;

	memcpy(dst, src, full);
	if (bits) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits));

		dst[full] = (uint8_t)((dst[full] & ~mask) | (src[full] & mask));
	}
}

enum map66_prefix_error map66_prefix_check(const uint8_t addr[16],
					   unsigned int len)
{
	uint8_t pfx[16] = { 0 };

	if (len < 1 || len > 128)
		return MAP66_PREFIX_BAD_LENGTH;
	copy_prefix(pfx, addr, len);
	if (memcmp(pfx, addr, sizeof(pfx)) != 0)
		return MAP66_PREFIX_HOST_BITS;
	return MAP66_PREFIX_OK;
}

/* Ones' complement sum of a 128-bit value held as two 64-bit words. */
static inline uint16_t sum128(uint64_t a, uint64_t b)
{
	uint64_t s = (a & 0xffffffff) + (a >> 32) + (b & 0xffffffff) + (b >> 32);

	s = (s & 0xffff) + (s >> 16);	/* at most 34 bits before, 19 after */
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)(s + (s >> 16));
}

void map66_prefix_init(struct map66_prefix *p, const uint8_t addr[16],
		       unsigned int len, bool keep_host)
{
	uint8_t mask[16] = { 0 }, ones[16];

	memset(ones, 0xff, sizeof(ones));
	copy_prefix(mask, ones, len);
	memcpy(p->mask, mask, sizeof(p->mask));
	memcpy(p->pfx, addr, sizeof(p->pfx));
	memcpy(p->addr, addr, sizeof(p->addr));
	p->len = (uint8_t)len;
	p->keep_host = keep_host;
	/*
	 * RFC 6296 section 3.5: word 3 (the subnet field) for a /48 or
	 * shorter prefix; section 3.7: for a longer one, the first word after
	 * the prefix (8: none).
	 */
	p->carrier = (uint8_t)(len <= 48 ? 3 : (len + 15) / 16);
	p->sum = sum128(p->pfx[0], p->pfx[1]);
}

bool map66_prefix_match(const uint8_t a[16], const uint8_t b[16],
			unsigned int len)
{
	uint8_t t[16];

	memcpy(t, a, sizeof(t));
	copy_prefix(t, b, len);
	return memcmp(t, a, sizeof(t)) == 0;
}

/* The 16-bit word w of addr, in memory order. */
static inline uint16_t word_get(const uint8_t addr[16], unsigned int w)
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
static int carrier_word(const struct map66_prefix *p, const uint8_t addr[16])
{
	unsigned int w = p->carrier;

	if (w == 3)
		return word_get(addr, 3) == 0xffff ? -1 : 3;
	for (; w < 8; w++)
		if (word_get(addr, w) != 0xffff)
			return (int)w;
	return -1;
}

/*
 * All in memory order: the old prefix's sum comes from the packet (see the
 * top of this file), the new one's was precomputed, and the carrier word
 * takes their difference, so the address sum is unchanged.
 */
enum map66_result map66_rewrite(const struct map66_prefix *p, uint8_t addr[16])
{
	uint64_t a[2];
	uint16_t old_sum, adj, word;
	int w;

	memcpy(a, addr, sizeof(a));
	old_sum = sum128(a[0] & p->mask[0], a[1] & p->mask[1]);
	a[0] = (a[0] & ~p->mask[0]) | p->pfx[0];
	a[1] = (a[1] & ~p->mask[1]) | p->pfx[1];
	memcpy(addr, a, sizeof(a));
	if (oc16_equal(old_sum, p->sum))
		return MAP66_NEUTRAL;
	if (p->keep_host)
		return MAP66_UPDATE_CSUM;

	w = carrier_word(p, addr);
	if (w < 0)
		return MAP66_UPDATE_CSUM;

	adj = oc16_sub(p->sum, old_sum);
	/*
	 * The carrier loses what the prefix gained. RFC 6296 section 3.5:
	 * a result of 0xffff is written as 0x0000.
	 */
	word = oc16_sub(word_get(addr, (unsigned int)w), adj);
	if (word == 0xffff)
		word = 0;
	memcpy(addr + 2 * w, &word, sizeof(word));
	return MAP66_NEUTRAL;
}
