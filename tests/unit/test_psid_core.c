// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the port-set and MAP rule arithmetic (RFC 7597), with the
 * RFC's Appendix A Example 1 and the seed's lw4o6 softwire as vectors.
 */
#include <arpa/inet.h>
#include <string.h>

#include "psid_core.h"
#include "unit.h"

/* RFC 7597 Appendix A, Example 1: BMR 2001:db8::/40, 192.0.2.0/24, EA-bits
 * 16, PSID offset 6; End-user prefix 2001:db8:0012:3400::/56.
 */
static void test_rfc7597_example1(void)
{
	struct map_rule r = { .ip6_len = 40, .ip4_prefix = 0xc0000200,
			      .ip4_len = 24, .ea_len = 16, .psid_offset = 6 };
	uint8_t eu[16], want[16];
	struct map_ce ce;

	inet_pton(AF_INET6, "2001:db8::", r.ip6_prefix);
	inet_pton(AF_INET6, "2001:db8:12:3400::", eu);
	CHECK(map_rule_derive(&r, eu, 56, &ce) == MAP_RULE_OK, "derive");
	CHECK(ce.ip4 == 0xc0000212, "IPv4 192.0.2.18, got %#x", ce.ip4);
	CHECK(ce.ports.psid == 0x34 && ce.ports.len == 8 && ce.ports.offset == 6,
	      "PSID 0x34/8 offset 6, got %#x/%u offset %u", ce.ports.psid,
	      ce.ports.len, ce.ports.offset);
	inet_pton(AF_INET6, "2001:db8:12:3400:0:c000:212:34", want);
	CHECK(!memcmp(ce.ip6, want, 16), "MAP CE IPv6 address");

	/* "1232-1235, 2256-2259, ..., 63696-63699, 64720-64723" */
	CHECK(psid_set_size(&ce.ports) == 63 * 4, "size %u",
	      psid_set_size(&ce.ports));
	CHECK(psid_set_port(&ce.ports, 0) == 1232, "first %u",
	      psid_set_port(&ce.ports, 0));
	CHECK(psid_set_port(&ce.ports, 3) == 1235, "4th");
	CHECK(psid_set_port(&ce.ports, 4) == 2256, "5th %u",
	      psid_set_port(&ce.ports, 4));
	CHECK(psid_set_port(&ce.ports, 251) == 64723, "last %u",
	      psid_set_port(&ce.ports, 251));
	CHECK(psid_port_in_set(&ce.ports, 63696) && psid_port_in_set(&ce.ports, 63699),
	      "63696-63699");
	CHECK(!psid_port_in_set(&ce.ports, 1231) && !psid_port_in_set(&ce.ports, 1236),
	      "1231, 1236 are not ours");
	CHECK(!psid_port_in_set(&ce.ports, 0x34 << 2), "port 208 has PSID 0x34 but A = 0: excluded");
}

/* The seed's lwB4: 192.0.2.1 with ports 4096-8191, i.e. PSID 1 of 4 bits
 * at offset 0 (a 12-bit shift); the seed's "psid-length 12" cannot give
 * that range.
 */
static void test_lw4o6_seed_softwire(void)
{
	struct psid_set s = { .offset = 0, .len = 4, .psid = 1 };

	CHECK(psid_set_valid(&s), "valid");
	CHECK(psid_set_size(&s) == 4096, "size %u", psid_set_size(&s));
	CHECK(psid_set_port(&s, 0) == 4096 && psid_set_port(&s, 4095) == 8191,
	      "4096-8191");
	CHECK(psid_port_in_set(&s, 4096) && psid_port_in_set(&s, 8191) &&
	      !psid_port_in_set(&s, 4095) && !psid_port_in_set(&s, 8192),
	      "bounds");
	CHECK(psid_of_port(5000, 0, 4) == 1, "PSID of 5000");
}

static void test_rule_errors(void)
{
	struct map_rule r = { .ip6_len = 40, .ip4_prefix = 0xc0000200,
			      .ip4_len = 24, .ea_len = 16, .psid_offset = 6 };
	uint8_t eu[16];
	struct map_ce ce;

	inet_pton(AF_INET6, "2001:db8::", r.ip6_prefix);
	inet_pton(AF_INET6, "2001:db9:12:3400::", eu);
	CHECK(map_rule_derive(&r, eu, 56, &ce) == MAP_RULE_NO_MATCH, "no match");
	inet_pton(AF_INET6, "2001:db8:12:3400::", eu);
	CHECK(map_rule_derive(&r, eu, 48, &ce) == MAP_RULE_SHORT_PREFIX, "short");
	r.ea_len = 4;
	CHECK(map_rule_derive(&r, eu, 56, &ce) == MAP_RULE_IPV4_PREFIX,
	      "IPv4 prefix only");
	r.ea_len = 40;
	CHECK(map_rule_derive(&r, eu, 80, &ce) == MAP_RULE_BAD_LENGTHS,
	      "PSID of 32 bits");
}

