// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 7915 header translation, IPv4 <-> IPv6 (xlat_hdr.h): plain C, no
 * kernel dependency.
 */
#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

#include "softwire_csum.h"
#include "xlat_hdr.h"

#define XLAT_PROTO_DCCP		33
#define XLAT_PROTO_UDPLITE	136

/*
 * Where the transport checksum is, for the protocols whose checksum covers
 * the IP pseudo-header (RFC 7915 section 4.5 names TCP, UDP and ICMP;
 * UDP-Lite and DCCP use the same pseudo-header); -1: none to update.
 */
static int xlat_csum_at(uint8_t proto)
{
	switch (proto) {
	case XLAT_PROTO_TCP:
		return 16;
	case XLAT_PROTO_UDP:
	case XLAT_PROTO_UDPLITE:
	case XLAT_PROTO_DCCP:
		return 6;
	case XLAT_PROTO_ICMP:
	case XLAT_PROTO_ICMPV6:
		return 2;
	default:
		return -1;
	}
}

/* Transport bytes needed: up to the checksum, and the ports. */
unsigned int xlat_csum_reach(uint8_t proto)
{
	int at = xlat_csum_at(proto);

	if (proto == XLAT_PROTO_ICMP || proto == XLAT_PROTO_ICMPV6)
		return 8;	/* type, code, checksum, identifier */
	return at < 0 ? 0 : (unsigned int)at + 2;
}

/*
 * The transport header's ports and ICMP facts. v6: ICMPv6 numbering. Echo
 * is translated here; errors by xlat_icmp.h; every other ICMP type is
 * dropped (RFC 7915 sections 4.2 and 5.2: informational messages other
 * than echo, and unknown types, are silently dropped).
 */
static int xlat_l4_parse(const uint8_t *l4, struct xlat_pkt *k, bool v6,
			 bool quoted)
{
	uint8_t t;

	switch (k->proto) {
	case XLAT_PROTO_TCP:
	case XLAT_PROTO_UDP:
	case XLAT_PROTO_UDPLITE:
	case XLAT_PROTO_DCCP:
		k->sport = oc16_get(l4);
		k->dport = oc16_get(l4 + 2);
		if (k->proto == XLAT_PROTO_UDP && !oc16_get(l4 + 6)) {
			/* IPv6 UDP without checksum is invalid (RFC 8200
			 * section 8.1): nothing to translate it with.
			 */
			if (v6 && !quoted)
				return -XLAT_E_UDP_ZERO;
			k->udp_zero = !v6;
		}
		return 0;
	case XLAT_PROTO_ICMP:
	case XLAT_PROTO_ICMPV6:
		if ((k->proto == XLAT_PROTO_ICMPV6) != v6)
			return -XLAT_E_ICMP_TYPE;	/* ICMPv4 in IPv6... */
		t = l4[0];
		k->icmp_type = t;
		k->icmp_code = l4[1];
		if (v6 ? t == 128 || t == 129 : t == 8 || t == 0) {
			k->sport = k->dport = oc16_get(l4 + 4);
			if (k->mf && !quoted)
				return -XLAT_E_FRAG_ICMP;
			return 0;
		}
		if (v6 ? t >= 1 && t <= 4 : t == 3 || t == 11 || t == 12) {
			/* RFC 7915 4.2, 5.2: no error about an error */
			if (quoted)
				return -XLAT_E_ICMP_TYPE;
			k->icmp_error = true;
			return k->frag ? -XLAT_E_FRAG_ICMP : 0;
		}
		return -XLAT_E_ICMP_TYPE;
	default:
		return 0;
	}
}

/*
 * IPv4 options (RFC 7915 section 4.1): ignored, but an unexpired source
 * route (LSRR 131, SSRR 137: pointer not past the option's length) drops
 * the packet, to be answered with ICMPv4 Source Route Failed.
 */
