/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helpers for the RFC 7915 translator core (test_xlat_hdr.c,
 * test_xlat_icmp.c, tests/fuzz/fuzz_xlat.c): packets built byte by byte,
 * and reference checksums computed from scratch (RFC 1071: a 32-bit sum of
 * big-endian words, folded at the end) without the code under test.
 */
#ifndef XLAT_BUILD_H
#define XLAT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define P_ICMP		1
#define P_TCP		6
#define P_UDP		17
#define P_DCCP		33
#define P_ICMP6		58
#define P_UDPLITE	136

/* RFC 1071: sum of n bytes; an odd last byte is the high byte of a word */
static inline uint32_t ref_add(uint32_t s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static inline uint16_t ref_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static inline uint32_t ref_pseudo4(const uint8_t *src, const uint8_t *dst,
				   uint8_t proto, size_t len)
{
	uint32_t s = ref_add(0, src, 4);

	s = ref_add(s, dst, 4);
	return s + proto + (uint32_t)len;
}

static inline uint32_t ref_pseudo6(const uint8_t *src, const uint8_t *dst,
				   uint8_t nh, size_t len)
{
	uint32_t s = ref_add(0, src, 16);

	s = ref_add(s, dst, 16);
	return s + (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + nh;
}

/* Where the checksum of a transport header is (-1: none). */
static inline int ref_csum_at(uint8_t proto)
{
	switch (proto) {
	case P_TCP:
		return 16;
	case P_UDP: case P_UDPLITE: case P_DCCP:
		return 6;
	case P_ICMP: case P_ICMP6:
		return 2;
	}
	return -1;
}

/* The sum over pseudo-header + data verifies: folds to 0xffff. */
static inline bool ref_ok4(const uint8_t *ip4, const uint8_t *l4, size_t len,
			   uint8_t proto)
{
	uint32_t s = proto == P_ICMP ? 0 : ref_pseudo4(ip4 + 12, ip4 + 16,
						       proto, len);

	return ref_fold(ref_add(s, l4, len)) == 0xffff;
}

static inline bool ref_ok6(const uint8_t *ip6, const uint8_t *l4, size_t len,
			   uint8_t proto)
{
	return ref_fold(ref_add(ref_pseudo6(ip6 + 8, ip6 + 24, proto, len),
				l4, len)) == 0xffff;
}

static inline void ref_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t ref_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t ref_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void ref_put32(uint8_t *p, uint32_t v)
{
	ref_put16(p, (uint16_t)(v >> 16));
	ref_put16(p + 2, (uint16_t)v);
}

/* The checksum field of l4[0..len) for the pseudo-header sum ps. UDP: a
 * computed 0 is sent as 0xffff.
 */
static inline void ref_set_csum(uint8_t *l4, size_t len, uint8_t proto,
				uint32_t ps)
{
	int at = ref_csum_at(proto);
	uint16_t c;

	l4[at] = l4[at + 1] = 0;
	c = (uint16_t)~ref_fold(ref_add(ps, l4, len));
	if (proto == P_UDP && !c)
		c = 0xffff;
	ref_put16(l4 + at, c);
}

/*
 * A transport header of len bytes (at least its checksum's reach) with
 * its ports and a payload pattern from seed; the checksum is 0 until
 * ref_set_csum().
 */
static inline void b_l4(uint8_t *l4, size_t len, uint8_t proto, uint16_t sport,
			uint16_t dport, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		l4[i] = (uint8_t)(seed * 131u + i * 7u + (seed >> 8));
	ref_put16(l4, sport);
	ref_put16(l4 + 2, dport);
	switch (proto) {
	case P_UDP:
		ref_put16(l4 + 4, (uint16_t)len);
		break;
	case P_UDPLITE:
		ref_put16(l4 + 4, 0);		/* coverage: all */
		break;
	case P_DCCP:
		l4[4] = 5;			/* data offset */
		l4[5] = 0;			/* CsCov 0: all */
		break;
	case P_TCP:
		l4[12] = 0x50;
		l4[13] = 0x18;
		break;
	}
}

/* ICMP echo: type, code 0, identifier id, sequence, a payload. */
static inline void b_echo(uint8_t *l4, size_t len, uint8_t type, uint16_t id,
			  unsigned int seed)
{
	b_l4(l4, len, P_ICMP, 0, 0, seed);
	l4[0] = type;
	l4[1] = 0;
	l4[2] = l4[3] = 0;
	ref_put16(l4 + 4, id);
}

struct b4 {
	uint8_t		tos, ttl, proto;
	uint16_t	id, fo;		/* flags and offset, as on the wire */
	uint8_t		src[4], dst[4];
	const uint8_t	*opt;		/* options: optlen, a multiple of 4 */
	unsigned int	optlen;
};

/* An IPv4 header with a valid checksum; its length returned. */
static inline unsigned int b_ip4(uint8_t *p, const struct b4 *h, size_t l4len)
{
	unsigned int hl = 20 + h->optlen;

	p[0] = (uint8_t)(0x40 | hl / 4);
	p[1] = h->tos;
	ref_put16(p + 2, (uint16_t)(hl + l4len));
	ref_put16(p + 4, h->id);
	ref_put16(p + 6, h->fo);
	p[8] = h->ttl;
	p[9] = h->proto;
	p[10] = p[11] = 0;
	memcpy(p + 12, h->src, 4);
	memcpy(p + 16, h->dst, 4);
	if (h->optlen)
		memcpy(p + 20, h->opt, h->optlen);
	ref_put16(p + 10, (uint16_t)~ref_fold(ref_add(0, p, hl)));
	return hl;
}

/* An IPv6 header; payload length plen. */
static inline void b_ip6(uint8_t *p, uint8_t tc, uint32_t flow, uint8_t nh,
			 uint8_t hlim, const uint8_t *src, const uint8_t *dst,
			 size_t plen)
{
	ref_put32(p, 6u << 28 | (uint32_t)tc << 20 | (flow & 0xfffff));
	ref_put16(p + 4, (uint16_t)plen);
	p[6] = nh;
	p[7] = hlim;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
}

/* The IPv4 header checksum verifies. */
static inline bool ref_ip4_ok(const uint8_t *p)
{
	return ref_fold(ref_add(0, p, (p[0] & 15) * 4u)) == 0xffff;
}

#endif /* XLAT_BUILD_H */
