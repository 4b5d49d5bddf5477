// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the MAP66 mapping core and the ones' complement helpers,
 * built with AddressSanitizer and UBSan (tests/unit/run.sh).
 */
#include <arpa/inet.h>
#include <string.h>

#include "map66_core.h"
#include "unit.h"

static void parse6(const char *s, uint8_t a[16])
{
	if (inet_pton(AF_INET6, s, a) != 1) {
		fprintf(stderr, "bad test address %s\n", s);
		exit(2);
	}
}

static const char *fmt6(const uint8_t a[16])
{
	static char buf[4][INET6_ADDRSTRLEN];
	static int n;

	n = (n + 1) % 4;
	return inet_ntop(AF_INET6, a, buf[n], sizeof(buf[n]));
}

static void rand_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)unit_rand();
}

static void clear_host_bits(uint8_t a[16], unsigned int len)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		if (i * 8 >= len)
			a[i] = 0;
		else if (i * 8 + 8 > len)
			a[i] &= (uint8_t)(0xff << (8 - (len - i * 8)));
}

/* The plain RFC 1071 checksum of a buffer, as a field value. */
static uint16_t full_checksum(const uint8_t *p, size_t n)
{
	return (uint16_t)~oc16_bytes(p, n, 0);
}

static void test_oc16_arithmetic(void)
{
	CHECK(oc16_add(0xffff, 1) == 1, "end-around carry");
	CHECK(oc16_add(0x8000, 0x8000) == 1, "carry");
	CHECK(oc16_sub(5, 5) == 0xffff, "x - x is negative zero, got %#x",
	      oc16_sub(5, 5));
	CHECK(oc16_equal(0, 0xffff) && !oc16_equal(1, 0xfffe), "zeros");
}

/* RFC 1624: an incremental update equals a full recomputation. */
static void test_rfc1624_update_matches_recompute(void)
{
	uint8_t buf[64], old[16];
	int i;

	for (i = 0; i < 100000; i++) {
		unsigned int off = 2 * (unit_rand() % 24);
		uint16_t check, want, got;

		rand_bytes(buf, sizeof(buf));
		buf[60] = buf[61] = 0;
		check = full_checksum(buf, sizeof(buf));
		oc16_put(buf + 60, check);
		memcpy(old, buf + off, 16);
		rand_bytes(buf + off, 16);
		if (off + 16 > 60 && off < 62)
			continue;	/* changed the field itself */
		got = oc16_update_field(check, old, buf + off, 16);
		buf[60] = buf[61] = 0;
		want = full_checksum(buf, sizeof(buf));
		CHECK(oc16_equal(got, want), "update %#x, recompute %#x", got,
		      want);
	}
}

static void test_prefix_check(void)
{
	uint8_t a[16];

	parse6("2001:db8:1::", a);
	CHECK(map66_prefix_check(a, 48) == MAP66_PREFIX_OK, "/48");
	CHECK(map66_prefix_check(a, 0) == MAP66_PREFIX_BAD_LENGTH, "/0");
	CHECK(map66_prefix_check(a, 129) == MAP66_PREFIX_BAD_LENGTH, "/129");
	CHECK(map66_prefix_check(a, 47) == MAP66_PREFIX_HOST_BITS,
	      "2001:db8:1::/47 has bit 47 set");
	parse6("2001:db8:1::1", a);
	CHECK(map66_prefix_check(a, 128) == MAP66_PREFIX_OK, "/128");
	CHECK(map66_prefix_check(a, 127) == MAP66_PREFIX_HOST_BITS, "/127");
}

/* The worked example of RFC 6296 section 3.5 (and draft-mrw-behave-nat66):
 * FD01:0203:0405:0001::1234 <-> 2001:0DB8:0001:D550::1234.
 */
static void test_rfc6296_example(void)
{
	struct map66_prefix out, in;
	uint8_t pfx[16], a[16], want[16];

	parse6("2001:db8:1::", pfx);
	map66_prefix_init(&out, pfx, 48, false);
	parse6("fd01:203:405::", pfx);
	map66_prefix_init(&in, pfx, 48, false);

	parse6("fd01:203:405:1::1234", a);
	parse6("2001:db8:1:d550::1234", want);
	CHECK(map66_rewrite(&out, a) == MAP66_NEUTRAL, "neutral");
	CHECK(!memcmp(a, want, 16), "got %s want %s", fmt6(a), fmt6(want));
	CHECK(map66_rewrite(&in, a) == MAP66_NEUTRAL, "neutral back");
	parse6("fd01:203:405:1::1234", want);
	CHECK(!memcmp(a, want, 16), "back: got %s want %s", fmt6(a),
	      fmt6(want));
}

/*
 * ip6t_NPT's algorithm (net/ipv6/netfilter/ip6t_NPT.c, Linux 6.1), written
 * out independently from its description: 32-bit sums folded, the carrier
 * word 3 for /48 and shorter, else the first IID word that is not 0xffff.
 * Returns false where NPT drops the packet.
 */
