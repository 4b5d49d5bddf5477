// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the RFC 7915 header translation (kernel/xlat_hdr.c):
 * packets built byte by byte, every header field RFC 7915 sections 4.1 and
 * 5.1 define checked, transport checksums verified from scratch with the
 * new pseudo-header (section 4.5, 5.1), ICMP echo (4.2, 5.2).
 */
#include <arpa/inet.h>
#include <string.h>

#include "xlat_hdr.h"
#include "unit.h"
#include "xlat_build.h"

static const uint8_t s4[4] = { 192, 0, 2, 1 }, d4[4] = { 198, 51, 100, 7 };
static uint8_t s6[16], d6[16];

static void addrs_init(void)
{
	inet_pton(AF_INET6, "2001:db8:c000:201::1", s6);
	inet_pton(AF_INET6, "64:ff9b::c633:6407", d6);
}

static void rand_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)unit_rand();
}

/* The IPv4 addresses s4 -> d4. */
static void b4_addrs(struct b4 *h)
{
	memcpy(h->src, s4, 4);
	memcpy(h->dst, d4, 4);
}

/* Parse and translate IPv4 p[0..n) into out: its length, or < 0. */
static int to6(uint8_t *p, size_t n, const uint8_t *src, const uint8_t *dst,
	       enum xlat_csum how, uint8_t *out, struct xlat_pkt *k)
{
	int r = xlat4_parse(p, n, n, k);
	unsigned int hl;

	if (r)
		return r < 0 ? r : -100;
	hl = xlat_4to6_hdr(p, k, src, dst, how, out);
	memcpy(out + hl, p + k->l3_len, k->tot_len - k->l3_len);
	return (int)(hl + k->tot_len - k->l3_len);
}

static int to4(uint8_t *p, size_t n, uint32_t src, uint32_t dst, uint16_t id,
	       enum xlat_csum how, uint8_t *out, struct xlat_pkt *k)
{
	int r = xlat6_parse(p, n, n, k);
	unsigned int hl;

	if (r)
		return r < 0 ? r : -100;
	hl = xlat_6to4_hdr(p, k, src, dst, id, how, out);
	memcpy(out + hl, p + k->l3_len, k->tot_len - k->l3_len);
	return (int)(hl + k->tot_len - k->l3_len);
}

/* The "need more bytes" protocol: growing prefixes until 0 or an error,
 * each request beyond what was given and within the packet; the result is
 * the whole packet's.
 */
static void check_prefixes(const uint8_t *p, size_t n, bool v6)
{
	struct xlat_pkt k, whole;
	int want = v6 ? xlat6_parse(p, n, n, &whole) : xlat4_parse(p, n, n, &whole);
	size_t avail = 0;
	int r, steps = 0;

	for (;;) {
		r = v6 ? xlat6_parse(p, avail, n, &k) : xlat4_parse(p, avail, n, &k);
		if (r <= 0)
			break;
		CHECK((size_t)r > avail && (size_t)r <= n,
		      "asked %d with %zu of %zu", r, avail, n);
		if ((size_t)r <= avail || (size_t)r > n || ++steps > 100)
			return;
		avail = (size_t)r;
	}
	CHECK(r == want, "prefix result %d, whole %d", r, want);
	if (!r && !want)
		CHECK(!memcmp(&k, &whole, sizeof(k)), "same xlat_pkt from %zu bytes",
		      avail);
}

/* An IPv4 packet: header h, transport len bytes; checksum valid. */
static size_t pkt4(uint8_t *p, struct b4 *h, size_t len, uint16_t sport,
		   uint16_t dport, unsigned int seed)
{
	unsigned int hl;

	b_l4(p + 20 + h->optlen, len, h->proto, sport, dport, seed);
	hl = b_ip4(p, h, len);
	if (ref_csum_at(h->proto) >= 0)
		ref_set_csum(p + hl, len, h->proto, h->proto == P_ICMP ? 0 :
			     ref_pseudo4(h->src, h->dst, h->proto, len));
	return hl + len;
}

static void check_v6_hdr(const uint8_t *o, const struct b4 *h, size_t plen,
			 uint8_t nh)
{
	CHECK(o[0] >> 4 == 6, "version %u", o[0] >> 4);
	CHECK(((o[0] & 15) << 4 | o[1] >> 4) == h->tos, "traffic class %#x, TOS %#x",
	      (o[0] & 15) << 4 | o[1] >> 4, h->tos);
	CHECK(!(o[1] & 15) && !o[2] && !o[3], "flow label 0");
	CHECK(ref_get16(o + 4) == plen, "payload length %u, want %zu",
	      ref_get16(o + 4), plen);
	CHECK(o[6] == nh, "next header %u, want %u", o[6], nh);
	CHECK(o[7] == h->ttl, "hop limit %u, TTL %u", o[7], h->ttl);
	CHECK(!memcmp(o + 8, s6, 16) && !memcmp(o + 24, d6, 16), "addresses");
}

