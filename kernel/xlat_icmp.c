// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 7915 ICMP error translation (xlat_icmp.h): plain C, no kernel
 * dependency.
 */
#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

#include "softwire_csum.h"
#include "xlat_icmp.h"

#define XLAT_ICMP_HLEN	8
/* RFC 4884 section 4: the original datagram is padded to 128 bytes. */
#define XLAT_RFC4884_MIN 128

/* Sum of n bytes, any n (an odd last byte padded with zero). */
static uint16_t xlat_sum(const uint8_t *p, size_t n, uint16_t sum)
{
	sum = oc16_bytes(p, n & ~(size_t)1, sum);
	if (n & 1)
		sum = oc16_add(sum, (uint16_t)(p[n - 1] << 8));
	return sum;
}

/*
 * RFC 7915 section 4.2: an ICMPv4 Fragmentation Needed from a router that
 * sent no MTU (pre-RFC 1191): the greatest plateau of RFC 1191 section 7
 * below the quoted packet's Total Length, but not below 1280.
 */
static uint32_t xlat_plateau(uint32_t tot)
{
	static const uint16_t plateau[] = {
		32000, 17914, 8166, 4352, 2002, 1492,
	};
	unsigned int i;

	for (i = 0; i < sizeof(plateau) / sizeof(plateau[0]); i++)
		if (plateau[i] < tot)
			return plateau[i];
	return 1280;
}

/* Parameter Problem pointers, RFC 7915 section 4.2 (Figure 3); -1: n/a. */
static int xlat_ptr4to6(uint8_t p)
{
	if (p == 0 || p == 1)
		return p;		/* version/IHL, TOS */
	if (p == 2 || p == 3)
		return 4;		/* total length -> payload length */
	if (p == 8)
		return 7;		/* TTL -> hop limit */
	if (p == 9)
		return 6;		/* protocol -> next header */
	if (p >= 12 && p <= 15)
		return 8;		/* source address */
	if (p >= 16 && p <= 19)
		return 24;		/* destination address */
	return -1;
}

/* The other way, RFC 7915 section 5.2 (Figure 6). */
static int xlat_ptr6to4(uint32_t p)
{
	if (p == 0 || p == 1)
		return (int)p;
	if (p == 4 || p == 5)
		return 2;
	if (p == 6)
		return 9;
	if (p == 7)
		return 8;
	if (p >= 8 && p <= 23)
		return 12;
	if (p >= 24 && p <= 39)
		return 16;
	return -1;
}

/*
 * The quoted datagram and an RFC 4884 extension after it. len: its length
 * field in bytes (0: none). An invalid length or an extension without the
 * version 2 header: all is the quoted datagram (RFC 4884 section 5.?:
 * treated as a message without extension).
 */
static void xlat_split_ext(const uint8_t *p, unsigned int q_off,
			   unsigned int rest, unsigned int len,
			   struct xlat_icmp_err *e)
{
	e->q_off = q_off;
	e->q_len = rest;
	e->ext_off = 0;
	e->ext_len = 0;
	if (!len || len < XLAT_RFC4884_MIN || len + 4 > rest ||
	    p[q_off + len] >> 4 != 2)
		return;
	e->q_len = len;
	e->ext_off = q_off + len;
	e->ext_len = rest - len;
}

