// SPDX-License-Identifier: GPL-2.0
/*
 * Address mapping of the translator: RFC 6052, RFC 7757, RFC 7599 MAP rules.
 *
 * IPv6 addresses are handled as two 64-bit halves, so that a bit field at
 * any offset (an EAM suffix, the EA bits) is a couple of shifts, not a loop
 * over bits: this runs for both ends of every translated packet.
 */
#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif
#include "xlat_addr.h"

struct u128 {
	uint64_t hi, lo;
};

static struct u128 load128(const uint8_t a[16])
{
	struct u128 v = { 0, 0 };
	unsigned int i;

	for (i = 0; i < 8; i++) {
		v.hi = v.hi << 8 | a[i];
		v.lo = v.lo << 8 | a[8 + i];
	}
	return v;
}

static void store128(struct u128 v, uint8_t out[16])
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		out[7 - i] = (uint8_t)(v.hi >> (8 * i));
		out[15 - i] = (uint8_t)(v.lo >> (8 * i));
	}
}

/* x (at most 64 bits) shifted left by s (s < 128) into 128 bits */
static struct u128 shl128(uint64_t x, unsigned int s)
{
	struct u128 v;

	if (s >= 64) {
		v.hi = x << (s - 64);
		v.lo = 0;
	} else if (s) {
		v.hi = x >> (64 - s);
		v.lo = x << s;
	} else {
		v.hi = 0;
		v.lo = x;
	}
	return v;
}

