/* SPDX-License-Identifier: GPL-2.0 */
/*
 * LW4O6: stateless IPv4-in-IPv6 softwires (lw4o6 RFC 7596, DS-Lite RFC 6333,
 * MAP-E RFC 7597). The rule data shared by the iptables/ip6tables extension
 * (libxt_LW4O6) and the kernel targets (xt_LW4O6). The same structure serves
 * the IPv4 target (B4/CE: both ways; AFTR/BR: encapsulate) and the IPv6
 * target (AFTR/BR only: decapsulate).
 *
 * Two modes:
 *  - B4/CE: --b4 and --aftr name the two ends of one softwire (iptables);
 *  - AFTR/BR: --binding-table names a binding table (softwirectl) in the rule's netns;
 *  - MAP-E CE with mesh: both; the table's rules are the FMRs.
 */
#ifndef _XT_LW4O6_H
#define _XT_LW4O6_H

#include <linux/types.h>
#include <linux/netfilter.h>

#define XT_LW4O6_TABLE_LEN 16	/* SOFTWIRE_TABLE_NAME_LEN */

enum {
	/* Decapsulate only packets whose inner destination port (ICMP
	 * identifier) is in the port set psid/psid_len at psid_offset.
	 */
	XT_LW4O6_PORT_SET	= 1 << 0,
	XT_LW4O6_TABLE		= 1 << 1,	/* AFTR/BR: use table */
	XT_LW4O6_ICMP		= 1 << 2,	/* AFTR: ICMP errors for drops */
	XT_LW4O6_TCLASS		= 1 << 3,	/* tclass, not the inner TOS */
	XT_LW4O6_FLOWLABEL	= 1 << 4,	/* flowlabel, not a flow hash */
	/* B4/CE with a table of MAP rules (FMR): CE-to-CE traffic goes
	 * straight to the other CE, and is accepted from it (RFC 7597 5.3).
	 */
	XT_LW4O6_MESH		= 1 << 5,
	/* MAP-E CE from its End-user prefix: the table's first rule is the
	 * BMR, its br-address the BR; implies MESH (RFC 7597 5.2, 6).
	 */
	XT_LW4O6_EU_PREFIX	= 1 << 6,
	/* AFTR/BR, ip6tables: no hairpinning; a packet from one softwire
	 * to another is handed to IPv4 routing (RFC 7596 section 6.2:
	 * the policy MUST be configurable).
	 */
	XT_LW4O6_NO_HAIRPIN	= 1 << 7,
	/* AFTR/BR, iptables: drop every ICMPv4 packet for the softwires. */
	XT_LW4O6_DROP_ICMP	= 1 << 8,
	/* AFTR/BR: send no ICMP error at all (TTL exceeded, fragmentation
	 * needed, relayed ICMPv6 errors): drop silently, count.
	 */
	XT_LW4O6_NO_ICMP_ERRORS	= 1 << 9,
	/* B4/CE: ipv4 is its IPv4 address (lw4o6, RFC 7596 section 5.1):
	 * what it encapsulates must come from it.
	 */
	XT_LW4O6_IPV4		= 1 << 10,
	XT_LW4O6_FLAGS		= (1 << 11) - 1,
};

struct xt_lw4o6_tginfo {
	union nf_inet_addr	b4;		/* our end: the B4/CE IPv6 address */
	union nf_inet_addr	aftr;		/* the AFTR/BR IPv6 address */
	char			table[XT_LW4O6_TABLE_LEN];
	__u32			flowlabel;	/* 20 bits */
	__u16			psid;
	__u8			psid_len;	/* k, 0..16 */
	__u8			psid_offset;	/* a, 0..16; a + k <= 16 */
	__u8			hop_limit;	/* of the IPv6 header; 0: 64 */
	__u8			tclass;
	__u16			flags;
	union nf_inet_addr	eu_prefix;	/* the CE's End-user prefix */
	__u8			eu_len;
	__u8			pad2[3];
	__be32			ipv4;		/* XT_LW4O6_IPV4: the B4's */

	/* Kernel only: the binding table of an AFTR rule or a CE's FMRs,
	 * and the B4/CE's IPv4 rule (after SNAT, decapsulation, and for a
	 * CE what it derives from its End-user prefix: kernel/lw4o6_b4.c).
	 */
	struct softwire_table	*bt __attribute__((aligned(8)));
	struct lw4o6_b4_rule	*b4rule;	/* IPv4 B4/CE rule: after SNAT */
};

#endif /* _XT_LW4O6_H */