int xlat_icmp4_err_parse(const uint8_t *p, size_t len, struct xlat_icmp_err *e)
{
	unsigned int off = e->outer.l3_len, tot = e->outer.tot_len;
	const uint8_t *ic = p + off;
	uint32_t mtu;
	int err, ptr;

	if (tot > len || tot < off + XLAT_ICMP_HLEN + XLAT_IP4_HLEN)
		return -XLAT_E_MALFORMED;
	xlat_split_ext(p, off + XLAT_ICMP_HLEN, tot - off - XLAT_ICMP_HLEN,
		       ic[5] * 4u, e);
	err = xlat4_parse_quoted(p + e->q_off, e->q_len, &e->inner);
	if (err)
		return err;

	e->param = 0;
	switch (ic[0]) {
	case 3:		/* Destination Unreachable */
		e->type = 1;
		switch (ic[1]) {
		case 0: case 1: case 5: case 6: case 7: case 8: case 11: case 12:
			e->code = 0;	/* no route to destination */
			break;
		case 2:		/* protocol unreachable */
			e->type = 4;
			e->code = 1;
			e->param = 6;	/* the Next Header field */
			break;
		case 3:
			e->code = 4;	/* port unreachable */
			break;
		case 4:		/* fragmentation needed: Packet Too Big */
			e->type = 2;
			e->code = 0;
			mtu = oc16_get(ic + 6);
			/* the IPv6 packet's headers are 20 (28) bytes longer;
			 * without an MTU, the plateau is the IPv6 path MTU
			 * to send ("include that path MTU")
			 */
			if (!mtu)
				e->param = xlat_plateau(e->inner.tot_len);
			else
				e->param = mtu + XLAT_IP6_HLEN - XLAT_IP4_HLEN +
					   (e->inner.frag ? XLAT_FRAG_HLEN : 0);
			break;
		case 9: case 10: case 13: case 15:
			e->code = 1;	/* administratively prohibited */
			break;
		default:	/* 14 (host precedence violation), unknown */
			return -XLAT_E_ICMP_TYPE;
		}
		break;
	case 11:	/* Time Exceeded: code unchanged */
		if (ic[1] > 1)
			return -XLAT_E_ICMP_TYPE;
		e->type = 3;
		e->code = ic[1];
		break;
	case 12:	/* Parameter Problem */
		if (ic[1] != 0 && ic[1] != 2)
			return -XLAT_E_ICMP_TYPE;
		ptr = xlat_ptr4to6(ic[4]);
		if (ptr < 0)
			return -XLAT_E_ICMP_TYPE;
		e->type = 4;
		e->code = 0;
		e->param = (uint32_t)ptr;
		break;
	default:
		return -XLAT_E_ICMP_TYPE;
	}
	return 0;
}

int xlat_icmp6_err_parse(const uint8_t *p, size_t len, struct xlat_icmp_err *e)
{
	unsigned int off = e->outer.l3_len, tot = e->outer.tot_len;
	const uint8_t *ic = p + off;
	uint32_t mtu, hdrs;
	int err, ptr;

	if (tot > len || tot < off + XLAT_ICMP_HLEN + XLAT_IP6_HLEN)
		return -XLAT_E_MALFORMED;
	/* RFC 4884: a length (64-bit words) in Destination Unreachable and
	 * Time Exceeded only.
	 */
	xlat_split_ext(p, off + XLAT_ICMP_HLEN, tot - off - XLAT_ICMP_HLEN,
		       ic[0] == 1 || ic[0] == 3 ? ic[4] * 8u : 0, e);
	err = xlat6_parse_quoted(p + e->q_off, e->q_len, &e->inner);
	if (err)
		return err;

	e->param = 0;
	switch (ic[0]) {
	case 1:		/* Destination Unreachable */
		e->type = 3;
		switch (ic[1]) {
		case 0: case 2: case 3:
			e->code = 1;	/* host unreachable */
			break;
		case 1:
			e->code = 10;	/* host administratively prohibited */
			break;
		case 4:
			e->code = 3;	/* port unreachable */
			break;
		default:
			return -XLAT_E_ICMP_TYPE;
		}
		break;
	case 2:		/* Packet Too Big: Fragmentation Needed */
		e->type = 3;
		e->code = 4;
		mtu = xlat_get32(ic + 4);
		hdrs = XLAT_IP6_HLEN - XLAT_IP4_HLEN +
		       (e->inner.frag ? XLAT_FRAG_HLEN : 0);
		mtu = mtu > hdrs ? mtu - hdrs : 0;
		e->param = mtu > 0xffff ? 0xffff : mtu;
		break;
	case 3:		/* Time Exceeded */
		if (ic[1] > 1)
			return -XLAT_E_ICMP_TYPE;
		e->type = 11;
		e->code = ic[1];
		break;
	case 4:		/* Parameter Problem */
		if (ic[1] == 1) {	/* unrecognized next header */
			e->type = 3;
			e->code = 2;	/* protocol unreachable */
			break;
		}
		if (ic[1] != 0)
			return -XLAT_E_ICMP_TYPE;
		ptr = xlat_ptr6to4(xlat_get32(ic + 4));
		if (ptr < 0)
			return -XLAT_E_ICMP_TYPE;
		e->type = 12;
		e->code = 0;
		e->param = (uint32_t)ptr;
		break;
	default:
		return -XLAT_E_ICMP_TYPE;
	}
	return 0;
}

