// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the translator's address mapping: RFC 6052 section 2.4,
 * the EAMT of RFC 7757's examples, RFC 7597 Appendix A and the seed 002
 * (Jool MAP-T tutorial) CEs, anti-spoofing, and the lookup order MAP rule,
 * EAM, DMR.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "xlat_addr.h"
#include "unit.h"

static void a6(const char *s, uint8_t out[16])
{
	if (inet_pton(AF_INET6, s, out) != 1) {
		fprintf(stderr, "bad test address %s\n", s);
		exit(2);
	}
}

static uint32_t a4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "bad test address %s\n", s);
		exit(2);
	}
	return ntohl(a.s_addr);
}

static const char *s6(const uint8_t a[16])
{
	static char buf[4][INET6_ADDRSTRLEN];
	static unsigned int n;

	n = (n + 1) % 4;
	return inet_ntop(AF_INET6, a, buf[n], sizeof(buf[n]));
}

static bool eq6(const uint8_t a[16], const char *want)
{
	uint8_t w[16];

	a6(want, w);
	return !memcmp(a, w, 16);
}

static struct xlat_prefix6 pfx(const char *s, unsigned int len)
{
	struct xlat_prefix6 p = { .len = (uint8_t)len };

	a6(s, p.a);
	return p;
}

/* RFC 6052 section 2.4: 192.0.2.33 under each prefix length. */
static void test_rfc6052_table(void)
{
	static const struct { const char *pfx; unsigned int len; const char *addr; } t[] = {
		{ "2001:db8::", 32, "2001:db8:c000:221::" },
		{ "2001:db8:100::", 40, "2001:db8:1c0:2:21::" },
		{ "2001:db8:122::", 48, "2001:db8:122:c000:2:2100::" },
		{ "2001:db8:122:300::", 56, "2001:db8:122:3c0:0:221::" },
		{ "2001:db8:122:344::", 64, "2001:db8:122:344:c0:2:2100:0" },
		{ "2001:db8:122:344::", 96, "2001:db8:122:344::192.0.2.33" },
		{ "64:ff9b::", 96, "64:ff9b::192.0.2.33" },
	};
	uint32_t ip4 = a4("192.0.2.33"), back;
	uint8_t out[16];
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct xlat_prefix6 p = pfx(t[i].pfx, t[i].len);

		CHECK(rfc6052_prefix_valid(&p), "/%u valid", t[i].len);
		rfc6052_embed(&p, ip4, out);
		CHECK(eq6(out, t[i].addr), "/%u: %s, want %s", t[i].len, s6(out),
		      t[i].addr);
		back = 0;
		CHECK(rfc6052_extract(&p, out, &back) && back == ip4,
		      "/%u back: %#x", t[i].len, back);
	}
}

static void test_rfc6052_lengths(void)
{
	static const unsigned int ok[] = { 32, 40, 48, 56, 64, 96 };
	unsigned int len, i, n = 0;

	for (len = 0; len <= 255; len++) {
		bool want = false;

		for (i = 0; i < 6; i++)
			want |= len == ok[i];
		CHECK(rfc6052_len_ok(len) == want, "len %u", len);
		n += want;
	}
	CHECK(n == 6, "six lengths");
}

/* Every length: random prefixes and addresses, u-octet zero, round trip,
 * and on the way in the u-octet and the suffix are ignored (section 2.2).
 */
static void test_rfc6052_round_trips(void)
{
	static const unsigned int lens[] = { 32, 40, 48, 56, 64, 96 };
	unsigned int i, j, b;

	for (i = 0; i < 6; i++) {
		for (j = 0; j < 2000; j++) {
			struct xlat_prefix6 p = { .len = (uint8_t)lens[i] };
			uint32_t ip4 = (uint32_t)unit_rand(), back = 0;
			uint8_t out[16], noisy[16], again[16];

			for (b = 0; b < 16; b++)
				p.a[b] = b < lens[i] / 8 ? (uint8_t)unit_rand() : 0;
			if (lens[i] == 96)
				p.a[8] = 0;
			CHECK(rfc6052_prefix_valid(&p), "valid");
			rfc6052_embed(&p, ip4, out);
			CHECK(out[8] == 0, "/%u u-octet %#x", lens[i], out[8]);
			CHECK(!memcmp(out, p.a, lens[i] / 8), "/%u prefix kept", lens[i]);
			CHECK(rfc6052_extract(&p, out, &back) && back == ip4,
			      "/%u %#x back %#x", lens[i], ip4, back);

			/* Set the u-octet (if not prefix) and the suffix bits. */
			memcpy(noisy, out, 16);
			if (lens[i] < 96)
				noisy[8] = (uint8_t)unit_rand() | 1;
			for (b = lens[i] / 8 + 5; b < 16; b++)
				noisy[b] = (uint8_t)unit_rand();
			CHECK(rfc6052_extract(&p, noisy, &back) && back == ip4,
			      "/%u ignores u-octet and suffix: %s", lens[i], s6(noisy));
			rfc6052_embed(&p, back, again);
			CHECK(!memcmp(again, out, 16), "/%u re-embedded", lens[i]);

			/* Outside the prefix. */
			noisy[0] ^= 0x80;
			CHECK(!rfc6052_extract(&p, noisy, &back), "/%u other prefix",
			      lens[i]);
		}
	}
}

static void test_rfc6052_invalid(void)
{
	struct xlat_prefix6 p = pfx("64:ff9b::", 96);
	uint8_t out[16], a[16];
	uint32_t ip4 = 7;

	CHECK(rfc6052_prefix_valid(&p), "64:ff9b::/96");
	p = pfx("64:ff9b::100:0:0:0", 96);	/* u-octet set in a /96 */
	CHECK(!rfc6052_prefix_valid(&p), "/96 with u-octet");
	p = pfx("2001:db8::1", 64);
	CHECK(!rfc6052_prefix_valid(&p), "bits past /64");
	p = pfx("2001:db8::", 80);
	CHECK(!rfc6052_prefix_valid(&p), "/80");
	rfc6052_embed(&p, 0xc0000221, out);
	CHECK(eq6(out, "::"), "embed with a bad length writes zeros");
	a6("2001:db8::c000:221", a);
	CHECK(!rfc6052_extract(&p, a, &ip4) && ip4 == 7, "extract with a bad length");
	p.len = 200;
	CHECK(!rfc6052_extract(&p, a, &ip4), "len 200");
}

