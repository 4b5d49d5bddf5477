/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RFC 7915 header translation, IPv4 <-> IPv6, in plain C with no kernel
 * dependency: the same file is unit-tested and fuzzed in userspace and
 * compiled into xt_LW4O6.ko (kernel/mapt_target.c).
 *
 * The packet path of a translated packet that is not an ICMP error
 * replaces the IP header (options, extension headers) in front of the
 * transport header and updates the transport checksum incrementally: the
 * payload is never read, so GSO and non-linear packets stay as they are.
 * The caller:
 *   1. gets the headers linear: xlat4_parse()/xlat6_parse() say how many
 *      bytes they need (> 0) until they have the IP header and the first
 *      bytes of the transport header, then fill struct xlat_pkt;
 *   2. maps the addresses (xlat_addr.h) with the ports found;
 *   3. xlat_4to6_hdr()/xlat_6to4_hdr(): the new IP header into a buffer,
 *      the transport header's checksum (and ICMP type) updated in place;
 *   4. replaces the old l3_len bytes with the new header.
 * ICMP errors carry a packet to translate too: xlat_icmp.h.
 *
 * Multi-byte values in struct xlat_pkt are in host order.
 */
#ifndef XLAT_HDR_H
#define XLAT_HDR_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

#define XLAT_IP4_HLEN		20
#define XLAT_IP6_HLEN		40
#define XLAT_FRAG_HLEN		8
/* Extension headers walked before the transport header; more: dropped */
#define XLAT_EXT_MAX		256

#define XLAT_PROTO_ICMP		1
#define XLAT_PROTO_TCP		6
#define XLAT_PROTO_UDP		17
#define XLAT_PROTO_ICMPV6	58
#define XLAT_PROTO_HOPOPTS	0
#define XLAT_PROTO_ROUTING	43
#define XLAT_PROTO_FRAGMENT	44
#define XLAT_PROTO_DSTOPTS	60
#define XLAT_PROTO_NONE		59

/* Why a packet is not translated (the packet path counts each reason). */
enum xlat_err {
	XLAT_OK = 0,
	XLAT_E_MALFORMED,	/* bad version, lengths, truncated headers */
	XLAT_E_SOURCE_ROUTE,	/* IPv4 unexpired source route (RFC 7915 4.1) */
	XLAT_E_SEGMENTS_LEFT,	/* IPv6 routing header, segments left > 0 (5.1) */
	XLAT_E_EXT_HEADERS,	/* more extension headers than we walk */
	XLAT_E_ICMP_TYPE,	/* an ICMP type/code RFC 7915 drops */
	XLAT_E_UDP_ZERO,	/* IPv4 UDP without checksum (4.5) */
	XLAT_E_FRAG_ICMP,	/* fragmented ICMP: no checksum to update */
	XLAT_E_EXT_AFTER_FRAG,	/* a fragment's extension header after its Fragment Header */
	XLAT_E_MAX
};

struct xlat_pkt {
	unsigned int	l3_len;		/* IP header + options/extensions */
	unsigned int	tot_len;	/* the packet, per its IP header */
	uint8_t		proto;		/* transport: as in the packet */
	uint8_t		ttl;		/* TTL / hop limit */
	uint8_t		tos;		/* TOS / traffic class */
	bool		df;		/* IPv4 DF */
	bool		frag;		/* a fragment (MF or offset > 0) */
	bool		frag_hdr;	/* IPv6: a Fragment Header, even atomic */
	bool		mf;
	uint16_t	frag_off;	/* 8-byte units */
	uint32_t	frag_id;	/* IPv4: 16 bits */
	int		sport, dport;	/* -1: none; ICMP echo: the id, both */
	uint8_t		icmp_type, icmp_code;
	bool		icmp_error;	/* translate with xlat_icmp.h */
	bool		udp_zero;	/* IPv4 UDP, checksum 0 */
	bool		l4_seen;	/* the transport header up to its checksum */
	unsigned int	bad_ptr;	/* XLAT_E_SEGMENTS_LEFT: the field's offset */
	uint8_t		saddr[16], daddr[16];	/* IPv4: the first 4 bytes */
};