static void check_v4_hdr(const uint8_t *o, uint8_t tos, uint8_t ttl,
			 size_t tot, uint8_t proto, uint16_t id, uint16_t fo)
{
	CHECK(o[0] == 0x45, "version/IHL %#x", o[0]);
	CHECK(o[1] == tos, "TOS %#x, want %#x", o[1], tos);
	CHECK(ref_get16(o + 2) == tot, "total length %u, want %zu",
	      ref_get16(o + 2), tot);
	CHECK(ref_get16(o + 4) == id, "id %#x, want %#x", ref_get16(o + 4), id);
	CHECK(ref_get16(o + 6) == fo, "flags/offset %#x, want %#x",
	      ref_get16(o + 6), fo);
	CHECK(o[8] == ttl, "TTL %u, want %u", o[8], ttl);
	CHECK(o[9] == proto, "protocol %u, want %u", o[9], proto);
	CHECK(ref_ip4_ok(o), "IPv4 header checksum");
	CHECK(!memcmp(o + 12, s4, 4) && !memcmp(o + 16, d4, 4), "addresses");
}

/*
 * A translation of r bytes (want: hl + len) found the ports, and its
 * transport (after hl bytes) verifies; UDP is never 0. false: failed.
 */
static bool check_l4(int r, const struct xlat_pkt *k, uint16_t sp,
		     uint16_t dp, const uint8_t *o, unsigned int hl, size_t len,
		     uint8_t proto)
{
	CHECK(r == (int)(hl + len), "proto %u: translated %d", proto, r);
	if (r < 0)
		return false;
	CHECK(k->sport == sp && k->dport == dp, "ports %d %d", k->sport, k->dport);
	CHECK(hl == 20 ? ref_ok4(o, o + 20, len, proto) :
	      ref_ok6(o, o + hl, len, proto), "proto %u len %zu: checksum",
	      proto, len);
	if (proto == P_UDP)
		CHECK(ref_get16(o + hl + 6), "UDP checksum 0");
	return true;
}

static const uint8_t protos[] = { P_UDP, P_TCP, P_UDPLITE, P_DCCP };

/*
 * RFC 7915 4.1, 4.5, 5.1: TCP, UDP, UDP-Lite, DCCP, random sizes and
 * fields, each way.
 */
static void test_l4(void)
{
	uint8_t p[1600], o[1700];
	struct xlat_pkt k;
	unsigned int i;

	for (i = 0; i < 800; i++) {
		uint8_t proto = protos[i % 4];
		struct b4 h = { .tos = (uint8_t)unit_rand(), .ttl = (uint8_t)unit_rand(),
				.proto = proto, .id = (uint16_t)unit_rand(),
				.fo = i & 8 ? 0x4000 : 0 };
		size_t len = 20 + unit_rand() % 1400, n;
		uint16_t sp = (uint16_t)unit_rand(), dp = (uint16_t)unit_rand();
		int r;

		rand_bytes(s6, 16);
		rand_bytes(d6, 16);
		if (i & 1) {	/* IPv6 -> IPv4 */
			b_ip6(p, h.tos, (uint32_t)unit_rand(), proto, h.ttl, s6,
			      d6, len);
			b_l4(p + 40, len, proto, sp, dp, i);
			ref_set_csum(p + 40, len, proto,
				     ref_pseudo6(s6, d6, proto, len));
			check_prefixes(p, 40 + len, true);
			r = to4(p, 40 + len, xlat_get32(s4), xlat_get32(d4), h.id,
				XLAT_CSUM_FIELD, o, &k);
			if (check_l4(r, &k, sp, dp, o, 20, len, proto))
				check_v4_hdr(o, h.tos, h.ttl, 20 + len, proto, h.id,
					     20 + len > 1260 ? 0x4000 : 0);
			continue;
		}
		rand_bytes(h.src, 4);
		rand_bytes(h.dst, 4);
		n = pkt4(p, &h, len, sp, dp, i);
		if (proto == P_UDP && ref_get16(p + 26) == 0)
			continue;
		check_prefixes(p, n, false);
		r = to6(p, n, s6, d6, XLAT_CSUM_FIELD, o, &k);
		if (!check_l4(r, &k, sp, dp, o, 40, len, proto))
			continue;
		CHECK(!k.frag && !k.icmp_error && k.l4_seen, "flags");
		check_v6_hdr(o, &h, len, proto);
	}
	addrs_init();
}

/*
 * CHECKSUM_PARTIAL: the field holds the pseudo-header sum; after the
 * translation, the new one.
 */