/* The example EAMT of RFC 7757 (as in Jool's documentation), vectors
 * worked out by sections 3.3 and 3.4; plus overlapping entries for the
 * longest match.
 */
static struct xlat_eam eam(const char *v4, unsigned int l4, const char *v6,
			   unsigned int l6)
{
	struct xlat_eam e = { .ip4 = a4(v4), .ip4_len = (uint8_t)l4,
			      .ip6_len = (uint8_t)l6 };

	a6(v6, e.ip6);
	return e;
}

static void test_eam_examples(void)
{
	struct xlat_eam tab[] = {
		eam("192.0.2.1", 32, "2001:db8:aaaa::", 128),
		eam("192.0.2.2", 32, "2001:db8:bbbb::b", 128),
		eam("192.0.2.16", 28, "2001:db8:cccc::", 124),
		eam("192.0.2.128", 26, "2001:db8:dddd::", 64),
		eam("192.0.2.192", 29, "2001:db8:eeee:8::", 62),
		eam("192.0.2.224", 31, "64:ff9b::", 127),
	};
	static const struct { const char *v4, *v6; unsigned int entry; } t[] = {
		{ "192.0.2.1", "2001:db8:aaaa::", 0 },
		{ "192.0.2.2", "2001:db8:bbbb::b", 1 },
		{ "192.0.2.24", "2001:db8:cccc::8", 2 },
		{ "192.0.2.150", "2001:db8:dddd:0:5800::", 3 },
		{ "192.0.2.197", "2001:db8:eeee:a:8000::", 4 },
		{ "192.0.2.225", "64:ff9b::1", 5 },
	};
	const unsigned int n = sizeof(tab) / sizeof(tab[0]);
	const struct xlat_eam *e;
	unsigned int i;
	uint8_t out[16], a[16];

	for (i = 0; i < n; i++)
		CHECK(xlat_eam_valid(&tab[i]), "entry %u valid", i);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		e = xlat_eam_scan4(tab, n, a4(t[i].v4));
		CHECK(e == &tab[t[i].entry], "%s: entry %ld", t[i].v4,
		      e ? (long)(e - tab) : -1L);
		if (!e)
			continue;
		xlat_eam_4to6(e, a4(t[i].v4), out);
		CHECK(eq6(out, t[i].v6), "%s -> %s, want %s", t[i].v4, s6(out), t[i].v6);
		a6(t[i].v6, a);
		e = xlat_eam_scan6(tab, n, a);
		CHECK(e == &tab[t[i].entry], "%s: entry", t[i].v6);
		if (e)
			CHECK(xlat_eam_6to4(e, a) == a4(t[i].v4), "%s -> %#x", t[i].v6,
			      xlat_eam_6to4(e, a));
	}
	/* Section 3.4: IPv6 suffix bits past the IPv4 suffix are ignored. */
	a6("2001:db8:dddd:0:5bff:ffff:ffff:ffff", a);
	e = xlat_eam_scan6(tab, n, a);
	CHECK(e == &tab[3] && xlat_eam_6to4(e, a) == a4("192.0.2.150"), "/64 excess bits");
	a6("2001:db8:dddd:0:6000:beef::", a);
	CHECK(e && xlat_eam_6to4(e, a) == a4("192.0.2.152"), "/64 truncated");
	/* Outside every entry. */
	CHECK(!xlat_eam_scan4(tab, n, a4("192.0.2.3")), "192.0.2.3");
	CHECK(!xlat_eam_scan4(tab, n, a4("192.0.2.200")), "192.0.2.200");
	a6("2001:db8:cccc::10", a);
	CHECK(!xlat_eam_scan6(tab, n, a), "2001:db8:cccc::10 is past the /124");
	CHECK(!xlat_eam_scan4(tab, 0, a4("192.0.2.1")), "empty table");
}

static void test_eam_longest_match(void)
{
	struct xlat_eam tab[] = {
		eam("192.0.2.0", 24, "2001:db8:ffff::", 120),
		eam("192.0.2.1", 32, "2001:db8:aaaa::", 128),
		eam("10.0.0.0", 8, "2001:db8:cccc::", 104),
		eam("192.0.2.16", 28, "2001:db8:cccc::", 124),
	};
	const unsigned int n = sizeof(tab) / sizeof(tab[0]);
	const struct xlat_eam *e;
	uint8_t a[16], out[16];
	unsigned int order;

	for (order = 0; order < 2; order++) {
		if (order) {	/* the same, the other way round */
			struct xlat_eam t;

			t = tab[0]; tab[0] = tab[1]; tab[1] = t;
			t = tab[2]; tab[2] = tab[3]; tab[3] = t;
		}
		e = xlat_eam_scan4(tab, n, a4("192.0.2.1"));
		CHECK(e && e->ip4_len == 32, "192.0.2.1: the /32");
		e = xlat_eam_scan4(tab, n, a4("192.0.2.3"));
		CHECK(e && e->ip4_len == 24, "192.0.2.3: the /24");
		if (e) {
			xlat_eam_4to6(e, a4("192.0.2.3"), out);
			CHECK(eq6(out, "2001:db8:ffff::3"), "%s", s6(out));
		}
		e = xlat_eam_scan4(tab, n, a4("192.0.2.20"));
		CHECK(e && e->ip4_len == 28, "192.0.2.20: the /28");
		a6("2001:db8:cccc::4", a);
		e = xlat_eam_scan6(tab, n, a);
		CHECK(e && e->ip6_len == 124 && xlat_eam_6to4(e, a) == a4("192.0.2.20"),
		      "2001:db8:cccc::4: the /124");
		a6("2001:db8:cccc::1:204", a);
		e = xlat_eam_scan6(tab, n, a);
		CHECK(e && e->ip6_len == 104 && xlat_eam_6to4(e, a) == a4("10.1.2.4"),
		      "2001:db8:cccc::1:204: the /104");
	}
}

