// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the RFC 7915 translator core (kernel/xlat_hdr.c,
 * kernel/xlat_icmp.c): arbitrary bytes as an IPv4 or IPv6 packet, each in
 * a heap buffer of its exact size (ASan sees any overrun), through
 *   parse (growing prefixes, as the packet path does) ->
 *   an ICMP error: err_parse + err_to6/err_to4 into an exactly-sized
 *     output buffer; else: the header translation on a copy.
 * Aborts when the "need more bytes" protocol asks for nothing new or past
 * the packet, when prefixes and the whole packet parse differently, when
 * a translated packet's transport checksum verified before and not after,
 * or when a translated error is longer than allowed or its checksums fail.
 *
 * Input: data[0] flags, data[1..33) two IPv6 addresses (IPv4: their first
 * 4 bytes), the packet after them.
 */
#include <stdlib.h>
#include <string.h>

#include "xlat_icmp.h"
#include "../unit/xlat_build.h"

#define F_V6		0x01	/* the packet is IPv6 */
#define F_PSEUDO	0x02	/* XLAT_CSUM_PSEUDO */
#define F_FIXLEN	0x04	/* set the version and length fields */
#define F_FIXSUM	0x08	/* set a valid transport checksum first */
#define F_CAP		0x30	/* error output capacity: max, 600, 100, 60 */

static int parse(const uint8_t *p, size_t avail, size_t n, bool v6,
		 struct xlat_pkt *k)
{
	return v6 ? xlat6_parse(p, avail, n, k) : xlat4_parse(p, avail, n, k);
}

/* The packet path's protocol: parse growing prefixes. */
static int parse_prefixes(const uint8_t *p, size_t n, bool v6,
			  struct xlat_pkt *k)
{
	struct xlat_pkt whole;
	size_t avail = 0;
	int r, want = parse(p, n, n, v6, &whole);

	for (;;) {
		/* only avail bytes exist for the parser */
		uint8_t *part = malloc(avail ? avail : 1);

		memcpy(part, p, avail);
		r = parse(part, avail, n, v6, k);
		free(part);
		if (r <= 0)
			break;
		if ((size_t)r <= avail || (size_t)r > n)
			abort();
		avail = (size_t)r;
	}
	if (r != want || (!r && memcmp(k, &whole, sizeof(whole))))
		abort();
	return r;
}

/* The transport checksum of l4[0..len) verifies for the IP header ip. */
static bool l4_ok(const uint8_t *ip, bool v6, const uint8_t *l4, size_t len,
		  uint8_t proto)
{
	return v6 ? ref_ok6(ip, l4, len, proto) : ref_ok4(ip, l4, len, proto);
}

static void fix_csum(uint8_t *p, const struct xlat_pkt *k, bool v6)
{
	uint8_t *l4 = p + k->l3_len;
	size_t len = k->tot_len - k->l3_len;
	uint8_t proto = k->proto;

	if (v6)
		ref_set_csum(l4, len, proto, ref_pseudo6(p + 8, p + 24, proto, len));
	else
		ref_set_csum(l4, len, proto, proto == P_ICMP ? 0 :
			     ref_pseudo4(p + 12, p + 16, proto, len));
}

static void translate(uint8_t *p, size_t n, const struct xlat_pkt *k,
		      bool v6, unsigned int flags, const uint8_t *a)
{
	enum xlat_csum how = flags & F_PSEUDO ? XLAT_CSUM_PSEUDO :
			     XLAT_CSUM_FIELD;
	size_t len = k->tot_len - k->l3_len, hl;
	int at = ref_csum_at(k->proto);
	uint8_t proto = k->proto, *t;
	bool check, before;

	check = how == XLAT_CSUM_FIELD && at >= 0 && !k->frag && k->l4_seen &&
		!k->udp_zero;
	if (check && flags & F_FIXSUM)
		fix_csum(p, k, v6);
	before = check && l4_ok(p, v6, p + k->l3_len, len, proto);

	t = malloc(48 + len);
	if (v6) {
		hl = xlat_6to4_hdr(p, k, xlat_get32(a), xlat_get32(a + 16),
				   (uint16_t)n, how, t);
		if (hl != 20 || !ref_ip4_ok(t) || ref_get16(t + 2) != 20 + len)
			abort();
		if (proto == P_ICMP6)
			proto = P_ICMP;
	} else {
		hl = xlat_4to6_hdr(p, k, a, a + 16, how, t);
		if (hl != 40u + (k->frag ? 8 : 0) ||
		    ref_get16(t + 4) != len + hl - 40)
			abort();
		if (proto == P_ICMP)
			proto = P_ICMP6;
	}
	memcpy(t + hl, p + k->l3_len, len);
	if (before && !l4_ok(t, !v6, t + hl, len, proto))
		abort();
	if (before && proto == P_UDP && !ref_get16(t + hl + 6))
		abort();
	free(t);
}