static int xlat4_options(const uint8_t *p, unsigned int ihl)
{
	unsigned int i = XLAT_IP4_HLEN, len;

	while (i < ihl) {
		if (p[i] == 0)		/* end of options */
			break;
		if (p[i] == 1) {	/* no-operation */
			i++;
			continue;
		}
		if (i + 1 >= ihl)
			return -XLAT_E_MALFORMED;
		len = p[i + 1];
		if (len < 2 || i + len > ihl)
			return -XLAT_E_MALFORMED;
		if ((p[i] == 131 || p[i] == 137) && len >= 3 && p[i + 2] <= len)
			return -XLAT_E_SOURCE_ROUTE;
		i += len;
	}
	return 0;
}

/*
 * quoted: the packet inside an ICMP error, which may be cut short: its
 * length may exceed what is there, and a transport header cut before its
 * checksum leaves the ports unknown (-1) instead of failing.
 */
static int xlat4_parse_any(const uint8_t *p, size_t avail, size_t pkt_len,
			   struct xlat_pkt *k, bool quoted)
{
	unsigned int ihl, tot, need;
	uint16_t fo;
	int err;

	if (pkt_len < XLAT_IP4_HLEN)
		return -XLAT_E_MALFORMED;
	if (avail < XLAT_IP4_HLEN)
		return XLAT_IP4_HLEN;
	ihl = (p[0] & 15) * 4u;
	tot = oc16_get(p + 2);
	if (p[0] >> 4 != 4 || ihl < XLAT_IP4_HLEN || tot < ihl ||
	    (tot > pkt_len && !quoted))
		return -XLAT_E_MALFORMED;
	if (avail < ihl)
		return (int)ihl;

	memset(k, 0, sizeof(*k));
	k->l3_len = ihl;
	k->tot_len = tot;
	k->tos = p[1];
	k->ttl = p[8];
	k->proto = p[9];
	k->frag_id = oc16_get(p + 4);
	fo = oc16_get(p + 6);
	k->df = fo & 0x4000;
	k->mf = fo & 0x2000;
	k->frag_off = fo & 0x1fff;
	k->frag = k->mf || k->frag_off;
	k->sport = k->dport = -1;
	memcpy(k->saddr, p + 12, 4);
	memcpy(k->daddr, p + 16, 4);

	err = xlat4_options(p, ihl);
	if (err && !quoted)
		return err;
	if (k->frag_off)
		return k->proto == XLAT_PROTO_ICMP && !quoted ?
		       -XLAT_E_FRAG_ICMP : 0;
	need = ihl + xlat_csum_reach(k->proto);
	if (need > tot)
		return -XLAT_E_MALFORMED;
	if (avail < need)
		return quoted ? 0 : (int)need;
	k->l4_seen = true;
	return xlat_l4_parse(p + ihl, k, false, quoted);
}

int xlat4_parse(const uint8_t *p, size_t avail, size_t pkt_len,
		struct xlat_pkt *k)
{
	return xlat4_parse_any(p, avail, pkt_len, k, false);
}

static int xlat6_parse_any(const uint8_t *p, size_t avail, size_t pkt_len,
			   struct xlat_pkt *k, bool quoted)
{
	unsigned int tot, off = XLAT_IP6_HLEN, len, need;
	bool seen_frag = false;
	uint8_t nh;
	uint16_t fo;

	if (pkt_len < XLAT_IP6_HLEN)
		return -XLAT_E_MALFORMED;
	if (avail < XLAT_IP6_HLEN)
		return XLAT_IP6_HLEN;
	tot = XLAT_IP6_HLEN + oc16_get(p + 4);
	if (p[0] >> 4 != 6 || (tot > pkt_len && !quoted))
		return -XLAT_E_MALFORMED;

	memset(k, 0, sizeof(*k));
	k->tot_len = tot;
	k->tos = (uint8_t)((p[0] & 15) << 4 | p[1] >> 4);
	k->ttl = p[7];
	k->sport = k->dport = -1;
	memcpy(k->saddr, p + 8, 16);
	memcpy(k->daddr, p + 24, 16);

