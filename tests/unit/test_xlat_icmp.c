// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the RFC 7915 ICMP error translation (kernel/xlat_icmp.c):
 * errors built byte by byte, every type/code row of RFC 7915 sections 4.2
 * and 5.2, the Parameter Problem pointers (Figures 3 and 6), Packet Too
 * Big <-> Fragmentation Needed MTUs, the quoted packet, size limits and
 * RFC 4884 extensions; checksums verified from scratch. Inputs and outputs
 * are heap buffers of their exact size, so ASan sees any overrun.
 */
#include <arpa/inet.h>
#include <string.h>

#include "xlat_icmp.h"
#include "unit.h"
#include "xlat_build.h"

/* The router rtr reports on a packet host -> far. */
static const uint8_t rtr4[4] = { 198, 51, 100, 1 }, host4[4] = { 192, 0, 2, 1 };
static const uint8_t far4[4] = { 203, 0, 113, 5 };
static uint8_t rtr6[16], host6[16], far6[16];

static void addrs_init(void)
{
	inet_pton(AF_INET6, "64:ff9b::c633:6401", rtr6);
	inet_pton(AF_INET6, "2001:db8:c000:201::1", host6);
	inet_pton(AF_INET6, "64:ff9b::cb00:7105", far6);
}

/* The original IPv4 packet host -> far: proto, len transport bytes. */
static size_t orig4(uint8_t *p, uint8_t proto, size_t len, uint16_t fo)
{
	struct b4 h = { .tos = 0x48, .ttl = 1, .proto = proto, .id = 0x1111,
			.fo = fo };
	unsigned int hl;

	memcpy(h.src, host4, 4);
	memcpy(h.dst, far4, 4);
	if (proto == P_ICMP)
		b_echo(p + 20, len, 8, 0x4321, 3);
	else
		b_l4(p + 20, len, proto, 4000, 53, 3);
	hl = b_ip4(p, &h, len);
	ref_set_csum(p + hl, len, proto, proto == P_ICMP ? 0 :
		     ref_pseudo4(host4, far4, proto, len));
	return hl + len;
}

/* The original IPv6 packet host -> far. */
static size_t orig6(uint8_t *p, uint8_t proto, size_t len)
{
	b_ip6(p, 0x48, 0xabcde, proto, 1, host6, far6, len);
	if (proto == P_ICMP6)
		b_echo(p + 40, len, 128, 0x4321, 3);
	else
		b_l4(p + 40, len, proto, 4000, 53, 3);
	ref_set_csum(p + 40, len, proto, ref_pseudo6(host6, far6, proto, len));
	return 40 + len;
}

/* An ICMP error header (checksum 0), the quoted bytes, the extension. */
static void icmp_err(uint8_t *ic, uint8_t type, uint8_t code, uint32_t rest,
		     const uint8_t *q, size_t qlen, const uint8_t *ext,
		     size_t elen)
{
	ic[0] = type;
	ic[1] = code;
	ic[2] = ic[3] = 0;
	ref_put32(ic + 4, rest);
	memcpy(ic + 8, q, qlen);
	if (elen)
		memcpy(ic + 8 + qlen, ext, elen);
}

/* An ICMPv4 error rtr -> host: bytes 4..7 rest, quoting q, then ext. */
static size_t err4(uint8_t *p, uint8_t type, uint8_t code, uint32_t rest,
		   const uint8_t *q, size_t qlen, const uint8_t *ext, size_t elen)
{
	struct b4 h = { .tos = 0xc0, .ttl = 60, .proto = P_ICMP, .id = 0x4242 };
	size_t len = 8 + qlen + elen;
	uint8_t *ic = p + 20;

	memcpy(h.src, rtr4, 4);
	memcpy(h.dst, host4, 4);
	icmp_err(ic, type, code, rest, q, qlen, ext, elen);
	b_ip4(p, &h, len);
	ref_set_csum(ic, len, P_ICMP, 0);
	return 20 + len;
}

static size_t err6(uint8_t *p, uint8_t type, uint8_t code, uint32_t rest,
		   const uint8_t *q, size_t qlen, const uint8_t *ext, size_t elen)
{
	size_t len = 8 + qlen + elen;
	uint8_t *ic = p + 40;

	b_ip6(p, 0xc0, 0x777, P_ICMP6, 60, rtr6, host6, len);
	icmp_err(ic, type, code, rest, q, qlen, ext, elen);
	ref_set_csum(ic, len, P_ICMP6, ref_pseudo6(rtr6, host6, P_ICMP6, len));
	return 40 + len;
}

static uint8_t *dup(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	memcpy(c, p, n);
	return c;
}

/*
 * Parse and translate p[0..n) (IPv6 if a4) into out (cap bytes): the
 * length, or < 0. Input and output in heap buffers of their exact size.
 */
static int xl(const uint8_t *p, size_t n, const struct xlat_err_addrs4 *a4,
	      const struct xlat_err_addrs6 *a6, uint8_t *out, size_t cap,
	      struct xlat_icmp_err *e)
{
	uint8_t *in = dup(p, n), *o = malloc(cap);
	int r;