static void test_eam_valid(void)
{
	struct xlat_eam e;

	e = eam("192.0.2.0", 24, "2001:db8::", 120);
	CHECK(xlat_eam_valid(&e), "/24 /120");
	e = eam("192.0.2.0", 24, "2001:db8::", 121);
	CHECK(!xlat_eam_valid(&e), "IPv6 suffix 7 < IPv4 suffix 8");
	e = eam("192.0.2.0", 24, "2001:db8::", 64);
	CHECK(xlat_eam_valid(&e), "IPv6 suffix 64 >= 8");
	e = eam("0.0.0.0", 0, "2001:db8::", 96);
	CHECK(xlat_eam_valid(&e), "/0 /96");
	e = eam("0.0.0.0", 0, "2001:db8::", 97);
	CHECK(!xlat_eam_valid(&e), "/0 /97");
	e = eam("192.0.2.1", 24, "2001:db8::", 120);
	CHECK(!xlat_eam_valid(&e), "IPv4 bits past the prefix");
	e = eam("192.0.2.0", 24, "2001:db8::1:0", 112);
	CHECK(xlat_eam_valid(&e), "2001:db8::1:0/112 is clean");
	e = eam("192.0.2.0", 24, "2001:db8::100", 112);
	CHECK(!xlat_eam_valid(&e), "IPv6 bits past the prefix");
	e = eam("192.0.2.0", 33, "2001:db8::", 128);
	CHECK(!xlat_eam_valid(&e), "IPv4 /33");
	e = eam("192.0.2.0", 32, "2001:db8::", 129);
	CHECK(!xlat_eam_valid(&e), "IPv6 /129");
	/* An invalid entry is never found (the lookups stay in bounds). */
	e = eam("192.0.2.0", 24, "2001:db8::", 121);
	CHECK(!xlat_eam_scan4(&e, 1, a4("192.0.2.9")), "invalid entry skipped");
}

/* RFC 7597 Appendix A Example 1: BMR 2001:db8::/40, 192.0.2.0/24, EA-bits
 * 16, PSID offset 6; the CE with End-user prefix 2001:db8:0012:3400::/56 is
 * 192.0.2.18, PSID 0x34, MAP address 2001:db8:12:3400:0:c000:212:34.
 */
static const struct map_rule appendix_a = {
	.ip6_prefix = { 0x20, 0x01, 0x0d, 0xb8 }, .ip6_len = 40,
	.ip4_prefix = 0xc0000200, .ip4_len = 24, .ea_len = 16, .psid_offset = 6,
};

/* Seed 002: BMR 2001:db8:ce::/51, 192.0.2.0/24, EA-bits 13, offset 0. */
static const struct map_rule seed002 = {
	.ip6_prefix = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xce }, .ip6_len = 51,
	.ip4_prefix = 0xc0000200, .ip4_len = 24, .ea_len = 13, .psid_offset = 0,
};

static void test_map_appendix_a(void)
{
	struct xlat_map m = { .rules = &appendix_a, .n_rules = 1 };
	uint8_t a[16], out[16];
	uint32_t ip4 = 0;
	bool spoofed;

	CHECK(map_rule_check(&appendix_a, XLAT_MAP_EU_MAX) == MAP_RULE_OK, "rule ok");
	a6("2001:db8:12:3400:0:c000:212:34", a);
	CHECK(xlat_map_scan6(&appendix_a, 1, a) == &appendix_a, "find6");
	CHECK(xlat_map_scan4(&appendix_a, 1, a4("192.0.2.18")) == &appendix_a, "find4");
	CHECK(xlat_map_6to4(&appendix_a, a, 1232, &ip4) && ip4 == a4("192.0.2.18"),
	      "port 1232: %#x", ip4);
	CHECK(xlat_map_6to4(&appendix_a, a, 64723, &ip4), "port 64723");
	CHECK(xlat_map_6to4(&appendix_a, a, -1, &ip4) && ip4 == a4("192.0.2.18"),
	      "no port: the address alone");
	CHECK(!xlat_map_6to4(&appendix_a, a, 1236, &ip4), "1236: PSID 0x35");
	CHECK(!xlat_map_6to4(&appendix_a, a, 208, &ip4), "208: PSID 0x34 but A = 0");
	CHECK(!xlat_map_6to4(&appendix_a, a, 65536, &ip4), "port 65536");
	/* RFC 7597 Appendix A Example 2: the BR sends to 192.0.2.18:1232. */
	CHECK(xlat_addr_4to6(&m, a4("192.0.2.18"), 1232, out) == XLAT_MAP &&
	      !memcmp(out, a, 16), "4to6: %s", s6(out));
	CHECK(xlat_addr_4to6(&m, a4("192.0.2.18"), 208, out) == XLAT_NONE,
	      "4to6 to a port in no set");
	CHECK(xlat_addr_4to6(&m, a4("192.0.2.18"), -1, out) == XLAT_NONE,
	      "4to6 without port, address shared");
	CHECK(xlat_addr_6to4(&m, a, 1232, &ip4, &spoofed) == XLAT_MAP && !spoofed &&
	      ip4 == a4("192.0.2.18"), "6to4");
	/* The MAP subnet ID is zero (RFC 7597 section 6). */
	a6("2001:db8:12:3401:0:c000:212:34", a);
	CHECK(!xlat_map_6to4(&appendix_a, a, 1232, &ip4), "subnet ID 1");
	CHECK(!xlat_map_6to4(&appendix_a, a, -1, &ip4), "subnet ID 1, no port");
}

