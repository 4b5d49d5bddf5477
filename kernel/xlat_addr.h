/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address mapping of the MAP-T / SIIT translator: RFC 6052 IPv4-embedded
 * IPv6 addresses, the Explicit Address Mapping table of RFC 7757, and MAP
 * rules (RFC 7599 section 5, on psid_core). Plain C with no kernel
 * dependency: unit-tested and fuzzed in userspace, compiled into xt_LW4O6.
 *
 * IPv4 addresses are host order throughout; IPv6 addresses are 16 bytes in
 * network order.
 */
#ifndef XLAT_ADDR_H
#define XLAT_ADDR_H

#include "psid_core.h"

struct xlat_prefix6 {
	uint8_t a[16];
	uint8_t len;		/* 0: none */
};

struct xlat_eam {
	uint32_t ip4;		/* host order */
	uint8_t ip4_len;
	uint8_t ip6[16];
	uint8_t ip6_len;
};

/*
 * May ip4 (host order) be translated through the DMR p? Not an address
 * that is never routed between networks (0/8, 127/8, 169.254/16, 224/3:
 * multicast, reserved, broadcast); and not through the Well-Known Prefix
 * 64:ff9b::/96 a private one (RFC 6052 section 3.1: RFC 1918, RFC 6598).
 */
bool rfc6052_ipv4_ok(const struct xlat_prefix6 *p, uint32_t ip4);

/* RFC 6052 section 2.2: len is 32, 40, 48, 56, 64 or 96. */
bool rfc6052_len_ok(unsigned int len);
/* No bit of a set past its first len bits (len <= 128)? */
bool xlat_prefix6_clean(const uint8_t a[16], unsigned int len);
/*
 * A prefix fit for a DMR / pool6 (for the table loader): rfc6052_len_ok(),
 * no bit set past len, and with a /96 the u-octet (bits 64-71) zero.
 */
bool rfc6052_prefix_valid(const struct xlat_prefix6 *p);
/*
 * ip4 (host order) embedded in p (RFC 6052 section 2.2); bits 64-71 (the
 * u-octet) and the suffix are zero (with a /96 bits 64-71 are the
 * prefix's: rfc6052_prefix_valid() wants them zero). With a length that
 * fails rfc6052_len_ok(), out is all zero.
 */
void rfc6052_embed(const struct xlat_prefix6 *p, uint32_t ip4, uint8_t out[16]);
/*
 * Is a under p? Then *ip4 = the address embedded in it (host order).
 * The u-octet and the suffix are not checked (see xlat_addr.c).
 */
bool rfc6052_extract(const struct xlat_prefix6 *p, const uint8_t a[16],
		     uint32_t *ip4);

/*
 * RFC 7757 section 3.2: the IPv6 prefix has at least as many suffix bits as
 * the IPv4 prefix (32 - ip4_len <= 128 - ip6_len; more is allowed, as in
 * the RFC's example 192.0.2.128/26 <-> 2001:db8:dddd::/64), and no bit is
 * set past either prefix.
 */
bool xlat_eam_valid(const struct xlat_eam *e);
/*
 * Longest-prefix match over tab[0..n), one entry after the other (RFC 7757
 * sections 3.3, 3.4; of two matching entries of one length the first
 * wins); NULL if none. The packet path uses the index (xlat_eam_find4/6);
 * these are its reference, for the tests.
 */
const struct xlat_eam *xlat_eam_scan4(const struct xlat_eam *tab,
				      unsigned int n, uint32_t ip4);
const struct xlat_eam *xlat_eam_scan6(const struct xlat_eam *tab,
				      unsigned int n, const uint8_t a[16]);
/*
 * Prefix of e, the suffix bits of ip4 copied right after it, further bits
 * zero (RFC 7757 section 3.3). The other way (section 3.4), the bits right
 * after the IPv6 prefix give the IPv4 suffix; further bits are ignored.
 */
void xlat_eam_4to6(const struct xlat_eam *e, uint32_t ip4, uint8_t out[16]);
uint32_t xlat_eam_6to4(const struct xlat_eam *e, const uint8_t a[16]);

/*
 * MAP rules (RFC 7599 section 5: the MAP IPv6 address of a CE, whose IID is
 * that of RFC 7597 section 6: 16 zero bits, the IPv4 address, the 16-bit
 * PSID right-aligned).
 *
 * A rule the translator can use (for the table loader): lengths in range,
 * the EA bits hold the whole IPv4 suffix (one IPv4 address per CE, not a
 * prefix: RFC 7597 section 5.2), PSID offset + length <= 16, and rule
 * prefix + EA bits <= 64 (the IID of RFC 7597 section 6 follows).
 * That is map_rule_check(r, XLAT_MAP_EU_MAX) == MAP_RULE_OK (psid_core.h).
 * xlat_map_find4/6() still return a rule that fails it; xlat_map_6to4()
 * refuses every address under it and xlat_addr_4to6() gives XLAT_NONE.
 */
#define XLAT_MAP_EU_MAX	64
/*
 * The rule of rules[0..n) whose IPv4 prefix covers ip4 (longest IPv4 prefix
 * wins, then the first), one rule after the other; NULL if none. The
 * reference of xlat_map_find4(), as xlat_eam_scan4() is.
 */
const struct map_rule *xlat_map_scan4(const struct map_rule *rules,
				      unsigned int n, uint32_t ip4);