	memset(e, 0, sizeof(*e));
	r = a4 ? xlat6_parse(in, n, n, &e->outer) : xlat4_parse(in, n, n, &e->outer);
	if (r > 0)
		r = -100;
	if (!r && !e->outer.icmp_error)
		r = -101;
	if (!r)
		r = a4 ? xlat_icmp6_err_parse(in, n, e) :
		    xlat_icmp4_err_parse(in, n, e);
	if (!r)
		r = a4 ? xlat_icmp6_err_to4(in, n, e, a4, o, cap) :
		    xlat_icmp4_err_to6(in, n, e, a6, o, cap);
	else if (r > 0)
		r = -102;	/* err_parse: 0 or -enum xlat_err only */
	if (r > 0)
		memcpy(out, o, (size_t)r);
	free(in);
	free(o);
	return r;
}

static int xl4to6(const uint8_t *p, size_t n, uint32_t mtu6, uint8_t *out,
		  size_t cap, struct xlat_icmp_err *e)
{
	struct xlat_err_addrs6 a = { .mtu6 = mtu6 };

	memcpy(a.src, rtr6, 16);
	memcpy(a.dst, host6, 16);
	memcpy(a.qsrc, host6, 16);
	memcpy(a.qdst, far6, 16);
	return xl(p, n, NULL, &a, out, cap, e);
}

static int xl6to4(const uint8_t *p, size_t n, uint32_t mtu4, uint8_t *out,
		  size_t cap, struct xlat_icmp_err *e)
{
	struct xlat_err_addrs4 a = { .id = 0x7777, .mtu4 = mtu4 };

	a.src = xlat_get32(rtr4);
	a.dst = xlat_get32(host4);
	a.qsrc = xlat_get32(host4);
	a.qdst = xlat_get32(far4);
	return xl(p, n, &a, NULL, out, cap, e);
}

/* The outer IPv6 header and ICMPv6 checksum of a translated error. */
static void check_outer6(const uint8_t *o, int r)
{
	CHECK(o[0] == 0x6c && o[1] == 0 && !o[2] && !o[3],
	      "version 6, traffic class 0xc0, flow 0: %02x%02x%02x%02x",
	      o[0], o[1], o[2], o[3]);
	CHECK(ref_get16(o + 4) == r - 40, "payload length %u of %d",
	      ref_get16(o + 4), r);
	CHECK(o[6] == P_ICMP6 && o[7] == 60, "next header %u, hop limit %u",
	      o[6], o[7]);
	CHECK(!memcmp(o + 8, rtr6, 16) && !memcmp(o + 24, host6, 16), "addresses");
	CHECK(ref_ok6(o, o + 40, (size_t)r - 40, P_ICMP6), "ICMPv6 checksum");
	CHECK(r <= XLAT_ICMP6_ERR_MAX, "%d bytes", r);
}

static void check_outer4(const uint8_t *o, int r)
{
	CHECK(o[0] == 0x45 && o[1] == 0xc0, "version/IHL, TOS");
	CHECK(ref_get16(o + 2) == r, "total length %u of %d", ref_get16(o + 2), r);
	CHECK(ref_get16(o + 4) == 0x7777 && ref_get16(o + 6) == 0,
	      "id %#x, flags %#x", ref_get16(o + 4), ref_get16(o + 6));
	CHECK(o[8] == 60 && o[9] == P_ICMP, "TTL %u, protocol %u", o[8], o[9]);
	CHECK(ref_ip4_ok(o), "IPv4 header checksum");
	CHECK(!memcmp(o + 12, rtr4, 4) && !memcmp(o + 16, host4, 4), "addresses");
	CHECK(ref_ok4(o, o + 20, (size_t)r - 20, P_ICMP), "ICMP checksum");
	CHECK(r <= XLAT_ICMP4_ERR_MAX, "%d bytes", r);
}

/*
 * The quoted packet of a 4to6 error: q (IPv6, qn bytes there) translated
 * from orig (IPv4, whole: on bytes); its transport checksum the one of
 * the whole translated packet.
 */
static void check_quoted6(const uint8_t *q, size_t qn, const uint8_t *orig,
			  size_t on)
{
	unsigned int ihl = (orig[0] & 15) * 4u, fh = 0;
	size_t len = on - ihl;
	uint8_t proto = orig[9], whole[1600];
	uint16_t fo = ref_get16(orig + 6);
	int at = ref_csum_at(proto);
	size_t reach = proto == P_ICMP ? 8 : (size_t)at + 2;

	if (fo & 0x3fff) {
		fh = 8;
		CHECK(q[6] == 44 && q[40] == (proto == P_ICMP ? P_ICMP6 : proto),
		      "Fragment Header");
		CHECK(ref_get16(q + 42) == ((fo & 0x1fff) << 3 | !!(fo & 0x2000)),
		      "offset, M");
	} else {
		CHECK(q[6] == (proto == P_ICMP ? P_ICMP6 : proto), "next header %u",
		      q[6]);
	}
	CHECK(q[0] >> 4 == 6 && ((q[0] & 15) << 4 | q[1] >> 4) == orig[1] &&
	      !(q[1] & 15) && !q[2] && !q[3], "version, traffic class, flow");
	CHECK(ref_get16(q + 4) == len + fh, "quoted payload length %u, want %zu",
	      ref_get16(q + 4), len + fh);
	CHECK(q[7] == orig[8], "hop limit");
	CHECK(!memcmp(q + 8, host6, 16) && !memcmp(q + 24, far6, 16),
	      "quoted addresses");
	if (qn < 40 + fh + reach || (fo & 0x1fff)) {
		/* cut before its checksum, or a later fragment: as it was */
		CHECK(!memcmp(q + 40 + fh, orig + ihl, qn - 40 - fh), "bytes as is");
		return;
	}
	/* whole translated transport: the rest from the original */
	memcpy(whole, q + 40 + fh, qn - 40 - fh);
	if (len > qn - 40 - fh)
		memcpy(whole + qn - 40 - fh, orig + ihl + qn - 40 - fh,
		       len - (qn - 40 - fh));
	if (proto == P_ICMP)
		CHECK(whole[0] == 128, "echo request type %u", whole[0]);
	if (!(fo & 0x2000))
		CHECK(ref_ok6(q, whole, len, proto == P_ICMP ? P_ICMP6 : proto),
		      "quoted transport checksum (%zu of %zu bytes)", qn, on);
	CHECK(!memcmp(whole + at + 2, orig + ihl + at + 2,
		      qn - 40 - fh - (size_t)at - 2), "after the checksum: as is");
}