	/*
	 * RFC 7915 section 5.1: extension headers other than the Fragment
	 * Header are not translated (dropped with the IPv6 header); a
	 * Routing Header with Segments Left > 0 is answered with Parameter
	 * Problem pointing at that field.
	 */
	/*
	 * Payload length 0: no payload (a jumbogram's Hop-by-Hop header,
	 * which would carry its length, is then missing: malformed below).
	 */
	nh = p[6];
	while (nh == XLAT_PROTO_HOPOPTS || nh == XLAT_PROTO_ROUTING ||
	       nh == XLAT_PROTO_DSTOPTS || nh == XLAT_PROTO_FRAGMENT) {
		if (off - XLAT_IP6_HLEN > XLAT_EXT_MAX)
			return -XLAT_E_EXT_HEADERS;
		/* Hop-by-Hop Options only right after the IPv6 header */
		if (nh == XLAT_PROTO_HOPOPTS && off != XLAT_IP6_HLEN)
			return -XLAT_E_MALFORMED;
		if (off + 8 > tot)
			return -XLAT_E_MALFORMED;
		if (avail < off + 8)
			return quoted ? -XLAT_E_MALFORMED : (int)(off + 8);
		if (nh == XLAT_PROTO_FRAGMENT) {
			if (seen_frag)		/* a second one */
				return -XLAT_E_MALFORMED;
			seen_frag = true;
			k->frag_hdr = true;
			fo = oc16_get(p + off + 2);
			k->frag_off = fo >> 3;
			k->mf = fo & 1;
			k->frag_id = xlat_get32(p + off + 4);
			/* an atomic fragment (RFC 6946) is a whole packet */
			k->frag = k->mf || k->frag_off;
			nh = p[off];
			off += XLAT_FRAG_HLEN;
			if (k->frag_off)
				break;	/* the rest of the headers: in the first */
			/*
			 * A real first fragment whose Fragmentable Part starts
			 * with an extension header: dropping that header would
			 * move every later fragment's data (RFC 8200 section
			 * 4.5; RFC 7915 section 5.1 has no rule for it): not
			 * translated.  A second Fragment Header is malformed
			 * (below).
			 */
			if (k->frag && !quoted &&
			    (nh == XLAT_PROTO_HOPOPTS || nh == XLAT_PROTO_ROUTING ||
			     nh == XLAT_PROTO_DSTOPTS))
				return -XLAT_E_EXT_AFTER_FRAG;
			continue;
		}
		len = (p[off + 1] + 1u) * 8;
		/* quoted: the header must be there, not only in its length */
		if (off + len > tot || (quoted && off + len > avail))
			return -XLAT_E_MALFORMED;
		if (nh == XLAT_PROTO_ROUTING && p[off + 3] && !quoted) {
			k->bad_ptr = off + 3;
			return -XLAT_E_SEGMENTS_LEFT;
		}
		nh = p[off];
		off += len;
	}
	k->l3_len = off;
	k->proto = nh;
	if (k->frag_off)
		return nh == XLAT_PROTO_ICMPV6 && !quoted ?
		       -XLAT_E_FRAG_ICMP : 0;
	need = off + xlat_csum_reach(nh);
	if (need > tot)
		return -XLAT_E_MALFORMED;
	if (avail < need)
		return quoted ? 0 : (int)need;
	k->l4_seen = true;
	return xlat_l4_parse(p + off, k, true, quoted);
}

int xlat6_parse(const uint8_t *p, size_t avail, size_t pkt_len,
		struct xlat_pkt *k)
{
	return xlat6_parse_any(p, avail, pkt_len, k, false);
}

/* All that is quoted is there: "more bytes needed" means malformed. */
int xlat4_parse_quoted(const uint8_t *p, size_t avail, struct xlat_pkt *k)
{
	int r = xlat4_parse_any(p, avail, avail, k, true);

	return r > 0 ? -XLAT_E_MALFORMED : r;
}

int xlat6_parse_quoted(const uint8_t *p, size_t avail, struct xlat_pkt *k)
{
	int r = xlat6_parse_any(p, avail, avail, k, true);

	return r > 0 ? -XLAT_E_MALFORMED : r;
}

uint16_t xlat_ip4_csum(const uint8_t *h, unsigned int len)
{
	uint16_t sum = oc16_bytes(h, 10, 0);

	return (uint16_t)~oc16_bytes(h + 12, len - 12, sum);
}