/* Section 5.3/6 the other way: who owns 192.0.2.18:1232 under Example 1's
 * rule, and the round trip with map_rule_derive for random CEs.
 */
static void test_ce_for_address_and_port(void)
{
	struct map_rule r = { .ip6_len = 40, .ip4_prefix = 0xc0000200,
			      .ip4_len = 24, .ea_len = 16, .psid_offset = 6 };
	struct map_ce ce, back;
	uint8_t want[16], eu[16];
	int i;

	inet_pton(AF_INET6, "2001:db8::", r.ip6_prefix);
	CHECK(map_rule_ce_for(&r, 0xc0000212, 1232, &ce) == MAP_RULE_OK, "ce_for");
	inet_pton(AF_INET6, "2001:db8:12:3400:0:c000:212:34", want);
	CHECK(!memcmp(ce.ip6, want, 16), "192.0.2.18:1232 belongs to ...:c000:212:34");
	CHECK(map_rule_ce_for(&r, 0xc0000312, 1232, &ce) == MAP_RULE_NOT_IN_RULE,
	      "192.0.3.18 is outside the rule");
	CHECK(map_rule_ce_for(&r, 0xc0000212, 208, &ce) == MAP_RULE_PORT_EXCLUDED,
	      "port 208 (A = 0) belongs to nobody");

	for (i = 0; i < 20000; i++) {
		unsigned int n;

		r.ip6_len = 24 + unit_rand() % 33;
		r.ip4_len = 8 + unit_rand() % 25;
		r.ea_len = 32 - r.ip4_len + unit_rand() % 9;
		r.psid_offset = unit_rand() % 9;
		if (r.ea_len - (32 - r.ip4_len) + r.psid_offset > 16)
			continue;
		r.ip4_prefix = (uint32_t)unit_rand() & ~0u << (32 - r.ip4_len);
		for (n = 0; n < 16; n++)
			r.ip6_prefix[n] = eu[n] = (uint8_t)unit_rand();
		if (map_rule_derive(&r, eu, r.ip6_len + r.ea_len, &ce) != MAP_RULE_OK) {
			CHECK(0, "derive failed");
			continue;
		}
		n = unit_rand() % psid_set_size(&ce.ports);
		CHECK(map_rule_ce_for(&r, ce.ip4, psid_set_port(&ce.ports, n), &back) ==
		      MAP_RULE_OK, "ce_for of a derived CE");
		CHECK(!memcmp(back.ip6, ce.ip6, 16) && back.ports.psid == ce.ports.psid,
		      "round trip /%u %u/%u ea %u", r.ip6_len, r.ip4_len, r.ip4_len, r.ea_len);
	}
}

/* Every port set, against a brute-force count over all 65536 ports. */
static void test_port_sets_exhaustive(void)
{
	unsigned int a, k;

	for (a = 0; a <= 10; a++)
		for (k = 0; a + k <= 16; k++) {
			struct psid_set s = { .offset = (uint8_t)a, .len = (uint8_t)k };
			unsigned int n, count = 0, port;

			s.psid = k ? (uint16_t)(unit_rand() & ((1u << k) - 1)) : 0;
			for (port = 0; port < 65536; port++)
				count += psid_port_in_set(&s, (uint16_t)port);
			CHECK(count == psid_set_size(&s), "a=%u k=%u: %u vs %u",
			      a, k, count, psid_set_size(&s));
			for (n = 0; n < psid_set_size(&s); n += 1 + n / 7) {
				uint16_t p = psid_set_port(&s, n);

				CHECK(psid_port_in_set(&s, p), "a=%u k=%u n=%u", a, k, n);
				if (n)
					CHECK(p > psid_set_port(&s, n - 1), "increasing");
			}
		}
}

/* psid_pick_port(): ports in use in a bitmap, a seeded PRNG. */
struct pick_ctx {
	unsigned char used[65536];
	unsigned int asked;
};

static bool pick_free(uint16_t port, void *ctx)
{
	struct pick_ctx *c = ctx;

	c->asked++;
	return !c->used[port];
}

static uint32_t pick_below(uint32_t n, void *ctx)
{
	(void)ctx;
	return unit_rand() % n;
}

static uint32_t pick_zero(uint32_t n, void *ctx)
{
	(void)n;
	(void)ctx;
	return 0;
}

static const struct psid_pick_ops pick_ops = { pick_free, pick_below };