static void test_map_seed002(void)
{
	static const struct { const char *eu, *addr, *v4; uint16_t psid, lo, hi; } t[] = {
		{ "2001:db8:ce:11b::", "2001:db8:ce:11b:0:c000:208:1b", "192.0.2.8",
		  27, 55296, 57343 },
		/* The tutorial says 28672-30719: not what its BMR gives. */
		{ "2001:db8:ce:774::", "2001:db8:ce:774:0:c000:23b:14", "192.0.2.59",
		  20, 40960, 43007 },
	};
	unsigned int i;

	CHECK(map_rule_check(&seed002, XLAT_MAP_EU_MAX) == MAP_RULE_OK, "rule ok");
	for (i = 0; i < 2; i++) {
		uint8_t eu[16], a[16], out[16];
		struct xlat_map m = { .rules = &seed002, .n_rules = 1 };
		struct map_ce ce;
		uint32_t ip4 = 0;
		bool spoofed;

		a6(t[i].eu, eu);
		a6(t[i].addr, a);
		CHECK(map_rule_derive(&seed002, eu, 64, &ce) == MAP_RULE_OK &&
		      ce.ip4 == a4(t[i].v4) && ce.ports.psid == t[i].psid &&
		      !memcmp(ce.ip6, a, 16), "%s derives %#x PSID %u %s", t[i].eu,
		      ce.ip4, ce.ports.psid, s6(ce.ip6));
		CHECK(psid_set_port(&ce.ports, 0) == t[i].lo &&
		      psid_set_port(&ce.ports, psid_set_size(&ce.ports) - 1) == t[i].hi,
		      "%s ports %u-%u", t[i].eu, t[i].lo, t[i].hi);
		CHECK(xlat_map_6to4(&seed002, a, t[i].lo, &ip4) && ip4 == a4(t[i].v4),
		      "%s first port", t[i].addr);
		CHECK(xlat_map_6to4(&seed002, a, t[i].hi, &ip4), "%s last port", t[i].addr);
		CHECK(!xlat_map_6to4(&seed002, a, t[i].lo - 1, &ip4), "%s below", t[i].addr);
		CHECK(!xlat_map_6to4(&seed002, a, t[i].hi + 1, &ip4), "%s above", t[i].addr);
		CHECK(xlat_addr_4to6(&m, a4(t[i].v4), t[i].lo + 7, out) == XLAT_MAP &&
		      !memcmp(out, a, 16), "4to6 %s", s6(out));
		CHECK(xlat_addr_6to4(&m, a, t[i].hi - 7, &ip4, &spoofed) == XLAT_MAP &&
		      !spoofed && ip4 == a4(t[i].v4), "6to4 %s", t[i].addr);
	}
}

/* Anti-spoofing refusals (RFC 7599 section 8.3), seed 002 CE 11b. */
static void test_map_spoofing(void)
{
	static const struct { const char *addr; int port; bool ok; const char *why; } t[] = {
		{ "2001:db8:ce:11b:0:c000:208:1b", 55296, true, "genuine" },
		{ "2001:db8:ce:11b:0:c000:208:1b", -1, true, "genuine, no port" },
		{ "2001:db8:ce:11b:0:c000:208:1b", 40960, false, "CE 774's port" },
		{ "2001:db8:ce:11b:0:c000:208:1b", 0, false, "port 0: PSID 0" },
		{ "2001:db8:ce:11b:0:c000:208:1c", 55296, false, "IID PSID 28" },
		{ "2001:db8:ce:11b:0:c000:209:1b", 55296, false, "IID IPv4 .9" },
		{ "2001:db8:ce:11b:0:c000:209:1b", -1, false, "IID IPv4 .9, no port" },
		{ "2001:db8:ce:11b:1:c000:208:1b", 55296, false, "IID first 16 bits" },
		{ "2001:db8:ce:11b::1", 55296, false, "an ordinary IID" },
		{ "2001:db8:ce:11b::1", -1, false, "an ordinary IID, no port" },
		{ "2001:db8:ce:11c:0:c000:208:1b", 55296, false, "EA bits PSID 28" },
		{ "2001:db8:ce:31b:0:c000:208:1b", 55296, false, "EA bits .24" },
		{ "2001:db8:cf:11b:0:c000:208:1b", 55296, false, "other prefix" },
	};
	struct xlat_map m = { .rules = &seed002, .n_rules = 1 };
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint32_t ip4 = 12345;
		uint8_t a[16];
		bool spoofed, ok;
		enum xlat_how how;

		a6(t[i].addr, a);
		ok = xlat_map_6to4(&seed002, a, t[i].port, &ip4);
		CHECK(ok == t[i].ok, "%s: %s", t[i].why, ok ? "accepted" : "refused");
		CHECK(ok || ip4 == 12345, "%s: *ip4 untouched when refused", t[i].why);
		how = xlat_addr_6to4(&m, a, t[i].port, &ip4, &spoofed);
		if (t[i].ok)
			CHECK(how == XLAT_MAP && !spoofed, "%s: how %d", t[i].why, how);
		else if (xlat_map_scan6(&seed002, 1, a))
			CHECK(how == XLAT_NONE && spoofed, "%s: how %d spoofed %d",
			      t[i].why, how, spoofed);
		else
			CHECK(how == XLAT_NONE && !spoofed, "%s: no rule: how %d",
			      t[i].why, how);
	}
}