/* The sum of the ICMPv6 pseudo-header (RFC 8200 section 8.1). */
uint16_t xlat_pseudo6(const uint8_t *s, const uint8_t *d,
			     uint32_t len)
{
	uint16_t sum = oc16_bytes(s, 16, 0);

	sum = oc16_bytes(d, 16, sum);
	sum = oc16_add(sum, (uint16_t)(len >> 16));
	sum = oc16_add(sum, (uint16_t)len);
	return oc16_add(sum, XLAT_PROTO_ICMPV6);
}

/*
 * Change a checksum field held as how by +add -sub (sums of 16-bit words),
 * RFC 1624. no0: a computed 0 is sent as 0xffff. UDP: RFC 768, RFC 8200
 * section 8.1, since 0 means "no checksum" to IPv4 and is invalid in IPv6.
 * ICMPv4 (no pseudo-header): an all-zero echo reply sums to +0, which only
 * 0xffff verifies; 0xffff verifies whenever 0 does.
 */
static void xlat_csum_adjust(uint8_t *field, uint16_t sub, uint16_t add,
			     enum xlat_csum how, bool no0)
{
	uint16_t c = oc16_get(field);

	if (how == XLAT_CSUM_PSEUDO) {
		oc16_put(field, oc16_add(oc16_sub(c, sub), add));
		return;
	}
	c = (uint16_t)~oc16_add(oc16_sub((uint16_t)~c, sub), add);
	if (no0 && c == 0)
		c = 0xffff;
	oc16_put(field, c);
}

/* The transport header of a translated packet (not an ICMP error). */
static void xlat_l4_update(uint8_t *l4, const struct xlat_pkt *k,
			   uint16_t old_addrs, uint16_t new_addrs,
			   enum xlat_csum how, bool to6, uint16_t pseudo6)
{
	int at = xlat_csum_at(k->proto);
	uint16_t tc_old, tc_new;

	if (at < 0 || k->frag_off || !k->l4_seen)
		return;
	if (k->proto == XLAT_PROTO_ICMP || k->proto == XLAT_PROTO_ICMPV6) {
		/*
		 * Echo (RFC 7915 4.2, 5.2): 8/0 <-> 128/129, the checksum
		 * adjusted for the type and the ICMPv6 pseudo-header.
		 */
		tc_old = oc16_get(l4);
		if (to6)
			l4[0] = l4[0] == 8 ? 128 : 129;
		else
			l4[0] = l4[0] == 128 ? 8 : 0;
		tc_new = oc16_get(l4);
		if (to6)
			xlat_csum_adjust(l4 + 2, tc_old, oc16_add(tc_new, pseudo6),
					 how, false);
		else
			xlat_csum_adjust(l4 + 2, oc16_add(tc_old, pseudo6), tc_new,
					 how, true);
		return;
	}
	/* An IPv4 UDP datagram without checksum stays so: the caller's. */
	if (k->udp_zero)
		return;
	/*
	 * The pseudo-headers differ only in the addresses: the length and the
	 * protocol are the same 16-bit words in both (RFC 7915 section 4.5,
	 * RFC 8200 section 8.1).
	 */
	xlat_csum_adjust(l4 + at, old_addrs, new_addrs, how,
			 k->proto == XLAT_PROTO_UDP);
}

unsigned int xlat_4to6_l4(uint8_t *l4, const struct xlat_pkt *k,
			  const uint8_t saddr[16], const uint8_t daddr[16],
			  enum xlat_csum how, uint8_t *out)
{
	uint8_t nh = k->proto == XLAT_PROTO_ICMP ? XLAT_PROTO_ICMPV6 : k->proto;
	unsigned int plen = k->tot_len - k->l3_len, hl = XLAT_IP6_HLEN;
	uint16_t old_addrs, new_addrs;