static void check_quoted4(const uint8_t *q, size_t qn, const uint8_t *orig,
			  size_t on, unsigned int l3, uint8_t proto, bool frag)
{
	size_t len = on - l3;
	size_t reach = proto == P_ICMP6 ? 8 : (size_t)ref_csum_at(proto) + 2;
	uint8_t whole[1600];
	CHECK(q[0] == 0x45 && q[1] == 0x48, "version, TOS %#x", q[1]);
	CHECK(ref_get16(q + 2) == 20 + len, "quoted total length %u, want %zu",
	      ref_get16(q + 2), 20 + len);
	CHECK(q[8] == 1 && q[9] == (proto == P_ICMP6 ? P_ICMP : proto),
	      "TTL, protocol %u", q[9]);
	CHECK(ref_ip4_ok(q), "quoted header checksum");
	CHECK(!memcmp(q + 12, host4, 4) && !memcmp(q + 16, far4, 4),
	      "quoted addresses");
	if (qn < 20 + reach) {
		CHECK(!memcmp(q + 20, orig + l3, qn - 20), "bytes as is");
		return;
	}
	memcpy(whole, q + 20, qn - 20);
	if (len > qn - 20)
		memcpy(whole + qn - 20, orig + l3 + qn - 20, len - (qn - 20));
	if (proto == P_ICMP6)
		CHECK(whole[0] == 8, "echo request type %u", whole[0]);
	if (!frag)
		CHECK(ref_ok4(q, whole, len, proto == P_ICMP6 ? P_ICMP : proto),
		      "quoted transport checksum (%zu of %zu bytes)", qn, on);
}

struct row {
	uint8_t	type, code;
	int	t, c;		/* translated; t < 0: dropped */
	int	param;		/* pointer/MTU field; -1: 0 */
};

/* RFC 7915 section 4.2, ICMPv4 -> ICMPv6. */
static const struct row rows4[] = {
	{ 3, 0, 1, 0, -1 }, { 3, 1, 1, 0, -1 },
	{ 3, 2, 4, 1, 6 },		/* protocol: pointer to Next Header */
	{ 3, 3, 1, 4, -1 },
	{ 3, 4, 2, 0, 1280 },		/* MTU 1000 + 20: not below 1280 */
	{ 3, 5, 1, 0, -1 }, { 3, 6, 1, 0, -1 }, { 3, 7, 1, 0, -1 },
	{ 3, 8, 1, 0, -1 }, { 3, 9, 1, 1, -1 }, { 3, 10, 1, 1, -1 },
	{ 3, 11, 1, 0, -1 }, { 3, 12, 1, 0, -1 }, { 3, 13, 1, 1, -1 },
	{ 3, 14, -1, 0, 0 }, { 3, 15, 1, 1, -1 }, { 3, 16, -1, 0, 0 },
	{ 3, 255, -1, 0, 0 },
	{ 11, 0, 3, 0, -1 }, { 11, 1, 3, 1, -1 }, { 11, 2, -1, 0, 0 },
	{ 12, 0, 4, 0, 24 },		/* pointer 16: destination address */
	{ 12, 1, -1, 0, 0 },		/* missing option */
	{ 12, 2, 4, 0, 24 }, { 12, 3, -1, 0, 0 },
	{ 4, 0, -1, 0, 0 }, { 5, 0, -1, 0, 0 }, { 5, 1, -1, 0, 0 },
	{ 9, 0, -1, 0, 0 }, { 10, 0, -1, 0, 0 }, { 13, 0, -1, 0, 0 },
	{ 14, 0, -1, 0, 0 }, { 15, 0, -1, 0, 0 }, { 17, 0, -1, 0, 0 },
	{ 6, 0, -1, 0, 0 }, { 2, 0, -1, 0, 0 }, { 40, 0, -1, 0, 0 },
};

/* RFC 7915 section 5.2, ICMPv6 -> ICMPv4. */
static const struct row rows6[] = {
	{ 1, 0, 3, 1, -1 }, { 1, 1, 3, 10, -1 }, { 1, 2, 3, 1, -1 },
	{ 1, 3, 3, 1, -1 }, { 1, 4, 3, 3, -1 }, { 1, 5, -1, 0, 0 },
	{ 1, 6, -1, 0, 0 }, { 1, 7, -1, 0, 0 },
	{ 2, 0, 3, 4, 1000 - 20 },	/* MTU 1000 */
	{ 3, 0, 11, 0, -1 }, { 3, 1, 11, 1, -1 }, { 3, 2, -1, 0, 0 },
	{ 4, 0, 12, 0, 16 },		/* pointer 24: destination address */
	{ 4, 1, 3, 2, -1 },		/* next header: protocol unreachable */
	{ 4, 2, -1, 0, 0 }, { 4, 3, -1, 0, 0 },
	{ 0, 0, -1, 0, 0 }, { 5, 0, -1, 0, 0 }, { 100, 0, -1, 0, 0 },
	{ 127, 0, -1, 0, 0 },
};

