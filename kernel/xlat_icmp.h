/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RFC 7915 ICMP error translation (sections 4.2 and 5.2), in plain C with
 * no kernel dependency (unit-tested and fuzzed in userspace, compiled into
 * xt_LW4O6.ko).
 *
 * An ICMP error is translated whole, from a flat copy into a new buffer:
 * the outer header, the ICMP header (type, code, MTU, pointer), the packet
 * it quotes (its IP header translated, its transport checksum updated for
 * the new pseudo-header, its ICMP echo type translated), the RFC 4884
 * length and extension structure, and both checksums. Every read is
 * bounded by the input length, every write by the output capacity: a
 * hostile error can make the translation fail, never read or write past
 * the buffers.
 */
#ifndef XLAT_ICMP_H
#define XLAT_ICMP_H

#include "xlat_hdr.h"

/* Translated errors are cut to these sizes (RFC 4443 section 2.4 (c);
 * RFC 1812 section 4.3.2.3).
 */
#define XLAT_ICMP6_ERR_MAX	1280
#define XLAT_ICMP4_ERR_MAX	576

struct xlat_icmp_err {
	struct xlat_pkt	outer;		/* xlat4_parse()/xlat6_parse() */
	struct xlat_pkt	inner;		/* the quoted packet */
	unsigned int	q_off;		/* where it starts */
	unsigned int	q_len;		/* its bytes (without an extension) */
	unsigned int	ext_off;	/* RFC 4884 extension structure */
	unsigned int	ext_len;	/* 0: none */
	uint8_t		type, code;	/* translated */
	uint32_t	param;		/* MTU or pointer to send */
};

/*
 * p[0..len): a whole ICMPv4 (ICMPv6) error, outer already parsed into
 * e->outer (icmp_error set). Parses the quoted packet and maps type and
 * code. 0, or -enum xlat_err: XLAT_E_ICMP_TYPE for what RFC 7915 drops.
 */
int xlat_icmp4_err_parse(const uint8_t *p, size_t len, struct xlat_icmp_err *e);
int xlat_icmp6_err_parse(const uint8_t *p, size_t len, struct xlat_icmp_err *e);

/* The addresses of the translated error and of the packet it quotes, and
 * the MTUs the caller knows (0: unknown) for Packet Too Big.
 */
struct xlat_err_addrs6 {
	uint8_t		src[16], dst[16];	/* outer */
	uint8_t		qsrc[16], qdst[16];	/* quoted */
	uint32_t	mtu6;			/* towards dst, IPv6 */
};

struct xlat_err_addrs4 {
	uint32_t	src, dst, qsrc, qdst;
	uint16_t	id;			/* outer Identification */
	uint32_t	mtu4;			/* towards dst, IPv4 */
};

/*
 * Write the translated error into out[0..cap) (cap at least the maximum
 * above); its length, or -XLAT_E_MALFORMED. p, len and e as parsed.
 */
int xlat_icmp4_err_to6(const uint8_t *p, size_t len,
		       const struct xlat_icmp_err *e,
		       const struct xlat_err_addrs6 *a, uint8_t *out,
		       size_t cap);
int xlat_icmp6_err_to4(const uint8_t *p, size_t len,
		       const struct xlat_icmp_err *e,
		       const struct xlat_err_addrs4 *a, uint8_t *out,
		       size_t cap);

#endif /* XLAT_ICMP_H */