/*
 * Parse what is linear: p[0..avail) of a packet of pkt_len bytes. Returns
 * 0 when k is filled, a number of bytes > avail when more are needed (never
 * more than pkt_len), or -enum xlat_err. The transport header is needed up
 * to its checksum (TCP 18 bytes, UDP 8, ICMP 8); not for a later fragment.
 */
int xlat4_parse(const uint8_t *p, size_t avail, size_t pkt_len,
		struct xlat_pkt *k);
int xlat6_parse(const uint8_t *p, size_t avail, size_t pkt_len,
		struct xlat_pkt *k);

/*
 * The packet quoted in an ICMP error: avail bytes, maybe fewer than its
 * header says. 0, or -enum xlat_err (an ICMP error quoting an ICMP error,
 * RFC 7915 sections 4.2 and 5.2: not translated). A transport header cut
 * before its checksum leaves l4_seen false and the ports -1.
 */
int xlat4_parse_quoted(const uint8_t *p, size_t avail, struct xlat_pkt *k);
int xlat6_parse_quoted(const uint8_t *p, size_t avail, struct xlat_pkt *k);

/* How the transport checksum field of the packet is held. */
enum xlat_csum {
	XLAT_CSUM_FIELD,	/* the checksum (the complement of the sum) */
	XLAT_CSUM_PSEUDO,	/* the pseudo-header sum (CHECKSUM_PARTIAL) */
};

/*
 * IPv4 -> IPv6 (RFC 7915 section 4.1): the IPv6 header (and a Fragment
 * Header for a fragment) into out[0..48), its length returned; the
 * transport header at p + k->l3_len updated in place (TCP/UDP checksum for
 * the new pseudo-header, RFC 7915 section 4.5; ICMP echo type and checksum,
 * section 4.2). k from xlat4_parse(), not an ICMP error. An IPv4 UDP
 * checksum of 0 is left 0 (the caller computes it, or drops: 4.5).
 */
unsigned int xlat_4to6_hdr(uint8_t *p, const struct xlat_pkt *k,
			   const uint8_t saddr[16], const uint8_t daddr[16],
			   enum xlat_csum how, uint8_t *out);

/*
 * IPv6 -> IPv4 (RFC 7915 section 5.1): the IPv4 header into out[0..20)
 * (header checksum computed), 20 returned; the transport header updated in
 * place as above. id: the Identification when the packet is not a
 * fragment (ignored for one: the low bits of the Fragment Header's).
 */
unsigned int xlat_6to4_hdr(uint8_t *p, const struct xlat_pkt *k,
			   uint32_t saddr, uint32_t daddr, uint16_t id,
			   enum xlat_csum how, uint8_t *out);

/* The same with the transport header elsewhere than p + k->l3_len. */
unsigned int xlat_4to6_l4(uint8_t *l4, const struct xlat_pkt *k,
			  const uint8_t saddr[16], const uint8_t daddr[16],
			  enum xlat_csum how, uint8_t *out);
unsigned int xlat_6to4_l4(uint8_t *l4, const struct xlat_pkt *k,
			  uint32_t saddr, uint32_t daddr, uint16_t id,
			  enum xlat_csum how, uint8_t *out);

/* The sum of the ICMPv6 pseudo-header of an ICMPv6 message of len bytes. */
uint16_t xlat_pseudo6(const uint8_t *s, const uint8_t *d, uint32_t len);

/* Transport header bytes up to the end of its checksum (ICMP: and the id). */
unsigned int xlat_csum_reach(uint8_t proto);

/* The IPv4 header checksum of h (ihl words), to store at h[10..12). */
uint16_t xlat_ip4_csum(const uint8_t *h, unsigned int len);

/* Big-endian accessors. */
static inline uint32_t xlat_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void xlat_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

#endif /* XLAT_HDR_H */