/*
 * A row's error dropped as it should be, or translated into want bytes
 * with the row's type and code at ic; true: check the rest.
 */
static bool row_ok(const struct row *w, int r, int want, const uint8_t *ic)
{
	if (w->t < 0) {
		CHECK(r == -XLAT_E_ICMP_TYPE, "%u/%u: dropped, got %d", w->type,
		      w->code, r);
		return false;
	}
	CHECK(r == want, "%u/%u: translated %d", w->type, w->code, r);
	if (r < 0)
		return false;
	CHECK(ic[0] == w->t && ic[1] == w->c, "%u/%u -> %u/%u, want %d/%d",
	      w->type, w->code, ic[0], ic[1], w->t, w->c);
	return true;
}

static void test_types_4to6(void)
{
	uint8_t q[200], p[300], o[400];
	struct xlat_icmp_err e;
	size_t qn = orig4(q, P_UDP, 100, 0), n, i;
	uint32_t rest;
	int r;

	for (i = 0; i < sizeof(rows4) / sizeof(rows4[0]); i++) {
		const struct row *w = &rows4[i];

		rest = w->type == 12 ? 16u << 24 : w->type == 3 && w->code == 4 ?
		       1000 : 0;
		n = err4(p, w->type, w->code, rest, q, qn, NULL, 0);
		r = xl4to6(p, n, 0, o, 1280, &e);
		if (!row_ok(w, r, 48 + 40 + 100, o + 40))
			continue;
		CHECK(ref_get32(o + 44) == (uint32_t)(w->param < 0 ? 0 : w->param),
		      "%u/%u: field %#x, want %#x", w->type, w->code,
		      ref_get32(o + 44), w->param);
		check_outer6(o, r);
		check_quoted6(o + 48, (size_t)r - 48, q, qn);
	}
}

static void test_types_6to4(void)
{
	uint8_t q[200], p[300], o[400];
	struct xlat_icmp_err e;
	size_t qn = orig6(q, P_UDP, 100), n, i;
	uint32_t rest;
	int r;

	for (i = 0; i < sizeof(rows6) / sizeof(rows6[0]); i++) {
		const struct row *w = &rows6[i];

		rest = w->type == 4 ? 24 : w->type == 2 ? 1000 : 0;
		n = err6(p, w->type, w->code, rest, q, qn, NULL, 0);
		r = xl6to4(p, n, 0, o, 576, &e);
		if (!row_ok(w, r, 28 + 20 + 100, o + 20))
			continue;
		if (w->t == 12)
			CHECK(o[24] == w->param && !o[25] && !ref_get16(o + 26),
			      "pointer %u, want %d", o[24], w->param);
		else if (w->t == 3 && w->c == 4)
			CHECK(ref_get32(o + 24) == (uint32_t)w->param, "MTU %u",
			      ref_get32(o + 24));
		else
			CHECK(ref_get32(o + 24) == 0, "unused %#x", ref_get32(o + 24));
		check_outer4(o, r);
		check_quoted4(o + 28, (size_t)r - 28, q, qn, 40, P_UDP, false);
	}
}

/* RFC 7915 Figure 3 (4 -> 6) and Figure 6 (6 -> 4). */
static int fig3(unsigned int p)
{
	static const int8_t t[20] = { 0, 1, 4, 4, -1, -1, -1, -1, 7, 6, -1, -1,
				      8, 8, 8, 8, 24, 24, 24, 24 };

	return p < 20 ? t[p] : -1;
}

static int fig6(uint32_t p)
{
	static const int8_t t[8] = { 0, 1, -1, -1, 2, 2, 9, 8 };

	if (p < 8)
		return t[p];
	return p < 24 ? 12 : p < 40 ? 16 : -1;
}

static void test_pointers(void)
{
	static const uint32_t big6[] = { 40, 41, 255, 256, 0x10000, 0x80000000,
					 0xffffffff };
	uint8_t q[200], p[300], o[400];
	struct xlat_icmp_err e;
	size_t qn = orig4(q, P_TCP, 40, 0), n;
	unsigned int ptr, code;
	int r;

	for (code = 0; code <= 2; code += 2)
		for (ptr = 0; ptr < 256; ptr++) {
			n = err4(p, 12, (uint8_t)code, ptr << 24, q, qn, NULL, 0);
			r = xl4to6(p, n, 0, o, 1280, &e);
			if (fig3(ptr) < 0) {
				CHECK(r == -XLAT_E_ICMP_TYPE, "pointer %u: dropped, %d",
				      ptr, r);
				continue;
			}
			CHECK(r > 0 && o[40] == 4 && o[41] == 0 &&
			      ref_get32(o + 44) == (uint32_t)fig3(ptr),
			      "code %u pointer %u -> %u, want %d", code, ptr,
			      ref_get32(o + 44), fig3(ptr));
		}

	qn = orig6(q, P_TCP, 40);
	for (ptr = 0; ptr < 48 + sizeof(big6) / 4; ptr++) {
		uint32_t v = ptr < 48 ? ptr : big6[ptr - 48];

		n = err6(p, 4, 0, v, q, qn, NULL, 0);
		r = xl6to4(p, n, 0, o, 576, &e);
		if (fig6(v) < 0) {
			CHECK(r == -XLAT_E_ICMP_TYPE, "pointer %u: dropped, %d", v, r);
			continue;
		}
		CHECK(r > 0 && o[20] == 12 && o[21] == 0 && o[24] == fig6(v),
		      "pointer %u -> %u, want %d", v, o[24], fig6(v));
	}
}

