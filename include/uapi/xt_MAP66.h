/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MAP66: stateless, checksum-neutral IPv6 prefix mapping (NPTv6, RFC 6296).
 * The rule data shared by the ip6tables extension (libxt_MAP66) and the
 * kernel target (xt_MAP66).
 */
#ifndef _XT_MAP66_H
#define _XT_MAP66_H

#include <linux/types.h>
#include <linux/netfilter.h>
#include "map66_core.h"

enum xt_map66_mode {
	/* --to: the chain says: OUTPUT and POSTROUTING rewrite the source,
	 * PREROUTING and INPUT the destination.
	 */
	XT_MAP66_MODE_CHAIN = 0,
	XT_MAP66_MODE_SRC,		/* --src-to */
	XT_MAP66_MODE_DST,		/* --dst-to */
};

enum {
	/* Map even when the address belongs to the in/out interface. */
	XT_MAP66_NOCHECK	= 1 << 0,
	/* Keep the host part, update the transport checksum instead. */
	XT_MAP66_KEEP_HOST	= 1 << 1,
	XT_MAP66_FLAGS		= XT_MAP66_NOCHECK | XT_MAP66_KEEP_HOST,
};

struct xt_map66_tginfo {
	union nf_inet_addr	prefix;		/* the prefix mapped to */
	__u8			prefix_len;	/* 1..128 */
	__u8			mode;		/* enum xt_map66_mode */
	__u16			flags;

	/* Kernel only: the mapping, precomputed at rule insertion. */
	struct map66_prefix	map __attribute__((aligned(8)));
	/* Kernel only: raw PREROUTING, the flowtable hook taken. */
	__u8			before_conntrack;
};

#endif /* _XT_MAP66_H */