static void test_csum_pseudo(void)
{
	uint8_t p[200], o[260], proto;
	struct xlat_pkt k;
	unsigned int i;
	size_t len, n;

	for (i = 0; i < 200; i++) {
		struct b4 h = { .ttl = 64 };
		int at, r;
		uint16_t want, got;

		h.proto = proto = protos[i % 4];
		at = ref_csum_at(proto);
		len = 20 + i % 100;

		rand_bytes(h.src, 4);
		rand_bytes(h.dst, 4);
		rand_bytes(s6, 16);
		rand_bytes(d6, 16);
		n = pkt4(p, &h, len, 1000, 2000, i);
		ref_put16(p + 20 + at, ref_fold(ref_pseudo4(h.src, h.dst, proto, len)));
		if (proto == P_UDP && !ref_get16(p + 26))
			continue;	/* would read as "no checksum" */
		r = to6(p, n, s6, d6, XLAT_CSUM_PSEUDO, o, &k);
		CHECK(r > 0, "translated %d", r);
		want = ref_fold(ref_pseudo6(s6, d6, proto, len));
		got = ref_get16(o + 40 + at);
		CHECK(got == want || (!(got % 0xffff) && !(want % 0xffff)),
		      "4to6 proto %u: %#x, want %#x", proto, got, want);

		/* and back */
		memcpy(p, o, 40 + len);
		r = to4(p, 40 + len, xlat_get32(h.src), xlat_get32(h.dst), 1,
			XLAT_CSUM_PSEUDO, o, &k);
		CHECK(r > 0, "translated back %d", r);
		want = ref_fold(ref_pseudo4(h.src, h.dst, proto, len));
		got = ref_get16(o + 20 + at);
		CHECK(got == want || (!(got % 0xffff) && !(want % 0xffff)),
		      "6to4 proto %u: %#x, want %#x", proto, got, want);
	}
	addrs_init();
}

/*
 * A UDP datagram whose checksum computes to 0 after the translation is
 * sent with 0xffff (RFC 768; RFC 8200 8.1): a payload word chosen so.
 */
static void test_udp_never_zero(void)
{
	uint8_t p[200], o[260];
	struct b4 h = { .ttl = 9, .proto = P_UDP };
	struct xlat_pkt k;
	size_t len = 30, n;
	uint32_t s;
	int r;

	b4_addrs(&h);
	/* v4 -> v6: the IPv6 sum with the last word 0, then that word */
	b_l4(p + 20, len, P_UDP, 53, 53, 7);
	ref_put16(p + 20 + 6, 0);
	ref_put16(p + 20 + len - 2, 0);
	s = ref_fold(ref_add(ref_pseudo6(s6, d6, P_UDP, len), p + 20, len));
	ref_put16(p + 20 + len - 2, (uint16_t)~s);
	n = b_ip4(p, &h, len) + len;
	ref_set_csum(p + 20, len, P_UDP, ref_pseudo4(s4, d4, P_UDP, len));
	CHECK(ref_get16(p + 26) != 0xffff, "the IPv4 checksum is another");
	r = to6(p, n, s6, d6, XLAT_CSUM_FIELD, o, &k);
	CHECK(r == (int)(40 + len), "translated %d", r);
	CHECK(ref_get16(o + 46) == 0xffff, "4to6: UDP checksum %#x, want 0xffff",
	      ref_get16(o + 46));
	CHECK(ref_ok6(o, o + 40, len, P_UDP), "verifies");

	/* v6 -> v4 */
	b_ip6(p, 0, 0, P_UDP, 9, s6, d6, len);
	b_l4(p + 40, len, P_UDP, 53, 53, 9);
	ref_put16(p + 40 + 6, 0);
	ref_put16(p + 40 + len - 2, 0);
	s = ref_fold(ref_add(ref_pseudo4(s4, d4, P_UDP, len), p + 40, len));
	ref_put16(p + 40 + len - 2, (uint16_t)~s);
	ref_set_csum(p + 40, len, P_UDP, ref_pseudo6(s6, d6, P_UDP, len));
	r = to4(p, 40 + len, xlat_get32(s4), xlat_get32(d4), 5,
		XLAT_CSUM_FIELD, o, &k);
	CHECK(r == (int)(20 + len), "translated %d", r);
	CHECK(ref_get16(o + 26) == 0xffff, "6to4: UDP checksum %#x, want 0xffff",
	      ref_get16(o + 26));
	CHECK(ref_ok4(o, o + 20, len, P_UDP), "verifies");
}