/* Fragmentation Needed -> Packet Too Big (RFC 7915 4.2) and back (5.2). */
static void test_mtu(void)
{
	static const struct { uint16_t mtu, tot, fo; uint32_t mtu6, want; } m4[] = {
		{ 1400, 1500, 0x4000, 0, 1420 },
		{ 1400, 1500, 0x2000, 0, 1428 },	/* a fragment: + 8 */
		{ 1400, 1500, 0x4000, 1300, 1300 },	/* the caller's less */
		{ 1400, 1500, 0x4000, 2000, 1420 },
		{ 0, 1500, 0x4000, 0, 1492 },		/* RFC 1191 plateaus, */
		{ 0, 2000, 0x4000, 0, 1492 },		/* sent as they are */
		{ 0, 4400, 0x4000, 0, 4352 },
		{ 0, 9000, 0x4000, 0, 8166 },
		{ 0, 17915, 0x4000, 0, 17914 },
		{ 0, 65535, 0x4000, 0, 32000 },
		{ 0, 1500, 0x4000, 1400, 1400 },
		{ 0, 297, 0x4000, 0, 1280 },		/* not below 1280 */
		{ 0, 1492, 0x4000, 0, 1280 },		/* the lowest */
		{ 65535, 1500, 0x4000, 0, 65535 + 20 },
	};
	static const struct { uint32_t mtu; bool frag; uint32_t mtu4, want; } m6[] = {
		{ 1500, false, 0, 1480 },
		{ 1500, true, 0, 1472 },		/* Fragment Header: - 28 */
		{ 1500, false, 1400, 1400 },
		{ 1500, false, 1490, 1480 },
		{ 0x12345678, false, 0, 0xffff },
		{ 0x12345678, false, 9000, 9000 },
		{ 10, false, 0, 0 },
		{ 1280, false, 0, 1260 },
	};
	uint8_t q[200], p[300], o[400];
	struct xlat_icmp_err e;
	size_t qn, n, i;
	int r;

	for (i = 0; i < sizeof(m4) / sizeof(m4[0]); i++) {
		qn = orig4(q, P_UDP, 60, m4[i].fo);
		ref_put16(q + 2, m4[i].tot);	/* the original was longer */
		ref_put16(q + 10, 0);
		ref_put16(q + 10, (uint16_t)~ref_fold(ref_add(0, q, 20)));
		n = err4(p, 3, 4, m4[i].mtu, q, qn, NULL, 0);
		r = xl4to6(p, n, m4[i].mtu6, o, 1280, &e);
		CHECK(r > 0 && o[40] == 2 && o[41] == 0, "%zu: Packet Too Big, %d",
		      i, r);
		CHECK(ref_get32(o + 44) == m4[i].want, "%zu: MTU %u, want %u", i,
		      ref_get32(o + 44), m4[i].want);
		if (r > 0)
			CHECK(ref_get16(o + 48 + 4) == m4[i].tot - 20 +
			      (m4[i].fo & 0x2000 ? 8 : 0), "quoted length");
	}
	for (i = 0; i < sizeof(m6) / sizeof(m6[0]); i++) {
		if (m6[i].frag) {
			b_ip6(q, 0x48, 0, 44, 1, host6, far6, 68);
			q[40] = P_UDP;
			q[41] = 0;
			ref_put16(q + 42, 1);
			ref_put32(q + 44, 99);
			b_l4(q + 48, 60, P_UDP, 1, 2, 3);
			qn = 108;
		} else {
			qn = orig6(q, P_UDP, 60);
		}
		n = err6(p, 2, 0, m6[i].mtu, q, qn, NULL, 0);
		r = xl6to4(p, n, m6[i].mtu4, o, 576, &e);
		CHECK(r > 0 && o[20] == 3 && o[21] == 4, "%zu: Fragmentation Needed",
		      i);
		CHECK(!ref_get16(o + 24) && ref_get16(o + 26) == m6[i].want,
		      "%zu: MTU %u, want %u", i, ref_get16(o + 26), m6[i].want);
	}
}

