/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MAPT: stateless IPv4/IPv6 translation (RFC 7915) for a MAP-T CE or BR
 * (RFC 7599), a 464XLAT CLAT (RFC 6877) or an SIIT with EAM (RFC 7757):
 * the rule data shared by the kernel target (kernel/mapt_target.c) and the
 * iptables extension (xt_ext/libxt_MAPT.c). The addresses (MAP rules, EAM,
 * DMR) and the translator's policy are in the binding table the rule names
 * (softwirectl(8)); docs/mapt-design.md.
 */
#ifndef _XT_MAPT_H
#define _XT_MAPT_H

#include <linux/types.h>
#include <linux/netfilter.h>

#define XT_MAPT_TABLE_LEN 16	/* SOFTWIRE_TABLE_NAME_LEN */

enum {
	/* A CE: its IPv4 address, port set and IPv6 address derive from
	 * eu_prefix and the table's first rule, the BMR (RFC 7599 section
	 * 5, RFC 7597 sections 5.2 and 6).
	 */
	XT_MAPT_EU_PREFIX	= 1 << 0,
	/* Answer an IPv6 packet whose source is not the CE address its IPv4
	 * source and port derive with ICMPv6 type 1 code 5 (RFC 7599
	 * section 8.3, RFC 7597 section 8.1); it is dropped and counted in any case.
	 */
	XT_MAPT_REJECT_SPOOFED	= 1 << 1,
	XT_MAPT_FLAGS		= (1 << 2) - 1,
};

struct mapt_rule;

struct xt_mapt_tginfo {
	__u32			flags;
	__u8			eu_len;		/* --end-user-prefix length */
	__u8			pad[3];
	union nf_inet_addr	eu_prefix;
	char			table[XT_MAPT_TABLE_LEN];

	/* Kernel only: what checkentry set up (the table, a CE's derived
	 * address and port set, the after-SNAT identity).
	 */
	struct mapt_rule	*k_rule __attribute__((aligned(8)));
};

#endif /* _XT_MAPT_H */