/* The rule whose IPv6 prefix covers a (longest IPv6 prefix wins); NULL if none. */
const struct map_rule *xlat_map_scan6(const struct map_rule *rules,
				      unsigned int n, const uint8_t a[16]);
/*
 * IPv6 -> IPv4 for a MAP CE address a under rule r: the IPv4 address from
 * the rule's IPv4 prefix and the EA bits, the PSID from the EA bits. Then
 * the anti-spoofing check (RFC 7599 section 8.3 at the BR; RFC 7597
 * section 8.1 states it for MAP-E): true only if port (host
 * order; for ICMP echo the identifier) is in that PSID's set and a is
 * exactly the address map_rule_ce_for(r, ip4, port) derives (so the IID
 * must match too). *ip4 is set when true.
 * port < 0: no port (a later fragment, a portless protocol): only the
 * address is derived and checked, the port set is not (the caller decides).
 */
bool xlat_map_6to4(const struct map_rule *r, const uint8_t a[16], int port,
		   uint32_t *ip4);

/*
 * A longest-prefix-match index of an array of prefixes, one address family:
 * the address space cut into n intervals, each starting at start[i] (the
 * first is 0) and ending where the next starts, each with the index of the
 * entry that is the longest prefix covering it (of two entries with the
 * same prefix, the first), XLAT_LPM_NONE if none. A lookup is one binary
 * search: about log2(2 * entries) steps, whatever the prefix lengths.
 * Read only once built.
 */
#define XLAT_LPM_NONE	0xffffffffu

struct xlat_lpm {
	uint32_t n;		/* intervals, at least 1 once built */
	const uint32_t *s4;	/* IPv4: interval starts, host order */
	const uint64_t *s6;	/* IPv6: starts, high and low half each */
	const uint32_t *val;	/* entry index or XLAT_LPM_NONE */
};

/* The index of one array of EAMs or MAP rules, by either prefix. */
struct xlat_index {
	struct xlat_lpm by4, by6;
};

/*
 * Building an index of n entries (process context: the caller allocates):
 * xlat_index_bytes(n) bytes of memory for the index itself, which it
 * points into and which must live as long as it is used, and
 * xlat_index_scratch_bytes(n) of scratch, free again once built. Both
 * need no alignment. n is at most XLAT_INDEX_MAX.
 */
#define XLAT_INDEX_MAX	(1u << 24)
size_t xlat_index_bytes(unsigned int n);
size_t xlat_index_scratch_bytes(unsigned int n);
/*
 * Entries are taken as the scans take them (an EAM whose lengths are out
 * of range matches nothing; a MAP rule by each prefix whose length is in
 * range). The return value: -1, or the index of the first entry (in the
 * array's order) whose IPv4 or IPv6 prefix an earlier entry has already
 * (for EAMs: which the table loader refuses, RFC 7757 section 3.2 wants
 * each prefix mapped once); the index is built either way.
 */
int xlat_index_build_eam(struct xlat_index *ix, void *mem, void *scratch,
			 const struct xlat_eam *tab, unsigned int n);
int xlat_index_build_rules(struct xlat_index *ix, void *mem, void *scratch,
			   const struct map_rule *rules, unsigned int n);

/* The whole lookup of one end of a packet: MAP rule, then EAM, then DMR. */
enum xlat_how { XLAT_NONE, XLAT_MAP, XLAT_EAM, XLAT_DMR };

struct xlat_map {
	const struct map_rule *rules;
	unsigned int n_rules;
	const struct xlat_eam *eam;
	unsigned int n_eam;
	const struct xlat_prefix6 *dmr;	/* NULL or len 0: none */
	/* Built over exactly rules[0..n_rules), eam[0..n_eam); NULL: scans. */
	const struct xlat_index *rules_ix;
	const struct xlat_index *eam_ix;
};

/*
 * The lookups of the packet path, by the index when there is one, else by
 * the scans above (same results): the MAP rule (longest IPv4 / IPv6 prefix
 * wins, RFC 7599 sections 8.1, 8.3, 8.4) and the EAM (RFC 7757 sections
 * 3.3, 3.4) of an address; NULL if none.
 */
const struct map_rule *xlat_map_find4(const struct xlat_map *m, uint32_t ip4);
const struct map_rule *xlat_map_find6(const struct xlat_map *m,
				      const uint8_t a[16]);
const struct xlat_eam *xlat_eam_find4(const struct xlat_map *m, uint32_t ip4);
const struct xlat_eam *xlat_eam_find6(const struct xlat_map *m,
				      const uint8_t a[16]);

/*
 * IPv4 -> IPv6. port: the port of this end (host order) or -1. An address
 * covered by a MAP rule gives XLAT_MAP or, when the port is in no port set
 * or missing while the rule shares addresses (PSID length > 0), XLAT_NONE:
 * it never falls through to an EAM or the DMR.
 */
enum xlat_how xlat_addr_4to6(const struct xlat_map *m, uint32_t ip4, int port,
			     uint8_t out[16]);
/*
 * IPv6 -> IPv4; for XLAT_MAP the anti-spoofing check of xlat_map_6to4()
 * applies (a MAP address that fails it gives XLAT_NONE and *spoofed = true).
 */
enum xlat_how xlat_addr_6to4(const struct xlat_map *m, const uint8_t a[16],
			     int port, uint32_t *ip4, bool *spoofed);

#endif /* XLAT_ADDR_H */