static void test_pick_port(void)
{
	/* RFC 7597 Appendix A's CE: 252 ports. */
	const struct psid_set ce = { .offset = 6, .len = 8, .psid = 0x34 };
	static struct pick_ctx c;
	unsigned int i, n = psid_set_size(&ce);
	bool kept;
	int p;

	memset(&c, 0, sizeof(c));
	p = psid_pick_port(&ce, 1233, 32, 256, &pick_ops, &c, &kept);
	CHECK(p == 1233 && kept, "the original port, in the set and free: %d", p);
	c.used[1233] = 1;
	p = psid_pick_port(&ce, 1233, 32, 256, &pick_ops, &c, &kept);
	CHECK(p > 0 && p != 1233 && !kept && psid_port_in_set(&ce, (uint16_t)p),
	      "the original port taken: another of the set, %d", p);
	p = psid_pick_port(&ce, 40000, 32, 256, &pick_ops, &c, &kept);
	CHECK(p > 0 && !kept && psid_port_in_set(&ce, (uint16_t)p),
	      "an original port outside the set is not kept: %d", p);

	/* Fill the set one pick at a time: every port once, then none. */
	memset(&c, 0, sizeof(c));
	for (i = 0; i < n; i++) {
		p = psid_pick_port(&ce, 50000, 32, 256, &pick_ops, &c, &kept);
		CHECK(p > 0 && psid_port_in_set(&ce, (uint16_t)p) && !c.used[p],
		      "pick %u of %u: %d", i, n, p);
		if (p > 0)
			c.used[p] = 1;
	}
	c.asked = 0;
	p = psid_pick_port(&ce, 1233, 32, 256, &pick_ops, &c, &kept);
	CHECK(p == -1, "the set exhausted: -1, not %d", p);
	CHECK(c.asked <= 1 + 32 + n, "asked %u times for %u ports", c.asked, n);
}

/*
 * A set of 4032 ports (PSID 4 bits, offset 6) with one port free: the
 * search asks at most 1 + 32 + 256 times, however full, and finds the
 * port when it lies within the scan; an empty set finds one at once.
 */
static void test_pick_port_bounded(void)
{
	const struct psid_set s = { .offset = 6, .len = 4, .psid = 3 };
	static struct pick_ctx c;
	unsigned int i, n = psid_set_size(&s), found = 0, runs = 200;
	bool kept;
	int p;

	CHECK(n == 4032, "4032 ports, not %u", n);
	memset(&c, 0, sizeof(c));
	for (i = 0; i < n; i++)
		c.used[psid_set_port(&s, i)] = 1;
	c.used[psid_set_port(&s, 2000)] = 0;
	for (i = 0; i < runs; i++) {
		c.asked = 0;
		p = psid_pick_port(&s, 0, 32, 256, &pick_ops, &c, &kept);
		CHECK(c.asked <= 32 + 256, "run %u: asked %u times", i, c.asked);
		CHECK(p == -1 || p == psid_set_port(&s, 2000), "run %u: %d", i, p);
		found += p > 0;
	}
	/* About (32 + 256) / 4032 of the runs: some, not all. */
	CHECK(found > 0 && found < runs / 2, "found in %u of %u runs", found, runs);
	c.used[psid_set_port(&s, 2000)] = 1;
	c.asked = 0;
	p = psid_pick_port(&s, 0, 32, 256, &pick_ops, &c, &kept);
	CHECK(p == -1 && c.asked == 32 + 256, "full: -1 after %u questions", c.asked);
	memset(&c, 0, sizeof(c));
	p = psid_pick_port(&s, 0, 32, 256, &pick_ops, &c, &kept);
	CHECK(p > 0 && c.asked == 1, "empty: found at once (%u)", c.asked);
}

static void test_pick_port_never_zero(void)
{
	/* PSID 0 at offset 0 holds port 0, which is never a source port. */
	const struct psid_set s = { .offset = 0, .len = 4, .psid = 0 };
	const struct psid_pick_ops zero = { pick_free, pick_zero };
	static struct pick_ctx c;
	bool kept;
	int p;

	memset(&c, 0, sizeof(c));
	p = psid_pick_port(&s, 0, 8, 256, &zero, &c, &kept);
	CHECK(p == 1 && !kept, "port 0 skipped: %d", p);
	CHECK(!c.used[0] && c.asked == 1, "port 0 never offered to free()");
}

static void test_pick_port_spread(void)
{
	/* The seed's lw4o6 set, 4096-8191: 1000 picks are not a sequence. */
	const struct psid_set s = { .offset = 0, .len = 4, .psid = 1 };
	static struct pick_ctx c;
	unsigned int i, seq = 0, parts = 0, part[16] = { 0 };
	int p, last = -1;
	bool kept;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < 1000; i++) {
		p = psid_pick_port(&s, 40000, 32, 256, &pick_ops, &c, &kept);
		CHECK(p >= 4096 && p <= 8191, "in the set: %d", p);
		if (p < 4096 || p > 8191)
			return;
		c.used[p] = 1;
		seq += p == last + 1;
		part[(p - 4096) / 256]++;
		last = p;
	}
	for (i = 0; i < 16; i++)
		parts += part[i] > 0;
	CHECK(seq < 20 && parts == 16, "%u in a row, %u sixteenths hit", seq, parts);
}

int main(void)
{
	RUN(test_rfc7597_example1);
	RUN(test_lw4o6_seed_softwire);
	RUN(test_rule_errors);
	RUN(test_ce_for_address_and_port);
	RUN(test_port_sets_exhaustive);
	RUN(test_pick_port);
	RUN(test_pick_port_bounded);
	RUN(test_pick_port_never_zero);
	RUN(test_pick_port_spread);
	UNIT_END();
}
