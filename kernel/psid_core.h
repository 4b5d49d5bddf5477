/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Port sets (PSID) and MAP rules, RFC 7597 sections 5.1, 5.2 and 6, for
 * lw4o6 (RFC 7596), MAP-E (RFC 7597) and MAP-T (RFC 7599). Plain C with no
 * kernel dependency: unit-tested in userspace, compiled into the modules.
 *
 * A port is split as  | A: a bits (offset) | PSID: k bits | M: m bits |
 * with a + k + m = 16. The port set of a PSID is every port with that PSID
 * field, except those with A = 0 when a > 0 (the well-known ports).
 */
#ifndef PSID_CORE_H
#define PSID_CORE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>
#endif

struct psid_set {
	uint8_t offset;		/* a */
	uint8_t len;		/* k */
	uint16_t psid;
};

/* a + k <= 16 and the PSID fits in k bits */
bool psid_set_valid(const struct psid_set *s);
/* The PSID field of a port, for offset a and length k. */
uint16_t psid_of_port(uint16_t port, unsigned int offset, unsigned int len);
bool psid_port_in_set(const struct psid_set *s, uint16_t port);
/* How many ports the set holds. */
unsigned int psid_set_size(const struct psid_set *s);
/* The n-th port of the set, in increasing order (n < psid_set_size()). */
uint16_t psid_set_port(const struct psid_set *s, unsigned int n);

/* A MAP rule (BMR or FMR), RFC 7597 section 5. */
/*
 * Choose a port of the set for a new connection (source NAT into the set):
 * orig if it is in the set and free; else one at random over the set, up
 * to tries draws; then the ports in order from a random place, at most
 * scan of them (every port once if the set has no more), so that a nearly
 * full set of thousands costs a bounded number of free() calls, as the NAT
 * core bounds its own search. free(port, ctx) says whether a port may be
 * used (port 0 is never offered); below(n, ctx) is a random number under
 * n. Returns the port, or -1 when none was found free; *kept says whether
 * it is orig.
 */
struct psid_pick_ops {
	bool (*free)(uint16_t port, void *ctx);
	uint32_t (*below)(uint32_t n, void *ctx);
};

int psid_pick_port(const struct psid_set *s, uint16_t orig, unsigned int tries,
		   unsigned int scan, const struct psid_pick_ops *ops, void *ctx,
		   bool *kept);

struct map_rule {
	uint8_t ip6_prefix[16];
	uint8_t ip6_len;
	uint32_t ip4_prefix;	/* host order */
	uint8_t ip4_len;
	uint8_t ea_len;		/* EA-bits length, 0..48 */
	uint8_t psid_offset;	/* a, 6 by default (RFC 7597 section 5.1) */
};

enum map_rule_error {
	MAP_RULE_OK = 0,
	MAP_RULE_BAD_LENGTHS,	/* prefix lengths or EA bits out of range */
	MAP_RULE_NO_MATCH,	/* the prefix is not under the rule's */
	MAP_RULE_SHORT_PREFIX,	/* shorter than rule prefix + EA bits */
	MAP_RULE_IPV4_PREFIX,	/* the EA bits give an IPv4 prefix only */
	MAP_RULE_NOT_IN_RULE,	/* the IPv4 address is outside the rule */
	MAP_RULE_PORT_EXCLUDED,	/* the port is in no port set (A = 0) */
};

struct map_ce {
	uint32_t ip4;		/* host order */
	struct psid_set ports;
	uint8_t ip6[16];	/* the MAP CE's IPv6 address */
};

/*
 * Can the MAP algorithms use r (section 5.2)? MAP_RULE_BAD_LENGTHS for
 * lengths out of range (prefixes, EA bits up to 48, PSID offset up to 16),
 * a PSID that does not fit next to its offset (a + k > 16), or an
 * End-user prefix (rule prefix + EA bits) longer than eu_max bits: 128 for
 * MAP-E (section 5.2 lets a longer one overwrite the interface
 * identifier), 64 for MAP-T (xlat_addr.h: the IID of section 6 follows it
 * and must be checked whole). MAP_RULE_IPV4_PREFIX if the EA bits do not
 * hold the whole IPv4 suffix (o + r < 32: an IPv4 prefix per CE).
 */
enum map_rule_error map_rule_check(const struct map_rule *r, unsigned int eu_max);

/* Bits [off, off + len) of a, MSB first; len <= 64, off + len <= 128 (else 0). */
uint64_t map_get_bits(const uint8_t a[16], unsigned int off, unsigned int len);

/*
 * What a CE derives from its End-user IPv6 prefix and a rule (section 5.2):
 * its IPv4 address, its port set, and its MAP IPv6 address (section 6).
 */
enum map_rule_error map_rule_derive(const struct map_rule *r,
				    const uint8_t eu_prefix[16],
				    unsigned int eu_len, struct map_ce *ce);

/*
 * The other way (sections 5.3 and 6): the CE that owns ip4:port under rule
 * r, as a BR or a CE forwarding by FMR needs it. ce->ip6 is its MAP IPv6
 * address (End-user prefix of ip6_len + ea_len bits, subnet ID zero).
 */
enum map_rule_error map_rule_ce_for(const struct map_rule *r, uint32_t ip4,
				    uint16_t port, struct map_ce *ce);

#endif /* PSID_CORE_H */