static void test_map_longest_match(void)
{
	struct map_rule rules[3] = { seed002, seed002, appendix_a };
	uint8_t a[16];

	/* An FMR for 192.0.2.0/26 under 2001:db8:ce::/49 (EA 11: PSID 5). */
	rules[1].ip4_len = 26;
	rules[1].ip6_len = 49;
	rules[1].ea_len = 11;
	rules[2].ip4_prefix = a4("198.51.100.0");
	CHECK(map_rule_check(&rules[1], XLAT_MAP_EU_MAX) == MAP_RULE_OK, "FMR ok");
	CHECK(xlat_map_scan4(rules, 3, a4("192.0.2.8")) == &rules[1], "/26 wins");
	CHECK(xlat_map_scan4(rules, 3, a4("192.0.2.64")) == &rules[0], "/24");
	CHECK(xlat_map_scan4(rules, 3, a4("198.51.100.1")) == &rules[2], "other rule");
	CHECK(!xlat_map_scan4(rules, 3, a4("203.0.113.56")), "no rule");
	/* Under the /40, the /49 and the /51: the /51 wins. */
	a6("2001:db8:ce:123::", a);
	CHECK(xlat_map_scan6(rules, 3, a) == &rules[0], "/51 wins");
	a6("2001:db8:ce:4123::", a);
	CHECK(xlat_map_scan6(rules, 3, a) == &rules[1], "/49 over /40");
	a6("2001:db8:ce:8123::", a);
	CHECK(xlat_map_scan6(rules, 3, a) == &rules[2], "/40 only");
	a6("2001:db8:12:3400::", a);
	CHECK(xlat_map_scan6(rules, 3, a) == &rules[2], "/40");
	a6("2001:db9::", a);
	CHECK(!xlat_map_scan6(rules, 3, a), "none");
	CHECK(!xlat_map_scan6(rules, 0, a) && !xlat_map_scan4(rules, 0, 0), "empty");
}

static void test_map_rule_ok(void)
{
	struct map_rule r = seed002;

	r.ea_len = 7;		/* the EA bits give an IPv4 prefix */
	CHECK(map_rule_check(&r, XLAT_MAP_EU_MAX) != MAP_RULE_OK, "o + r < 32");
	r.ea_len = 8;		/* 1:1 */
	CHECK(map_rule_check(&r, XLAT_MAP_EU_MAX) == MAP_RULE_OK, "1:1");
	r.ea_len = 25;		/* PSID 17 bits */
	CHECK(map_rule_check(&r, XLAT_MAP_EU_MAX) != MAP_RULE_OK, "PSID 17 bits");
	r = appendix_a;
	r.psid_offset = 9;	/* 9 + 8 > 16 */
	CHECK(map_rule_check(&r, XLAT_MAP_EU_MAX) != MAP_RULE_OK, "offset + PSID > 16");
	r = appendix_a;
	r.ip6_len = 120;
	CHECK(map_rule_check(&r, XLAT_MAP_EU_MAX) != MAP_RULE_OK, "prefix + EA > 128");
	r.ip6_len = 48;
	CHECK(map_rule_check(&r, XLAT_MAP_EU_MAX) == MAP_RULE_OK, "End-user prefix /64");
	r.ip6_len = 49;
	CHECK(map_rule_check(&r, XLAT_MAP_EU_MAX) != MAP_RULE_OK, "End-user prefix /65: EA bits in the IID");
}

/* The lookup order: MAP rule, then EAM, then DMR. */
static void test_lookup_order(void)
{
	struct map_rule rules[2] = { seed002, seed002 };
	struct xlat_eam tab[] = {
		/* Under the MAP rule in both families: the rule wins. */
		eam("192.0.2.0", 24, "2001:db8:eeee::", 120),
		eam("10.0.0.0", 8, "2001:db8:ce::", 48),
		/* Under the DMR in IPv6: the EAM wins. */
		eam("198.51.100.0", 24, "64:ff9b::cb00:7100", 120),
		eam("192.0.0.1", 32, "2001:db8:1:ff::c1a7", 128),
	};
	struct xlat_prefix6 dmr = pfx("64:ff9b::", 96), none = { .len = 0 };
	struct xlat_map m = { .rules = rules, .n_rules = 2, .eam = tab, .n_eam = 4, .dmr = &dmr };
	uint8_t out[16], a[16];
	uint32_t ip4 = 0;
	bool spoofed;

	/* rules[1]: a 1:1 rule for 198.18.0.0/24 under 2001:db8:1100::/40. */
	rules[1].ip4_prefix = a4("198.18.0.0");
	rules[1].ea_len = 8;
	rules[1].ip6_len = 40;
	memset(rules[1].ip6_prefix, 0, 16);
	a6("2001:db8:1100::", rules[1].ip6_prefix);

	CHECK(xlat_addr_4to6(&m, a4("192.0.2.8"), 55300, out) == XLAT_MAP &&
	      eq6(out, "2001:db8:ce:11b:0:c000:208:1b"), "MAP over EAM: %s", s6(out));
	CHECK(xlat_addr_4to6(&m, a4("192.0.2.8"), 1, out) == XLAT_MAP &&
	      eq6(out, "2001:db8:ce:100:0:c000:208:0"), "PSID 0 (offset 0): %s", s6(out));
	CHECK(xlat_addr_4to6(&m, a4("192.0.2.8"), -1, out) == XLAT_NONE,
	      "covered by a sharing rule, no port: none, not the EAM");
	CHECK(xlat_addr_4to6(&m, a4("198.18.0.9"), -1, out) == XLAT_MAP &&
	      eq6(out, "2001:db8:1109:0:0:c612:9:0"), "1:1 rule without port: %s",
	      s6(out));
	CHECK(xlat_addr_4to6(&m, a4("198.51.100.56"), 80, out) == XLAT_EAM &&
	      eq6(out, "64:ff9b::cb00:7138"), "EAM: %s", s6(out));
	CHECK(xlat_addr_4to6(&m, a4("192.0.0.1"), -1, out) == XLAT_EAM &&
	      eq6(out, "2001:db8:1:ff::c1a7"), "CLAT EAM: %s", s6(out));
	CHECK(xlat_addr_4to6(&m, a4("203.0.113.56"), 80, out) == XLAT_DMR &&
	      eq6(out, "64:ff9b::cb00:7138"), "DMR: %s", s6(out));

	a6("2001:db8:ce:11b:0:c000:208:1b", a);
	CHECK(xlat_addr_6to4(&m, a, 55296, &ip4, &spoofed) == XLAT_MAP && !spoofed &&
	      ip4 == a4("192.0.2.8"), "6to4 MAP over EAM");
	CHECK(xlat_addr_6to4(&m, a, 80, &ip4, &spoofed) == XLAT_NONE && spoofed,
	      "spoofed: no fall-through to the EAM 10.0.0.0/8");
	a6("2001:db8:ce:8::1", a);
	CHECK(xlat_addr_6to4(&m, a, 80, &ip4, &spoofed) == XLAT_NONE && spoofed,
	      "under the rule, not a CE address");
	a6("64:ff9b::cb00:7138", a);
	CHECK(xlat_addr_6to4(&m, a, 80, &ip4, &spoofed) == XLAT_EAM && !spoofed &&
	      ip4 == a4("198.51.100.56"), "EAM over DMR: %#x", ip4);
	a6("64:ff9b::cb00:7238", a);
	CHECK(xlat_addr_6to4(&m, a, 80, &ip4, &spoofed) == XLAT_DMR && !spoofed &&
	      ip4 == a4("203.0.114.56"), "DMR: %#x", ip4);
	a6("2001:db8:1:ff::c1a7", a);
	CHECK(xlat_addr_6to4(&m, a, -1, &ip4, &spoofed) == XLAT_EAM &&
	      ip4 == a4("192.0.0.1"), "CLAT EAM back");
	a6("2001:db8:1:ff::c1a8", a);
	CHECK(xlat_addr_6to4(&m, a, -1, &ip4, &spoofed) == XLAT_NONE && !spoofed,
	      "nowhere");

	/* Without a DMR (NULL or len 0). */
	m.dmr = NULL;
	CHECK(xlat_addr_4to6(&m, a4("203.0.113.56"), 80, out) == XLAT_NONE, "no DMR");
	m.dmr = &none;
	CHECK(xlat_addr_4to6(&m, a4("203.0.113.56"), 80, out) == XLAT_NONE, "DMR len 0");
	a6("64:ff9b::cb00:7238", a);
	CHECK(xlat_addr_6to4(&m, a, 80, &ip4, &spoofed) == XLAT_NONE && !spoofed,
	      "DMR len 0, 6to4");
	/* Empty map. */
	memset(&m, 0, sizeof(m));
	CHECK(xlat_addr_4to6(&m, a4("192.0.2.8"), 80, out) == XLAT_NONE, "empty");
	CHECK(xlat_addr_6to4(&m, a, 80, &ip4, &spoofed) == XLAT_NONE && !spoofed,
	      "empty 6to4");
}

