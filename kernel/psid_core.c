// SPDX-License-Identifier: GPL-2.0
/*
 * Port sets and MAP rule arithmetic (RFC 7597 sections 5.1, 5.2, 6).
 */
#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif
#include "psid_core.h"

bool psid_set_valid(const struct psid_set *s)
{
	return s->offset + s->len <= 16 &&
	       (s->len == 16 || s->psid >> s->len == 0);
}

uint16_t psid_of_port(uint16_t port, unsigned int offset, unsigned int len)
{
	unsigned int m = 16 - offset - len;

	if (!len)
		return 0;
	return (uint16_t)((port >> m) & ((1u << len) - 1));
}

/* RFC 7597 section 5.1: with a > 0, the ports whose A field is 0 (0 to
 * 2^(16-a) - 1) are in no port set.
 */
bool psid_port_in_set(const struct psid_set *s, uint16_t port)
{
	if (s->offset && !(port >> (16 - s->offset)))
		return false;
	return psid_of_port(port, s->offset, s->len) == s->psid;
}

unsigned int psid_set_size(const struct psid_set *s)
{
	unsigned int m = 16 - s->offset - s->len;
	unsigned int blocks = s->offset ? (1u << s->offset) - 1 : 1;

	return blocks << m;
}

uint16_t psid_set_port(const struct psid_set *s, unsigned int n)
{
	unsigned int m = 16 - s->offset - s->len;
	unsigned int a = n >> m, j = n & ((1u << m) - 1);

	if (s->offset)
		a += 1;		/* A = 0 is excluded */
	return (uint16_t)((a << (16 - s->offset)) |
			  ((unsigned int)s->psid << m) | j);
}

/* RFC 6056 section 3.3.1's spirit: a random port, not a predictable one. */
int psid_pick_port(const struct psid_set *s, uint16_t orig, unsigned int tries,
		   unsigned int scan, const struct psid_pick_ops *ops, void *ctx,
		   bool *kept)
{
	unsigned int n = psid_set_size(s), i, start;
	uint16_t port;

	*kept = false;
	if (orig && psid_port_in_set(s, orig) && ops->free(orig, ctx)) {
		*kept = true;
		return orig;
	}
	for (i = 0; i < tries && i < n; i++) {
		port = psid_set_port(s, ops->below(n, ctx));
		if (port && ops->free(port, ctx))
			return port;
	}
	/* Nearly full: the ports in order from a random place, bounded. */
	start = ops->below(n, ctx);
	for (i = 0; i < n && i < scan; i++) {
		port = psid_set_port(s, (start + i) % n);
		if (port && ops->free(port, ctx))
			return port;
	}
	return -1;
}

/*
 * Bits [off, off + len) of a, MSB first; len <= 64, off + len <= 128. The
 * two 64-bit halves are loaded, so a field at any offset is a couple of
 * shifts (xlat_addr.c calls this for both ends of every packet).
 */
uint64_t map_get_bits(const uint8_t a[16], unsigned int off, unsigned int len)
{
	uint64_t hi = 0, lo = 0, top;	/* top: a shifted left by off, high half */
	unsigned int i;

	if (!len || len > 64 || off + len > 128)
		return 0;
	for (i = 0; i < 8; i++) {
		hi = hi << 8 | a[i];
		lo = lo << 8 | a[8 + i];
	}
	if (off >= 64)
		top = lo << (off - 64);
	else if (off)
		top = hi << off | lo >> (64 - off);
	else
		top = hi;
	return top >> (64 - len);
}

/* Section 6: End-user prefix, subnet ID 0, then 16 bits 0 | IPv4 | PSID. */
static void map_ce_address(struct map_ce *ce, const uint8_t eu_prefix[16],
			   unsigned int eu_len)
{
	unsigned int i;

	memset(ce->ip6, 0, sizeof(ce->ip6));
	for (i = 0; i < eu_len && i < 64; i++)
		ce->ip6[i / 8] |= eu_prefix[i / 8] & (0x80 >> (i % 8));
	ce->ip6[10] = (uint8_t)(ce->ip4 >> 24);
	ce->ip6[11] = (uint8_t)(ce->ip4 >> 16);
	ce->ip6[12] = (uint8_t)(ce->ip4 >> 8);
	ce->ip6[13] = (uint8_t)ce->ip4;
	ce->ip6[14] = (uint8_t)(ce->ports.psid >> 8);
	ce->ip6[15] = (uint8_t)ce->ports.psid;
}

