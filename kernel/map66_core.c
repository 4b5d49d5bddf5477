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
 * map66_rewrite(), the per-packet part, is inline in map66_core.h.
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
	p->sum = map66_sum128(p->pfx[0], p->pfx[1]);
}

bool map66_prefix_match(const uint8_t a[16], const uint8_t b[16],
			unsigned int len)
{
	uint8_t t[16];

	memcpy(t, a, sizeof(t));
	copy_prefix(t, b, len);
	return memcmp(t, a, sizeof(t)) == 0;
}