/* The quoted packet cut anywhere; TCP, UDP, echo; fragments. */
static void test_quoted_cuts(void)
{
	static const uint8_t pr[] = { P_UDP, P_TCP, P_ICMP };
	uint8_t q[300], p[400], o[500];
	struct xlat_icmp_err e;
	size_t qn, n, cut, i;
	int r;

	for (i = 0; i < 3; i++)
		for (cut = 20; cut <= 120; cut++) {
			qn = orig4(q, pr[i], 100, 0);
			n = err4(p, 11, 0, 0, q, cut, NULL, 0);
			r = xl4to6(p, n, 0, o, 1280, &e);
			CHECK(r == (int)(48 + 40 + cut - 20), "proto %u cut %zu: %d",
			      pr[i], cut, r);
			if (r < 0)
				continue;
			CHECK(e.inner.l4_seen == (cut >= 20 + xlat_csum_reach(pr[i])),
			      "cut %zu: l4_seen %d", cut, e.inner.l4_seen);
			check_outer6(o, r);
			check_quoted6(o + 48, cut + 20, q, qn);

			qn = orig6(q, pr[i] == P_ICMP ? P_ICMP6 : pr[i], 100);
			cut += 20;
			n = err6(p, 3, 0, 0, q, cut, NULL, 0);
			r = xl6to4(p, n, 0, o, 576, &e);
			CHECK(r == (int)(28 + 20 + cut - 40), "v6 proto %u cut %zu: %d",
			      pr[i], cut, r);
			if (r > 0) {
				check_outer4(o, r);
				check_quoted4(o + 28, cut - 20, q, qn, 40,
					      pr[i] == P_ICMP ? P_ICMP6 : pr[i], false);
			}
			cut -= 20;
		}
	/* a later fragment quoted: header translated, bytes as is */
	qn = orig4(q, P_UDP, 100, 0x2000 | 100);
	n = err4(p, 11, 0, 0, q, qn, NULL, 0);
	r = xl4to6(p, n, 0, o, 1280, &e);
	CHECK(r == 48 + 48 + 100, "later fragment: %d", r);
	if (r > 0)
		check_quoted6(o + 48, 148, q, qn);
	/* IPv4 options in the quoted packet dropped */
	{
		static const uint8_t nops[8] = { 1, 1, 1, 1, 1, 1, 1, 0 };
		struct b4 h = { .tos = 0x48, .ttl = 1, .proto = P_UDP,
				.opt = nops, .optlen = 8 };

		memcpy(h.src, host4, 4);
		memcpy(h.dst, far4, 4);
		b_l4(q + 28, 40, P_UDP, 1, 2, 3);
		b_ip4(q, &h, 40);
		ref_set_csum(q + 28, 40, P_UDP, ref_pseudo4(host4, far4, P_UDP, 40));
		n = err4(p, 3, 3, 0, q, 68, NULL, 0);
		r = xl4to6(p, n, 0, o, 1280, &e);
		CHECK(r == 48 + 40 + 40, "options: %d", r);
		if (r > 0)
			check_quoted6(o + 48, 80, q, 68);
	}
	/* extension headers in the quoted IPv6 packet dropped */
	b_ip6(q, 0x48, 0, 60, 1, host6, far6, 16 + 60);
	memset(q + 40, 0, 16);
	q[40] = P_UDP;
	q[41] = 1;
	b_l4(q + 56, 60, P_UDP, 1, 2, 3);
	ref_set_csum(q + 56, 60, P_UDP, ref_pseudo6(host6, far6, P_UDP, 60));
	n = err6(p, 1, 4, 0, q, 116, NULL, 0);
	r = xl6to4(p, n, 0, o, 576, &e);
	CHECK(r == 28 + 20 + 60, "extension headers: %d", r);
	if (r > 0)
		check_quoted4(o + 28, 80, q, 116, 56, P_UDP, false);
	/* a quoted fragment of IPv6 */
	b_ip6(q, 0x48, 0, 44, 1, host6, far6, 8 + 60);
	q[40] = P_UDP;
	q[41] = 0;
	ref_put16(q + 42, 1);
	ref_put32(q + 44, 0xabcd1234);
	b_l4(q + 48, 60, P_UDP, 1, 2, 3);
	n = err6(p, 1, 4, 0, q, 108, NULL, 0);
	r = xl6to4(p, n, 0, o, 576, &e);
	CHECK(r == 28 + 20 + 60, "fragment: %d", r);
	if (r > 0) {
		check_quoted4(o + 28, 80, q, 108, 48, P_UDP, true);
		CHECK(ref_get16(o + 28 + 4) == 0x1234 && ref_get16(o + 28 + 6) == 0x2000,
		      "quoted id %#x, flags %#x", ref_get16(o + 32), ref_get16(o + 34));
	}
}

/* ICMP errors about ICMP errors are not translated (4.2, 5.2). */
static void test_error_about_error(void)
{
	uint8_t q[200], p[300], o[400], inner[100];
	struct xlat_icmp_err e;
	size_t qn, n;
	int t;

	orig4(inner, P_UDP, 20, 0);
	for (t = 0; t < 3; t++) {
		static const uint8_t ty[] = { 3, 11, 12 };

		qn = err4(q, ty[t], 0, 0, inner, 40, NULL, 0);
		memcpy(q + 12, host4, 4);
		memcpy(q + 16, far4, 4);
		n = err4(p, 3, 1, 0, q, qn, NULL, 0);
		CHECK(xl4to6(p, n, 0, o, 1280, &e) == -XLAT_E_ICMP_TYPE,
		      "ICMPv4 %u quoted", ty[t]);
	}
	orig6(inner, P_UDP, 20);
	for (t = 1; t <= 4; t++) {
		qn = err6(q, (uint8_t)t, 0, 0, inner, 60, NULL, 0);
		n = err6(p, 1, 0, 0, q, qn, NULL, 0);
		CHECK(xl6to4(p, n, 0, o, 576, &e) == -XLAT_E_ICMP_TYPE,
		      "ICMPv6 %d quoted", t);
	}
	/* an informational message other than echo quoted: dropped too */
	qn = orig6(q, P_ICMP6, 20);
	q[40] = 135;
	n = err6(p, 1, 0, 0, q, qn, NULL, 0);
	CHECK(xl6to4(p, n, 0, o, 576, &e) == -XLAT_E_ICMP_TYPE, "ND quoted");
}