enum map_rule_error map_rule_check(const struct map_rule *r, unsigned int eu_max)
{
	unsigned int suffix = 32 - r->ip4_len;

	if (r->ip6_len > 128 || r->ip4_len > 32 || r->ea_len > 48 ||
	    r->ip6_len + r->ea_len > eu_max || r->ip6_len + r->ea_len > 128 ||
	    r->psid_offset > 16)
		return MAP_RULE_BAD_LENGTHS;
	/* Section 5.2: o + r < 32 gives an IPv4 prefix, not an address. */
	if (r->ea_len < suffix)
		return MAP_RULE_IPV4_PREFIX;
	/* The PSID has k = o - p bits, and a + k may not exceed 16. */
	if (r->ea_len - suffix + r->psid_offset > 16)
		return MAP_RULE_BAD_LENGTHS;
	return MAP_RULE_OK;
}

enum map_rule_error map_rule_derive(const struct map_rule *r,
				    const uint8_t eu_prefix[16],
				    unsigned int eu_len, struct map_ce *ce)
{
	unsigned int suffix = 32 - r->ip4_len;	/* IPv4 bits from EA bits */
	enum map_rule_error err = map_rule_check(r, 128);
	uint64_t ea;
	unsigned int i;

	if (err)
		return err;
	for (i = 0; i < r->ip6_len; i++)
		if (((eu_prefix[i / 8] ^ r->ip6_prefix[i / 8]) >> (7 - i % 8)) & 1)
			return MAP_RULE_NO_MATCH;
	if (eu_len < r->ip6_len + r->ea_len)
		return MAP_RULE_SHORT_PREFIX;

	ea = map_get_bits(eu_prefix, r->ip6_len, r->ea_len);
	ce->ports.offset = r->psid_offset;
	ce->ports.len = (uint8_t)(r->ea_len - suffix);
	ce->ports.psid = (uint16_t)(ea & ((1u << ce->ports.len) - 1));
	ce->ip4 = (suffix ? (uint32_t)(ea >> ce->ports.len) : 0) |
		  (r->ip4_len ? r->ip4_prefix : 0);
	if (!ce->ports.len)
		ce->ports.offset = 0;

	map_ce_address(ce, eu_prefix, eu_len);
	return MAP_RULE_OK;
}

enum map_rule_error map_rule_ce_for(const struct map_rule *r, uint32_t ip4,
				    uint16_t port, struct map_ce *ce)
{
	unsigned int suffix = 32 - r->ip4_len, i;
	enum map_rule_error err = map_rule_check(r, 128);
	uint8_t eu[16];
	uint64_t ea;

	if (err)
		return err;
	if (r->ip4_len && (ip4 ^ r->ip4_prefix) >> suffix)
		return MAP_RULE_NOT_IN_RULE;

	ce->ip4 = ip4;
	ce->ports.len = (uint8_t)(r->ea_len - suffix);
	ce->ports.offset = ce->ports.len ? r->psid_offset : 0;
	ce->ports.psid = psid_of_port(port, ce->ports.offset, ce->ports.len);
	if (ce->ports.len && !psid_port_in_set(&ce->ports, port))
		return MAP_RULE_PORT_EXCLUDED;

	/* EA bits: the IPv4 suffix, then the PSID (section 5.2). */
	ea = ((uint64_t)(suffix ? ip4 & (uint32_t)((1ull << suffix) - 1) : 0)
	      << ce->ports.len) | ce->ports.psid;
	memcpy(eu, r->ip6_prefix, sizeof(eu));
	for (i = r->ip6_len; i < 128; i++)
		eu[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	for (i = 0; i < r->ea_len; i++) {
		unsigned int b = r->ip6_len + i;

		if ((ea >> (r->ea_len - 1 - i)) & 1)
			eu[b / 8] |= (uint8_t)(0x80 >> (b % 8));
	}
	map_ce_address(ce, eu, r->ip6_len + r->ea_len);
	return MAP_RULE_OK;
}
