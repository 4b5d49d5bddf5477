/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ones' complement checksum arithmetic (RFC 1071, RFC 1624), in plain C
 * with no kernel dependency, so that the same code is unit-tested and fuzzed
 * in userspace and compiled into the modules.
 *
 * Values are 16-bit words in host order, read big-endian from the packet
 * (oc16_get/oc16_put). A "sum" is the folded ones' complement sum of some
 * words; a "checksum field" is the complement of a sum, as carried by TCP,
 * UDP and ICMPv6.
 */
#ifndef SOFTWIRE_CSUM_H
#define SOFTWIRE_CSUM_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

static inline uint16_t oc16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void oc16_put(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* a + b with end-around carry */
static inline uint16_t oc16_add(uint16_t a, uint16_t b)
{
	uint32_t s = (uint32_t)a + b;

	return (uint16_t)(s + (s >> 16));
}

/* a - b: adding the ones' complement of b */
static inline uint16_t oc16_sub(uint16_t a, uint16_t b)
{
	return oc16_add(a, (uint16_t)~b);
}

/* Sum of n bytes (n even) as big-endian words, added to sum. */
static inline uint16_t oc16_bytes(const uint8_t *p, size_t n, uint16_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum = oc16_add(sum, oc16_get(p + i));
	return sum;
}

/* 0x0000 and 0xffff are the same number (zero) in ones' complement. */
static inline bool oc16_equal(uint16_t a, uint16_t b)
{
	return a == b || ((a == 0 || a == 0xffff) && (b == 0 || b == 0xffff));
}

/*
 * RFC 1624 section 3, equation 3: a checksum field after n bytes it covers
 * changed from old to new: HC' = ~(~HC + ~m + m').
 */
static inline uint16_t oc16_update_field(uint16_t check, const uint8_t *old,
					   const uint8_t *new, size_t n)
{
	uint16_t sum = (uint16_t)~check;

	sum = oc16_sub(sum, oc16_bytes(old, n, 0));
	sum = oc16_add(sum, oc16_bytes(new, n, 0));
	return (uint16_t)~sum;
}

/*
 * The same for a field that holds a sum rather than its complement: what a
 * CHECKSUM_PARTIAL packet carries until the checksum is completed (the
 * pseudo-header sum). S' = S + ~m + m'.
 */
static inline uint16_t oc16_update_sum(uint16_t sum, const uint8_t *old,
					 const uint8_t *new, size_t n)
{
	sum = oc16_sub(sum, oc16_bytes(old, n, 0));
	return oc16_add(sum, oc16_bytes(new, n, 0));
}

#endif /* SOFTWIRE_CSUM_H */