static uint64_t ones64(unsigned int n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

/* Bits [off, off + n) of v, MSB first; n <= 64, off + n <= 128. */
static uint64_t get_field(struct u128 v, unsigned int off, unsigned int n)
{
	uint64_t top;	/* v shifted left by off, high half */

	if (!n)
		return 0;
	if (off >= 64)
		top = v.lo << (off - 64);
	else if (off)
		top = v.hi << off | v.lo >> (64 - off);
	else
		top = v.hi;
	return top >> (64 - n);
}

/* Set bits [off, off + n) of *v to x; n <= 64, off + n <= 128. */
static void put_field(struct u128 *v, unsigned int off, unsigned int n,
		      uint64_t x)
{
	struct u128 m, b;

	if (!n)
		return;
	m = shl128(ones64(n), 128 - off - n);
	b = shl128(x & ones64(n), 128 - off - n);
	v->hi = (v->hi & ~m.hi) | b.hi;
	v->lo = (v->lo & ~m.lo) | b.lo;
}

/* The first len bits of an IPv6 address as a mask (len <= 128). */
static struct u128 mask128(unsigned int len)
{
	struct u128 m;

	m.hi = len >= 64 ? ~0ull : len ? ~0ull << (64 - len) : 0;
	m.lo = len >= 128 ? ~0ull : len > 64 ? ~0ull << (128 - len) : 0;
	return m;
}

static uint32_t mask32(unsigned int len)
{
	return len >= 32 ? ~0u : len ? ~0u << (32 - len) : 0;
}

/* Do the first len bits of a and p agree? (len <= 128) */
static bool match6(const uint8_t a[16], const uint8_t p[16], unsigned int len)
{
	unsigned int full = len / 8, rest = len % 8;

	if (memcmp(a, p, full))
		return false;
	return !rest || !((a[full] ^ p[full]) & (uint8_t)(0xff00 >> rest));
}

static bool match4(uint32_t a, uint32_t p, unsigned int len)
{
	return !((a ^ p) & mask32(len));
}

static bool clean6(const uint8_t p[16], unsigned int len)
{
	struct u128 v = load128(p), m = mask128(len);

	return !(v.hi & ~m.hi) && !(v.lo & ~m.lo);
}

/* RFC 6052 ----------------------------------------------------------- */

bool rfc6052_len_ok(unsigned int len)
{
	return len == 32 || len == 40 || len == 48 || len == 56 || len == 64 ||
	       len == 96;
}

bool rfc6052_prefix_valid(const struct xlat_prefix6 *p)
{
	/* Section 2.2: with a /96 the u-octet is part of the prefix. */
	return rfc6052_len_ok(p->len) && clean6(p->a, p->len) &&
	       (p->len != 96 || !p->a[8]);
}

/*
 * Section 2.2: the IPv4 address follows the prefix, skipping bits 64 to 71
 * (the u-octet, byte 8). With the lengths of rfc6052_len_ok() it starts on
 * a byte boundary, so the four bytes are placed one by one.
 */
void rfc6052_embed(const struct xlat_prefix6 *p, uint32_t ip4, uint8_t out[16])
{
	unsigned int pos = p->len / 8, i;

	memset(out, 0, 16);
	if (!rfc6052_len_ok(p->len))
		return;
	memcpy(out, p->a, pos);
	for (i = 0; i < 4; i++) {
		if (pos == 8)
			pos++;		/* u-octet: zero */
		out[pos++] = (uint8_t)(ip4 >> (24 - 8 * i));
	}
}

/*
 * RFC 6052 section 2.2 says bits 64 to 71 (the u-octet) MUST be zero and
 * the suffix SHOULD be zero when an address is formed, and that a
 * translator receiving an address where the suffix bits are not zero
 * SHOULD ignore their value. We generate both as zero (rfc6052_embed) and
 * ignore both on the way in: the u-octet is not checked either, since it
 * carries no part of the IPv4 address (with a /96 it is part of the prefix
 * and compared as such).
 */
/* a/len covers ip4 (host order) */
static bool ip4_in(uint32_t ip4, uint32_t a, unsigned int len)
{
	return !((ip4 ^ a) >> (32 - len));
}

bool rfc6052_ipv4_ok(const struct xlat_prefix6 *p, uint32_t ip4)
{
	static const uint8_t wkp[12] = { 0, 0x64, 0xff, 0x9b };

	/* this network, loopback, link local, multicast, reserved, broadcast */
	if (ip4_in(ip4, 0x00000000, 8) || ip4_in(ip4, 0x7f000000, 8) ||
	    ip4_in(ip4, 0xa9fe0000, 16) || ip4_in(ip4, 0xe0000000, 3))
		return false;
	/* RFC 6052 section 3.1: the Well-Known Prefix never carries private
	 * addresses (RFC 1918) nor the shared address space (RFC 6598).
	 */
	if (p->len == 96 && !memcmp(p->a, wkp, sizeof(wkp)) &&
	    (ip4_in(ip4, 0x0a000000, 8) || ip4_in(ip4, 0xac100000, 12) ||
	     ip4_in(ip4, 0xc0a80000, 16) || ip4_in(ip4, 0x64400000, 10)))
		return false;
	return true;
}

bool rfc6052_extract(const struct xlat_prefix6 *p, const uint8_t a[16],
		     uint32_t *ip4)
{
	unsigned int pos = p->len / 8, i;
	uint32_t v = 0;

	if (!rfc6052_len_ok(p->len) || !match6(a, p->a, p->len))
		return false;
	for (i = 0; i < 4; i++) {
		if (pos == 8)
			pos++;
		v = v << 8 | a[pos++];
	}
	*ip4 = v;
	return true;
}

/* RFC 7757 ----------------------------------------------------------- */

/* Lengths alone: what the lookups need to stay in bounds. */
static bool eam_lengths_ok(const struct xlat_eam *e)
{
	return e->ip4_len <= 32 && e->ip6_len <= 128 &&
	       32 - e->ip4_len <= 128 - e->ip6_len;
}

/*
 * Section 3.2: the IPv6 prefix has at least as many suffix bits as the
 * IPv4 prefix (it may have more: the RFC's own 192.0.2.128/26 <->
 * 2001:db8:dddd::/64). Prefixes with bits set past their length are
 * refused, so that an entry reads one way only.
 */
bool xlat_eam_valid(const struct xlat_eam *e)
{
	return eam_lengths_ok(e) && !(e->ip4 & ~mask32(e->ip4_len)) &&
	       clean6(e->ip6, e->ip6_len);
}

/* Sections 3.3 and 3.4: the longest matching prefix wins. */
const struct xlat_eam *xlat_eam_find4(const struct xlat_eam *tab,
				      unsigned int n, uint32_t ip4)
{
	const struct xlat_eam *best = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct xlat_eam *e = &tab[i];

		if (eam_lengths_ok(e) && match4(ip4, e->ip4, e->ip4_len) &&
		    (!best || e->ip4_len > best->ip4_len))
			best = e;
	}
	return best;
}