/* RFC 7915 4.5: an IPv4 UDP checksum of 0 is left to the caller. */
static void test_udp_zero(void)
{
	uint8_t p[100], o[160];
	struct b4 h = { .ttl = 9, .proto = P_UDP };
	struct xlat_pkt k;
	size_t n;
	int r;

	b4_addrs(&h);
	n = pkt4(p, &h, 12, 4000, 53, 3);
	ref_put16(p + 26, 0);
	r = to6(p, n, s6, d6, XLAT_CSUM_FIELD, o, &k);
	CHECK(r == 52, "translated %d", r);
	CHECK(k.udp_zero, "udp_zero");
	CHECK(ref_get16(o + 46) == 0, "checksum left 0: %#x", ref_get16(o + 46));
	n = pkt4(p, &h, 12, 4000, 53, 3);
	CHECK(xlat4_parse(p, n, n, &k) == 0 && !k.udp_zero, "a checksum: not zero");
}

/* RFC 7915 5.1: DF is 0 up to 1260 bytes of IPv4 packet, 1 above. */
static void test_df_rule(void)
{
	static uint8_t p[1400], o[1400];
	struct xlat_pkt k;
	size_t len;

	for (len = 1230; len <= 1250; len++) {
		b_ip6(p, 0, 0, P_UDP, 64, s6, d6, len);
		b_l4(p + 40, len, P_UDP, 1, 2, (unsigned int)len);
		ref_set_csum(p + 40, len, P_UDP, ref_pseudo6(s6, d6, P_UDP, len));
		CHECK(to4(p, 40 + len, 1, 2, 77, XLAT_CSUM_FIELD, o, &k) > 0, "ok");
		CHECK((ref_get16(o + 6) == 0x4000) == (20 + len > 1260),
		      "IPv4 %zu bytes: flags %#x", 20 + len, ref_get16(o + 6));
	}
}

/* RFC 7915 4.1: IPv4 fragments get a Fragment Header (first: checksum
 * updated for the whole datagram; later: transport bytes untouched).
 */
static void test_frag_4to6(void)
{
	uint8_t whole[1000], p[1000], o[1100], back[1100];
	struct b4 h = { .tos = 0x28, .ttl = 30, .proto = P_UDP, .id = 0xbeef };
	struct xlat_pkt k;
	size_t len = 600, first = 400;	/* the first fragment: 400 bytes of UDP */
	int r;

	b4_addrs(&h);
	pkt4(whole, &h, len, 5000, 53, 11);

	/* first fragment: MF, offset 0 */
	h.fo = 0x2000;
	memcpy(p + 20, whole + 20, first);
	b_ip4(p, &h, first);
	r = to6(p, 20 + first, s6, d6, XLAT_CSUM_FIELD, o, &k);
	CHECK(r == (int)(48 + first), "translated %d", r);
	CHECK(k.frag && k.mf && !k.frag_off && k.l4_seen, "fragment facts");
	check_v6_hdr(o, &h, first + 8, 44);
	CHECK(o[40] == P_UDP && o[41] == 0, "fragment header: next header, reserved");
	CHECK(ref_get16(o + 42) == 1, "offset 0, M 1: %#x", ref_get16(o + 42));
	CHECK(ref_get32(o + 44) == 0xbeef, "identification %#x", ref_get32(o + 44));
	/* the checksum covers the reassembled datagram */
	memcpy(back, o + 48, first);
	memcpy(back + first, whole + 20 + first, len - first);
	CHECK(ref_ok6(o, back, len, P_UDP), "reassembled UDP verifies");

	/* later fragment: offset 400/8, no MF; transport bytes untouched */
	h.fo = (uint16_t)(first / 8);
	memcpy(p + 20, whole + 20 + first, len - first);
	b_ip4(p, &h, len - first);
	CHECK(xlat4_parse(p, 20, 20 + len - first, &k) == 0,
	      "the IPv4 header is enough");
	r = to6(p, 20 + len - first, s6, d6, XLAT_CSUM_FIELD, o, &k);
	CHECK(r == (int)(48 + len - first), "translated %d", r);
	CHECK(!k.l4_seen && k.sport == -1, "no transport header");
	CHECK(ref_get16(o + 4) == len - first + 8, "payload length");
	CHECK(o[6] == 44 && o[40] == P_UDP, "next headers");
	CHECK(ref_get16(o + 42) == first, "offset %u, M 0", ref_get16(o + 42));
	CHECK(!memcmp(o + 48, whole + 20 + first, len - first), "payload as is");

	/* a later fragment of ICMP too: no checksum to update */
	h.proto = P_ICMP;
	b_ip4(p, &h, len - first);
	CHECK(xlat4_parse(p, 20 + len - first, 20 + len - first, &k) ==
	      -XLAT_E_FRAG_ICMP, "fragmented ICMP");
	h.fo = 0x2000;
	b_echo(p + 20, 64, 8, 1, 1);
	b_ip4(p, &h, 64);
	CHECK(xlat4_parse(p, 84, 84, &k) == -XLAT_E_FRAG_ICMP, "first fragment of ICMP");

	/* DF alone is not a fragment: no Fragment Header */
	h.proto = P_UDP;
	h.fo = 0x4000;
	r = to6(p, pkt4(p, &h, 100, 1, 2, 3), s6, d6, XLAT_CSUM_FIELD, o, &k);
	CHECK(r == 140 && o[6] == P_UDP, "no Fragment Header for DF: %d", r);
}