/* Random CEs of random rules: the BR's 4to6 and 6to4 agree with
 * map_rule_derive(), for every port of a random set.
 */
static void test_map_round_trips(void)
{
	unsigned int i, j;

	for (i = 0; i < 3000; i++) {
		struct map_rule r = { .ip6_len = (uint8_t)(16 + unit_rand() % 49) };
		unsigned int suffix;
		uint8_t eu[16], out[16];
		struct map_ce ce;
		struct xlat_map m = { .rules = &r, .n_rules = 1 };

		r.ip4_len = (uint8_t)(8 + unit_rand() % 25);
		suffix = 32 - r.ip4_len;
		r.psid_offset = (uint8_t)(unit_rand() % 9);
		r.ea_len = (uint8_t)(suffix + unit_rand() % (17 - r.psid_offset));
		if (r.ea_len > 48 || r.ip6_len + r.ea_len > 64)
			continue;
		r.ip4_prefix = (uint32_t)unit_rand() & ~0u << suffix;
		for (j = 0; j < 16; j++)
			eu[j] = (uint8_t)unit_rand();
		memcpy(r.ip6_prefix, eu, 16);
		for (j = r.ip6_len; j < 128; j++)
			r.ip6_prefix[j / 8] &= (uint8_t)~(0x80 >> (j % 8));
		CHECK(map_rule_check(&r, XLAT_MAP_EU_MAX) == MAP_RULE_OK, "rule %u", i);
		if (map_rule_derive(&r, eu, r.ip6_len + r.ea_len, &ce) != MAP_RULE_OK) {
			CHECK(0, "derive %u", i);
			continue;
		}
		for (j = 0; j < 8; j++) {
			unsigned int n = (unsigned int)(unit_rand() % psid_set_size(&ce.ports));
			uint16_t port = psid_set_port(&ce.ports, n);
			uint32_t ip4 = 0;
			bool spoofed;

			CHECK(xlat_addr_4to6(&m, ce.ip4, port, out) == XLAT_MAP &&
			      !memcmp(out, ce.ip6, 16), "4to6 %u/%u", i, j);
			CHECK(xlat_addr_6to4(&m, ce.ip6, port, &ip4, &spoofed) == XLAT_MAP &&
			      ip4 == ce.ip4, "6to4 %u/%u", i, j);
			CHECK(xlat_map_6to4(&r, ce.ip6, -1, &ip4) && ip4 == ce.ip4,
			      "no port %u/%u", i, j);
		}
	}
}

/* RFC 6052 section 3.1 and addresses never routed: no DMR translation. */
static void test_dmr_refused(void)
{
	static const struct xlat_prefix6 wkp = { { 0, 0x64, 0xff, 0x9b }, 96 };
	static const struct xlat_prefix6 nsp = { { 0x20, 0x01, 0x0d, 0xb8, 0, 0x64 }, 96 };
	struct xlat_map mw = { .dmr = &wkp }, mn = { .dmr = &nsp };
	static const struct { uint32_t ip4; bool wkp_ok, nsp_ok; } v[] = {
		{ 0xcb007138, true, true },	/* 203.0.113.56, the seeds' */
		{ 0x08080808, true, true },
		{ 0xc0a80102, false, true },	/* 192.168.1.2: RFC 1918 */
		{ 0x0a000001, false, true },
		{ 0xac1f0001, false, true },	/* 172.31.0.1 */
		{ 0xac200001, true, true },	/* 172.32.0.1: not private */
		{ 0x64400001, false, true },	/* 100.64.0.1: RFC 6598 */
		{ 0xe00000fb, false, false },	/* 224.0.0.251: multicast */
		{ 0xffffffff, false, false },	/* broadcast */
		{ 0xf0000001, false, false },	/* reserved */
		{ 0x7f000001, false, false },	/* loopback */
		{ 0xa9fe0001, false, false },	/* link local */
		{ 0x00000000, false, false },
	};
	uint8_t a[16];
	uint32_t back;
	bool spoofed;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK((xlat_addr_4to6(&mw, v[i].ip4, -1, a) == XLAT_DMR) == v[i].wkp_ok,
		      "%08x through 64:ff9b::/96", v[i].ip4);
		CHECK((xlat_addr_4to6(&mn, v[i].ip4, -1, a) == XLAT_DMR) == v[i].nsp_ok,
		      "%08x through 2001:db8:64::/96", v[i].ip4);
		rfc6052_embed(&wkp, v[i].ip4, a);
		CHECK((xlat_addr_6to4(&mw, a, -1, &back, &spoofed) == XLAT_DMR) == v[i].wkp_ok,
		      "%08x back from 64:ff9b::/96", v[i].ip4);
	}
}

