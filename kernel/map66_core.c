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

static uint16_t prefix_sum(const uint8_t addr[16], unsigned int len)
{
	uint8_t pfx[16] = { 0 };

	copy_prefix(pfx, addr, len);
	return oc16_bytes(pfx, sizeof(pfx), 0);
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

void map66_prefix_init(struct map66_prefix *p, const uint8_t addr[16],
		       unsigned int len, bool keep_host)
{
	memcpy(p->addr, addr, sizeof(p->addr));
	p->len = (uint8_t)len;
	p->keep_host = keep_host;
	p->sum = prefix_sum(addr, len);
}

bool map66_prefix_match(const uint8_t a[16], const uint8_t b[16],
			unsigned int len)
{
	uint8_t t[16];

	memcpy(t, a, sizeof(t));
	copy_prefix(t, b, len);
	return memcmp(t, a, sizeof(t)) == 0;
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
 */
static int carrier_word(const uint8_t addr[16], unsigned int len)
{
	unsigned int w;

	if (len <= 48)
		return oc16_get(addr + 6) == 0xffff ? -1 : 3;
	for (w = (len + 15) / 16; w < 8; w++)
		if (oc16_get(addr + 2 * w) != 0xffff)
			return (int)w;
	return -1;
}

enum map66_result map66_rewrite(const struct map66_prefix *p, uint8_t addr[16])
{
	uint16_t old_sum = prefix_sum(addr, p->len);
	uint16_t adj, word;
	int w;

	copy_prefix(addr, p->addr, p->len);
	if (oc16_equal(old_sum, p->sum))
		return MAP66_NEUTRAL;
	if (p->keep_host)
		return MAP66_UPDATE_CSUM;

	w = carrier_word(addr, p->len);
	if (w < 0)
		return MAP66_UPDATE_CSUM;

	adj = oc16_sub(p->sum, old_sum);
	/*
	 * The carrier loses what the prefix gained. RFC 6296 section 3.5:
	 * a result of 0xffff is written as 0x0000.
	 */
	word = oc16_sub(oc16_get(addr + 2 * w), adj);
	if (word == 0xffff)
		word = 0;
	oc16_put(addr + 2 * w, word);
	return MAP66_NEUTRAL;
}