/*
 * Sizes of the translated quoted datagram, its RFC 4884 padding and the
 * extension, fitted into max bytes after hdr bytes of headers: the
 * extension goes first if it does not fit, then the datagram is cut.
 * align: 8 (ICMPv6) or 4 (ICMPv4). false: not even the quoted header fits.
 */
static bool xlat_fit(unsigned int hdr, unsigned int max, unsigned int qh,
		     unsigned int *qtot, unsigned int *pad, unsigned int *ext,
		     unsigned int align, bool len_field)
{
	unsigned int q;

	*pad = 0;
	if (!len_field)
		*ext = 0;
	if (*ext) {
		q = *qtot < XLAT_RFC4884_MIN ? XLAT_RFC4884_MIN :
		    (*qtot + align - 1) & ~(align - 1);
		*pad = q - *qtot;
		if (hdr + q + *ext > max) {
			*ext = 0;
			*pad = 0;
		}
	}
	if (hdr + *qtot + *pad + *ext > max)
		*qtot = max - hdr;
	return *qtot >= qh;
}

int xlat_icmp4_err_to6(const uint8_t *p, size_t len,
		       const struct xlat_icmp_err *e,
		       const struct xlat_err_addrs6 *a, uint8_t *out,
		       size_t cap)
{
	struct xlat_pkt q = e->inner, o = e->outer;
	unsigned int hdr = XLAT_IP6_HLEN + XLAT_ICMP_HLEN;
	unsigned int qh = XLAT_IP6_HLEN + (q.frag ? XLAT_FRAG_HLEN : 0);
	unsigned int qtot = qh + e->q_len - q.l3_len, pad, ext = e->ext_len;
	unsigned int max = cap < XLAT_ICMP6_ERR_MAX ? (unsigned int)cap :
			   XLAT_ICMP6_ERR_MAX;
	uint8_t *ic = out + XLAT_IP6_HLEN, *qp = ic + XLAT_ICMP_HLEN;
	uint8_t qhdr[XLAT_IP6_HLEN + XLAT_FRAG_HLEN];
	uint32_t mtu, plen;
	uint16_t sum;

	if (e->q_off + e->q_len > len || e->ext_off + e->ext_len > len ||
	    max < hdr + qh ||
	    !xlat_fit(hdr, max, qh, &qtot, &pad, &ext, 8,
		      e->type == 1 || e->type == 3))
		return -XLAT_E_MALFORMED;
	plen = XLAT_ICMP_HLEN + qtot + pad + ext;

	/* The quoted packet: its transport bytes, then its new header. */
	memcpy(qp + qh, p + e->q_off + q.l3_len, qtot - qh);
	if (q.l4_seen && xlat_csum_reach(q.proto) > qtot - qh)
		q.l4_seen = false;	/* cut before its checksum */
	xlat_4to6_l4(qp + qh, &q, a->qsrc, a->qdst, XLAT_CSUM_FIELD, qhdr);
	memcpy(qp, qhdr, qh);
	memset(qp + qtot, 0, pad);
	if (ext)
		memcpy(qp + qtot + pad, p + e->ext_off, ext);

	/* The outer header: no Fragment Header, an error is not fragmented. */
	o.frag = false;
	o.proto = XLAT_PROTO_ICMP;
	o.l3_len = 0;
	o.tot_len = plen;
	o.l4_seen = false;
	xlat_4to6_l4(ic, &o, a->src, a->dst, XLAT_CSUM_FIELD, out);

	memset(ic, 0, XLAT_ICMP_HLEN);
	ic[0] = e->type;
	ic[1] = e->code;
	if (e->type == 2) {
		mtu = e->param;
		if (a->mtu6 && a->mtu6 < mtu)
			mtu = a->mtu6;
		/* every IPv6 link carries 1280 bytes (RFC 8200 section 5) */
		if (mtu < 1280)
			mtu = 1280;
		xlat_put32(ic + 4, mtu);
	} else if (e->type == 4) {
		xlat_put32(ic + 4, e->param);
	} else if (ext) {
		ic[4] = (uint8_t)((qtot + pad) / 8);	/* RFC 4884 length */
	}
	sum = xlat_pseudo6(a->src, a->dst, plen);
	oc16_put(ic + 2, (uint16_t)~xlat_sum(ic, plen, sum));
	return (int)(XLAT_IP6_HLEN + plen);
}