/* --- the index: the same results as the scans ------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	/* xorshift64*: reproducible */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static uint32_t m4(unsigned int len)
{
	return len >= 32 ? ~0u : len ? ~0u << (32 - len) : 0;
}

/* a := the first len bits of p, the rest random */
static void under(uint8_t a[16], const uint8_t p[16], unsigned int len)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		uint8_t m = i < len / 8 ? 0xff : i == len / 8 ?
			    (uint8_t)(0xff00 >> (len % 8)) : 0;

		a[i] = (uint8_t)((p[i] & m) | (rnd() & ~m));
	}
}

/* the address right after p/len (len > 0), or right before it */
static void next6(uint8_t a[16], const uint8_t p[16], unsigned int len,
		  bool after)
{
	int i;

	memcpy(a, p, 16);
	for (i = 0; i < 16; i++) {
		uint8_t m = i < (int)len / 8 ? 0 : i == (int)len / 8 ?
			    (uint8_t)(0xff >> (len % 8)) : 0xff;

		a[i] = after ? a[i] | m : (uint8_t)(a[i] & ~m);
	}
	if (after) {
		for (i = 15; i >= 0 && ++a[i] == 0; i--)
			;
	} else {
		for (i = 15; i >= 0 && a[i]-- == 0; i--)
			;
	}
}

struct ix_buf {
	struct xlat_index ix;
	void *mem, *scratch;
};

static void ix_build(struct ix_buf *b, const struct xlat_eam *eam,
		     unsigned int n_eam, const struct map_rule *rules,
		     unsigned int n_rules, int *dup)
{
	unsigned int n = eam ? n_eam : n_rules;

	/* exactly sized, so that ASan sees a write past the end */
	b->mem = malloc(xlat_index_bytes(n));
	b->scratch = malloc(xlat_index_scratch_bytes(n));
	if (!b->mem || !b->scratch)
		exit(2);
	if (eam)
		*dup = xlat_index_build_eam(&b->ix, b->mem, b->scratch, eam, n);
	else
		*dup = xlat_index_build_rules(&b->ix, b->mem, b->scratch, rules, n);
	free(b->scratch);
}

static bool same6(const uint8_t a[16], const uint8_t b[16], unsigned int len)
{
	unsigned int j;

	for (j = 0; j < len; j++)
		if (((a[j / 8] ^ b[j / 8]) >> (7 - j % 8)) & 1)
			return false;
	return true;
}

static bool lengths_ok(const struct xlat_eam *e)
{
	return e->ip4_len <= 32 && e->ip6_len <= 128 &&
	       32 - e->ip4_len <= 128 - e->ip6_len;
}

/* The first index whose IPv4 or IPv6 prefix an earlier entry has, or -1. */
static int eam_dup(const struct xlat_eam *t, unsigned int n)
{
	unsigned int i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < i; k++) {
			const struct xlat_eam *a = &t[i], *b = &t[k];

			if (!lengths_ok(a) || !lengths_ok(b))
				continue;
			if ((a->ip4_len == b->ip4_len &&
			     !((a->ip4 ^ b->ip4) & m4(a->ip4_len))) ||
			    (a->ip6_len == b->ip6_len &&
			     same6(a->ip6, b->ip6, a->ip6_len)))
				return (int)i;
		}
	return -1;
}

/* Random tables of nested, equal, disjoint and broken prefixes. */
static void random_tables(struct xlat_eam *eam, unsigned int n,
			  struct map_rule *rules)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct xlat_eam *e = &eam[i];
		struct map_rule *r = &rules[i];
		uint8_t base[16] = { 0x20, 0x01, 0x0d, 0xb8 };
		unsigned int j, c = rnd() % 8;

		if (i && c < 4) {
			/* under, or the same as, an earlier one */
			const struct xlat_eam *o = &eam[rnd() % i];

			e->ip4_len = (uint8_t)(o->ip4_len <= 32 ?
				     o->ip4_len + rnd() % (33 - o->ip4_len) : rnd() % 33);
			e->ip4 = (o->ip4 & m4(o->ip4_len)) | (rnd() & ~m4(o->ip4_len));
			e->ip6_len = (uint8_t)(o->ip6_len <= 128 ?
				     o->ip6_len + rnd() % (129 - o->ip6_len) : rnd() % 129);
			under(e->ip6, o->ip6, o->ip6_len <= 128 ? o->ip6_len : 0);
			if (c == 0)
				*e = *o;	/* a duplicate */
		} else {
			e->ip4 = (rnd() & 0x0000ffff) | 0xc0a80000;
			e->ip4_len = (uint8_t)(rnd() % 33);
			e->ip6_len = (uint8_t)(rnd() % 129);
			under(e->ip6, base, 32);
		}
		if (c == 7)	/* out of range now and then */
			e->ip4_len = (uint8_t)(33 + rnd() % 3);
		if (rnd() % 2) {	/* mostly clean, valid */
			e->ip4 &= m4(e->ip4_len);
			if (e->ip6_len > 96 + e->ip4_len)
				e->ip6_len = (uint8_t)(96 + e->ip4_len);
			for (j = 0; j < 16; j++)
				if (j * 8 + 8 > e->ip6_len)
					e->ip6[j] &= j * 8 >= e->ip6_len ? 0 :
						(uint8_t)(0xff00 >> (e->ip6_len % 8));
		}
		memcpy(r->ip6_prefix, e->ip6, 16);
		r->ip6_len = (uint8_t)(c == 6 ? 129 + rnd() % 3 : e->ip6_len);
		r->ip4_prefix = e->ip4;
		r->ip4_len = e->ip4_len;
		r->ea_len = (uint8_t)(rnd() % 49);
		r->psid_offset = 6;
	}
}