const struct xlat_eam *xlat_eam_find6(const struct xlat_eam *tab,
				      unsigned int n, const uint8_t a[16])
{
	const struct xlat_eam *best = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct xlat_eam *e = &tab[i];

		if (eam_lengths_ok(e) && match6(a, e->ip6, e->ip6_len) &&
		    (!best || e->ip6_len > best->ip6_len))
			best = e;
	}
	return best;
}

/*
 * Section 3.3: the IPv6 prefix, then the suffix bits of the IPv4 address
 * right after it; any further IPv6 suffix bits are zero.
 */
void xlat_eam_4to6(const struct xlat_eam *e, uint32_t ip4, uint8_t out[16])
{
	struct u128 v, m;
	unsigned int n;

	memset(out, 0, 16);
	if (!eam_lengths_ok(e))
		return;
	n = 32 - e->ip4_len;
	v = load128(e->ip6);
	m = mask128(e->ip6_len);
	v.hi &= m.hi;
	v.lo &= m.lo;
	put_field(&v, e->ip6_len, n, ip4);
	store128(v, out);
}

/*
 * Section 3.4: the IPv4 prefix, then as many bits as the IPv4 suffix has,
 * taken right after the IPv6 prefix; further IPv6 suffix bits are ignored.
 */
uint32_t xlat_eam_6to4(const struct xlat_eam *e, const uint8_t a[16])
{
	unsigned int n;

	if (!eam_lengths_ok(e))
		return 0;
	n = 32 - e->ip4_len;
	return (e->ip4 & mask32(e->ip4_len)) |
	       (uint32_t)get_field(load128(a), e->ip6_len, n);
}

/* MAP rules (RFC 7599 section 5, RFC 7597 section 5) ------------------ */

/*
 * A rule the translator can use: the EA bits hold the whole IPv4 suffix
 * (o + r >= 32, RFC 7597 section 5.2: each CE has one IPv4 address, maybe
 * shared, not an IPv4 prefix), the PSID fits next to its offset, and the
 * End-user prefix (rule prefix + EA bits) ends by bit 64, where the
 * interface identifier of RFC 7597 section 6 begins (map_rule_ce_for()
 * keeps no End-user bit past 64, so EA bits there could not be checked).
 */
bool xlat_map_rule_ok(const struct map_rule *r)
{
	unsigned int suffix = 32 - r->ip4_len;

	return r->ip6_len <= 128 && r->ip4_len <= 32 && r->ea_len <= 48 &&
	       r->ip6_len + r->ea_len <= 64 && r->psid_offset <= 16 &&
	       r->ea_len >= suffix && r->ea_len - suffix + r->psid_offset <= 16;
}

/* RFC 7599 section 8.1 and 8.4: longest IPv4 destination match. */
const struct map_rule *xlat_map_find4(const struct map_rule *rules,
				      unsigned int n, uint32_t ip4)
{
	const struct map_rule *best = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct map_rule *r = &rules[i];

		if (r->ip4_len <= 32 && match4(ip4, r->ip4_prefix, r->ip4_len) &&
		    (!best || r->ip4_len > best->ip4_len))
			best = r;
	}
	return best;
}

/* RFC 7599 section 8.3: longest match of the (source) IPv6 address. */
const struct map_rule *xlat_map_find6(const struct map_rule *rules,
				      unsigned int n, const uint8_t a[16])
{
	const struct map_rule *best = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct map_rule *r = &rules[i];

		if (r->ip6_len <= 128 && match6(a, r->ip6_prefix, r->ip6_len) &&
		    (!best || r->ip6_len > best->ip6_len))
			best = r;
	}
	return best;
}

/*
 * The EA bits after the rule's IPv6 prefix give the IPv4 suffix and the
 * PSID (RFC 7597 section 5.2). The packet is genuine only if its address
 * is the one the rule derives for that IPv4 address and port (RFC 7599
 * section 8.3 at the BR; RFC 7597 section 8.1 for MAP-E): End-user
 * prefix, subnet ID zero, and the interface identifier of
 * RFC 7597 section 6. map_rule_ce_for() derives it; it also refuses a port
 * outside every port set (A = 0 with an offset).
 */