int xlat_icmp6_err_to4(const uint8_t *p, size_t len,
		       const struct xlat_icmp_err *e,
		       const struct xlat_err_addrs4 *a, uint8_t *out,
		       size_t cap)
{
	struct xlat_pkt q = e->inner, o = e->outer;
	unsigned int hdr = XLAT_IP4_HLEN + XLAT_ICMP_HLEN, qh = XLAT_IP4_HLEN;
	unsigned int qtot = qh + e->q_len - q.l3_len, pad, ext = e->ext_len;
	unsigned int max = cap < XLAT_ICMP4_ERR_MAX ? (unsigned int)cap :
			   XLAT_ICMP4_ERR_MAX;
	uint8_t *ic = out + XLAT_IP4_HLEN, *qp = ic + XLAT_ICMP_HLEN;
	uint8_t qhdr[XLAT_IP4_HLEN];
	uint32_t mtu, plen;

	if (e->q_off + e->q_len > len || e->ext_off + e->ext_len > len ||
	    max < hdr + qh ||
	    !xlat_fit(hdr, max, qh, &qtot, &pad, &ext, 4, true))
		return -XLAT_E_MALFORMED;
	plen = XLAT_ICMP_HLEN + qtot + pad + ext;

	memcpy(qp + qh, p + e->q_off + q.l3_len, qtot - qh);
	if (q.l4_seen && xlat_csum_reach(q.proto) > qtot - qh)
		q.l4_seen = false;
	xlat_6to4_l4(qp + qh, &q, a->qsrc, a->qdst, 0, XLAT_CSUM_FIELD, qhdr);
	memcpy(qp, qhdr, qh);
	memset(qp + qtot, 0, pad);
	if (ext)
		memcpy(qp + qtot + pad, p + e->ext_off, ext);

	o.frag = false;
	o.proto = XLAT_PROTO_ICMPV6;
	o.l3_len = 0;
	o.tot_len = plen;
	o.l4_seen = false;
	xlat_6to4_l4(ic, &o, a->src, a->dst, a->id, XLAT_CSUM_FIELD, out);

	memset(ic, 0, XLAT_ICMP_HLEN);
	ic[0] = e->type;
	ic[1] = e->code;
	if (e->type == 12)
		ic[4] = (uint8_t)e->param;
	if (ext)
		ic[5] = (uint8_t)((qtot + pad) / 4);	/* RFC 4884 length */
	if (e->type == 3 && e->code == 4) {
		mtu = e->param;
		if (a->mtu4 && a->mtu4 < mtu)
			mtu = a->mtu4;
		oc16_put(ic + 6, (uint16_t)mtu);
	}
	oc16_put(ic + 2, (uint16_t)~xlat_sum(ic, plen, 0));
	return (int)(XLAT_IP4_HLEN + plen);
}