static void test_index_random(void)
{
	enum { TABLES = 400, PROBES = 300 };
	static struct xlat_eam eam[64];
	static struct map_rule rules[64];
	unsigned int t, p;

	for (t = 0; t < TABLES; t++) {
		unsigned int n = t < 8 ? t : 1 + rnd() % 64;
		struct ix_buf be, br;
		struct xlat_map m = { rules, n, eam, n, NULL, &br.ix, &be.ix };
		int dup;

		random_tables(eam, n, rules);
		ix_build(&be, eam, n, NULL, 0, &dup);
		CHECK(dup == eam_dup(eam, n), "table %u: dup %d, scan %d", t,
		      dup, eam_dup(eam, n));
		ix_build(&br, NULL, 0, rules, n, &dup);
		CHECK(be.ix.by4.n <= 2 * n + 1 && be.ix.by6.n <= 2 * n + 1 &&
		      be.ix.by4.n >= 1, "table %u: intervals", t);
		for (p = 0; p < PROBES; p++) {
			unsigned int k = n ? rnd() % n : 0, how = rnd() % 4;
			const struct xlat_eam *e = &eam[k];
			uint32_t ip4 = rnd();
			uint8_t a[16];

			under(a, e->ip6, n ? e->ip6_len % 129 : 0);
			if (n && how == 0) {
				ip4 = (e->ip4 & m4(e->ip4_len % 33)) |
				      (ip4 & ~m4(e->ip4_len % 33));
			} else if (n && (how == 1 || how == 2) && e->ip4_len % 33) {
				ip4 = (e->ip4 & m4(e->ip4_len % 33)) |
				      (how == 1 ? ~m4(e->ip4_len % 33) : 0);
				ip4 += how == 1 ? 1 : -1;	/* just outside */
				next6(a, e->ip6, e->ip6_len % 129 ? e->ip6_len % 129 : 1,
				      how == 1);
			}
			CHECK(xlat_eam_find4(&m, ip4) == xlat_eam_scan4(eam, n, ip4),
			      "table %u (%u): eam %08x", t, n, ip4);
			CHECK(xlat_eam_find6(&m, a) == xlat_eam_scan6(eam, n, a),
			      "table %u (%u): eam %s", t, n, s6(a));
			CHECK(xlat_map_find4(&m, ip4) == xlat_map_scan4(rules, n, ip4),
			      "table %u (%u): rule %08x", t, n, ip4);
			CHECK(xlat_map_find6(&m, a) == xlat_map_scan6(rules, n, a),
			      "table %u (%u): rule %s", t, n, s6(a));
		}
		free(be.mem);
		free(br.mem);
	}
}

/* 100k /32 <-> /128 EAMs and a few covering prefixes: every entry found. */
static void test_index_big(void)
{
	enum { N = 100000 };
	struct xlat_eam *tab = calloc(N + 2, sizeof(*tab));
	struct ix_buf b;
	struct xlat_map m;
	unsigned int i, bad = 0;
	uint8_t a[16];
	int dup;

	if (!tab)
		exit(2);
	for (i = 0; i < N; i++) {
		uint32_t v = 0x0a000000 + i * 7;

		tab[i].ip4 = v;
		tab[i].ip4_len = 32;
		a6("2001:db8:100::", tab[i].ip6);
		tab[i].ip6[12] = (uint8_t)(v >> 24);
		tab[i].ip6[13] = (uint8_t)(v >> 16);
		tab[i].ip6[14] = (uint8_t)(v >> 8);
		tab[i].ip6[15] = (uint8_t)v;
		tab[i].ip6_len = 128;
	}
	tab[N] = eam("10.0.0.0", 8, "2001:db8:200::", 104);
	tab[N + 1] = eam("10.0.0.14", 32, "2001:db8:300::1", 128);	/* again */
	ix_build(&b, tab, N + 2, NULL, 0, &dup);
	CHECK(dup == N + 1, "the repeated 10.0.0.14/32: %d", dup);
	m = (struct xlat_map){ .eam = tab, .n_eam = N + 2, .eam_ix = &b.ix };
	for (i = 0; i < N; i++) {
		bad += xlat_eam_find4(&m, tab[i].ip4) != &tab[i];
		bad += xlat_eam_find6(&m, tab[i].ip6) != &tab[i];
		bad += xlat_eam_find4(&m, tab[i].ip4 + 1) != &tab[N];
	}
	CHECK(!bad, "%u lookups wrong", bad);
	CHECK(xlat_eam_find4(&m, a4("11.0.0.0")) == NULL, "outside");
	CHECK(xlat_eam_find4(&m, a4("10.255.255.255")) == &tab[N], "the /8");
	a6("2001:db8:200::ab", a);
	CHECK(xlat_eam_find6(&m, a) == &tab[N], "the /104");
	free(b.mem);
	free(tab);
}

int main(void)
{
	RUN(test_rfc6052_table);
	RUN(test_rfc6052_lengths);
	RUN(test_rfc6052_round_trips);
	RUN(test_rfc6052_invalid);
	RUN(test_eam_examples);
	RUN(test_eam_longest_match);
	RUN(test_eam_valid);
	RUN(test_map_appendix_a);
	RUN(test_map_seed002);
	RUN(test_map_spoofing);
	RUN(test_map_longest_match);
	RUN(test_map_rule_ok);
	RUN(test_lookup_order);
	RUN(test_map_round_trips);
	RUN(test_dmr_refused);
	RUN(test_index_random);
	RUN(test_index_big);
	UNIT_END();
}
