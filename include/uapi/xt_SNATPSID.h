/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SNATPSID: source NAT into a port set (PSID, RFC 7597 section 5.1), the
 * rule data shared by the kernel target (kernel/snatpsid_target.c) and the
 * iptables extension (xt_ext/libxt_SNATPSID.c).
 *
 * Either explicit (--to ADDR --psid PSID/LEN --psid-offset A) or derived
 * from a MAP rule (--end-user-prefix P/L --binding-table T: the table's
 * first rule is the BMR, as for -j LW4O6 --end-user-prefix).
 */
#ifndef _XT_SNATPSID_H
#define _XT_SNATPSID_H

#include <linux/types.h>
#include <linux/netfilter.h>
#include "psid_core.h"

#define XT_SNATPSID_TABLE_LEN 16	/* SOFTWIRE_TABLE_NAME_LEN */

struct softwire_binding;

enum {
	/* Derive address and port set from eu_prefix and the table's BMR. */
	XT_SNATPSID_EU_PREFIX		= 1 << 0,
	/* Drop new connections of protocols without ports (GRE, ESP...);
	 * by default their source address alone is translated.
	 */
	XT_SNATPSID_DROP_PORTLESS	= 1 << 1,
	XT_SNATPSID_FLAGS		= XT_SNATPSID_EU_PREFIX |
					  XT_SNATPSID_DROP_PORTLESS,
};

struct xt_snatpsid_tginfo {
	__be32			addr;		/* --to */
	__u16			psid;		/* --psid PSID/LEN */
	__u8			psid_len;	/* 0..16 */
	__u8			psid_offset;	/* --psid-offset, 0..16, default 6 */
	__u16			flags;
	__u8			eu_len;		/* --end-user-prefix length */
	__u8			pad;
	union nf_inet_addr	eu_prefix;
	char			table[XT_SNATPSID_TABLE_LEN];

	/* Kernel only: what checkentry checked (--to), or the binding to
	 * the table that the address and port set derive from, kept up to
	 * date with the table (--end-user-prefix).
	 */
	__be32			k_addr __attribute__((aligned(8)));
	struct psid_set		k_ports;
	struct softwire_binding	*k_binding;
};

#endif /* _XT_SNATPSID_H */