static void translate_error(const uint8_t *p, size_t n,
			    const struct xlat_pkt *k, bool v6,
			    unsigned int flags, const uint8_t *a)
{
	static const size_t caps[] = { 0, 600, 100, 60 };
	size_t max = v6 ? XLAT_ICMP4_ERR_MAX : XLAT_ICMP6_ERR_MAX;
	size_t cap = caps[(flags & F_CAP) >> 4];
	struct xlat_icmp_err e;
	uint8_t *out;
	int r;

	memset(&e, 0, sizeof(e));
	e.outer = *k;
	r = v6 ? xlat_icmp6_err_parse(p, n, &e) : xlat_icmp4_err_parse(p, n, &e);
	if (r > 0)
		abort();
	if (r)
		return;
	if (!cap || cap > max)
		cap = max;
	out = malloc(cap);
	if (v6) {
		struct xlat_err_addrs4 a4 = {
			.src = xlat_get32(a), .dst = xlat_get32(a + 16),
			.qsrc = xlat_get32(a + 16), .qdst = xlat_get32(a),
			.id = 7, .mtu4 = a[3] * 16u,
		};

		r = xlat_icmp6_err_to4(p, n, &e, &a4, out, cap);
		if (r > 0 && ((size_t)r > cap || r < 48 || !ref_ip4_ok(out) ||
			      ref_get16(out + 2) != r ||
			      !ref_ok4(out, out + 20, (size_t)r - 20, P_ICMP)))
			abort();
	} else {
		struct xlat_err_addrs6 a6 = { .mtu6 = a[3] * 16u };

		memcpy(a6.src, a, 16);
		memcpy(a6.dst, a + 16, 16);
		memcpy(a6.qsrc, a + 16, 16);
		memcpy(a6.qdst, a, 16);
		r = xlat_icmp4_err_to6(p, n, &e, &a6, out, cap);
		if (r > 0 && ((size_t)r > cap || r < 88 ||
			      ref_get16(out + 4) != r - 40 ||
			      !ref_ok6(out, out + 40, (size_t)r - 40, P_ICMP6)))
			abort();
	}
	if (r == 0 || (r < 0 && r != -XLAT_E_MALFORMED))
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xlat_pkt k;
	unsigned int flags;
	bool v6;
	uint8_t *p;
	size_t n;
	int r;

	if (size < 33)
		return 0;
	flags = data[0];
	v6 = flags & F_V6;
	n = size - 33;
	p = malloc(n ? n : 1);
	memcpy(p, data + 33, n);
	if (flags & F_FIXLEN) {
		if (v6 && n >= 40) {
			p[0] = (uint8_t)(0x60 | (p[0] & 15));
			ref_put16(p + 4, (uint16_t)(n - 40));
		} else if (!v6 && n >= 20) {
			p[0] = (uint8_t)(0x40 | (p[0] & 15));
			if ((p[0] & 15) * 4u > n)
				p[0] = 0x45;
			ref_put16(p + 2, (uint16_t)n);
		}
	}
	r = parse_prefixes(p, n, v6, &k);
	if (!r) {
		if (k.l3_len > k.tot_len || k.tot_len > n)
			abort();
		if (k.icmp_error)
			translate_error(p, n, &k, v6, flags, data + 1);
		else
			translate(p, n, &k, v6, flags, data + 1);
	}
	free(p);
	return 0;
}