	/*
	 * RFC 7915 section 4.1: traffic class = TOS, flow label 0, payload
	 * length = total length - IPv4 header (options dropped), next header
	 * = protocol (ICMPv6 for ICMP), hop limit = TTL (the caller checked
	 * and decrements it as a router), addresses mapped. A fragment gets a
	 * Fragment Header with the IPv4 offset, MF and Identification. No
	 * atomic fragments (RFC 8021): a DF=0 packet gets none.
	 */
	if (k->frag) {
		hl += XLAT_FRAG_HLEN;
		plen += XLAT_FRAG_HLEN;
	}
	out[0] = (uint8_t)(0x60 | k->tos >> 4);
	out[1] = (uint8_t)(k->tos << 4);
	out[2] = 0;
	out[3] = 0;
	oc16_put(out + 4, (uint16_t)plen);
	out[6] = k->frag ? XLAT_PROTO_FRAGMENT : nh;
	out[7] = k->ttl;
	memcpy(out + 8, saddr, 16);
	memcpy(out + 24, daddr, 16);
	if (k->frag) {
		out[40] = nh;
		out[41] = 0;
		oc16_put(out + 42, (uint16_t)(k->frag_off << 3 | (k->mf ? 1 : 0)));
		xlat_put32(out + 44, k->frag_id);
	}

	old_addrs = oc16_bytes(k->saddr, 4, 0);
	old_addrs = oc16_bytes(k->daddr, 4, old_addrs);
	new_addrs = oc16_bytes(saddr, 16, 0);
	new_addrs = oc16_bytes(daddr, 16, new_addrs);
	xlat_l4_update(l4, k, old_addrs, new_addrs, how, true,
		       xlat_pseudo6(saddr, daddr, k->tot_len - k->l3_len));
	return hl;
}

unsigned int xlat_4to6_hdr(uint8_t *p, const struct xlat_pkt *k,
			   const uint8_t saddr[16], const uint8_t daddr[16],
			   enum xlat_csum how, uint8_t *out)
{
	return xlat_4to6_l4(p + k->l3_len, k, saddr, daddr, how, out);
}

unsigned int xlat_6to4_l4(uint8_t *l4, const struct xlat_pkt *k,
			  uint32_t saddr, uint32_t daddr, uint16_t id,
			  enum xlat_csum how, uint8_t *out)
{
	unsigned int tot = XLAT_IP4_HLEN + k->tot_len - k->l3_len;
	uint16_t old_addrs, new_addrs, fo;

	/*
	 * RFC 7915 section 5.1: TOS = traffic class, total length = payload
	 * less the extension headers + 20, TTL = hop limit, protocol = the
	 * last next header (ICMP for ICMPv6). A fragment: offset, MF and the
	 * low 16 bits of the Identification from its Fragment Header, DF 0.
	 * Else DF is 0 up to 1260 bytes and 1 above (so that IPv4 routers
	 * fragment only what an IPv6 path of 1280 bytes carries whole).
	 */
	if (k->frag || k->frag_hdr) {
		/* an atomic fragment too: its ID, DF 0 (RFC 7915 5.1.1) */
		id = (uint16_t)k->frag_id;
		fo = (uint16_t)(k->frag_off | (k->mf ? 0x2000 : 0));
	} else {
		fo = tot > 1260 ? 0x4000 : 0;
	}
	out[0] = 0x45;
	out[1] = k->tos;
	oc16_put(out + 2, (uint16_t)tot);
	oc16_put(out + 4, id);
	oc16_put(out + 6, fo);
	out[8] = k->ttl;
	out[9] = k->proto == XLAT_PROTO_ICMPV6 ? XLAT_PROTO_ICMP : k->proto;
	xlat_put32(out + 12, saddr);
	xlat_put32(out + 16, daddr);
	oc16_put(out + 10, xlat_ip4_csum(out, XLAT_IP4_HLEN));

	old_addrs = oc16_bytes(k->saddr, 16, 0);
	old_addrs = oc16_bytes(k->daddr, 16, old_addrs);
	new_addrs = oc16_bytes(out + 12, 8, 0);
	xlat_l4_update(l4, k, old_addrs, new_addrs, how, false,
		       xlat_pseudo6(k->saddr, k->daddr, k->tot_len - k->l3_len));
	return XLAT_IP4_HLEN;
}

unsigned int xlat_6to4_hdr(uint8_t *p, const struct xlat_pkt *k,
			   uint32_t saddr, uint32_t daddr, uint16_t id,
			   enum xlat_csum how, uint8_t *out)
{
	return xlat_6to4_l4(p + k->l3_len, k, saddr, daddr, id, how, out);
}