static uint16_t fold32(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static bool npt_reference(const uint8_t src_pfx[16], const uint8_t dst_pfx[16],
			  unsigned int len, uint8_t a[16])
{
	uint32_t src = 0, dst = 0, s;
	uint16_t adj, sum;
	unsigned int i, idx;

	for (i = 0; i < 16; i += 2) {
		src += oc16_get(src_pfx + i);
		dst += oc16_get(dst_pfx + i);
	}
	/* adjustment = ~csum_fold(csum_sub(src, dst)) = fold(src + ~dst) */
	adj = fold32(fold32(src) + (uint16_t)~fold32(dst));
	for (i = 0; i < len; i++) {
		uint8_t bit = 0x80 >> (i % 8);

		a[i / 8] = (uint8_t)((a[i / 8] & ~bit) | (dst_pfx[i / 8] & bit));
	}
	if (len <= 48) {
		idx = 3;
	} else {
		for (idx = 4; idx < 8; idx++)
			if (oc16_get(a + 2 * idx) != 0xffff)
				break;
		if (idx == 8)
			return false;
	}
	s = (uint32_t)oc16_get(a + 2 * idx) + adj;
	sum = fold32(s);
	if (sum == 0xffff)
		sum = 0;
	oc16_put(a + 2 * idx, sum);
	return true;
}

static void random_prefix(uint8_t p[16], unsigned int len)
{
	rand_bytes(p, 16);
	clear_host_bits(p, len);
}

/* Random prefixes of every length, random addresses in them. */
static void test_rewrite_properties(void)
{
	int i;

	for (i = 0; i < 400000; i++) {
		unsigned int len = 1 + unit_rand() % 128;
		bool keep = unit_rand() % 8 == 0;
		uint8_t from[16], to[16], a[16], orig[16];
		struct map66_prefix fwd, back;
		enum map66_result r;
		unsigned int w, changed = 0;

		random_prefix(from, len);
		random_prefix(to, len);
		rand_bytes(orig, 16);
		/* Exercise the 0xffff corner often. */
		if (unit_rand() % 4 == 0)
			memset(orig + 6 + 2 * (unit_rand() % 5), 0xff, 2);
		if (unit_rand() % 64 == 0)
			memset(orig + 8, 0xff, 8);
		for (w = 0; w < len; w++) {
			uint8_t bit = 0x80 >> (w % 8);

			orig[w / 8] = (uint8_t)((orig[w / 8] & ~bit) |
						(from[w / 8] & bit));
		}
		memcpy(a, orig, 16);
		map66_prefix_init(&fwd, to, len, keep);
		map66_prefix_init(&back, from, len, keep);

		r = map66_rewrite(&fwd, a);
		CHECK(map66_prefix_match(a, to, len), "prefix %s/%u not in %s",
		      fmt6(to), len, fmt6(a));
		for (w = 0; w < 8; w++) {
			uint16_t o = oc16_get(orig + 2 * w);
			uint16_t n = oc16_get(a + 2 * w);

			if (16 * w + 16 > len && o != n) {
				/* a word with host bits that changed */
				if (16 * w < len)
					CHECK((uint16_t)((o ^ n) << (len - 16 * w)) == 0,
					      "host bits of word %u changed", w);
				else
					changed++;
			}
		}
		if (r == MAP66_NEUTRAL)
			CHECK(oc16_equal(oc16_bytes(a, 16, 0),
					 oc16_bytes(orig, 16, 0)),
			      "not neutral: %s -> %s", fmt6(orig), fmt6(a));
		CHECK(changed <= (r == MAP66_NEUTRAL && !keep ? 1u : 0u),
		      "%u host words changed (%s -> %s /%u, result %d)", changed,
		      fmt6(orig), fmt6(a), len, r);
		if (len <= 112 && !keep) {
			/* A full word after the prefix that is not 0xffff can
			 * always carry the adjustment.
			 */
			bool carrier = false;

			if (len <= 48)
				carrier = oc16_get(orig + 6) != 0xffff;
			for (w = (len + 15) / 16; len > 48 && w < 8; w++)
				carrier |= oc16_get(orig + 2 * w) != 0xffff;
			CHECK(!carrier || r == MAP66_NEUTRAL,
			      "fell back with a carrier: %s /%u", fmt6(orig), len);
		}

		/* The reverse mapping restores the address exactly. */
		map66_rewrite(&back, a);
		CHECK(!memcmp(a, orig, 16), "round trip %s -> %s /%u",
		      fmt6(orig), fmt6(a), len);
	}
}

/* Byte-identical with ip6t_NPT wherever NPT accepts the prefix (/1../64)
 * and maps reversibly.
 */
static void test_same_as_ip6t_npt(void)
{
	int i, compared = 0;

	for (i = 0; i < 400000; i++) {
		unsigned int len = 1 + unit_rand() % 64;
		uint8_t from[16], to[16], a[16], b[16];
		struct map66_prefix p;
		enum map66_result r;
		bool ok;

		random_prefix(from, len);
		random_prefix(to, len);
		rand_bytes(a, 16);
		if (unit_rand() % 16 == 0)
			memset(a + 8, 0xff, 2 * (unit_rand() % 4));
		for (unsigned int k = 0; k < len; k++) {
			uint8_t bit = 0x80 >> (k % 8);

			a[k / 8] = (uint8_t)((a[k / 8] & ~bit) | (from[k / 8] & bit));
		}
		memcpy(b, a, 16);
		map66_prefix_init(&p, to, len, false);
		r = map66_rewrite(&p, a);
		ok = npt_reference(from, to, len, b);
		if (r != MAP66_NEUTRAL) {
			/* only where NPT drops, or maps a 0xffff subnet
			 * irreversibly
			 */
			CHECK(!ok || (len <= 48 && oc16_get(a + 6) == 0xffff),
			      "fallback where NPT maps: /%u %s", len, fmt6(a));
			continue;
		}
		CHECK(ok, "NPT drops what MAP66 maps /%u", len);
		CHECK(!memcmp(a, b, 16), "/%u MAP66 %s NPT %s", len, fmt6(a),
		      fmt6(b));
		compared++;
	}
	CHECK(compared > 300000, "only %d compared", compared);
}

int main(void)
{
	RUN(test_oc16_arithmetic);
	RUN(test_rfc1624_update_matches_recompute);
	RUN(test_prefix_check);
	RUN(test_rfc6296_example);
	RUN(test_rewrite_properties);
	RUN(test_same_as_ip6t_npt);
	UNIT_END();
}
