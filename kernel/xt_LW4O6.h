/* SPDX-License-Identifier: GPL-2.0 */
/*
 * LW4O6: stateless IPv4-in-IPv6 softwires (lw4o6 RFC 7596, DS-Lite RFC 6333,
 * MAP-E RFC 7597). The rule data shared by the iptables/ip6tables extension
 * (libxt_LW4O6) and the kernel targets (xt_LW4O6). The same structure serves
 * the IPv4 target (encapsulate) and the IPv6 target (decapsulate).
 */
#ifndef _XT_LW4O6_H
#define _XT_LW4O6_H

#include <linux/types.h>
#include <linux/netfilter.h>

enum {
	/* Decapsulate only packets whose inner destination port (ICMP
	 * identifier) is in the port set psid/psid_len at psid_offset.
	 */
	XT_LW4O6_PORT_SET	= 1 << 0,
	XT_LW4O6_FLAGS		= XT_LW4O6_PORT_SET,
};

struct xt_lw4o6_tginfo {
	union nf_inet_addr	b4;		/* our end: the B4/CE IPv6 address */
	union nf_inet_addr	aftr;		/* the AFTR/BR IPv6 address */
	__u16			psid;
	__u8			psid_len;	/* k, 0..16 */
	__u8			psid_offset;	/* a, 0..16; a + k <= 16 */
	__u8			hop_limit;	/* of the IPv6 header; 0: 64 */
	__u8			flags;
	__u8			pad[2];
};

#endif /* _XT_LW4O6_H */