static size_t frag6(uint8_t *p, uint8_t nh, uint16_t off_m, uint32_t id,
		    size_t len)
{
	b_ip6(p, 0x10, 0x12345, 44, 33, s6, d6, 8 + len);
	p[40] = nh;
	p[41] = 0;
	ref_put16(p + 42, off_m);
	ref_put32(p + 44, id);
	return 48 + len;
}

/* RFC 7915 5.1.1: the Fragment Header into the IPv4 header. */
static void test_frag_6to4(void)
{
	uint8_t whole[800], p[900], o[900], back[900];
	struct xlat_pkt k;
	size_t len = 700, first = 504;
	int r;

	b_l4(whole, len, P_TCP, 80, 4444, 5);
	ref_set_csum(whole, len, P_TCP, ref_pseudo6(s6, d6, P_TCP, len));

	frag6(p, P_TCP, 1, 0x12345678, first);
	memcpy(p + 48, whole, first);
	check_prefixes(p, 48 + first, true);
	r = to4(p, 48 + first, xlat_get32(s4), xlat_get32(d4), 9, XLAT_CSUM_FIELD,
		o, &k);
	CHECK(r == (int)(20 + first), "translated %d", r);
	check_v4_hdr(o, 0x10, 33, 20 + first, P_TCP, 0x5678, 0x2000);
	memcpy(back, o + 20, first);
	memcpy(back + first, whole + first, len - first);
	CHECK(ref_ok4(o, back, len, P_TCP), "reassembled TCP verifies");

	frag6(p, P_TCP, (uint16_t)first, 0x12345678, len - first);
	memcpy(p + 48, whole + first, len - first);
	check_prefixes(p, 48 + len - first, true);
	CHECK(xlat6_parse(p, 48, 48 + len - first, &k) == 0, "header enough");
	r = to4(p, 48 + len - first, xlat_get32(s4), xlat_get32(d4), 9,
		XLAT_CSUM_FIELD, o, &k);
	CHECK(r == (int)(20 + len - first), "translated %d", r);
	check_v4_hdr(o, 0x10, 33, 20 + len - first, P_TCP, 0x5678,
		     (uint16_t)(first / 8));
	CHECK(!memcmp(o + 20, whole + first, len - first), "payload as is");

	/* an atomic fragment (RFC 6946) is a whole packet, whose IPv4
	 * Identification is the low bits of its own (RFC 7915 5.1.1)
	 */
	frag6(p, P_TCP, 0, 0xabcdef01, len);
	memcpy(p + 48, whole, len);
	r = to4(p, 48 + len, xlat_get32(s4), xlat_get32(d4), 9, XLAT_CSUM_FIELD,
		o, &k);
	CHECK(r == (int)(20 + len), "translated %d", r);
	CHECK(!k.frag, "atomic: not a fragment");
	check_v4_hdr(o, 0x10, 33, 20 + len, P_TCP, 0xef01, 0);
	CHECK(ref_ok4(o, o + 20, len, P_TCP), "verifies");

	/* fragmented ICMPv6 */
	frag6(p, P_ICMP6, 1, 1, 64);
	b_echo(p + 48, 64, 128, 1, 1);
	CHECK(xlat6_parse(p, 112, 112, &k) == -XLAT_E_FRAG_ICMP, "first fragment");
	frag6(p, P_ICMP6, 64, 1, 64);
	CHECK(xlat6_parse(p, 112, 112, &k) == -XLAT_E_FRAG_ICMP, "later fragment");
	/* two Fragment Headers */
	frag6(p, 44, 1, 1, 72);
	p[48] = P_UDP;
	ref_put16(p + 50, 1);
	CHECK(xlat6_parse(p, 120, 120, &k) == -XLAT_E_MALFORMED, "two");
	/* a first fragment, then Destination Options: not translated */
	frag6(p, 60, 1, 1, 72);
	p[48] = P_UDP;
	p[49] = 0;
	CHECK(xlat6_parse(p, 120, 120, &k) == -XLAT_E_EXT_AFTER_FRAG,
	      "first fragment, then destination options");
	/* ... in a later fragment, those bytes are data */
	frag6(p, 60, 64, 1, 72);
	CHECK(xlat6_parse(p, 120, 120, &k) == 0, "later fragment: data");
}