bool xlat_map_6to4(const struct map_rule *r, const uint8_t a[16], int port,
		   uint32_t *ip4)
{
	unsigned int suffix = 32 - r->ip4_len, k;
	struct map_ce ce;
	uint64_t ea;
	uint32_t v4;
	uint16_t psid, p;

	if (!xlat_map_rule_ok(r) || !match6(a, r->ip6_prefix, r->ip6_len) ||
	    port > 0xffff)
		return false;
	k = r->ea_len - suffix;
	ea = get_field(load128(a), r->ip6_len, r->ea_len);
	psid = (uint16_t)(ea & ones64(k));
	v4 = (r->ip4_prefix & mask32(r->ip4_len)) |
	     (suffix ? (uint32_t)(ea >> k) : 0);
	if (port >= 0) {
		p = (uint16_t)port;
	} else {
		/* No port: any port of the PSID's set derives the address. */
		struct psid_set s = { .offset = (uint8_t)(k ? r->psid_offset : 0),
				      .len = (uint8_t)k, .psid = psid };

		p = psid_set_port(&s, 0);
	}
	if (map_rule_ce_for(r, v4, p, &ce) != MAP_RULE_OK ||
	    ce.ports.psid != psid || memcmp(ce.ip6, a, 16))
		return false;
	*ip4 = v4;
	return true;
}

/* One end of a packet ------------------------------------------------- */

static const struct xlat_prefix6 *dmr_of(const struct xlat_map *m)
{
	return m->dmr && rfc6052_len_ok(m->dmr->len) ? m->dmr : NULL;
}

/*
 * A MAP rule covering ip4 decides: if the port is missing (with address
 * sharing) or in no port set, the address has no IPv6 counterpart, and it
 * does not fall through to an EAM or the DMR (that would send the packet
 * to a place the rule does not own).
 */
enum xlat_how xlat_addr_4to6(const struct xlat_map *m, uint32_t ip4, int port,
			     uint8_t out[16])
{
	const struct map_rule *r = xlat_map_find4(m->rules, m->n_rules, ip4);
	const struct xlat_prefix6 *dmr;
	const struct xlat_eam *e;

	if (r) {
		struct map_ce ce;

		if (!xlat_map_rule_ok(r) || port > 0xffff ||
		    (port < 0 && r->ea_len != 32 - r->ip4_len) ||
		    map_rule_ce_for(r, ip4, port < 0 ? 0 : (uint16_t)port,
				    &ce) != MAP_RULE_OK)
			return XLAT_NONE;
		memcpy(out, ce.ip6, 16);
		return XLAT_MAP;
	}
	e = xlat_eam_find4(m->eam, m->n_eam, ip4);
	if (e) {
		xlat_eam_4to6(e, ip4, out);
		return XLAT_EAM;
	}
	dmr = dmr_of(m);
	if (dmr && rfc6052_ipv4_ok(dmr, ip4)) {
		rfc6052_embed(dmr, ip4, out);
		return XLAT_DMR;
	}
	return XLAT_NONE;
}

enum xlat_how xlat_addr_6to4(const struct xlat_map *m, const uint8_t a[16],
			     int port, uint32_t *ip4, bool *spoofed)
{
	const struct map_rule *r = xlat_map_find6(m->rules, m->n_rules, a);
	const struct xlat_prefix6 *dmr;
	const struct xlat_eam *e;

	*spoofed = false;
	if (r) {
		if (xlat_map_6to4(r, a, port, ip4))
			return XLAT_MAP;
		*spoofed = true;
		return XLAT_NONE;
	}
	e = xlat_eam_find6(m->eam, m->n_eam, a);
	if (e) {
		*ip4 = xlat_eam_6to4(e, a);
		return XLAT_EAM;
	}
	dmr = dmr_of(m);
	if (dmr && rfc6052_extract(dmr, a, ip4) && rfc6052_ipv4_ok(dmr, *ip4))
		return XLAT_DMR;
	return XLAT_NONE;
}