/* Translated errors are at most 1280 (ICMPv6) and 576 (ICMPv4) bytes, and
 * the caller's capacity.
 */
static void test_size_limits(void)
{
	static uint8_t q[1600], p[1700], o[1700];
	struct xlat_icmp_err e;
	size_t qn, n;
	int r;

	qn = orig4(q, P_UDP, 1380, 0x4000);
	n = err4(p, 3, 3, 0, q, qn, NULL, 0);
	r = xl4to6(p, n, 0, o, 1700, &e);
	CHECK(r == 1280, "ICMPv6 cut to 1280: %d", r);
	if (r > 0) {
		check_outer6(o, r);
		check_quoted6(o + 48, 1280 - 48, q, qn);
	}
	r = xl4to6(p, n, 0, o, 600, &e);
	CHECK(r == 600, "cut to the capacity: %d", r);
	if (r > 0)
		check_outer6(o, r);
	CHECK(xl4to6(p, n, 0, o, 48 + 39, &e) == -XLAT_E_MALFORMED,
	      "no room for the quoted header");
	r = xl4to6(p, n, 0, o, 48 + 40, &e);
	CHECK(r == 88, "just the quoted header: %d", r);

	qn = orig6(q, P_TCP, 1232 - 40 - 8);
	n = err6(p, 1, 0, 0, q, qn, NULL, 0);
	r = xl6to4(p, n, 0, o, 1700, &e);
	CHECK(r == 576, "ICMPv4 cut to 576: %d", r);
	if (r > 0) {
		check_outer4(o, r);
		check_quoted4(o + 28, 576 - 28, q, qn, 40, P_TCP, false);
	}
	CHECK(xl6to4(p, n, 0, o, 47, &e) == -XLAT_E_MALFORMED, "capacity 47");
}

/* An RFC 4884 extension structure: version 2 header, one object. */
static size_t ext_make(uint8_t *x, size_t len)
{
	size_t i;

	memset(x, 0, len);
	x[0] = 0x20;
	ref_put16(x + 4, (uint16_t)(len - 4));
	x[6] = 1;
	x[7] = 1;
	for (i = 8; i < len; i++)
		x[i] = (uint8_t)(i * 3);
	ref_put16(x + 2, (uint16_t)~ref_fold(ref_add(0, x, len)));
	return len;
}

static void test_rfc4884(void)
{
	static uint8_t q[1600], p[1700], o[1700];
	uint8_t x[200];
	struct xlat_icmp_err e;
	size_t qn, n;
	int r;

	/* 4 -> 6: 128 bytes of datagram (32 words), 12 of extension */
	qn = orig4(q, P_UDP, 300, 0);
	ext_make(x, 12);
	n = err4(p, 11, 0, 32 << 16, q, 128, x, 12);
	r = xl4to6(p, n, 0, o, 1280, &e);
	CHECK(e.q_len == 128 && e.ext_len == 12, "split %u + %u", e.q_len, e.ext_len);
	/* 148 bytes translated, padded to 152 (8-byte words): 19 */
	CHECK(r == 48 + 152 + 12, "with extension: %d", r);
	if (r > 0) {
		CHECK(o[40] == 3 && o[44] == 19 && !o[45] && !ref_get16(o + 46),
		      "length %u words", o[44]);
		CHECK(!memcmp(o + 48 + 148, "\0\0\0\0", 4), "padding zero");
		CHECK(!memcmp(o + 48 + 152, x, 12), "extension copied");
		check_outer6(o, r);
		check_quoted6(o + 48, 148, q, qn);
	}
	/* a shorter datagram (zero-padded to 128 in the ICMPv4 error) */
	qn = orig4(q, P_UDP, 40, 0);
	memset(q + qn, 0, 128 - qn);
	n = err4(p, 3, 1, 32 << 16, q, 128, x, 12);
	r = xl4to6(p, n, 0, o, 1280, &e);
	CHECK(r == 48 + 152 + 12 && o[44] == 19, "short datagram: %d", r);
	if (r > 0)
		check_outer6(o, r);
	/* Parameter Problem has no length in ICMPv6: extension dropped */
	qn = orig4(q, P_UDP, 300, 0);
	n = err4(p, 12, 0, 9u << 24 | 32 << 16, q, 128, x, 12);
	r = xl4to6(p, n, 0, o, 1280, &e);
	CHECK(r == 48 + 148, "Parameter Problem: %d", r);
	CHECK(r < 0 || ref_get32(o + 44) == 6, "pointer");
	/* a length below 128, or no version 2 header: no extension */
	n = err4(p, 11, 0, 20 << 16, q, 128, x, 12);
	r = xl4to6(p, n, 0, o, 1280, &e);
	CHECK(e.ext_len == 0 && r == 48 + 40 + 128 + 12 - 20 && !o[44],
	      "length 80: none, %d", r);
	x[0] = 0x10;
	n = err4(p, 11, 0, 32 << 16, q, 128, x, 12);
	r = xl4to6(p, n, 0, o, 1280, &e);
	CHECK(e.ext_len == 0 && r == 48 + 40 + 128 + 12 - 20 && !o[44],
	      "version 1: none, %d", r);
	ext_make(x, 12);

	/* 6 -> 4: 128 bytes (16 words) -> 108 translated, padded to 128 */
	qn = orig6(q, P_UDP, 300);
	n = err6(p, 1, 4, 16u << 24, q, 128, x, 12);
	r = xl6to4(p, n, 0, o, 576, &e);
	CHECK(r == 28 + 128 + 12, "with extension: %d", r);
	if (r > 0) {
		CHECK(o[20] == 3 && o[21] == 3 && o[25] == 32 && !o[24],
		      "length %u words", o[25]);
		CHECK(!memcmp(o + 28 + 108, (uint8_t[20]){ 0 }, 20), "padding zero");
		CHECK(!memcmp(o + 28 + 128, x, 12), "extension copied");
		check_outer4(o, r);
		check_quoted4(o + 28, 108, q, qn, 40, P_UDP, false);
	}
	/* Time Exceeded too; 156 bytes: no padding */
	n = err6(p, 3, 0, 22u << 24, q, 176, x, 12);
	r = xl6to4(p, n, 0, o, 576, &e);
	CHECK(r == 28 + 156 + 12 && o[20] == 11 && o[25] == 39,
	      "Time Exceeded: %d, length %u", r, o[25]);
	if (r > 0) {
		CHECK(!memcmp(o + 28 + 156, x, 12), "extension copied");
		check_outer4(o, r);
	}
	/* the extension does not fit: dropped, the datagram kept whole */
	qn = orig6(q, P_UDP, 1100);
	ext_make(x, 60);
	n = err6(p, 1, 0, 65u << 24, q, 520, x, 60);
	r = xl6to4(p, n, 0, o, 576, &e);
	CHECK(e.ext_len == 60, "parsed");
	CHECK(r == 28 + 500 && o[25] == 0, "not fitting: %d, length %u", r, o[25]);
	/* and a datagram too long: cut, no extension */
	n = err6(p, 1, 0, 140u << 24, q, 1120, x, 60);
	r = xl6to4(p, n, 0, o, 576, &e);
	CHECK(r == 576 && o[25] == 0, "cut: %d, length %u", r, o[25]);
	if (r > 0)
		check_quoted4(o + 28, 548, q, qn, 40, P_UDP, false);
}