/* RFC 7915 4.1: IPv4 options are ignored, unexpired source routes not. */
static void test_ip4_options(void)
{
	uint8_t p[200], o[260];
	static const uint8_t nop_rr[] = { 1, 7, 7, 4, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t lsrr_done[] = { 131, 7, 8, 10, 0, 0, 1, 0 };
	uint8_t lsrr[] = { 131, 7, 4, 10, 0, 0, 1, 0 };
	struct b4 h = { .tos = 4, .ttl = 200, .proto = P_TCP, .opt = nop_rr,
			.optlen = sizeof(nop_rr) };
	struct xlat_pkt k;
	size_t n;
	int r;

	b4_addrs(&h);
	n = pkt4(p, &h, 40, 22, 2222, 1);
	check_prefixes(p, n, false);
	r = to6(p, n, s6, d6, XLAT_CSUM_FIELD, o, &k);
	CHECK(r == 80 && k.l3_len == 32, "options dropped: %d", r);
	check_v6_hdr(o, &h, 40, P_TCP);
	CHECK(ref_ok6(o, o + 40, 40, P_TCP), "verifies");

	h.opt = lsrr_done;
	h.optlen = sizeof(lsrr_done);
	n = pkt4(p, &h, 40, 22, 2222, 1);
	CHECK(to6(p, n, s6, d6, XLAT_CSUM_FIELD, o, &k) == 80, "expired LSRR");

	h.opt = lsrr;
	h.optlen = sizeof(lsrr);
	n = pkt4(p, &h, 40, 22, 2222, 1);
	CHECK(xlat4_parse(p, n, n, &k) == -XLAT_E_SOURCE_ROUTE, "LSRR");
	lsrr[0] = 137;
	n = pkt4(p, &h, 40, 22, 2222, 1);
	CHECK(xlat4_parse(p, n, n, &k) == -XLAT_E_SOURCE_ROUTE, "SSRR");
	check_prefixes(p, n, false);
	lsrr[1] = 9;	/* past the header */
	n = pkt4(p, &h, 40, 22, 2222, 1);
	CHECK(xlat4_parse(p, n, n, &k) == -XLAT_E_MALFORMED, "option too long");
	lsrr[0] = 0;	/* end of options: the rest ignored */
	n = pkt4(p, &h, 40, 22, 2222, 1);
	CHECK(xlat4_parse(p, n, n, &k) == 0, "end of options");
}

/* An IPv6 packet with extension headers ext[0..elen) (first nh0). */
static size_t pkt6_ext(uint8_t *p, uint8_t nh0, const uint8_t *ext,
		       size_t elen, uint8_t proto, size_t len)
{
	b_ip6(p, 0, 0, nh0, 64, s6, d6, elen + len);
	memcpy(p + 40, ext, elen);
	b_l4(p + 40 + elen, len, proto, 7, 8, 1);
	ref_set_csum(p + 40 + elen, len, proto, ref_pseudo6(s6, d6, proto, len));
	return 40 + elen + len;
}

/* RFC 7915 5.1: Hop-by-Hop, Destination Options, Routing (segments left 0)
 * are dropped; segments left > 0: Parameter Problem at that field.
 */
static void test_ip6_ext(void)
{
	uint8_t ext[600] = {
		60, 0, 1, 4, 0, 0, 0, 0,			/* hop-by-hop */
		43, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* dst opts */
		P_UDP, 0, 0, 0, 0, 0, 0, 0,			/* routing, SL 0 */
	};
	uint8_t p[1000], o[1000];
	struct xlat_pkt k;
	size_t n, i;
	int r;

	n = pkt6_ext(p, 0, ext, 32, P_UDP, 100);
	check_prefixes(p, n, true);
	r = to4(p, n, xlat_get32(s4), xlat_get32(d4), 3, XLAT_CSUM_FIELD, o, &k);
	CHECK(r == 120 && k.l3_len == 72, "translated %d, l3 %u", r, k.l3_len);
	check_v4_hdr(o, 0, 64, 120, P_UDP, 3, 0);
	CHECK(ref_ok4(o, o + 20, 100, P_UDP), "verifies");

	ext[24 + 3] = 2;	/* segments left */
	n = pkt6_ext(p, 0, ext, 32, P_UDP, 100);
	CHECK(xlat6_parse(p, n, n, &k) == -XLAT_E_SEGMENTS_LEFT, "segments left");
	CHECK(k.bad_ptr == 40 + 24 + 3, "pointer %u", k.bad_ptr);
	check_prefixes(p, n, true);
	ext[24 + 3] = 0;

	/* hop-by-hop later than first */
	ext[0] = 0;
	n = pkt6_ext(p, 0, ext, 32, P_UDP, 100);
	CHECK(xlat6_parse(p, n, n, &k) == -XLAT_E_MALFORMED, "hop-by-hop second");
	ext[0] = 60;

	/* an extension header longer than the packet */
	ext[9] = 50;
	n = pkt6_ext(p, 0, ext, 32, P_UDP, 100);
	CHECK(xlat6_parse(p, n, n, &k) == -XLAT_E_MALFORMED, "too long");
	ext[9] = 1;

	/* XLAT_EXT_MAX bytes of extension headers are walked; more not */
	for (i = 0; i < 600; i += 8) {
		memset(ext + i, 0, 8);
		ext[i] = 60;
	}
	ext[XLAT_EXT_MAX - 8] = P_UDP;
	n = pkt6_ext(p, 60, ext, XLAT_EXT_MAX, P_UDP, 100);
	CHECK(xlat6_parse(p, n, n, &k) == 0 && k.l3_len == 40 + XLAT_EXT_MAX,
	      "%d headers", XLAT_EXT_MAX / 8);
	ext[XLAT_EXT_MAX - 8] = 60;
	ext[XLAT_EXT_MAX + 8] = P_UDP;
	n = pkt6_ext(p, 60, ext, XLAT_EXT_MAX + 16, P_UDP, 100);
	CHECK(xlat6_parse(p, n, n, &k) == -XLAT_E_EXT_HEADERS, "too many");
	check_prefixes(p, n, true);

	/* no next header: nothing to update */
	b_ip6(p, 0, 0, 59, 64, s6, d6, 10);
	CHECK(xlat6_parse(p, 50, 50, &k) == 0 && k.proto == 59, "no next header");
}

static void test_malformed(void)
{
	uint8_t p[200];
	struct b4 h = { .ttl = 9, .proto = P_UDP };
	struct xlat_pkt k;
	size_t n;

	b4_addrs(&h);
	n = pkt4(p, &h, 20, 1, 2, 1);
	CHECK(xlat4_parse(p, n, n - 1, &k) == -XLAT_E_MALFORMED, "total > packet");
	CHECK(xlat4_parse(p, n, 19, &k) == -XLAT_E_MALFORMED, "short");
	p[0] = 0x44;
	CHECK(xlat4_parse(p, n, n, &k) == -XLAT_E_MALFORMED, "IHL 4");
	p[0] = 0x65;
	CHECK(xlat4_parse(p, n, n, &k) == -XLAT_E_MALFORMED, "version 6");
	n = pkt4(p, &h, 6, 1, 2, 1);	/* UDP cut before its checksum */
	CHECK(xlat4_parse(p, n, n, &k) == -XLAT_E_MALFORMED, "short UDP");
	check_prefixes(p, n, false);

	b_ip6(p, 0, 0, P_UDP, 1, s6, d6, 20);
	CHECK(xlat6_parse(p, 60, 59, &k) == -XLAT_E_MALFORMED, "payload > packet");
	CHECK(xlat6_parse(p, 60, 39, &k) == -XLAT_E_MALFORMED, "short");
	p[0] = 0x40;
	CHECK(xlat6_parse(p, 60, 60, &k) == -XLAT_E_MALFORMED, "version 4");
	b_ip6(p, 0, 0, P_UDP, 1, s6, d6, 0);
	CHECK(xlat6_parse(p, 60, 60, &k) == -XLAT_E_MALFORMED, "jumbogram");
	b_ip6(p, 0, 0, P_TCP, 1, s6, d6, 17);
	CHECK(xlat6_parse(p, 57, 57, &k) == -XLAT_E_MALFORMED, "short TCP");
	b_ip6(p, 0, 0, P_TCP, 1, s6, d6, 18);
	CHECK(xlat6_parse(p, 58, 58, &k) == 0, "TCP to its checksum");
}

/* RFC 7915 4.2, 5.2: echo request/reply, identifier as both ports. */
static void test_echo(void)
{
	static const uint8_t t4[] = { 8, 0 }, t6[] = { 128, 129 };
	uint8_t p[200], o[260];
	struct b4 h = { .tos = 0, .ttl = 64, .proto = P_ICMP };
	struct xlat_pkt k;
	unsigned int i;
	size_t n, len;
	int r;

	b4_addrs(&h);
	for (i = 0; i < 40; i++) {
		len = 8 + i * 3;
		b_echo(p + 20, len, t4[i & 1], (uint16_t)(0x1234 + i), i);
		b_ip4(p, &h, len);
		ref_set_csum(p + 20, len, P_ICMP, 0);
		n = 20 + len;
		check_prefixes(p, n, false);
		r = to6(p, n, s6, d6, XLAT_CSUM_FIELD, o, &k);
		CHECK(r == (int)(40 + len), "translated %d", r);
		CHECK(k.sport == 0x1234 + (int)i && k.dport == k.sport, "id as ports");
		check_v6_hdr(o, &h, len, P_ICMP6);
		CHECK(o[40] == t6[i & 1] && o[41] == 0, "type %u", o[40]);
		CHECK(ref_ok6(o, o + 40, len, P_ICMP6), "len %zu: ICMPv6 checksum", len);
		CHECK(ref_get16(o + 44) == 0x1234 + i, "identifier kept");

		/* and back */
		memcpy(p, o, 40 + len);
		r = to4(p, 40 + len, xlat_get32(s4), xlat_get32(d4), 1,
			XLAT_CSUM_FIELD, o, &k);
		CHECK(r == (int)(20 + len), "back %d", r);
		check_v4_hdr(o, 0, 64, 20 + len, P_ICMP, 1, 0);
		CHECK(o[20] == t4[i & 1] && o[21] == 0, "type %u", o[20]);
		CHECK(ref_ok4(o, o + 20, len, P_ICMP), "len %zu: ICMP checksum", len);
	}

	/* other informational messages: dropped */
	for (i = 0; i < 256; i++) {
		bool echo = i == 0 || i == 8, err = i == 3 || i == 11 || i == 12;

		b_echo(p + 20, 36, (uint8_t)i, 1, 1);
		b_ip4(p, &h, 36);
		r = xlat4_parse(p, 56, 56, &k);
		if (echo || err)
			CHECK(r == 0 && k.icmp_error == err, "ICMPv4 type %u: %d", i, r);
		else
			CHECK(r == -XLAT_E_ICMP_TYPE, "ICMPv4 type %u: %d", i, r);

		echo = i == 128 || i == 129;
		err = i >= 1 && i <= 4;
		b_ip6(p, 0, 0, P_ICMP6, 5, s6, d6, 48);
		b_echo(p + 40, 48, (uint8_t)i, 1, 1);
		r = xlat6_parse(p, 88, 88, &k);
		if (echo || err)
			CHECK(r == 0 && k.icmp_error == err, "ICMPv6 type %u: %d", i, r);
		else
			CHECK(r == -XLAT_E_ICMP_TYPE, "ICMPv6 type %u: %d", i, r);
	}
	/* ICMPv4 in IPv6, ICMPv6 in IPv4 */
	b_ip6(p, 0, 0, P_ICMP, 5, s6, d6, 48);
	CHECK(xlat6_parse(p, 88, 88, &k) == -XLAT_E_ICMP_TYPE, "ICMPv4 in IPv6");
	h.proto = P_ICMP6;
	b_ip4(p, &h, 36);
	CHECK(xlat4_parse(p, 56, 56, &k) == -XLAT_E_ICMP_TYPE, "ICMPv6 in IPv4");
}

/*
 * An echo reply of zeros (identifier, sequence, data): its ICMPv4 words sum
 * to +0, so only a checksum of 0xffff verifies (RFC 1624 section 3).
 */
static void test_echo_zero(void)
{
	uint8_t p[100], o[100];
	struct xlat_pkt k;
	size_t len;
	int r;

	for (len = 8; len <= 32; len += 8) {
		b_ip6(p, 0, 0, P_ICMP6, 64, s6, d6, len);
		memset(p + 40, 0, len);
		p[40] = 129;
		ref_set_csum(p + 40, len, P_ICMP6, ref_pseudo6(s6, d6, P_ICMP6, len));
		r = to4(p, 40 + len, xlat_get32(s4), xlat_get32(d4), 1,
			XLAT_CSUM_FIELD, o, &k);
		CHECK(r == (int)(20 + len) && o[20] == 0, "translated %d", r);
		CHECK(ref_ok4(o, o + 20, len, P_ICMP), "len %zu: checksum %#x", len,
		      ref_get16(o + 22));
	}
}

/* Other transports: header translated, transport bytes untouched. */
static void test_other_proto(void)
{
	uint8_t p[200], o[260];
	struct b4 h = { .ttl = 3, .proto = 47 };
	struct xlat_pkt k;
	size_t n;

	b4_addrs(&h);
	n = pkt4(p, &h, 3, 0, 0, 1);
	CHECK(to6(p, n, s6, d6, XLAT_CSUM_FIELD, o, &k) == 43, "GRE");
	CHECK(o[6] == 47 && !memcmp(o + 40, p + 20, 3), "as is");
	CHECK(k.sport == -1 && k.dport == -1, "no ports");
}

int main(void)
{
	addrs_init();
	RUN(test_l4);
	RUN(test_csum_pseudo);
	RUN(test_udp_never_zero);
	RUN(test_udp_zero);
	RUN(test_df_rule);
	RUN(test_frag_4to6);
	RUN(test_frag_6to4);
	RUN(test_ip4_options);
	RUN(test_ip6_ext);
	RUN(test_malformed);
	RUN(test_echo);
	RUN(test_echo_zero);
	RUN(test_other_proto);
	UNIT_END();
}