/*
 * A quoted header longer than the bytes quoted: the error is refused
 * (err_parse returns -enum xlat_err, never a byte count, and nothing is
 * read past the packet).
 */
static void test_quoted_header_cut(void)
{
	static const uint8_t opts[40] = { 1, 1, 1, 1 };
	uint8_t q[300], p[400], o[1300];
	struct b4 h = { .ttl = 1, .proto = P_UDP, .opt = opts, .optlen = 40 };
	struct xlat_icmp_err e;
	size_t n;
	int r;

	/* IHL 15 (60 bytes), 24 quoted */
	memcpy(h.src, host4, 4);
	memcpy(h.dst, far4, 4);
	b_l4(q + 60, 20, P_UDP, 1, 2, 3);
	b_ip4(q, &h, 20);
	n = err4(p, 3, 3, 0, q, 24, NULL, 0);
	r = xl4to6(p, n, 0, o, 1280, &e);
	CHECK(r == -XLAT_E_MALFORMED, "IPv4 header cut: %d", r);
	CHECK(xlat4_parse_quoted(q, 24, &e.inner) < 0, "parse_quoted %d",
	      xlat4_parse_quoted(q, 24, &e.inner));
	CHECK(xlat4_parse_quoted(q, 10, &e.inner) < 0, "parse_quoted %d",
	      xlat4_parse_quoted(q, 10, &e.inner));
	CHECK(xlat6_parse_quoted(q, 10, &e.inner) < 0, "parse_quoted %d",
	      xlat6_parse_quoted(q, 10, &e.inner));

	/* a Destination Options header of 2048 bytes, 100 quoted */
	b_ip6(q, 0, 0, 60, 1, host6, far6, 3000);
	memset(q + 40, 0, 60);
	q[40] = P_UDP;
	q[41] = 255;
	n = err6(p, 1, 4, 0, q, 100, NULL, 0);
	r = xl6to4(p, n, 0, o, 576, &e);
	CHECK(r == -XLAT_E_MALFORMED, "IPv6 extension header cut: %d", r);
	/* 28 bytes short: the translated quoted size would wrap to small */
	q[41] = 11;	/* 96 bytes */
	n = err6(p, 1, 4, 0, q, 108, NULL, 0);
	r = xl6to4(p, n, 0, o, 576, &e);
	CHECK(r == -XLAT_E_MALFORMED, "IPv6 extension header cut: %d", r);
	/* the same, 4 -> 6 does not apply (IPv4 has no extension headers) */
}

int main(void)
{
	addrs_init();
	RUN(test_types_4to6);
	RUN(test_types_6to4);
	RUN(test_pointers);
	RUN(test_mtu);
	RUN(test_quoted_cuts);
	RUN(test_error_about_error);
	RUN(test_size_limits);
	RUN(test_rfc4884);
	RUN(test_quoted_header_cut);
	UNIT_END();
}
